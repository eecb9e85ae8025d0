"""Pydantic models validated with every problem named: file, key, and what was expected
(an unknown key lists the allowed ones, with a "did you mean")."""

from __future__ import annotations

from collections.abc import Sequence
from types import UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from kpilib.paramtypes import did_you_mean
from kpilib.problems import Problems


def validated(model: type[BaseModel], data: dict[str, Any], label: str, problems: Problems) -> Any:
    """`data` as `model`, or None with every schema problem recorded under `label`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            schema_problem(err, model, label, problems)
    return None


def schema_problem(err: Any, model: type[BaseModel], label: str, problems: Problems) -> None:
    """One pydantic error as a problem naming the key; an unknown key gets the allowed ones."""
    loc = err["loc"]
    expected = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = list(model_at(model, loc[:-1]).model_fields)
        expected = f"a known key ({', '.join(allowed)})" + did_you_mean(str(loc[-1]), allowed)
    problems.error(label, expected, column=".".join(str(x) for x in loc),
                   value=None if isinstance(err.get("input"), dict) else err.get("input"))


def model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel]:
    """The model that validates the mapping at `loc` (through dicts, lists and `X | None`)."""
    annotation: Any = model
    for part in loc:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[str(part)].annotation
        else:  # dict[str, X] or list[X]: X
            annotation = get_args(annotation)[-1]
        if get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
    return annotation
