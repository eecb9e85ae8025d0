"""Numbers as people type and read them: typed in spreadsheets (`95.6%` is 0.956,
`1,234,567.89` has thousands separators, `1,5` is ambiguous: 1.5 with a decimal comma, or
15?) and written on pages in their catalogue unit (85%, 0.24%, ¥1,200,000, 4.81)."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd

from kpilib.rounding import round_half_up_scalar

THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?%?"  # 1,234,567.89; any other comma is ambiguous


def parse_numbers(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Distinct cell texts → (numbers, problem): NaN and the message for text that is no number.

    `95.6%` is 0.956; `1,234` is 1234; `1,5` is an error (1.5 with a decimal comma, or 15?)."""
    comma = text.str.contains(",", regex=False)
    ambiguous = comma & ~text.str.fullmatch(THOUSANDS)
    bare = text.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(bare.str.rstrip("%"), errors="coerce")
    parsed = parsed.where(~bare.str.endswith("%"), parsed / 100).to_numpy(dtype=float)
    boolean = text.str.lower().isin(["true", "false"]).to_numpy()
    problem = np.where(ambiguous, "a number; ambiguous decimal comma: write 1.5 or 15 (1,234 is read as 1234)",
                       np.where(boolean, "a number, not true/false",
                                np.where(np.isnan(parsed) & (text != "").to_numpy(), "a number", "")))
    return np.where(problem == "", parsed, np.nan), problem


def in_unit(value: float | None, unit: str, currency: str = "") -> str:
    """`value` as a reader writes it in its catalogue `unit`, rounded half up (kpilib.rounding).

    - percent: a value typed with at most two decimals of a percent exactly as typed (85%,
      87.5%, 0.24%); any other one decimal (87.3%), or two significant digits below 1%
      (0.237% → 0.24%, 0.0123% → 0.012%): 0.2% and 0.24% never print alike.
    - currency: thousands separators, cents when there are any, `currency` (the client's
      symbol, branding.yaml) in front: ¥1,200,000, -¥35.50.
    - any other unit: thousands separators, whole numbers whole (1,600,000), else two
      decimals (4.81, 0.05), or two significant digits below 0.1 (0.0024).

    >>> [in_unit(v, "percent") for v in (0.85, 0.002, 0.0024, 0.00237, 0.872727, -0.136)]
    ['85%', '0.2%', '0.24%', '0.24%', '87.3%', '-13.6%']
    >>> in_unit(1200000, "currency", "¥"), in_unit(-35.5, "currency", "$"), in_unit(4.8125, "ratio")
    ('¥1,200,000', '-$35.50', '4.81')
    """
    if value is None or math.isnan(value):
        return ""
    if unit == "percent":
        return f"{_written(100 * value, _decimals(100 * value, exactly=2, least=1))}%"
    text = _written(value, _decimals(value, exactly=0, least=2))
    if unit == "currency" and currency:
        return f"-{currency}{text[1:]}" if text.startswith("-") else f"{currency}{text}"
    return text


def _decimals(value: float, exactly: int, least: int) -> int:
    """Decimals to write `value` with: the fewest that write it exactly, if at most `exactly`;
    else `least`, or more (at most 4) so that a value below 1 shows two significant digits."""
    typed = max(-Decimal(f"{abs(value):.12g}").normalize().as_tuple().exponent, 0)
    if typed <= exactly:
        return typed
    if abs(value) >= 10 ** (1 - least):
        return least
    return min(max(least, min(typed, 1 - math.floor(math.log10(abs(value))))), 4)


def _written(value: float, decimals: int) -> str:
    """Rounded half up to `decimals`, with thousands separators; never -0."""
    return f"{round_half_up_scalar(value, decimals) + 0.0:,.{decimals}f}"
