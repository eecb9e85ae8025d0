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
    """Distribution of `value`, overall or per `by` group.

    Parameters
    ----------
    frame : DataFrame
        One row per observation.
    value : str
        The numeric column described (missing values left out).
    by : str or list of str, optional
        Grouping columns; None describes the whole frame in one row.

    Returns
    -------
    DataFrame
        [by], n, mean, sd (ddof 1), min, q1, median, q3, max, skew, kurtosis (excess;
        scipy.stats with bias correction, NaN under 3 and 4 values).

    References
    ----------
    scipy.stats.skew / kurtosis (bias=False); checked by hand in tests/test_stats.py.

    Examples
    --------
    >>> df = pd.DataFrame({"team": list("aaabbb"), "score": [1.0, 2, 3, 4, 6, 8]})
    >>> summary_by(df, "score", "team")
      team    n  mean   sd  min   q1  median   q3  max  skew  kurtosis
    0    a  3.0   2.0  1.0  1.0  1.5     2.0  2.5  3.0   0.0       NaN
    1    b  3.0   6.0  2.0  4.0  5.0     6.0  7.0  8.0   0.0       NaN
    """
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
    """Share of the total held by the top `share` of people ("top 20% deliver X%").

    Parameters
    ----------
    values : Series
        One value per person (missing values left out).
    share : float
        The top fraction of people, rounded up to at least one person.

    Returns
    -------
    float
        Σ of the top ⌈share · n⌉ values / Σ of all values (NaN when empty or the total is 0).

    References
    ----------
    The concentration ratio; checked by hand in tests/test_stats.py.

    Examples
    --------
    >>> top_share(pd.Series([1.0, 2, 3, 4, 10]), 0.2)
    0.5
    """
    x = np.sort(values.dropna().to_numpy(float))[::-1]
    k = max(1, int(np.ceil(share * len(x))))
    return float(x[:k].sum() / x.sum()) if len(x) and x.sum() else float("nan")


def lorenz(values: pd.Series) -> pd.DataFrame:
    """Lorenz curve of `values` (sorted ascending, cumulated).

    Parameters
    ----------
    values : Series
        One value per person (missing values left out).

    Returns
    -------
    DataFrame
        population_share, value_share: n + 1 points from (0, 0) to (1, 1).

    References
    ----------
    Lorenz (1905), "Methods of measuring the concentration of wealth", JASA 9(70).

    Examples
    --------
    >>> lorenz(pd.Series([1.0, 1, 2])).round(3)
       population_share  value_share
    0             0.000         0.00
    1             0.333         0.25
    2             0.667         0.50
    3             1.000         1.00
    """
    x = np.sort(values.dropna().to_numpy(float))
    cum = np.concatenate([[0], np.cumsum(x)])
    return pd.DataFrame({"population_share": np.arange(len(x) + 1) / max(len(x), 1),
                         "value_share": cum / cum[-1] if cum[-1] else cum})


def gini(values: pd.Series) -> float:
    """Gini coefficient, population form Σᵢ Σⱼ |xᵢ − xⱼ| / (2 n² x̄), computed in O(n log n)
    as 2 Σᵢ i x₍ᵢ₎ / (n Σ x) − (n + 1) / n over the sorted values.

    Parameters
    ----------
    values : Series
        One value per person (missing values left out).

    Returns
    -------
    float
        The coefficient; NaN when empty or the total is 0.

    References
    ----------
    (n − 1) / (3n) for 1..n (0.2667 for 1..5), the test in tests/test_stats.py.

    Examples
    --------
    >>> round(gini(pd.Series([1.0, 2, 3, 4, 5])), 4)
    0.2667
    """
    x = np.sort(values.dropna().to_numpy(float))
    n = len(x)
    if n == 0 or x.sum() == 0:
        return float("nan")
    i = np.arange(1, n + 1)
    return float(2 * (i * x).sum() / (n * x.sum()) - (n + 1) / n)


def outliers(frame: pd.DataFrame, value: str, by: str | None = None, method: str = "robust_z",
             threshold: float = 3.5) -> pd.DataFrame:
    """Outliers of `value`, within `by` groups.

    Parameters
    ----------
    frame : DataFrame
        One row per observation.
    value : str
        The numeric column judged.
    by : str, optional
        Groups judged separately.
    method : {"robust_z", "iqr"}
        robust z = 0.6745 (x − median) / MAD, outlier when |z| > `threshold`; or Tukey's
        fences Q1 − 1.5 IQR, Q3 + 1.5 IQR.
    threshold : float
        The robust-z cut-off.

    Returns
    -------
    DataFrame
        `frame` with score (robust z, or distance beyond the fence in IQRs; 0 inside) and
        outlier ('high', 'low' or '').

    References
    ----------
    Iglewicz & Hoaglin (1993), "How to detect and handle outliers"; Tukey (1977).

    Examples
    --------
    >>> marked = outliers(pd.DataFrame({"x": [10.0, 11, 9, 10, 10, 30]}), "x")
    >>> marked["score"].round(3).tolist(), marked["outlier"].tolist()
    ([0.0, 1.349, -1.349, 0.0, 0.0, 26.98], ['', '', '', '', '', 'high'])
    """
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

    Parameters
    ----------
    monthly : DataFrame
        employee_id, period (monthly Period), `value`.
    employees : DataFrame
        employee_id, hire_date (datetime), `group`.
    value : str
        The measured column of `monthly`.
    group : str
        The peer group whose mean, in the same month, is the reference.
    max_tenure : int
        Last tenure month shown; tenure month 1 is the month of hire.

    Returns
    -------
    DataFrame
        tenure_month, n, mean_ratio (value / group mean that month), median_ratio.

    References
    ----------
    A hand computation: the example's new hire makes 5 of the team's mean 10 in month 1
    (0.5) and 8 of 10 in month 2 (0.8).

    Examples
    --------
    >>> monthly = pd.DataFrame({"employee_id": ["e1", "e2", "e1", "e2"], "value": [5.0, 15, 8, 12],
    ...                         "period": pd.PeriodIndex(["2026-01", "2026-01", "2026-02", "2026-02"], freq="M")})
    >>> people = pd.DataFrame({"employee_id": ["e1", "e2"], "team": "t",
    ...                        "hire_date": pd.to_datetime(["2026-01-10", "2020-05-01"])})
    >>> new_hire_ramp(monthly, people)
       tenure_month  n  mean_ratio  median_ratio
    0             1  1         0.5           0.5
    1             2  1         0.8           0.8
    """
    frame = monthly.merge(employees[["employee_id", "hire_date", group]], on="employee_id")
    hire = frame["hire_date"].dt.to_period("M")
    frame["tenure_month"] = (frame["period"].dt.year - hire.dt.year) * 12 + (frame["period"].dt.month - hire.dt.month) + 1
    frame["ratio"] = frame[value] / frame.groupby([group, "period"])[value].transform("mean")
    ramp = frame[frame["tenure_month"].between(1, max_tenure)]
    return ramp.groupby("tenure_month")["ratio"].agg(n="size", mean_ratio="mean", median_ratio="median").reset_index()
