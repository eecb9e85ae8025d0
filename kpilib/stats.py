"""Distributions (绩效分布): summaries, concentration (top-k share, Lorenz, Gini), shape,
outliers, tier fit to the forced curve, group comparisons and the new-hire ramp.

References: Gini, population form G = Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄) (gives (n − 1)/(3n)
for 1..n, 0.2667 for 1..5); skewness and excess kurtosis, scipy.stats (bias-corrected);
robust z = 0.6745 (x − median) / MAD (Iglewicz & Hoaglin 1993), outlier when |z| > 3.5;
IQR fences Q1 − 1.5 IQR, Q3 + 1.5 IQR (Tukey); chi-square goodness of fit,
Kruskal–Wallis with ε² = H / (n − 1) (Tomczak & Tomczak 2014), Mann–Whitney U with
rank-biserial r = 1 − 2U/(n₁n₂), Benjamini–Hochberg adjustment (statsmodels).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats


def summary_by(frame: pd.DataFrame, value: str, by: str | list[str] | None = None) -> pd.DataFrame:
    """Columns: [by], n, mean, sd, min, q1, median, q3, max, skew, kurtosis (excess)."""
    def describe(x: pd.Series) -> pd.Series:
        x = x.dropna()
        return pd.Series({"n": len(x), "mean": x.mean(), "sd": x.std(ddof=1), "min": x.min(),
                          "q1": x.quantile(0.25), "median": x.median(), "q3": x.quantile(0.75), "max": x.max(),
                          "skew": stats.skew(x, bias=False) if len(x) > 2 else np.nan,
                          "kurtosis": stats.kurtosis(x, bias=False) if len(x) > 3 else np.nan})
    if by is None:
        return describe(frame[value]).to_frame().T
    return frame.groupby(by)[value].apply(describe).unstack().reset_index()


def top_share(values: pd.Series, share: float = 0.2) -> float:
    """Share of the total held by the top `share` of people ("top 20% deliver X%")."""
    x = np.sort(values.dropna().to_numpy(float))[::-1]
    k = max(1, int(np.ceil(share * len(x))))
    return float(x[:k].sum() / x.sum()) if len(x) and x.sum() else float("nan")


def lorenz(values: pd.Series) -> pd.DataFrame:
    """Lorenz curve: columns population_share, value_share (from (0, 0) to (1, 1))."""
    x = np.sort(values.dropna().to_numpy(float))
    cum = np.concatenate([[0], np.cumsum(x)])
    return pd.DataFrame({"population_share": np.arange(len(x) + 1) / max(len(x), 1),
                         "value_share": cum / cum[-1] if cum[-1] else cum})


def gini(values: pd.Series) -> float:
    """Gini coefficient, population form Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), computed in O(n log n)."""
    x = np.sort(values.dropna().to_numpy(float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(2 * (i * x).sum() / (n * x.sum()) - (n + 1) / n)


def outliers(frame: pd.DataFrame, value: str, by: str | None = None, method: str = "robust_z",
             threshold: float = 3.5) -> pd.DataFrame:
    """`frame` with columns score (robust z, or distance beyond the IQR fence in IQRs) and
    outlier ('high', 'low' or ''), within `by` groups."""
    def flag(x: pd.Series) -> pd.DataFrame:
        if method == "robust_z":
            mad = (x - x.median()).abs().median()
            z = 0.6745 * (x - x.median()) / mad if mad else pd.Series(0.0, index=x.index)
            side = np.where(z > threshold, "high", np.where(z < -threshold, "low", ""))
            return pd.DataFrame({"score": z, "outlier": side}, index=x.index)
        q1, q3 = x.quantile([0.25, 0.75])
        iqr = q3 - q1
        beyond = np.where(x > q3 + 1.5 * iqr, (x - q3) / iqr if iqr else np.inf,
                          np.where(x < q1 - 1.5 * iqr, (x - q1) / iqr if iqr else -np.inf, 0.0))
        return pd.DataFrame({"score": beyond, "outlier": np.where(beyond > 0, "high", np.where(beyond < 0, "low", ""))},
                            index=x.index)
    groups = [frame[value]] if by is None else [g for _, g in frame.groupby(by)[value]]
    marks = pd.concat([flag(g) for g in groups]) if groups else pd.DataFrame(columns=["score", "outlier"])
    return frame.join(marks)


def tier_fit(tiers: pd.Series, shares: dict[str, float]) -> pd.DataFrame:
    """Observed tier counts against the forced curve.

    Parameters
    ----------
    tiers : the tier of each person ('' for people not tiered).
    shares : the scheme's tier shares, best tier first.

    Returns
    -------
    DataFrame with columns tier, observed, expected (n × share), share, observed_share;
    `tier_fit_test` tests the fit.

    Examples
    --------
    >>> tier_fit(pd.Series(["A", "B", "B", "B"]), {"A": 0.25, "B": 0.75})
      tier  observed  expected  share  observed_share
    0    A         1       1.0   0.25            0.25
    1    B         3       3.0   0.75            0.75
    """
    observed = tiers[tiers != ""].value_counts().reindex(list(shares), fill_value=0)
    n = observed.sum()
    expected = pd.Series({t: n * s for t, s in shares.items()})
    return pd.DataFrame({"tier": list(shares), "observed": observed.to_numpy(), "expected": expected.to_numpy(),
                         "share": list(shares.values()),
                         "observed_share": (observed / n if n else observed).to_numpy()})


def tier_fit_test(tiers: pd.Series, shares: dict[str, float]) -> pd.DataFrame:
    """Chi-square goodness of fit of the observed tiers to the forced curve, over the tiers
    with an expected count above 0.

    Parameters
    ----------
    tiers, shares : as `tier_fit`.

    Returns
    -------
    DataFrame, one row: n, chi2, dof, p_val (NaN when nobody is tiered).

    References
    ----------
    Pearson (1900); scipy.stats.chisquare (tests/test_stats.py checks against it).

    Examples
    --------
    >>> tier_fit_test(pd.Series(["A", "A", "B", "B"]), {"A": 0.5, "B": 0.5})
       n  chi2  dof  p_val
    0  4   0.0    1    1.0
    """
    fit = tier_fit(tiers, shares)
    use = fit["expected"] > 0
    n = int(fit["observed"].sum())
    chi2, p = stats.chisquare(fit.loc[use, "observed"], fit.loc[use, "expected"]) if n else (np.nan, np.nan)
    return pd.DataFrame([{"n": n, "chi2": float(chi2), "dof": int(use.sum() - 1), "p_val": float(p)}])


def _groups(frame: pd.DataFrame, value: str, by: str, min_size: int) -> dict:
    groups = {k: g[value].dropna().to_numpy(float) for k, g in frame.groupby(by)}
    return {k: v for k, v in groups.items() if len(v) >= min_size}


def compare_groups(frame: pd.DataFrame, value: str, by: str, min_size: int = 3) -> pd.DataFrame:
    """Do groups (regions, teams) differ? The Kruskal–Wallis test over the groups of at
    least `min_size` values; `pairwise_groups` compares them two by two.

    Parameters
    ----------
    frame : one row per observation, with columns `value` and `by`.
    value, by : the numeric column and the grouping column.
    min_size : smaller groups are left out.

    Returns
    -------
    DataFrame, one row: groups, n, H, dof, p_val, epsilon_sq (H / (n − 1), Tomczak &
    Tomczak 2014); H, dof, p_val and epsilon_sq are NaN with fewer than 2 groups.

    References
    ----------
    Kruskal & Wallis (1952), JASA 47:583; scipy.stats.kruskal.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": list("aaabbb"), "v": [1, 2, 3, 4, 5, 6]})
    >>> compare_groups(frame, "v", "g").round(3)
       groups  n      H  dof  p_val  epsilon_sq
    0       2  6  3.857    1   0.05       0.771
    """
    groups = _groups(frame, value, by, min_size)
    n = sum(len(v) for v in groups.values())
    columns = ["groups", "n", "H", "dof", "p_val", "epsilon_sq"]
    if len(groups) < 2:
        return pd.DataFrame([{"groups": len(groups), "n": n}], columns=columns)
    h, p = stats.kruskal(*groups.values())
    return pd.DataFrame([{"groups": len(groups), "n": n, "H": float(h), "dof": len(groups) - 1, "p_val": float(p),
                          "epsilon_sq": float(h / (n - 1))}], columns=columns)


def pairwise_groups(frame: pd.DataFrame, value: str, by: str, min_size: int = 3) -> pd.DataFrame:
    """Every pair of groups compared by the Mann–Whitney U test, p-values adjusted by
    Benjamini–Hochberg.

    Parameters
    ----------
    frame, value, by, min_size : as `compare_groups`.

    Returns
    -------
    DataFrame with columns a, b, n_a, n_b, U, p_val, p_adj, rank_biserial (1 − 2U/(n_a n_b)),
    median_diff (median a − median b); empty with fewer than 2 groups.

    References
    ----------
    Mann & Whitney (1947); Benjamini & Hochberg (1995); Kerby (2014) for the rank-biserial r.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": list("aaabbb"), "v": [1, 2, 3, 4, 5, 6]})
    >>> pairwise_groups(frame, "v", "g")[["a", "b", "U", "rank_biserial", "median_diff"]]
       a  b    U  rank_biserial  median_diff
    0  a  b  0.0            1.0         -3.0
    """
    from statsmodels.stats.multitest import multipletests

    groups = _groups(frame, value, by, min_size)
    columns = ["a", "b", "n_a", "n_b", "U", "p_val", "p_adj", "rank_biserial", "median_diff"]
    rows = []
    for a, b in combinations(groups, 2):
        u, pu = stats.mannwhitneyu(groups[a], groups[b], alternative="two-sided")
        rows.append({"a": a, "b": b, "n_a": len(groups[a]), "n_b": len(groups[b]), "U": float(u), "p_val": float(pu),
                     "rank_biserial": 1 - 2 * u / (len(groups[a]) * len(groups[b])),
                     "median_diff": float(np.median(groups[a]) - np.median(groups[b]))})
    pairs = pd.DataFrame(rows, columns=columns)
    if len(pairs):
        pairs["p_adj"] = multipletests(pairs["p_val"], method="fdr_bh")[1]
    return pairs


def new_hire_ramp(monthly: pd.DataFrame, employees: pd.DataFrame, value: str = "value",
                  group: str = "team", max_tenure: int = 12) -> pd.DataFrame:
    """Performance by month of tenure, relative to the group's mean in the same month.

    `monthly`: employee_id, period (monthly Period), `value`. Tenure month 1 is the month
    of hire. Columns: tenure_month, n, mean_ratio (value / group mean that month),
    median_ratio.
    """
    frame = monthly.merge(employees[["employee_id", "hire_date", group]], on="employee_id")
    hire = frame["hire_date"].dt.to_period("M")
    frame["tenure_month"] = (frame["period"].dt.year - hire.dt.year) * 12 + (frame["period"].dt.month - hire.dt.month) + 1
    frame["ratio"] = frame[value] / frame.groupby([group, "period"])[value].transform("mean")
    ramp = frame[frame["tenure_month"].between(1, max_tenure)]
    return ramp.groupby("tenure_month")["ratio"].agg(n="size", mean_ratio="mean", median_ratio="median").reset_index()
