"""The kinds of value a parameter file holds: finite numbers (never `true`, `.nan`, `.inf`),
whole numbers, weights, shares; and the "did you mean" that goes with a wrong name."""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from typing import Annotated

from pydantic import BeforeValidator, Field


def _finite(value: object) -> object:
    """Refuse what YAML reads as a number but is not one to score with: true/false, .nan, .inf."""
    if isinstance(value, bool):
        raise ValueError(f"a number, not {str(value).lower()}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a finite number, not {value}")
    return value


Number = Annotated[float, BeforeValidator(_finite), Field(allow_inf_nan=False)]
Whole = Annotated[int, BeforeValidator(_finite)]
Weight = Annotated[Number, Field(ge=0)]
Share = Annotated[Number, Field(ge=0, le=1)]


def one_of(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"{what} ({', '.join(allowed)}), not {value!r}" + did_you_mean(value, allowed))
    return value


def did_you_mean(value: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""
