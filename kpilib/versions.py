"""Schemes that change by period (the source adjusts weights every quarter).

A `scheme.yaml` (the default's and a client's) may hold a list `versions:`, each a change
that applies from its `valid_from` period on, written like a client overlay (any keys of the
scheme, merged key by key; `~` removes a key):

    versions:
      - valid_from: 2026Q2
        departments: {marketing: {quantitative: {campaign_effect: 25, brand_awareness: 15}}}

Changes accumulate: the scheme in force for a period is the default scheme, then the
default's versions whose `valid_from` has started, then the client's scheme, then the
client's versions that have started, each merged over the last. A version starts with the
first month of its `valid_from` (a month, quarter, half or year); a period is scored with the
version in force at its first month, so 2026Q1 keeps the old weights when a change starts at
2026Q2. The version's label is its `valid_from` ("default" before any change), named by
`Config.version`, the manifest and the scoring sheet's callers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kpilib.periods import FORMATS, Span, parse_period
from kpilib.problems import Problems

if TYPE_CHECKING:
    from kpilib.config import Config

DEFAULT = "default"
Layer = tuple[dict[str, Any], list[tuple[Span, dict[str, Any]]]]  # a file's scheme and its changes


def split_versions(data: dict[str, Any], path: Path, problems: Problems) -> Layer:
    """A scheme file's own keys and its `versions:` as (start, change) pairs, in file order;
    a version without a valid period is an error naming the file and the entry."""
    data = dict(data)
    entries = data.pop("versions", None) or []
    changes: list[tuple[Span, dict[str, Any]]] = []
    if not isinstance(entries, list):
        problems.error(str(path), "a list of changes, each with valid_from", column="versions")
        return data, changes
    for i, entry in enumerate(entries):
        change = dict(entry) if isinstance(entry, dict) else {}
        start = str(change.pop("valid_from", ""))
        try:
            changes.append((parse_period(start), change))
        except ValueError:
            problems.error(str(path), f"valid_from: a period ({FORMATS}) from which the change applies",
                           column=f"versions[{i}].valid_from", value=start or None)
    return data, changes


def starts(layers: list[Layer]) -> list[Span]:
    """Every version start of the layers, earliest first (each start month once)."""
    seen: dict[object, Span] = {}
    for _, changes in layers:
        for span, _change in changes:
            seen.setdefault(span.start, span)
    return [seen[k] for k in sorted(seen)]


def scheme_data(layers: list[Layer], at: Span | None, merge: Callable[[dict, dict], dict]) -> dict[str, Any]:
    """The scheme (raw mapping) in force at `at`'s first month (None: before every change)."""
    data: dict[str, Any] = {}
    for own, changes in layers:
        data = merge(data, own)
        for span, change in changes:
            if at is not None and span.start <= at.start:
                data = merge(data, change)
    return data


def label_of(span: Span | None) -> str:
    return span.label if span is not None else DEFAULT


def in_force(config: Config, period: Span | str) -> Config:
    """The Config whose `scheme` and `version` are those in force for `period` (the same
    object when the parameters hold no versions)."""
    if len(config.schemes) <= 1:
        return config
    span = parse_period(period) if isinstance(period, str) else period
    label = DEFAULT
    for start in config.version_starts:
        if start.start <= span.start:
            label = start.label
    if label == config.version:
        return config
    return dataclasses.replace(config, scheme=config.schemes[label], version=label)

