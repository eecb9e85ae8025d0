"""Leading → lagging: the two-way fixed-effects fit on simulated panels, against statsmodels,
the backtest, the catalogue links and the links planted in the sample company."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from kpilib import leading

B0, B1 = 2.0, 1.0


def panel(seed=0, people=40, months=18, b0=B0, b1=B1, holes=0.1):
    """y = person effect + month effect + b0·x + b1·x(last month) + noise; x correlated with
    the person effect (a better seller has both), some person-months missing."""
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"p{i:02d}" for i in range(people)], months)
    month = np.tile(np.arange(months), people)
    ability = np.repeat(rng.normal(0, 3, people), months)
    x = 5 + ability + rng.normal(0, 1, people * months)
    last = np.concatenate([[0.0], x[:-1]])
    last[month == 0] = 0.0
    season = rng.normal(0, 2, months)[month]
    y = 10 + 4 * ability + season + b0 * x + b1 * last + rng.normal(0, 1, people * months)
    frame = pd.DataFrame({"employee_id": ids, "month": pd.period_range("2025-01", periods=months, freq="M")[month],
                          "x": x, "y": np.where(month == 0, np.nan, y)})  # the first month has no last month
    return frame.drop(index=rng.choice(len(frame), int(holes * len(frame)), replace=False)).reset_index(drop=True)


def test_planted_coefficients_fall_in_their_intervals():
    table = leading.panel_fit(panel(), "y", ["x"]).set_index("lag")
    assert table.loc[0, "ci_low"] <= B0 <= table.loc[0, "ci_high"]
    assert table.loc[1, "ci_low"] <= B1 <= table.loc[1, "ci_high"]
    assert table.loc[0, "people"] == 40


def test_coverage_over_simulations():
    hits = [(r.ci_low <= (B0 if r.lag == 0 else B1) <= r.ci_high)
            for seed in range(30) for r in leading.panel_fit(panel(seed), "y", ["x"]).itertuples()]
    assert 0.85 <= np.mean(hits) <= 1.0


def test_equal_to_ols_with_person_and_month_dummies_and_clustered_errors():
    data = panel(3)
    ours = leading.panel_fit(data, "y", ["x"])
    d = data.sort_values(["employee_id", "month"]).copy()
    last = d.assign(month=d["month"] + 1)[["employee_id", "month", "x"]].rename(columns={"x": "x_last"})
    d = d.merge(last, on=["employee_id", "month"], how="left").dropna()
    dummies = pd.get_dummies(d[["employee_id"]], drop_first=True, dtype=float)
    months = pd.get_dummies(d["month"].astype(str), prefix="m", drop_first=True, dtype=float)
    exog = sm.add_constant(pd.concat([d[["x", "x_last"]], dummies, months], axis=1))
    fit = sm.OLS(d["y"], exog).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(d["employee_id"])[0]})
    assert ours["estimate"].to_numpy() == pytest.approx(fit.params[["x", "x_last"]].to_numpy(), abs=1e-8)
    assert ours["se"].to_numpy() == pytest.approx(fit.bse[["x", "x_last"]].to_numpy(), rel=1e-6)
    assert ours["observations"].iloc[0] == len(d)


def test_pooled_without_person_effects_would_be_fooled():
    """Ability raises both x and y; without person effects the slope is far from B0."""
    data = panel(4, b0=0.0, b1=0.0)
    pooled = sm.OLS(data.dropna()["y"], sm.add_constant(data.dropna()["x"])).fit().params["x"]
    assert pooled > 2
    table = leading.panel_fit(data, "y", ["x"])
    assert (table["ci_low"] <= 0).all() and (table["ci_high"] >= 0).all()


def test_backtest_gains_with_a_lag_and_not_without():
    with_lag = leading.backtest(panel(5, b0=0.0, b1=3.0, holes=0.0), "y", ["x"])
    without = leading.backtest(panel(5, b0=0.0, b1=0.0, holes=0.0), "y", ["x"])
    assert with_lag["gain"].iloc[0] > 0.2
    assert abs(without["gain"].iloc[0]) < 0.1
    assert with_lag["months"].iloc[0] == leading.BACKTEST_MONTHS
    assert leading.backtest(panel(5, months=8), "y", ["x"]).empty  # too short a history
    assert leading.panel_fit(panel(5, people=5), "y", ["x"]).empty


def test_catalogue_links_and_an_unknown_id_named(tmp_path):
    import shutil

    from kpilib.config import default_params_dir, load_config
    from kpilib.problems import UserError

    table = leading.links(load_config().catalog)
    assert {("customer_visits", "new_customers"), ("new_customers", "sales_amount"),
            ("response_time", "csat")} <= set(zip(table["leading"], table["lagging"], strict=True))
    client = tmp_path / "clients" / "x"
    client.mkdir(parents=True)
    (client / "catalog.yaml").write_text("kpis:\n  response_time:\n    drives: [csat_typo]\n", encoding="utf-8")
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(default_params_dir() / name, tmp_path / name)
    with pytest.raises(UserError, match="drives") as err:
        load_config("x", tmp_path)
    assert "csat_typo" in str(err.value)


def test_planted_links_are_found_in_the_sample(sample, config):
    months = sorted(sample.months)
    people = sample.employees.loc[sample.employees["department"] == "sales", "employee_id"].tolist()
    values = leading.monthly_values(sample, config.catalog, ["customer_visits", "new_customers"], months, people)
    table = leading.panel_fit(values, "new_customers", ["customer_visits"]).set_index("lag")
    assert (table["ci_low"] > 0).all()  # more visits, more new customers: this month and next
    staff = sample.employees.loc[sample.employees["department"] == "customer_service", "employee_id"].tolist()
    values = leading.monthly_values(sample, config.catalog, ["response_time", "csat"], months, staff)
    assert leading.panel_fit(values, "csat", ["response_time"]).set_index("lag").loc[0, "ci_high"] < 0
