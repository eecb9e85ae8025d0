"""Calibration of the qualitative part: rater leniency and severity against the other
raters (self/supervisor gaps, halo, central tendency and ICC are `kpilib.rating_patterns`;
the crossed ratee × rater model and calibrated ratings `kpilib.rater_model`).

Raters disagree more with each other than performance differs (Scullen, Mount & Goff
2000), so the pack shows who rates high or low, and by how much, with intervals.
Every function of these modules takes the long `ratings` table of `kpilib.data.Dataset` (period,
employee_id, rater_type, rater_id, criterion, score) and returns a tidy DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpilib.rounding import round_half_up_scalar

LENIENCY_THRESHOLD = 0.5  # points on the 1–5 scale
LENIENCY_LEVEL = 0.95  # the level of the leniency intervals the reports show
DECIMALS = 2  # leniency and its interval are judged, and printed, to 2 decimals
MIN_RATEES = 3  # ratees a rater needs for an interval
UNKNOWN_IDS = frozenset({"", "nan", "none", "<na>"})  # blank ids, and how missing values print as text
LENIENCY_COLUMNS = ["rater_id", "n", "ratees", "mean", "basis", "leniency", "ci_low", "ci_high", "flag", "reason"]


def known_rater(ids: pd.Series) -> pd.Series:
    """True where a rater id names someone: not missing, blank, whitespace, "nan", "None" or "<NA>".

    Parameters
    ----------
    ids : Series
        Rater ids as read.

    Returns
    -------
    Series of bool, aligned with `ids`.

    References
    ----------
    tests/test_ratings.py (test_blank_rater_ids_are_unknown_not_one_rater).

    Examples
    --------
    >>> known_rater(pd.Series(["S1", " ", "nan", None, "None"])).tolist()
    [True, False, False, False, False]
    """
    text = ids.astype("string").str.strip()
    return (text.notna() & ~text.str.lower().isin(UNKNOWN_IDS)).fillna(False).astype(bool)


def plain_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """The rating columns as plain strings and a float score; unknown rater ids become None
    (`known_rater`), so grouping by rater leaves them out rather than pooling them.

    Parameters
    ----------
    ratings : DataFrame
        The ratings table (period, employee_id, rater_type, rater_id, criterion, score).

    Returns
    -------
    DataFrame
        Those of the six columns present; text columns as str, score float.

    References
    ----------
    tests/test_ratings.py (test_blank_rater_ids_are_unknown_not_one_rater).

    Examples
    --------
    >>> plain_ratings(pd.DataFrame({"employee_id": ["a", "b"], "rater_id": [" S1 ", ""], "score": [4, 5]}))
      employee_id rater_id  score
    0           a       S1    4.0
    1           b      NaN    5.0
    """
    cols = ["period", "employee_id", "rater_type", "rater_id", "criterion", "score"]
    out = ratings[[c for c in cols if c in ratings.columns]].copy()
    for c in ("period", "employee_id", "rater_type", "criterion"):
        if c in out.columns:
            out[c] = out[c].astype(str)
    if "rater_id" in out.columns:
        out["rater_id"] = out["rater_id"].astype(str).str.strip().where(known_rater(out["rater_id"]), None)
    out["score"] = out["score"].astype(float)
    return out


def leniency_flag(leniency: float, ci_low: float, ci_high: float, threshold: float = LENIENCY_THRESHOLD,
                  decimals: int = DECIMALS) -> str:
    """The rule the page prints, applied to the numbers as printed (rounded half up to
    `decimals`): 'lenient' when the interval lies above 0 (ci_low > 0) and leniency ≥
    `threshold`; 'severe' when it lies below 0 (ci_high < 0) and leniency ≤ −`threshold`;
    otherwise '' (also when there is no interval).

    Parameters
    ----------
    leniency, ci_low, ci_high : float
        The estimate and its interval.
    threshold : float
        Points on the 1–5 scale.
    decimals : int
        Decimals printed.

    Returns
    -------
    str
        'lenient', 'severe' or ''.

    References
    ----------
    tests/test_ratings.py (test_flag_is_the_printed_rule_at_the_edges).

    Examples
    --------
    >>> leniency_flag(0.496, 0.006, 0.9), leniency_flag(-0.6, -1.0, -0.2), leniency_flag(0.6, -0.1, 1.3)
    ('lenient', 'severe', '')
    """
    est, low, high = (round_half_up_scalar(float(v), decimals) for v in (leniency, ci_low, ci_high))
    if low > 0 and est >= threshold:
        return "lenient"
    if high < 0 and est <= -threshold:
        return "severe"
    return ""


def _others(r: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Per rating, sums over the *other* raters' ratings in its `key` cell (n, Σx, Σy, Σx², Σxy):
    the cell's totals minus the rater's own."""
    sums = pd.DataFrame({"n": 1.0, "x": r["x"], "y": r["score"], "xx": r["x"] ** 2, "xy": r["x"] * r["score"]})
    cell = sums.groupby([r[k] for k in key]).transform("sum")
    own = sums.groupby([r[k] for k in [*key, "rater_id"]]).transform("sum")
    return cell - own


def _deviations(r: pd.DataFrame) -> pd.DataFrame:
    """Each rating's deviation from its reference (see rater_leniency) and the basis used."""
    same = _others(r, ["period", "employee_id", "criterion"])
    comp = _others(r, ["period", "criterion"])
    mean_x, mean_y = comp["x"] / comp["n"], comp["y"] / comp["n"]
    sxx = comp["xx"] - comp["n"] * mean_x**2
    sxy = comp["xy"] - comp["n"] * mean_x * mean_y
    slope = (sxy / sxx).where((comp["n"] >= 3) & (sxx > 1e-9), 0.0)
    comparable = (mean_y + slope * (r["x"] - mean_x)).where(comp["n"] > 0)
    same_ratee = (same["y"] / same["n"]).where(same["n"] > 0)
    reference = same_ratee.fillna(comparable)
    basis = np.where(same_ratee.notna(), "same_ratee", np.where(comparable.notna(), "comparable_ratees", ""))
    return r.assign(deviation=r["score"] - reference, basis=basis)


def rater_leniency(ratings: pd.DataFrame, rater_type: str = "supervisor", performance: pd.DataFrame | None = None,
                   min_ratings: int = 10, min_ratees: int = MIN_RATEES, level: float = 0.95,
                   threshold: float = LENIENCY_THRESHOLD) -> pd.DataFrame:
    """Leniency (+) or severity (−) of each rater of `rater_type`, judged against other
    raters *of the same type* only (self-ratings, inflated, are never the reference).

    Each rating i of rater j (ratee e, criterion c, period p) gets a reference:

    - same ratee, where other raters of the type rated (e, c, p): their mean score;
    - else comparable ratees (the usual case, one supervisor per ratee): what the other
      raters of the type gave, on the same criterion and period, to people of the same
      quantitative performance x, by a leave-one-rater-out least-squares line
      ref_i = ȳ₋ⱼ + b₋ⱼ (x_i − x̄₋ⱼ), b₋ⱼ = Sxy₋ⱼ / Sxx₋ⱼ over the other raters' ratings
      of the (criterion, period) cell (b = 0 with fewer than 3 of them, no spread in x,
      or no `performance`): a supervisor whose team performs better is expected to rate
      higher, and is lenient only beyond that;
    - none when no other rater of the type rated anyone on that criterion and period.

    Comparing across the whole input rather than within a department matters: in a
    department with two supervisors, one of them severe, the other would look lenient.

    d_i = score_i − ref_i. A rater's leniency is the mean over their ratees of each
    ratee's mean d (ratings of one ratee are not independent), with a t interval over
    ratees: L ± t(level, m − 1) · s / √m. This is the deviation-from-other-raters index of
    leniency (Saal, Downey & Lahey 1980, "Rating the ratings", Psychol. Bull. 88),
    adjusted for the ratees' quantitative performance like an analysis of covariance;
    tested against statsmodels OLS fitted on the other raters' ratings and a hand t interval.

    `performance` (optional): employee_id, period, performance (e.g. the quantitative
    score of that period); ratings of ratee-periods without one are left out. Without it
    the reference is the other raters' mean of the cell.
    Ratings with an unknown rater id (`known_rater`) are left out of every statistic (count
    them with `known_rater`).

    Parameters
    ----------
    ratings : DataFrame
        The ratings table.
    rater_type : str
        The raters judged, against each other.
    performance : DataFrame, optional
        employee_id, period, performance.
    min_ratings, min_ratees : int
        Ratings and ratees a rater needs to be judged.
    level : float
        Coverage of the t interval.
    threshold : float
        Points a flagged rater's leniency reaches.

    Returns
    -------
    DataFrame
        rater_id, n (ratings compared), ratees, mean (the rater's mean score), basis
        ('same_ratee', 'comparable_ratees' or 'both'), leniency, ci_low, ci_high, flag
        (`leniency_flag`: 'lenient', 'severe' or ''), reason ('' when judged,
        'no_comparison' when no other rater of the type rated comparable people, 'too_few'
        under `min_ratings` ratings or `min_ratees` ratees compared); most lenient first.

    References
    ----------
    Saal, Downey & Lahey (1980); against statsmodels OLS and by hand in tests/test_ratings.py.

    Examples
    --------
    Four ratees each rated by S (4 or 5), P1 (3) and P2 (4): S's deviations from the others'
    mean 3.5 are 0.5, 1.5, 0.5, 1.5, so leniency 1.0 ± t(0.975, 3) · 0.577 / 2 = 1.0 ± 0.92;
    P1's are 3 − 4 and 3 − 4.5, leniency −1.25:

    >>> rows = [{"period": "2026Q3", "employee_id": f"e{i}", "rater_type": "supervisor", "rater_id": rater,
    ...          "criterion": "c", "score": score} for i in range(4)
    ...         for rater, score in (("S", 5 if i % 2 else 4), ("P1", 3), ("P2", 4))]
    >>> ratings = pd.DataFrame(rows)
    >>> table = rater_leniency(ratings, min_ratings=4)
    >>> table[["rater_id", "leniency", "ci_low", "ci_high"]].round(2)
      rater_id  leniency  ci_low  ci_high
    0        S      1.00    0.08     1.92
    1       P2      0.25   -0.21     0.71
    2       P1     -1.25   -1.71    -0.79
    >>> table["flag"].tolist()
    ['lenient', '', 'severe']
    """
    r = plain_ratings(ratings)
    r = r[r["rater_type"] == rater_type].dropna(subset=["score"])
    r = r.dropna(subset=["rater_id"])
    if performance is None:
        r = r.assign(x=0.0)
    else:
        x = pd.DataFrame({"employee_id": performance["employee_id"].astype(str),
                          "period": performance["period"].astype(str), "x": performance["performance"].astype(float)})
        r = r.merge(x.dropna(), on=["employee_id", "period"])
    r = _deviations(r.reset_index(drop=True))
    rows = []
    for rater, g in r.groupby("rater_id"):
        compared = g.dropna(subset=["deviation"])
        per_ratee = compared.groupby("employee_id")["deviation"].mean()
        m = len(per_ratee)
        kinds = compared["basis"].unique()
        row = {"rater_id": rater, "n": len(compared), "ratees": m, "mean": g["score"].mean(),
               "basis": kinds[0] if len(kinds) == 1 else "both" if len(kinds) else "",
               "leniency": np.nan, "ci_low": np.nan, "ci_high": np.nan, "flag": "", "reason": ""}
        if not m:
            row["reason"] = "no_comparison"
        elif len(compared) < min_ratings or m < max(min_ratees, 2):
            row["reason"] = "too_few"
        else:
            mean, se = per_ratee.mean(), per_ratee.std(ddof=1) / np.sqrt(m)
            half = stats.t.ppf(0.5 + level / 2, m - 1) * se
            row.update(leniency=mean, ci_low=mean - half, ci_high=mean + half)
            row["flag"] = leniency_flag(mean, mean - half, mean + half, threshold)
        rows.append(row)
    return pd.DataFrame(rows, columns=LENIENCY_COLUMNS).sort_values("leniency", ascending=False, ignore_index=True)
