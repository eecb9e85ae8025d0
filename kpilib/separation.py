"""What separates people: the exact decomposition of a total's variance into its parts.

When a total is the sum of its parts, T = Σ_i c_i, its variance splits exactly:

    var(T) = cov(Σ_i c_i, T) = Σ_i cov(c_i, T),   share_i = cov(c_i, T) / var(T),   Σ_i share_i = 1.

A part separates people when it both varies and moves with the total; a part with a large
weight that everyone scores the same on has share ≈ 0, and a part that runs against the
others has a negative share. This is an identity, not a model: no R², no p-value. It is the
"covariance decomposition" of a sum (e.g. Shorrocks 1982, Econometrica 50(1), "Inequality
decomposition by factor components", the natural decomposition of the variance).

The composite is share × quantitative + qualitative, each a sum of line scores, then
rounded; `composite_parts` gives each line its contribution to the composite and puts the
difference (rounding, a re-weighted missing line) in a part of its own, ``other``, so the
parts add up to the composite exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OTHER = "other"  # the part holding rounding and re-weighting: composite − Σ line contributions


def variance_shares(df: pd.DataFrame, parts: list[str], total: str, tolerance: float = 1e-9) -> pd.DataFrame:
    """Each part's share of the variance of `total`, where `total` is the sum of `parts`.

    Parameters
    ----------
    df : DataFrame
        One row per person; rows with any missing value are dropped.
    parts : list of str
        Columns that add up to `total` on every row.
    total : str
        The total's column.
    tolerance : float
        Largest |total − Σ parts| accepted, relative to the largest |total| (else ValueError).

    Returns
    -------
    DataFrame
        One row per part, in the order given: part, mean, sd, correlation (with the total),
        covariance (with the total; ddof 1), share (covariance / var(total); the shares sum
        to 1), n (rows used).

    References
    ----------
    Shorrocks (1982), Econometrica 50(1), 193–211 (the natural decomposition of the variance).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [2.0, 2.0, 2.0, 2.5]})
    >>> variance_shares(df.assign(t=df.a + df.b), ["a", "b"], "t").round(3)
      part   mean     sd  correlation  covariance  share  n
    0    a  2.500  1.291        0.994       1.917   0.86  4
    1    b  2.125  0.250        0.837       0.312   0.14  4
    """
    missing = [c for c in [total, *parts] if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {', '.join(missing)}")
    data = df[[total, *parts]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < 2:
        raise ValueError(f"{len(data)} complete rows: a variance needs at least 2")
    values = data[parts].to_numpy(float)
    t = data[total].to_numpy(float)
    gap = np.abs(t - values.sum(axis=1)).max()
    if gap > tolerance * max(np.abs(t).max(), 1.0):
        raise ValueError(f"the parts do not add up to {total}: they differ by up to {gap:g}")
    centred = values - values.mean(axis=0)
    tc = t - t.mean()
    var_total = tc @ tc / (len(t) - 1)
    if var_total == 0:
        raise ValueError(f"{total} is the same for everyone: there is no variance to share")
    covariance = centred.T @ tc / (len(t) - 1)
    sd = values.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = np.where(sd > 0, covariance / (sd * np.sqrt(var_total)), np.nan)
    return pd.DataFrame({"part": list(parts), "mean": values.mean(axis=0), "sd": sd, "correlation": correlation,
                         "covariance": covariance, "share": covariance / var_total}).assign(n=len(t))


def composite_parts(lines: pd.DataFrame, sheet: pd.DataFrame, quantitative_share: float) -> pd.DataFrame:
    """Each person's contribution of every line to the composite, and the rest.

    Parameters
    ----------
    lines, sheet : DataFrame
        Scoring lines (employee_id, kpi, kind, line_score) and sheet (employee_id,
        composite) of one period (kpilib.scoring.score).
    quantitative_share : float
        scoring.quantitative_share: a quantitative line counts this much in the composite.

    Returns
    -------
    DataFrame
        One row per person with a composite: employee_id, a column per KPI (its line
        score × its kind's factor; a missing line is 0), ``other`` (composite − Σ of those:
        rounding and re-weighted missing lines), composite.

    Examples
    --------
    >>> lines = pd.DataFrame({"employee_id": ["a", "a", "b", "b"], "kpi": ["x", "q", "x", "q"],
    ...                       "kind": ["quantitative", "qualitative"] * 2, "line_score": [80.0, 20.0, 60.0, 10.0]})
    >>> sheet = pd.DataFrame({"employee_id": ["a", "b"], "composite": [76.0, 52.0]})
    >>> composite_parts(lines, sheet, 0.7)
      employee_id     q     x  other  composite
    0           a  20.0  56.0    0.0       76.0
    1           b  10.0  42.0    0.0       52.0
    """
    factor = np.where(lines["kind"] == "quantitative", quantitative_share, 1.0)
    contribution = lines.assign(contribution=lines["line_score"].fillna(0.0) * factor)
    wide = contribution.pivot_table(index="employee_id", columns="kpi", values="contribution", aggfunc="sum")
    wide.columns = wide.columns.astype(str)
    wide = wide.fillna(0.0)
    composite = sheet.dropna(subset=["composite"]).set_index("employee_id")["composite"]
    wide = wide.reindex(composite.index).fillna(0.0)
    wide[OTHER] = composite - wide.sum(axis=1)
    wide["composite"] = composite
    wide.columns.name = None
    return wide.rename_axis("employee_id").reset_index()
