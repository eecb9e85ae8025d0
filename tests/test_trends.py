"""Mann–Kendall against an independent computation on the Nile series; forecasts and backtest."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from kpilib import trends as T


def test_mann_kendall_on_the_nile():
    nile = sm.datasets.nile.load_pandas().data["volume"].to_numpy(float)
    result = T.mann_kendall(nile).iloc[0]
    n = len(nile)
    s = sum(np.sign(nile[j] - nile[i]) for i in range(n) for j in range(i + 1, n))
    _, ties = np.unique(nile, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    z = (s - np.sign(s)) / np.sqrt(var)
    assert result["S"] == s and result["var_s"] == pytest.approx(var)
    assert result["p_val"] == pytest.approx(2 * stats.norm.sf(abs(z)))
    assert result["slope"] == pytest.approx(stats.theilslopes(nile).slope)
    assert result["trend"] == "decreasing"  # the Aswan dam era drop of 1898


def test_too_short_says_insufficient_data():
    result = T.mann_kendall([1, 2, 3, 4])
    assert list(result.columns) == T.MK_COLUMNS and result.loc[0, "trend"] == "insufficient data"
    assert result.loc[0, "n"] == 4 and np.isnan(result.loc[0, "p_val"])


def test_changes():
    s = pd.Series([100.0, 110, 121, 100, 120], index=["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1"])
    out = T.changes(s)
    assert out.loc["2025Q2", "qoq"] == pytest.approx(0.10) and out.loc["2026Q1", "yoy"] == pytest.approx(0.20)


def test_forecast_and_backtest():
    rng = np.random.default_rng(2)
    people, periods = 60, 8
    ability = rng.normal(80, 8, people)
    rows = [{"employee_id": f"e{i}", "period": f"2025Q{1 + t % 4}" if t < 4 else f"2026Q{1 + t % 4}",
             "value": ability[i] + rng.normal(0, 3)} for i in range(people) for t in range(periods)]
    history = pd.DataFrame(rows)
    fc = T.forecast(history)
    assert 0.5 < fc["rho"].iloc[0] < 1 and fc["rho"].nunique() == 1
    bt = T.backtest(history)
    summary = T.backtest_summary(bt).set_index("method")
    assert summary["origins"].to_dict() == bt["method"].value_counts().to_dict()
    assert summary.loc["smoothing", "mae"] < summary.loc["last", "mae"]  # smoothing beats a naive carry-forward
    assert summary.loc["toward_mean", "spearman"] > 0.8
    risk = T.at_risk(fc, pass_grade=70)
    assert risk["at_risk"].equals(risk["toward_mean"] < 70)


def test_trend_table_per_person():
    rows = [{"employee_id": "up", "period": f"2025-{m:02d}", "value": 60 + 3 * m} for m in range(1, 9)]
    rows += [{"employee_id": "short", "period": f"2025-{m:02d}", "value": 70} for m in range(1, 4)]
    table = T.trend_table(pd.DataFrame(rows)).set_index("employee_id")
    assert table.loc["up", "trend"] == "increasing" and table.loc["up", "slope"] == pytest.approx(3)
    assert table.loc["short", "trend"] == "insufficient data"


def test_trend_table_is_mann_kendall_on_each_person():
    rng = np.random.default_rng(3)
    rows = []
    for p in range(300):  # 1 to 9 periods, rounded values (ties), some missing, one person with none
        for t in range(int(rng.integers(1, 10))):
            value = np.nan if rng.random() < 0.1 or p == 7 else float(rng.integers(60, 70))
            rows.append({"employee_id": f"E{p:03d}", "period": f"2025-{t + 1:02d}", "value": value})
    history = pd.DataFrame(rows).sample(frac=1.0, random_state=1)  # in no particular order
    table = T.trend_table(history).set_index("employee_id")
    assert len(table) == 300 and table.loc["E007", "n"] == 0 and table["slope"].dtype == float
    for person, series in history.sort_values("period").groupby("employee_id"):
        expected = T.mann_kendall(series["value"]).iloc[0]
        got = table.loc[person]
        assert got["n"] == expected["n"] and got["trend"] == expected["trend"]
        assert got[["slope", "p_val"]].astype(float).equals(expected[["slope", "p_val"]].astype(float)), person
