"""Relative importance of predictors in a linear regression (LMG, dominance, relative weights).

Every function returns a tidy DataFrame with its keys as columns (``predictor``, or
``x``/``y`` for pairs); model-level numbers (R², n) are columns repeated on each row.

- ``lmg``: Lindeman, Merenda & Gold (1980) / Shapley value of R² — each predictor's
  increase in R² averaged over all orders of entry: Σ_S |S|!(p−|S|−1)!/p! ·
  (R²(S ∪ {j}) − R²(S)). Sums to the model R². Exact over all 2^p subsets, with
  R²(S) = r_Sy' R_SS⁻¹ r_Sy from the correlation matrix (Grömping 2006, relaimpo).
- ``relative_weight``: Johnson (2000): with R_xx = V Λ V', Λ^½ the orthogonal
  counterpart Δ = V Λ^½ V', β = Δ⁻¹ r_xy, weight_j = Σ_k Δ_jk² β_k². Sums to R².
- ``std_beta``: standardised coefficients R_xx⁻¹ r_xy; ``first``: r_jy² (R² alone);
  ``last``: R²(all) − R²(all but j) (usefulness).
Checked in tests against brute-force regressions over every order of entry (statsmodels
OLS on the raw data), Grömping's published swiss table and the longley data.

Do not use these to ask which KPI lines "drive" a composite that is their weighted sum:
that regression is an identity (R² = 1). `kpilib.separation.variance_shares` answers it
exactly. Groups of columns (a factor's dummies) are handled by `kpilib.mixed`.

References: Lindeman, Merenda & Gold (1980), Introduction to Bivariate and
Multivariate Analysis; Grömping (2006), J. Stat. Software 17(1); Johnson (2000),
Multivariate Behavioral Research 35(1), 1–19; Budescu (1993), Psychological Bulletin 114(3).
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd

EXACT_LIMIT = 15  # predictors; 2^15 subsets


def _prepare(df: pd.DataFrame, target: str, predictors: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    missing = [c for c in [target, *predictors] if c not in df.columns]
    if missing:
        raise ValueError(f"columns not in the data: {', '.join(missing)}")
    data = df[[target, *predictors]].apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) <= len(predictors) + 1:
        raise ValueError(f"{len(data)} complete rows are too few for {len(predictors)} predictors")
    constant = [c for c in data.columns if data[c].std() == 0]
    if constant:
        raise ValueError(f"constant columns have no variance to explain or share: {', '.join(constant)}")
    corr = np.corrcoef(data.to_numpy(dtype=float), rowvar=False)
    return corr[1:, 1:], corr[1:, 0], len(data)


def _r2(rxx: np.ndarray, rxy: np.ndarray, subset: tuple[int, ...]) -> float:
    if not subset:
        return 0.0
    idx = list(subset)
    return float(rxy[idx] @ np.linalg.solve(rxx[np.ix_(idx, idx)], rxy[idx]))


def subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> dict[frozenset, float]:
    """R² of every subset of predictors, from correlations: R²_S = r_S' R_SS⁻¹ r_S.

    Parameters
    ----------
    rxx : ndarray
        [p, p] correlations among the predictors.
    rxy : ndarray
        [p] correlations of the predictors with the target.

    Returns
    -------
    dict
        frozenset of predictor positions → R² (0 for the empty set).

    References
    ----------
    Grömping (2006), "Relative importance for linear regression in R", JSS 17(1);
    tests/test_drivers.py checks the published swiss and longley tables.

    Examples
    --------
    >>> r2 = subset_r2(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([0.6, 0.4]))
    >>> round(r2[frozenset({0})], 4), round(r2[frozenset({0, 1})], 4)
    (0.36, 0.3733)
    """
    p = len(rxy)
    return {frozenset(s): _r2(rxx, rxy, s) for k in range(p + 1) for s in combinations(range(p), k)}


def shapley(r2: dict[frozenset, float], p: int) -> np.ndarray:
    """Shapley values of a set function given on every subset of range(p) (LMG when it is R²):
    φ_j = Σ_{S ∌ j} |S|! (p − |S| − 1)! / p! · (v(S ∪ {j}) − v(S)).

    Parameters
    ----------
    r2 : dict
        frozenset of positions → value, for every subset (`subset_r2`).
    p : int
        The number of players (predictors).

    Returns
    -------
    ndarray
        [p] values; they add up to v(all) − v(∅).

    References
    ----------
    Shapley (1953); Lindeman, Merenda & Gold (1980); Grömping (2006), JSS 17(1).

    Examples
    --------
    >>> r2 = subset_r2(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([0.6, 0.4]))
    >>> shapley(r2, 2).round(4).tolist()
    [0.2867, 0.0867]
    """
    weight = [factorial(k) * factorial(p - k - 1) / factorial(p) for k in range(p)]
    values = np.zeros(p)
    for subset, value in r2.items():
        for j in range(p):
            if j not in subset:
                values[j] += weight[len(subset)] * (r2[subset | {j}] - value)
    return values


def relative_importance(df: pd.DataFrame, target: str, predictors: list[str],
                        samples: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Relative importance of `predictors` for `target` in an OLS regression.

    Parameters
    ----------
    df : DataFrame
        One row per observation; rows with a missing value in the columns used are dropped.
    target, predictors : str, list of str
        Column names (numeric).
    samples : int, optional
        Beyond 15 predictors, estimate lmg from this many random orders of entry (seeded).
    seed : int
        Seed of those orders.

    Returns
    -------
    DataFrame
        One row per predictor, sorted by lmg: predictor, lmg (sums to r2), lmg_pct (share
        of r2, sums to 100), relative_weight, std_beta, first, last (see the module
        docstring), r2 (the model's R², on every row), n (rows used).

    References
    ----------
    Grömping (2006), relaimpo, J. Stat. Software 17(1), Table 2 (swiss), reproduced in tests.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 3, 2, 5, 4, 6], "a": [1, 2, 3, 4, 5, 6], "b": [0, 1, 0, 1, 0, 1]})
    >>> relative_importance(df, "y", ["a", "b"])[["predictor", "lmg", "r2"]].round(3)
      predictor    lmg     r2
    0         a  0.649  0.981
    1         b  0.332  0.981
    """
    predictors = list(predictors)
    rxx, rxy, n = _prepare(df, target, predictors)
    if np.linalg.matrix_rank(rxx) < len(predictors):
        raise ValueError("predictors are perfectly collinear; drop one of each redundant set")
    p = len(predictors)
    full = _r2(rxx, rxy, tuple(range(p)))
    if p <= EXACT_LIMIT:
        lmg = shapley(subset_r2(rxx, rxy), p)
    elif samples:
        lmg = _lmg_sampled(rxx, rxy, samples, seed)
    else:
        raise ValueError(f"{p} predictors: exact LMG is limited to {EXACT_LIMIT}; pass samples=N "
                         "for an estimate from N random orders of entry")
    out = pd.DataFrame({
        "predictor": predictors,
        "lmg": lmg,
        "lmg_pct": 100 * lmg / full if full > 0 else np.nan,
        "relative_weight": _relative_weights(rxx, rxy),
        "std_beta": np.linalg.solve(rxx, rxy),
        "first": rxy**2,
        "last": [full - _r2(rxx, rxy, tuple(i for i in range(p) if i != j)) for j in range(p)],
        "r2": full,
        "n": n,
    })
    return out.sort_values("lmg", ascending=False, ignore_index=True)


def _lmg_sampled(rxx: np.ndarray, rxy: np.ndarray, samples: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = len(rxy)
    cache: dict[frozenset, float] = {frozenset(): 0.0}
    total = np.zeros(p)
    for _ in range(samples):
        entered: frozenset = frozenset()
        for j in rng.permutation(p):
            after = entered | {int(j)}
            if after not in cache:
                cache[after] = _r2(rxx, rxy, tuple(sorted(after)))
            total[j] += cache[after] - cache[entered]
            entered = after
    return total / samples


def _relative_weights(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh(rxx)
    delta = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    beta = np.linalg.solve(delta, rxy)
    return (delta**2) @ (beta**2)


def dominance(df: pd.DataFrame, target: str, predictors: list[str]) -> pd.DataFrame:
    """Conditional and general dominance (Budescu 1993).

    Parameters
    ----------
    df : DataFrame
    target, predictors : str, list of str

    Returns
    -------
    DataFrame
        One row per predictor: predictor, k0 … k{p−1} (the mean increase in R² the
        predictor adds to subsets of the others of size k), general (their mean, equal to lmg).

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 3, 2, 5, 4, 6], "a": [1, 2, 3, 4, 5, 6], "b": [0, 1, 0, 1, 0, 1]})
    >>> dominance(df, "y", ["a", "b"]).round(3)
      predictor     k0     k1  general
    0         a  0.784  0.514    0.649
    1         b  0.467  0.196    0.332
    """
    rxx, rxy, _ = _prepare(df, target, list(predictors))
    r2 = subset_r2(rxx, rxy)
    p = len(predictors)
    table = np.zeros((p, p))
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for k in range(p):
            gains = [r2[frozenset(s) | {j}] - r2[frozenset(s)] for s in combinations(others, k)]
            table[j, k] = np.mean(gains)
    out = pd.DataFrame(table, columns=[f"k{k}" for k in range(p)])
    out.insert(0, "predictor", list(predictors))
    out["general"] = out[[f"k{k}" for k in range(p)]].mean(axis=1)
    return out


def percentile_interval(draws: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of each column of `draws`.

    Parameters
    ----------
    draws : ndarray
        [R, k] bootstrap replicates of k statistics.
    level : float
        Coverage, e.g. 0.9 (the (1 − level)/2 and (1 + level)/2 quantiles, linear interpolation).

    Returns
    -------
    tuple of ndarray
        ([k] lower bounds, [k] upper bounds).

    References
    ----------
    Efron & Tibshirani (1993), "An introduction to the bootstrap", §13.3.

    Examples
    --------
    >>> percentile_interval(np.arange(1.0, 101).reshape(100, 1), 0.9)
    (array([5.95]), array([95.05]))
    """
    alpha = (1 - level) / 2
    return np.quantile(draws, alpha, axis=0), np.quantile(draws, 1 - alpha, axis=0)


def bootstrap_lmg(df: pd.DataFrame, target: str, predictors: list[str], n: int = 200,
                  level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """Percentile bootstrap intervals for lmg, rows resampled with replacement (seeded).

    Parameters
    ----------
    df : DataFrame
    target, predictors : str, list of str
    n : int
        Resamples (those where the regression cannot be fitted are skipped).
    level : float
        Coverage of the interval.
    seed : int

    Returns
    -------
    DataFrame
        One row per predictor, sorted by lmg: predictor, lmg (on the full data), ci_low,
        ci_high, rank_stability (share of resamples in which the predictor keeps its rank).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.normal(size=(50, 2)), columns=["a", "b"]).assign(y=lambda d: 2 * d.a + d.b)
    >>> out = bootstrap_lmg(df, "y", ["a", "b"], n=50)
    >>> list(out["predictor"]), bool((out["ci_low"] <= out["lmg"]).all())
    (['a', 'b'], True)
    """
    rng = np.random.default_rng(seed)
    base = relative_importance(df, target, predictors).set_index("predictor")
    data = df[[target, *predictors]].dropna().reset_index(drop=True)
    draws, same_rank = [], np.zeros(len(predictors))
    order = list(base.index)
    for _ in range(n):
        sample = data.iloc[rng.integers(0, len(data), len(data))]
        try:
            ri = relative_importance(sample, target, predictors)
        except (ValueError, np.linalg.LinAlgError):
            continue
        draws.append(ri.set_index("predictor")["lmg"].reindex(predictors).to_numpy())
        ranks = list(ri["predictor"])
        same_rank += np.array([ranks.index(p) == order.index(p) for p in predictors])
    low, high = percentile_interval(np.array(draws), level)
    out = pd.DataFrame({"predictor": list(predictors), "lmg": base["lmg"].reindex(predictors).to_numpy(),
                        "ci_low": low, "ci_high": high, "rank_stability": same_rank / max(len(draws), 1)})
    return out.sort_values("lmg", ascending=False, ignore_index=True)


def correlations(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Pairwise Pearson correlations with p-values and Benjamini–Hochberg adjusted p-values.

    Parameters
    ----------
    df : DataFrame
    columns : list of str
        Every pair of these is correlated on its complete rows.

    Returns
    -------
    DataFrame
        One row per pair: x, y, n, r, p_val, p_adj (BH over all pairs).

    References
    ----------
    scipy.stats.pearsonr; Benjamini & Hochberg (1995), JRSS B 57(1), via statsmodels.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 5, 9], "c": [1, 0, 1, 0]})
    >>> correlations(df, ["a", "b", "c"])[["x", "y", "n", "r"]].round(3)
       x  y  n      r
    0  a  b  4  0.965
    1  a  c  4 -0.447
    2  b  c  4 -0.588
    """
    from scipy.stats import pearsonr
    from statsmodels.stats.multitest import multipletests

    rows = []
    for a, b in combinations(columns, 2):
        pair = df[[a, b]].dropna()
        r, p = pearsonr(pair[a], pair[b]) if len(pair) > 2 else (np.nan, np.nan)
        rows.append({"x": a, "y": b, "n": len(pair), "r": r, "p_val": p})
    out = pd.DataFrame(rows, columns=["x", "y", "n", "r", "p_val"])
    ok = out["p_val"].notna()
    out["p_adj"] = np.nan
    if ok.any():
        out.loc[ok, "p_adj"] = multipletests(out.loc[ok, "p_val"], method="fdr_bh")[1]
    return out


def standardized_ols(df: pd.DataFrame, target: str, predictors: list[str], cov_type: str = "HC3") -> pd.DataFrame:
    """OLS on z-scored variables with heteroskedasticity-robust errors.

    Parameters
    ----------
    df : DataFrame
    target, predictors : str, list of str
    cov_type : str
        statsmodels covariance type (HC3: MacKinnon & White 1985).

    Returns
    -------
    DataFrame
        One row per predictor: predictor, beta, se, t, p_val, ci_low, ci_high (95%), r2, n.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1, 3, 2, 5, 4, 6], "a": [1, 2, 3, 4, 5, 6], "b": [0, 1, 0, 1, 0, 1]})
    >>> standardized_ols(df, "y", ["a", "b"])[["predictor", "beta", "r2"]].round(3)
      predictor   beta     r2
    0         a  0.750  0.981
    1         b  0.464  0.981
    """
    import statsmodels.api as sm

    data = df[[target, *predictors]].dropna()
    z = (data - data.mean()) / data.std(ddof=1)
    fit = sm.OLS(z[target], sm.add_constant(z[predictors])).fit(cov_type=cov_type)
    ci = fit.conf_int()
    out = pd.DataFrame({"beta": fit.params, "se": fit.bse, "t": fit.tvalues, "p_val": fit.pvalues,
                        "ci_low": ci[0], "ci_high": ci[1]}).drop(index="const")
    out = out.rename_axis("predictor").reset_index()
    return out.assign(r2=fit.rsquared, n=len(data))


def kpi_frame(lines: pd.DataFrame, sheet: pd.DataFrame, department: str | None = None,
              value: str = "line_score") -> pd.DataFrame:
    """One row per person: employee_id, a column per KPI (its `value` from the scoring
    lines) and composite. Monitored lines are left out; a line score of a KPI outside a
    person's weights (another role layer's) is 0, what it adds to their composite, while a
    missing line stays NaN.

    Parameters
    ----------
    lines, sheet : DataFrame
        `Scores.lines` and `Scores.sheet` of one period (kpilib.scoring.score).
    department : str, optional
        Keep this department's lines only.
    value : str
        The line column to spread (line_score, attainment, ...).

    Returns
    -------
    DataFrame
        employee_id, one column per KPI, composite; people on the sheet only.

    References
    ----------
    A reshape; tests/test_drivers.py checks it against the scoring lines.

    Examples
    --------
    >>> lines = pd.DataFrame({"employee_id": ["a", "a", "b", "b"], "department": "d",
    ...                       "kpi": ["x", "y", "x", "y"], "line_score": [30.0, 20.0, 25.0, 10.0]})
    >>> sheet = pd.DataFrame({"employee_id": ["a", "b"], "composite": [50.0, 35.0]})
    >>> kpi_frame(lines, sheet)
      employee_id     x     y  composite
    0           a  30.0  20.0       50.0
    1           b  25.0  10.0       35.0
    """
    lines = lines if department is None else lines[lines["department"] == department]
    if "monitored" in lines:
        lines = lines[~lines["monitored"].astype(bool)]
    wide = lines.pivot_table(index="employee_id", columns="kpi", values=value, aggfunc="first", dropna=False)
    if value == "line_score":
        had = lines.assign(one=1.0).pivot_table(index="employee_id", columns="kpi", values="one", aggfunc="first")
        wide = wide.where(had.reindex_like(wide).notna(), 0.0)
    wide.columns = wide.columns.astype(str)
    wide = wide.join(sheet.set_index("employee_id")["composite"], how="inner")
    wide.columns.name = None
    return wide.rename_axis("employee_id").reset_index()
