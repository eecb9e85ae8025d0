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
    """Vector form of `round_half_up_scalar`; returns the same kind it is given."""
    if np.isscalar(values):
        return round_half_up_scalar(float(values), decimals)
    array = np.asarray(values, dtype=float)
    out = np.full(array.shape, np.nan)
    finite = np.isfinite(array)
    if finite.any():
        # Fast path: values already exact at `decimals` need no Decimal work.
        scaled = array[finite] * 10.0**decimals
        exact = np.abs(scaled - np.rint(scaled)) < 1e-9 * np.maximum(1.0, np.abs(scaled))
        done = np.where(exact, np.rint(scaled) / 10.0**decimals, np.nan)
        todo = np.flatnonzero(~exact)
        src = array[finite]
        for i in todo:
            done[i] = round_half_up_scalar(src[i], decimals)
        out[finite] = done
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index, name=values.name)
    return out
