"""Trends and forecasts (趋势与预测): period series, QoQ / YoY, Mann–Kendall with Sen's
slope, next-period forecasts per person with a rolling-origin backtest, at-risk flags.

References: Mann (1945), Kendall (1975): S = Σ_{i<j} sign(x_j − x_i),
Var(S) = [n(n−1)(2n+5) − Σ t(t−1)(2t+5)] / 18 (t: tie group sizes), Z = (S − sign S)/√Var;
Sen (1968) slope = median of (x_j − x_i)/(j − i) (scipy.stats.theilslopes checks it).
Forecasts: regression toward the mean, x̂ = μ + ρ (x_last − μ), with μ the mean of the
last period and ρ the lag-1 correlation across people (Galton); simple exponential
smoothing, ℓ_t = α x_t + (1 − α) ℓ_{t−1}.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_PERIODS = 5


def changes(series: pd.Series, periods_per_year: int = 4) -> pd.DataFrame:
    """Change on the previous period and on the same period a year earlier.

    Parameters
    ----------
    series : Series
        One value per period, indexed by period.
    periods_per_year : int
        4 for quarters, 12 for months.

    Returns
    -------
    DataFrame
        Indexed by period: value, qoq = x_t / x_{t−1} − 1, yoy = x_t / x_{t−periods_per_year} − 1.

    References
    ----------
    Checked by hand in tests/test_trends.py (test_changes).

    Examples
    --------
    >>> s = pd.Series([100.0, 110, 99, 121, 150], index=pd.period_range("2025Q1", periods=5, freq="Q"))
    >>> changes(s).round(3)
            value    qoq  yoy
    2025Q1  100.0    NaN  NaN
    2025Q2  110.0  0.100  NaN
    2025Q3   99.0 -0.100  NaN
    2025Q4  121.0  0.222  NaN
    2026Q1  150.0  0.240  0.5
    """
    s = series.sort_index()
    return pd.DataFrame({"value": s, "qoq": s / s.shift(1) - 1, "yoy": s / s.shift(periods_per_year) - 1})


MK_COLUMNS = ["n", "S", "var_s", "z", "p_val", "tau", "slope", "intercept", "trend"]


def mann_kendall(values, alpha: float = 0.05) -> pd.DataFrame:
    """Mann–Kendall trend test with Sen's slope.

    Parameters
    ----------
    values : sequence of numbers in time order (NaN left out).
    alpha : significance level of the trend verdict.

    Returns
    -------
    DataFrame, one row: n, S (Σ sign of later − earlier), var_s (tie-corrected), z
    (continuity-corrected), p_val (two-sided), tau (S / (n(n − 1)/2)), slope (Sen),
    intercept, trend ('increasing', 'decreasing', 'no trend'; 'insufficient data' with
    fewer than 5 values, the statistics then NaN).

    References
    ----------
    Mann (1945), Econometrica 13:245; Kendall (1975), *Rank Correlation Methods*; Sen (1968),
    JASA 63:1379. Checked against a direct computation on the Nile series (tests/test_trends.py).

    Examples
    --------
    >>> mann_kendall([1, 2, 3, 5, 4, 6, 7])[["n", "S", "slope", "trend"]]
       n     S  slope       trend
    0  7  19.0    1.0  increasing
    """
    x = np.asarray(pd.Series(values, dtype=float).dropna(), dtype=float)
    return _mann_kendall_rows(x[None, :], len(x), alpha)


def trend_table(history: pd.DataFrame, value: str = "value", by: str = "employee_id") -> pd.DataFrame:
    """Mann–Kendall test and Sen's slope per person (`mann_kendall` on each one's series).

    Parameters
    ----------
    history : DataFrame
        `by`, period, `value`: one row per person and period.
    value : str
        The column tested.
    by : str
        The column naming the series.

    Returns
    -------
    DataFrame
        by, n, trend ('increasing', 'decreasing', 'no trend' or 'insufficient data'),
        slope (Sen), p_val (two-sided).

    References
    ----------
    Mann (1945), Kendall (1975); `mann_kendall` is checked on the Nile series in tests/test_trends.py.

    Examples
    --------
    >>> h = pd.DataFrame({"employee_id": ["a"] * 5 + ["b"] * 5, "period": [1, 2, 3, 4, 5] * 2,
    ...                   "value": [1.0, 2, 3, 4, 5, 5, 3, 4, 2, 1]})
    >>> trend_table(h).round(3)
      employee_id  n       trend  slope  p_val
    0           a  5  increasing    1.0  0.027
    1           b  5    no trend   -1.0  0.086
    """
    columns = [by, "n", "trend", "slope", "p_val"]
    known = history.dropna(subset=[value]).sort_values([by, "period"])
    known = known.assign(_n=known.groupby(by)[value].transform("size"))
    # the people with n values as a matrix, tested together (mann_kendall's arithmetic, row by row)
    parts = [_mann_kendall_rows(group[value].to_numpy(float).reshape(-1, n), n).assign(**{by: group[by].iloc[::n].to_numpy()})
             for n, group in known.groupby("_n")]
    absent = sorted(set(history[by]) - set(known[by]))  # every value missing
    if absent:
        parts.append(_mann_kendall_rows(np.empty((len(absent), 0)), 0).assign(**{by: absent}))
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).sort_values(by, ignore_index=True)[columns]


def _mann_kendall_rows(x: np.ndarray, n: int, alpha: float = 0.05) -> pd.DataFrame:
    """`mann_kendall` of each row of `x` (m series of n values, none missing), one row each."""
    if n < MIN_PERIODS:
        return pd.DataFrame({"n": np.full(len(x), n), **{c: np.full(len(x), np.nan) for c in MK_COLUMNS[1:-1]},
                             "trend": "insufficient data"}, columns=MK_COLUMNS)
    i, j = np.triu_indices(n, 1)
    s = np.sign(x[:, j] - x[:, i]).sum(axis=1)
    ties = (x[:, :, None] == x[:, None, :]).sum(axis=2)  # for each value: how many equal it (itself too)
    # Σ over tie groups of t(t − 1)(2t + 5) = Σ over values of (t − 1)(2t + 5)
    var_s = (n * (n - 1) * (2 * n + 5) - ((ties - 1) * (2 * ties + 5)).sum(axis=1)) / 18
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var_s > 0, (s - np.sign(s)) / np.sqrt(var_s), 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    slope = np.median((x[:, j] - x[:, i]) / (j - i), axis=1)
    intercept = np.median(x, axis=1) - slope * np.median(np.arange(n))
    trend = np.where(p >= alpha, "no trend", np.where(z > 0, "increasing", "decreasing"))
    return pd.DataFrame({"n": np.full(len(x), n), "S": s, "var_s": var_s, "z": z, "p_val": p,
                         "tau": s / (n * (n - 1) / 2), "slope": slope, "intercept": intercept, "trend": trend},
                        columns=MK_COLUMNS)


def _wide(history: pd.DataFrame, value: str) -> pd.DataFrame:
    return history.pivot_table(index="employee_id", columns="period", values=value, aggfunc="mean").sort_index(axis=1)


def forecast(history: pd.DataFrame, value: str = "value", alpha: float = 0.5) -> pd.DataFrame:
    """Next-period forecast per person from `history` (employee_id, period, value).

    Parameters
    ----------
    history : DataFrame
        employee_id, period, `value`.
    value : str
        The column forecast.
    alpha : float
        The smoothing weight α of the latest period.

    Returns
    -------
    DataFrame
        employee_id, last, toward_mean = μ + ρ (last − μ), smoothing (ℓ_t = α x_t +
        (1 − α) ℓ_{t−1}), n_periods, rho (the lag-1 correlation across people that
        toward_mean used, the same on every row; 1 with fewer than 3 pairs).

    References
    ----------
    Galton's regression toward the mean; Brown (1956) exponential smoothing; checked by
    hand in tests/test_trends.py.

    Examples
    --------
    >>> h = pd.DataFrame({"employee_id": ["a", "b", "c"] * 2, "period": [1, 1, 1, 2, 2, 2],
    ...                   "value": [60.0, 70, 80, 64, 72, 77]})
    >>> forecast(h).round(3)
      employee_id  last  toward_mean  smoothing  n_periods    rho
    0           a  64.0       64.061       62.0          2  0.991
    1           b  72.0       71.991       71.0          2  0.991
    2           c  77.0       76.947       78.5          2  0.991
    """
    wide = _wide(history, value)
    last = wide.iloc[:, -1]
    if wide.shape[1] >= 2:
        pair = wide.iloc[:, -2:].dropna()
        rho = pair.corr().iloc[0, 1] if len(pair) > 2 else 1.0
    else:
        rho = 1.0
    mean = last.mean()
    level = wide.iloc[:, 0].copy()
    for col in wide.columns[1:]:
        level = (alpha * wide[col] + (1 - alpha) * level).where(wide[col].notna(), level).fillna(wide[col])
    out = pd.DataFrame({"last": last, "toward_mean": mean + rho * (last - mean), "smoothing": level,
                        "n_periods": wide.notna().sum(axis=1), "rho": float(rho)})
    return out.dropna(subset=["last"]).reset_index()


def backtest(history: pd.DataFrame, value: str = "value", min_train: int = 3, alpha: float = 0.5) -> pd.DataFrame:
    """Rolling-origin backtest: for each origin, forecast the next period from the periods
    up to it and compare with what happened.

    Parameters
    ----------
    history : DataFrame
        employee_id, period, `value`.
    value : str
        The column forecast.
    min_train : int
        Periods before the first origin's target.
    alpha : float
        As in `forecast`.

    Returns
    -------
    DataFrame
        origin, target_period, method ('toward_mean', 'smoothing', 'last'), n, mae,
        spearman (rank correlation of forecast and actual; origins with under 3 people
        left out); `backtest_summary` averages them per method.

    References
    ----------
    Tashman (2000), "Out-of-sample tests of forecasting accuracy", IJF 16 (rolling origin).

    Examples
    --------
    >>> h = pd.DataFrame({"employee_id": ["a", "b", "c"] * 4, "period": [1] * 3 + [2] * 3 + [3] * 3 + [4] * 3,
    ...                   "value": [60.0, 70, 80, 64, 72, 77, 62, 75, 79, 66, 71, 80]})
    >>> backtest(h).round(3)
       origin  target_period       method  n    mae  spearman
    0       3              4  toward_mean  3  2.973       1.0
    1       3              4    smoothing  3  2.417       1.0
    2       3              4         last  3  3.000       1.0
    """
    periods = sorted(history["period"].unique())
    rows = []
    for t in range(min_train, len(periods)):
        train = history[history["period"] <= periods[t - 1]]
        actual = history[history["period"] == periods[t]].set_index("employee_id")[value]
        fc = forecast(train, value, alpha).set_index("employee_id")
        for method in ("toward_mean", "smoothing", "last"):
            both = pd.DataFrame({"f": fc[method], "a": actual}).dropna()
            if len(both) < 3:
                continue
            rows.append({"origin": periods[t - 1], "target_period": periods[t], "method": method, "n": len(both),
                         "mae": float((both["f"] - both["a"]).abs().mean()),
                         "spearman": float(stats.spearmanr(both["f"], both["a"]).statistic)})
    return pd.DataFrame(rows, columns=["origin", "target_period", "method", "n", "mae", "spearman"])


def backtest_summary(backtest: pd.DataFrame) -> pd.DataFrame:
    """Mean MAE and rank correlation of each forecasting method over the origins of a
    `backtest`.

    Parameters
    ----------
    backtest : the table of `backtest` (method, mae, spearman per origin).

    Returns
    -------
    DataFrame with columns method, origins, mae, spearman, one row per method.

    Examples
    --------
    >>> bt = pd.DataFrame({"method": ["last", "last", "smoothing"], "mae": [2.0, 4.0, 1.0],
    ...                    "spearman": [0.5, 0.7, 0.9]})
    >>> backtest_summary(bt)
          method  origins  mae  spearman
    0       last        2  3.0       0.6
    1  smoothing        1  1.0       0.9
    """
    return (backtest.groupby("method", sort=True)
            .agg(origins=("mae", "size"), mae=("mae", "mean"), spearman=("spearman", "mean")).reset_index())


def at_risk(forecasts: pd.DataFrame, pass_grade: float = 70.0, method: str = "toward_mean") -> pd.DataFrame:
    """People whose forecast falls below the pass grade.

    Parameters
    ----------
    forecasts : DataFrame
        The table of `forecast`.
    pass_grade : float
        The grade a forecast must reach.
    method : str
        The forecast column judged.

    Returns
    -------
    DataFrame
        `forecasts` with at_risk (bool): forecast < pass_grade.

    References
    ----------
    A comparison, checked in tests/test_trends.py.

    Examples
    --------
    >>> f = pd.DataFrame({"employee_id": ["a", "b"], "toward_mean": [64.1, 72.0]})
    >>> at_risk(f)
      employee_id  toward_mean  at_risk
    0           a         64.1     True
    1           b         72.0    False
    """
    out = forecasts.copy()
    out["at_risk"] = out[method] < pass_grade
    return out
