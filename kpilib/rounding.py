"""Round half up (四舍五入) with the digits Excel's ROUND gives on the same inputs.

Excel computes in binary floating point but rounds the 15-significant-digit decimal it
displays: ROUND(35*0.35, 1) is 12.3 although 35*0.35 is 12.249999999999998 in binary.
We do the same: take the value to 15 significant digits as a Decimal, then quantize
with ROUND_HALF_UP (away from zero on ties, as Excel). Never banker's rounding.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd


def round_half_up_scalar(value: float, decimals: int) -> float:
    """Round one number half up to `decimals` places; NaN stays NaN."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    exact = Decimal(f"{value:.15g}")
    return float(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def round_half_up(values: pd.Series | np.ndarray | float, decimals: int):
    """Vector form of `round_half_up_scalar`; returns the same kind it is given.

    Values clearly away from a tie are rounded arithmetically; only those within 1e-9
    (relative) of a tie take the exact Decimal path, so a million values cost ~0.1 s.
    """
    if np.isscalar(values):
        return round_half_up_scalar(float(values), decimals)
    array = np.asarray(values, dtype=float)
    scale = 10.0**decimals
    scaled = np.abs(array) * scale
    with np.errstate(invalid="ignore"):
        out = np.sign(array) * np.floor(scaled + 0.5) / scale
        near_tie = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-9 * np.maximum(1.0, scaled)
    ties = np.flatnonzero(near_tie & np.isfinite(array))
    distinct, back = np.unique(array.flat[ties], return_inverse=True)  # each distinct tie rounded once
    out.flat[ties] = np.array([round_half_up_scalar(float(v), decimals) for v in distinct])[back]
    out = out + 0.0  # no negative zero
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    return out
