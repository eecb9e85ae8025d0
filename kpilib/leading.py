"""Leading → lagging KPIs: does a month with more visits go with more new customers, now and
next month, for the same person?

The catalogue declares links (`drives: [kpi ids]` on the leading KPI). For a lagging KPI y
and its leading KPIs x_1 … x_k, monthly values are pooled over people:

    y_it = α_i + γ_t + Σ_j (β_j0 x_j,it + β_j1 x_j,i,t−1) + e_it

with person effects α_i (each person compared with themselves: a better seller has both more
visits and more sales, which says nothing about visits moving sales) and month effects γ_t
(a good month for everyone). OLS with standard errors clustered by person (Arellano 1987;
Cameron & Miller 2015, J. Human Resources 50(2)). An association over time, not an experiment.

The backtest asks whether last month's leading values forecast this month's lagging value:
for each of the last `months` months T, y_iT is forecast as α̂_i + Σ_j β̂_j x_j,i,T−1, fitted
on the months before T with person effects (the within estimator), against the person's own
mean before T; both mean absolute errors are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpilib.config import Catalog
from kpilib.data import Dataset
from kpilib.kpis import MeasureCube, kpi_values
from kpilib.periods import parse_period

MIN_PEOPLE = 10
MIN_MONTHS = 6  # months with both this and last month's values
BACKTEST_MONTHS = 6


def links(catalog: Catalog, departments: list[str] | None = None) -> pd.DataFrame:
    """The catalogue's leading → lagging links: leading, lagging, department (the leading
    KPI's departments that also score the lagging one), limited to `departments` when given.

    Parameters
    ----------
    catalog : kpilib.config.Catalog
        The KPI catalogue; a KPI's `drives:` lists the KPIs it leads.
    departments : list of str, optional
        Keep the links of these departments only.

    Returns
    -------
    DataFrame
        leading, lagging, department: one row per link and department.

    References
    ----------
    The catalogue (README, `drives:`); tests/test_leading.py.

    Examples
    --------
    >>> from kpilib.config import load_config
    >>> links(load_config().catalog, ["customer_service"])
             leading lagging        department
    0  response_time    csat  customer_service
    """
    rows = []
    for kpi_id, kpi in catalog.kpis.items():
        for lagging in kpi.drives:
            shared = [d for d in kpi.departments if d in catalog.kpis[lagging].departments]
            rows += [{"leading": kpi_id, "lagging": lagging, "department": d} for d in shared
                     if departments is None or d in departments]
    return pd.DataFrame(rows, columns=["leading", "lagging", "department"])


def monthly_values(dataset: Dataset, catalog: Catalog, kpis: list[str], months: list[pd.Period],
                   people: list[str] | None = None) -> pd.DataFrame:
    """Monthly KPI values, one row per person and month.

    Parameters
    ----------
    dataset : Dataset
        Only its measures are read.
    catalog : Catalog
        The KPI formulas.
    kpis : list of str
        KPI ids, one column each.
    months : list of pd.Period
        The months (each is computed as a one-month period by `kpilib.kpis.kpi_values`).
    people : list of str, optional
        Only these employee_ids (all when None).

    Returns
    -------
    DataFrame
        employee_id, month (pd.Period), a column per KPI (NaN where it cannot be computed).

    References
    ----------
    The catalogue's formula applied to a month's measures; by hand below (42 / 10 = 4.2).

    Examples
    --------
    >>> from kpilib.config import load_config
    >>> from kpilib.data import Dataset
    >>> measures = pd.DataFrame({"period": pd.PeriodIndex(["2026-07", "2026-07", "2026-08", "2026-08"], freq="M"),
    ...                          "employee_id": "a", "measure": ["csat_points", "csat_responses"] * 2,
    ...                          "value": [42.0, 10.0, 40.0, 10.0]})
    >>> dataset = Dataset(pd.DataFrame(), measures, pd.DataFrame(), pd.DataFrame())
    >>> monthly_values(dataset, load_config().catalog, ["csat"], list(pd.period_range("2026-07", "2026-08", freq="M")))
      employee_id    month  csat
    0           a  2026-07   4.2
    1           a  2026-08   4.0
    """
    used = {m for k in kpis for m in catalog.formulas[k].measures}
    measures = dataset.measures[dataset.measures["measure"].isin(used)]
    if people is not None:  # only what the fit reads: the cube aggregates every row it holds
        measures = measures[measures["employee_id"].isin(set(people))]
    cube = MeasureCube(measures, catalog)
    frames = [kpi_values(cube, catalog, parse_period(str(m)), kpis, explain=False).assign(month=m) for m in months]
    long = pd.concat(frames, ignore_index=True)
    wide = long.pivot_table(index=["employee_id", "month"], columns="kpi", values="actual", aggfunc="first")
    wide.columns.name = None
    return wide.reset_index()


def _with_lags(panel: pd.DataFrame, lagging: str, leading: list[str]) -> tuple[pd.DataFrame, list[str]]:
    last = panel[["employee_id", "month", *leading]].assign(month=lambda d: d["month"] + 1)
    lagged = {x: f"{x}__lag1" for x in leading}
    data = panel[["employee_id", "month", lagging, *leading]].merge(
        last.rename(columns=lagged), on=["employee_id", "month"], how="left")
    return data, list(lagged.values())


def panel_fit(panel: pd.DataFrame, lagging: str, leading: list[str], level: float = 0.95) -> pd.DataFrame:
    """The two-way fixed-effects fit of the module docstring.

    Parameters
    ----------
    panel : DataFrame
        employee_id, month (pd.Period, monthly), and a column per KPI (`monthly_values`).
    lagging : str
        The outcome KPI.
    leading : list of str
        Its leading KPIs; each enters this month (lag 0) and last month (lag 1).
    level : float
        Coverage of the intervals (t with people − 1 degrees of freedom).

    Returns
    -------
    DataFrame
        One row per leading KPI and lag: lagging, leading, lag, estimate (change in the
        lagging KPI per unit of the leading one; the person and month effects absorbed, so
        equal to OLS with their dummies), se (clustered by person), ci_low, ci_high,
        p_val, people, observations. Empty with fewer than MIN_PEOPLE people or MIN_MONTHS months.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> panel = pd.DataFrame({"employee_id": np.repeat([f"p{i}" for i in range(30)], 12),
    ...                       "month": list(pd.period_range("2025-01", periods=12, freq="M")) * 30,
    ...                       "x": rng.normal(size=360)})
    >>> lag = panel.groupby("employee_id")["x"].shift(1).fillna(0)
    >>> panel["y"] = 2 * panel["x"] + lag + rng.normal(0, 0.1, 360)
    >>> panel_fit(panel, "y", ["x"])[["leading", "lag", "estimate"]].round(1)
      leading  lag  estimate
    0       x    0       2.0
    1       x    1       1.0
    """
    from scipy import stats

    columns = ["lagging", "leading", "lag", "estimate", "se", "ci_low", "ci_high", "p_val", "people", "observations"]
    data, lags = _with_lags(panel, lagging, leading)
    data = data.dropna()
    people = data["employee_id"].nunique()
    if people < MIN_PEOPLE or data["month"].nunique() < MIN_MONTHS:
        return pd.DataFrame(columns=columns)
    terms = [*leading, *lags]
    person, month = pd.factorize(data["employee_id"])[0], pd.factorize(data["month"])[0]
    within = _absorb(data[[lagging, *terms]].to_numpy(float), [person, month])
    y, x = within[:, 0], within[:, 1:]
    bread = np.linalg.inv(x.T @ x)
    estimate = bread @ x.T @ y
    score = np.zeros((people, len(terms)))
    np.add.at(score, person, x * (y - x @ estimate)[:, None])
    n, k = len(y), len(terms) + people + month.max()  # every coefficient: terms, intercept, people − 1, months − 1
    correction = people / (people - 1) * (n - 1) / (n - k)  # as statsmodels' cluster covariance
    se = np.sqrt(np.diag(correction * bread @ score.T @ score @ bread))
    t = stats.t.ppf(0.5 + level / 2, people - 1)
    return pd.DataFrame({"lagging": lagging, "leading": leading + leading, "lag": [0] * len(leading) + [1] * len(leading),
                         "estimate": estimate, "se": se, "ci_low": estimate - t * se, "ci_high": estimate + t * se,
                         "p_val": 2 * stats.t.sf(np.abs(estimate / se), people - 1), "people": people,
                         "observations": n}, columns=columns)


def _absorb(values: np.ndarray, codes: list[np.ndarray], tolerance: float = 1e-12) -> np.ndarray:
    """Residuals of `values` on the dummies of every code array (person, month): means swept
    out in turn until nothing changes (alternating projections; Guimarães & Portugal 2010)."""
    out = values - values.mean(axis=0)
    scale = max(np.abs(out).max(), 1.0)
    for _ in range(10_000):
        step = 0.0
        for code in codes:
            counts = np.bincount(code)[:, None]
            sums = np.zeros((len(counts), out.shape[1]))
            np.add.at(sums, code, out)
            means = (sums / counts)[code]
            out = out - means
            step = max(step, np.abs(means).max())
        if step < tolerance * scale:
            break
    return out


def backtest(panel: pd.DataFrame, lagging: str, leading: list[str], months: int = BACKTEST_MONTHS) -> pd.DataFrame:
    """Forecast each of the last `months` months from last month's leading values (see the
    module docstring).

    Parameters
    ----------
    panel : DataFrame
        employee_id, month (pd.Period), `lagging` and the `leading` columns.
    lagging : str
        The outcome KPI forecast.
    leading : list of str
        The KPIs whose last-month values forecast it.
    months : int
        The last months tested, each fitted on the months before it only.

    Returns
    -------
    DataFrame
        One row: lagging, months, forecasts, mae_model, mae_naive (each person's mean
        before the month), gain (1 − mae_model / mae_naive). Empty when the history is
        too short (MIN_MONTHS before the first month tested).

    References
    ----------
    Tashman (2000), IJF 16 (rolling origin); tests/test_leading.py on planted links.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> panel = pd.DataFrame({"employee_id": np.repeat([f"p{i}" for i in range(20)], 18),
    ...                       "month": list(pd.period_range("2025-01", periods=18, freq="M")) * 20,
    ...                       "x": rng.normal(size=360)})
    >>> panel["y"] = panel.groupby("employee_id")["x"].shift(1).fillna(0) + rng.normal(0, 0.2, 360)
    >>> bool(backtest(panel, "y", ["x"])["gain"].iloc[0] > 0.5)
    True
    """
    columns = ["lagging", "months", "forecasts", "mae_model", "mae_naive", "gain"]
    data, lags = _with_lags(panel, lagging, leading)
    data = data.dropna(subset=[lagging, *lags])
    tested = sorted(data["month"].unique())[-months:]
    errors_model, errors_naive = [], []
    for month in tested:
        train, test = data[data["month"] < month], data[data["month"] == month]
        if train["month"].nunique() < MIN_MONTHS or train["employee_id"].nunique() < MIN_PEOPLE:
            return pd.DataFrame(columns=columns)
        means = train.groupby("employee_id")[[lagging, *lags]].mean()
        within = train[[lagging, *lags]] - means.loc[train["employee_id"]].to_numpy()
        beta, *_ = np.linalg.lstsq(within[lags].to_numpy(float), within[lagging].to_numpy(float), rcond=None)
        test = test[test["employee_id"].isin(means.index)]
        own = means.loc[test["employee_id"]]
        forecast = own[lagging].to_numpy() + (test[lags].to_numpy(float) - own[lags].to_numpy()) @ beta
        errors_model.append(np.abs(test[lagging].to_numpy() - forecast))
        errors_naive.append(np.abs(test[lagging].to_numpy() - own[lagging].to_numpy()))
    model, naive = np.concatenate(errors_model).mean(), np.concatenate(errors_naive).mean()
    return pd.DataFrame([{"lagging": lagging, "months": len(tested), "forecasts": sum(map(len, errors_model)),
                          "mae_model": model, "mae_naive": naive, "gain": 1 - model / naive}], columns=columns)


@dataclass
class LinkFits:
    """The fitted links of a page: links (leading, lagging, department), coefficients
    (panel_fit rows of every lagging KPI, with department) and backtest (backtest rows, with
    department)."""

    links: pd.DataFrame
    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)


def fit_links(dataset: Dataset, catalog: Catalog, departments: list[str], months: list[pd.Period],
              people: list[str]) -> LinkFits:
    """Fit every lagging KPI of `departments` on its leading ones over `months`, among `people`.

    Parameters
    ----------
    dataset : Dataset
        Its employees (department of each person) and measures.
    catalog : Catalog
        The KPI catalogue and its `drives:` links.
    departments : list of str
        The departments whose links are fitted.
    months : list of pd.Period
        The months of the panel.
    people : list of str
        employee_ids pooled (each fitted in their own department).

    Returns
    -------
    LinkFits
        `links` (`links`), `coefficients` (`panel_fit`'s columns lagging, leading, lag,
        estimate, se, ci_low, ci_high, p_val, people, observations, plus department) and
        `backtest` (`backtest`'s columns plus department); empty frames where a panel is
        too small.

    References
    ----------
    Arellano (1987); Cameron & Miller (2015); equal to OLS with person and month dummies
    and clustered errors in tests/test_leading.py, planted links found in the sample.

    Examples
    --------
    A 120-person synthetic company over 9 months, where slow answers plant a lower CSAT:

    >>> from kpilib.synth import example_company
    >>> config, dataset = example_company(120, 9)
    >>> months = list(pd.period_range("2026-01", "2026-09", freq="M"))
    >>> fits = fit_links(dataset, config.catalog, ["customer_service"], months, list(dataset.employees["employee_id"]))
    >>> fits.coefficients[["lagging", "leading", "lag", "people"]]
      lagging        leading  lag  people
    0    csat  response_time    0      30
    1    csat  response_time    1      30
    >>> bool((fits.coefficients["ci_high"] < 0).all())
    True
    """
    table = links(catalog, departments)
    fits = LinkFits(table)
    if table.empty:
        return fits
    people_of = dataset.employees.set_index("employee_id")["department"]
    coefficients, tests = [], []
    for (dept, lagging), part in table.groupby(["department", "lagging"], sort=False):
        leading = list(part["leading"])
        staff = [p for p in people if people_of.get(p) == dept]
        panel = monthly_values(dataset, catalog, [lagging, *leading], months, staff)
        if not set([lagging, *leading]) <= set(panel.columns):
            continue
        coefficients.append(panel_fit(panel, lagging, leading).assign(department=dept))
        tests.append(backtest(panel, lagging, leading).assign(department=dept))
    fits.coefficients = pd.concat(coefficients, ignore_index=True) if coefficients else pd.DataFrame()
    fits.backtest = pd.concat(tests, ignore_index=True) if tests else pd.DataFrame()
    return fits
