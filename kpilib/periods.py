"""Evaluation periods: month `2025-07`, quarter `2025Q3`, half `2025H2`, year `2025`.

A `Span` is a grain plus its first and last month (pandas monthly Periods), so every
grain is handled by one code path: measures are monthly and a span is a set of months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

GRAINS = {"M": 1, "Q": 3, "H": 6, "Y": 12}
_PATTERNS = [
    ("M", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    ("Q", re.compile(r"^(\d{4})Q([1-4])$")),
    ("H", re.compile(r"^(\d{4})H([12])$")),
    ("Y", re.compile(r"^(\d{4})$")),
]
FORMATS = "YYYY-MM, YYYYQn, YYYYHn or YYYY"


@dataclass(frozen=True, order=True)
class Span:
    """A period of one grain; `start` and `end` are monthly `pd.Period`s (inclusive)."""

    start: pd.Period
    grain: str

    @property
    def months_count(self) -> int:
        return GRAINS[self.grain]

    @property
    def end(self) -> pd.Period:
        return self.start + (self.months_count - 1)

    @property
    def label(self) -> str:
        year, month = self.start.year, self.start.month
        if self.grain == "M":
            return f"{year:04d}-{month:02d}"
        if self.grain == "Q":
            return f"{year:04d}Q{(month - 1) // 3 + 1}"
        if self.grain == "H":
            return f"{year:04d}H{(month - 1) // 6 + 1}"
        return f"{year:04d}"

    def months(self) -> pd.PeriodIndex:
        return pd.period_range(self.start, self.end, freq="M")

    def shift(self, n: int) -> Span:
        """The span `n` periods of the same grain later (negative: earlier)."""
        return Span(self.start + n * self.months_count, self.grain)

    def year_ago(self) -> Span:
        return Span(self.start - 12, self.grain)

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.label


def parse_period(text: str) -> Span:
    """Parse a period label; raises ValueError naming the accepted formats."""
    text = str(text).strip()
    for grain, pattern in _PATTERNS:
        m = pattern.match(text)
        if m:
            year = int(m.group(1))
            index = int(m.group(2)) if grain != "Y" else 1
            month = {"M": index, "Q": 3 * index - 2, "H": 6 * index - 5, "Y": 1}[grain]
            return Span(pd.Period(year=year, month=month, freq="M"), grain)
    raise ValueError(f"period {text!r} is not one of {FORMATS}")


def is_period(text: str, grains: str = "MQHY") -> bool:
    text = str(text).strip()
    return any(g in grains and p.match(text) for g, p in _PATTERNS)


def month_of(label: str) -> pd.Period:
    return parse_period(label).start


def span_of_month(month: pd.Period, grain: str) -> Span:
    """The span of `grain` that contains `month`."""
    size = GRAINS[grain]
    first = (month.month - 1) // size * size + 1
    return Span(pd.Period(year=month.year, month=first, freq="M"), grain)


def latest_complete(months: pd.PeriodIndex | list[pd.Period], grain: str = "Q") -> Span:
    """The latest span of `grain` all of whose months are in `months`."""
    present = set(months)
    if not present:
        raise ValueError("no months in the data")
    span = span_of_month(max(present), grain)
    while span.end >= min(present):
        if all(m in present for m in span.months()):
            return span
        span = span.shift(-1)
    raise ValueError(f"no complete {grain} period in the data")
