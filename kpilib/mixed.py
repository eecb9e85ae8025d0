"""Beyond the scorecard: what goes with performance among the things a person is, not does.

A linear mixed model of an outcome (the composite) on person factors (region, tenure band,
role layer, new hire) with the team as a random intercept, and the supervisor as a second
variance component where it can be told apart from the team:

    y_ij = x_ij' β + u_j (+ s_k) + e_ij,   u_j ~ N(0, σ²_team), s_k ~ N(0, σ²_supervisor), e ~ N(0, σ²)

fitted by REML (statsmodels MixedLM). Fixed effects are differences from each factor's
most common level, with Wald intervals. Variance shares follow Nakagawa & Schielzeth (2013):
σ²_fixed = var(X β̂), and each component over σ²_fixed + σ²_team (+ σ²_supervisor) + σ².
The fixed part's R² (OLS on the factors' dummies) is shared among the factors by LMG over
groups of columns (Grömping 2006, §3: a factor enters with all its dummies), with
percentile intervals from a team-cluster bootstrap (seeded). These are associations in
one period's data: they do not say that a region or a tenure causes a score.

References: Pinheiro & Bates (2000), Mixed-Effects Models in S; Nakagawa & Schielzeth
(2013), Methods Ecol. Evol. 4(2), 133–142; Grömping (2006), J. Stat. Software 17(1);
Field & Welsh (2007), JRSS B 69(3) (the cluster bootstrap).
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np
import pandas as pd

from kpilib.drivers import percentile_interval, shapley

FACTORS = ["region", "tenure_band", "role_layer", "new_hire"]
TENURE_BANDS = [(0, 2, "tenure 0-2"), (2, 5, "tenure 2-5"), (5, np.inf, "tenure 5+")]  # whole years, [low, high)
NEW_HIRE_YEARS = 1
MIN_PEOPLE = 30  # below this the model is not fitted
MIN_TEAMS = 5  # a team variance needs several teams
MIN_LEVEL = 5  # a factor is used only when each of its levels has this many people
UNESTIMABLE = "interval not estimable"  # flag of an effect whose variance the fit could not estimate


def person_factors(employees: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Person factors on the day `as_of`.

    Parameters
    ----------
    employees : DataFrame
        employee_id, region, hire_date, and role_layer, manager_id when present.
    as_of : Timestamp
        The day tenure is counted to (whole calendar years, `TENURE_BANDS`).

    Returns
    -------
    DataFrame
        employee_id, region, role_layer, tenure_band, new_hire ("new hire" or "not new"),
        supervisor (manager_id).

    References
    ----------
    Calendar arithmetic; bands checked by hand in tests/test_mixed.py (test_person_factors_bands).

    Examples
    --------
    >>> people = pd.DataFrame({"employee_id": ["a", "b"], "region": ["N", "S"], "role_layer": ["execution", None],
    ...                        "hire_date": ["2020-01-01", "2026-03-01"], "manager_id": ["m", "m"]})
    >>> person_factors(people, pd.Timestamp("2026-09-30"))[["employee_id", "tenure_band", "new_hire"]]
      employee_id tenure_band  new_hire
    0           a   tenure 5+   not new
    1           b  tenure 0-2  new hire
    """
    hired = pd.to_datetime(employees["hire_date"])
    band = pd.Series(None, index=employees.index, dtype=object)
    for low, high, name in TENURE_BANDS:  # whole calendar years: hired on 2024-06-30 is 2 years on 2026-06-30
        longer = hired <= as_of - pd.DateOffset(years=low)
        shorter = hired > as_of - pd.DateOffset(years=high) if np.isfinite(high) else True
        band[longer & shorter] = name
    role = employees["role_layer"] if "role_layer" in employees.columns else pd.Series(None, index=employees.index)
    boss = employees["manager_id"] if "manager_id" in employees.columns else pd.Series(None, index=employees.index)
    return pd.DataFrame({"employee_id": employees["employee_id"], "region": employees["region"],
                         "role_layer": role, "tenure_band": band,
                         "new_hire": np.where(hired > as_of - pd.DateOffset(years=NEW_HIRE_YEARS), "new hire", "not new"), "supervisor": boss})


def usable_factors(df: pd.DataFrame, factors: list[str], least: int = MIN_LEVEL) -> pd.DataFrame:
    """Which factors can enter the model.

    Parameters
    ----------
    df : DataFrame
        One row per person, a column per factor.
    factors : list of str
        The factor columns.
    least : int
        People needed in every level.

    Returns
    -------
    DataFrame
        factor, levels, smallest (people in its smallest level), used (at least 2 levels,
        each with `least` people or more).

    References
    ----------
    Counting; tests/test_mixed.py (test_refuses_small_groups_and_leaves_out_thin_factors).

    Examples
    --------
    >>> df = pd.DataFrame({"region": list("NNNSS"), "layer": list("eeeee")})
    >>> usable_factors(df, ["region", "layer"], least=2)
       factor  levels  smallest   used
    0  region       2         2   True
    1   layer       1         5  False
    """
    rows = []
    for f in factors:
        counts = df[f].value_counts()
        rows.append({"factor": f, "levels": len(counts), "smallest": int(counts.min()) if len(counts) else 0,
                     "used": len(counts) >= 2 and counts.min() >= least})
    return pd.DataFrame(rows, columns=["factor", "levels", "smallest", "used"])


def refusal(df: pd.DataFrame, group: str = "team") -> str:
    """Why the model is not fitted.

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group : str
        The team column.

    Returns
    -------
    str
        '' when it can be fitted, else 'too_few_people' (< MIN_PEOPLE) or 'too_few_teams'
        (< MIN_TEAMS).

    References
    ----------
    tests/test_mixed.py (test_refuses_small_groups_and_leaves_out_thin_factors).

    Examples
    --------
    >>> refusal(pd.DataFrame({"team": ["a"] * 10}))
    'too_few_people'
    >>> refusal(pd.DataFrame({"team": ["a", "b"] * 20}))
    'too_few_teams'
    >>> refusal(pd.DataFrame({"team": list("abcde") * 6}))
    ''
    """
    if len(df) < MIN_PEOPLE:
        return "too_few_people"
    if df[group].nunique() < MIN_TEAMS:
        return "too_few_teams"
    return ""


def separable(df: pd.DataFrame, group: str = "team", other: str = "supervisor") -> bool:
    """True when `other` can be told apart from `group`: among the (group, other) cells
    with two or more people there are more cells than groups and more than others (some
    team has two supervisors, or some supervisor two teams, each with people to compare).

    Parameters
    ----------
    df : DataFrame
        One row per person.
    group, other : str
        The two grouping columns (team, supervisor).

    Returns
    -------
    bool

    References
    ----------
    Crossed components need crossed cells (Pinheiro & Bates 2000, §2.2); tests/test_mixed.py
    (test_supervisor_component_when_it_is_separable).

    Examples
    --------
    >>> nested = pd.DataFrame({"team": list("aabb"), "supervisor": list("xxyy")})
    >>> separable(nested)
    False
    >>> crossed = pd.DataFrame({"team": list("aaaabbbb"), "supervisor": list("xxyyxxyy")})
    >>> separable(crossed)
    True
    """
    cells = df[df[other].notna() & (df[other].astype(str) != "")].groupby([group, other], observed=True).size()
    cells = cells[cells >= 2]
    return len(cells) > cells.index.get_level_values(0).nunique() and len(cells) > cells.index.get_level_values(1).nunique()


def references(df: pd.DataFrame, factors: list[str]) -> dict[str, str]:
    """Each factor's reference level: its most common (ties: the first in sorted order).

    Parameters
    ----------
    df : DataFrame
        A column per factor.
    factors : list of str
        The factor columns.

    Returns
    -------
    dict
        factor → reference level (as text).

    References
    ----------
    Treatment contrasts (Pinheiro & Bates 2000); tests/test_mixed.py (equal to statsmodels'
    own formula fit).

    Examples
    --------
    >>> references(pd.DataFrame({"region": list("NSS"), "band": list("xyxy")[:3]}), ["region", "band"])
    {'region': 'S', 'band': 'x'}
    """
    counts = {f: df[f].astype(str).value_counts() for f in factors}
    return {f: sorted(c.index[c == c.max()])[0] for f, c in counts.items()}


def design(df: pd.DataFrame, factors: list[str]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Dummy columns for each factor, its `references` level left out.

    Parameters
    ----------
    df : DataFrame
        A column per factor.
    factors : list of str
        The factor columns.

    Returns
    -------
    tuple
        DataFrame of 0/1 columns "factor=level" (index of `df`), and factor → its columns.

    References
    ----------
    Treatment contrasts; tests/test_mixed.py (equal to statsmodels' own formula fit).

    Examples
    --------
    >>> x, groups = design(pd.DataFrame({"region": list("NSSE")}), ["region"])
    >>> x
       region=E  region=N
    0       0.0       1.0
    1       0.0       0.0
    2       0.0       0.0
    3       1.0       0.0
    >>> groups
    {'region': ['region=E', 'region=N']}
    """
    columns, groups = [], {}
    for f, reference in references(df, factors).items():
        levels = sorted(v for v in df[f].astype(str).unique() if v != reference)
        part = pd.DataFrame({f"{f}={v}": (df[f].astype(str) == v).astype(float) for v in levels}, index=df.index)
        columns.append(part)
        groups[f] = list(part.columns)
    return pd.concat(columns, axis=1), groups


def fit(df: pd.DataFrame, target: str, factors: list[str], group: str = "team", other: str | None = None):
    """REML fit of `target` on `factors` (dummies from `design`) with a random intercept per
    `group`, and `other` as a crossed variance component when given.

    Parameters
    ----------
    df : DataFrame
        One row per person: `target`, the factors, `group` (and `other`).
    target : str
        The outcome column.
    factors : list of str
        The factor columns.
    group, other : str
        The random-intercept column, and the crossed component's column (None: none).

    Returns
    -------
    MixedLMResults
        The statsmodels result; `effects` and `variance_parts` make tidy tables of it.

    References
    ----------
    Pinheiro & Bates (2000); equal to statsmodels' formula fit in tests/test_mixed.py.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"team": np.repeat(list("abcdef"), 10), "region": np.tile(["N", "S"], 30)})
    >>> df["y"] = np.where(df["region"] == "S", 5.0, 0.0) + rng.normal(size=60)
    >>> round(float(fit(df, "y", ["region"]).fe_params["region=S"]))
    5
    """
    import statsmodels.api as sm
    from statsmodels.regression.mixed_linear_model import VCSpec

    x, _ = design(df, factors)
    exog = pd.concat([pd.Series(1.0, index=df.index, name="const"), x], axis=1)
    if other:  # crossed: one group holding everyone, both as variance components
        dummies = [pd.get_dummies(df[name].astype(str), dtype=float) for name in (group, other)]
        vc = VCSpec([group, other], [[list(d.columns)] for d in dummies], [[d.to_numpy()] for d in dummies])
        model = sm.MixedLM(df[target].astype(float), exog, groups=np.ones(len(df)), exog_re=np.zeros((len(df), 0)),
                           exog_vc=vc)
    else:
        model = sm.MixedLM(df[target].astype(float), exog, groups=df[group].astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # boundary (zero-variance) warnings: the variance table shows a 0
        return model.fit(reml=True)


def effects(result, level: float = 0.95) -> pd.DataFrame:
    """Fixed effects of a `fit`: term ("factor=level"), factor, level, estimate (difference
    from the factor's reference level), se, ci_low, ci_high (Wald, `level`), p_val, flag.

    se = √ of the diagonal of the fixed effects' covariance, ci = estimate ± z·se and
    p = 2·(1 − Φ(|estimate / se|)), as statsmodels' `conf_int` and `pvalues` compute them
    (tests/test_mixed.py compares); where that variance is not a positive number (a
    degenerate fit) se, ci and p stay blank with flag `interval not estimable`, instead of
    the √ of a negative number and its RuntimeWarning.

    Parameters
    ----------
    result : MixedLMResults
        A `fit`.
    level : float
        Coverage of the Wald intervals.

    Returns
    -------
    DataFrame
        term, factor, level, estimate, se, ci_low, ci_high, p_val; one row per dummy.

    References
    ----------
    Wald intervals (Pinheiro & Bates 2000, §2.4); planted effects covered ~95% of the time
    in tests/test_mixed.py.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"team": np.repeat(list("abcdef"), 10), "region": np.tile(["N", "S"], 30)})
    >>> df["y"] = np.where(df["region"] == "S", 5.0, 0.0) + rng.normal(size=60)
    >>> effects(fit(df, "y", ["region"]))[["term", "factor", "level"]]
           term  factor level
    0  region=S  region     S
    """
    from scipy import stats

    names = [n for n in result.fe_params.index if n != "const"]
    estimate = result.fe_params[names].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a singular covariance: its diagonal is checked below
        variance = np.diag(np.asarray(result.cov_params().loc[names, names], float)).copy()
    variance[~(np.isfinite(variance) & (variance > 0))] = np.nan
    se = np.sqrt(variance)
    z = stats.norm.ppf(1 - (1 - level) / 2)
    split = [n.split("=", 1) for n in names]
    return pd.DataFrame({"term": names, "factor": [s[0] for s in split], "level": [s[1] for s in split],
                         "estimate": estimate, "se": se, "ci_low": estimate - z * se, "ci_high": estimate + z * se,
                         "p_val": 2 * stats.norm.sf(np.abs(estimate / se)),
                         "flag": np.where(np.isnan(se), UNESTIMABLE, "")})


def variance_parts(result) -> pd.DataFrame:
    """Where the outcome's variance lies (Nakagawa & Schielzeth 2013).

    Parameters
    ----------
    result : MixedLMResults
        A `fit`.

    Returns
    -------
    DataFrame
        component ('fixed', the grouping components, 'residual'), variance, share (of their sum).

    References
    ----------
    Nakagawa & Schielzeth (2013); the planted team variance found in tests/test_mixed.py.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"team": np.repeat(list("abcdef"), 10), "region": np.tile(["N", "S"], 30)})
    >>> df["y"] = np.where(df["region"] == "S", 5.0, 0.0) + rng.normal(size=60)
    >>> parts = variance_parts(fit(df, "y", ["region"]))
    >>> list(parts["component"]), round(float(parts["share"].sum()), 9)
    (['fixed', 'team', 'residual'], 1.0)
    """
    fixed = float(np.var(result.model.exog @ result.fe_params.to_numpy(), ddof=0))
    if result.model.exog_vc is not None and len(result.vcomp):
        random = dict(zip(result.model.exog_vc.names, np.asarray(result.vcomp, float), strict=True))
    else:
        random = {"team": float(result.cov_re.iloc[0, 0])}
    parts = {"fixed": fixed, **random, "residual": float(result.scale)}
    out = pd.DataFrame({"component": list(parts), "variance": list(parts.values())})
    return out.assign(share=out["variance"] / out["variance"].sum())


def _r2_groups(x: np.ndarray, y: np.ndarray, cols: dict[str, list[int]]) -> dict[frozenset, float]:
    """R² of an OLS of y on every union of the column groups (with an intercept)."""
    yc = y - y.mean()
    total = yc @ yc
    out = {}
    names = list(cols)
    for k in range(len(names) + 1):
        for subset in combinations(range(len(names)), k):
            idx = [c for i in subset for c in cols[names[i]]]
            if not idx:
                out[frozenset(subset)] = 0.0
                continue
            xs = x[:, idx] - x[:, idx].mean(axis=0)
            beta, *_ = np.linalg.lstsq(xs, yc, rcond=None)
            resid = yc - xs @ beta
            out[frozenset(subset)] = 1 - (resid @ resid) / total
    return out


def factor_importance(df: pd.DataFrame, target: str, factors: list[str], cluster: str = "team", n: int = 200,
                      level: float = 0.95, seed: int = 0) -> pd.DataFrame:
    """LMG of each factor (all its dummies together) in the OLS R² of `target` on the
    factors, with percentile intervals from resampling whole `cluster`s (seeded).

    Parameters
    ----------
    df : DataFrame
        One row per person: `target`, the factors, `cluster`.
    target : str
        The outcome column.
    factors : list of str
        The factor columns.
    cluster : str
        The column whose groups are resampled whole.
    n, level, seed : bootstrap draws, interval coverage, random seed.

    Returns
    -------
    DataFrame
        factor, lmg, ci_low, ci_high, r2 (the fixed part's R², on every row), sorted by lmg.

    References
    ----------
    Grömping (2006) §3; Field & Welsh (2007); the LMG sums to R² and equals the OLS average
    over every order in tests/test_mixed.py. By hand below: one factor, LMG = R² =
    1 − SSE/SST = 1 − 6.667/23.333 = 0.714.

    Examples
    --------
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7], "a": list("xxxyyy"), "team": list("ppqqrr")})
    >>> factor_importance(df, "y", ["a"], n=20)[["factor", "lmg", "r2"]].round(3)
      factor    lmg     r2
    0      a  0.714  0.714
    """
    x, groups = design(df, factors)
    positions = {f: [x.columns.get_loc(c) for c in cols] for f, cols in groups.items()}
    values, y = x.to_numpy(float), df[target].to_numpy(float)
    lmg = shapley(_r2_groups(values, y, positions), len(factors))
    rng = np.random.default_rng(seed)
    codes, labels = pd.factorize(df[cluster].astype(str))  # in order of appearance: names do not move the draws
    rows_of = [np.flatnonzero(codes == c) for c in range(len(labels))]
    draws = []
    for _ in range(n):
        rows = np.concatenate([rows_of[c] for c in rng.integers(0, len(labels), len(labels))])
        if np.ptp(y[rows]) == 0:
            continue
        draws.append(shapley(_r2_groups(values[rows], y[rows], positions), len(factors)))
    low, high = percentile_interval(np.array(draws), level)
    out = pd.DataFrame({"factor": factors, "lmg": lmg, "ci_low": low, "ci_high": high, "r2": lmg.sum()})
    return out.sort_values("lmg", ascending=False, ignore_index=True)
