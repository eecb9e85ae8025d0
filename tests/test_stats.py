"""Distribution statistics against closed forms, scipy, and the planted sample structure."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpilib import stats as S


@pytest.mark.parametrize("n", [2, 5, 10, 101])
def test_gini_closed_form(n):
    assert S.gini(pd.Series(np.arange(1, n + 1))) == pytest.approx((n - 1) / (3 * n))
    x = np.random.default_rng(n).exponential(size=n)
    brute = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())
    assert S.gini(pd.Series(x)) == pytest.approx(brute)


def test_top_share_and_lorenz():
    x = pd.Series([1, 1, 1, 1, 6])
    assert S.top_share(x, 0.2) == pytest.approx(0.6)
    curve = S.lorenz(x)
    assert curve.iloc[-1].tolist() == [1.0, 1.0] and curve.iloc[4]["value_share"] == pytest.approx(0.4)


def test_summary_and_outliers():
    x = pd.Series([1.0, 2, 3, 4, 100])
    row = S.summary_by(pd.DataFrame({"v": x}), "v").iloc[0]
    assert row["skew"] == pytest.approx(stats.skew(x, bias=False))
    assert row["kurtosis"] == pytest.approx(stats.kurtosis(x, bias=False))
    flagged = S.outliers(pd.DataFrame({"v": x}), "v")
    assert flagged["outlier"].tolist() == ["", "", "", "", "high"]
    iqr = S.outliers(pd.DataFrame({"v": x}), "v", method="iqr")
    assert iqr["outlier"].iloc[-1] == "high"


def test_tier_fit_chi_square():
    tiers = pd.Series(list("S" * 10 + "A" * 10 + "B" * 60 + "C" * 15 + "D" * 5))
    out = S.tier_fit(tiers, {"S": 0.05, "A": 0.15, "B": 0.60, "C": 0.15, "D": 0.05})
    chi2 = stats.chisquare([10, 10, 60, 15, 5], [5, 15, 60, 15, 5])
    test = S.tier_fit_test(tiers, {"S": 0.05, "A": 0.15, "B": 0.60, "C": 0.15, "D": 0.05}).iloc[0]
    assert test["chi2"] == pytest.approx(chi2.statistic) and test["p_val"] == pytest.approx(chi2.pvalue)
    assert test["dof"] == 4 and test["n"] == out["observed"].sum()


def test_compare_groups():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"g": np.repeat(list("abc"), 30), "v": np.concatenate(
        [rng.normal(0, 1, 30), rng.normal(0, 1, 30), rng.normal(1.5, 1, 30)])})
    overall, pairs = S.compare_groups(frame, "v", "g"), S.pairwise_groups(frame, "v", "g")
    h = stats.kruskal(*[frame.v[frame.g == k] for k in "abc"])
    assert overall.loc[0, "H"] == pytest.approx(h.statistic) and overall.loc[0, "p_val"] < 1e-4
    ab = pairs[(pairs.a == "a") & (pairs.b == "b")].iloc[0]
    assert ab["p_val"] == pytest.approx(stats.mannwhitneyu(frame.v[frame.g == "a"], frame.v[frame.g == "b"]).pvalue)
    assert (pairs["p_adj"] >= pairs["p_val"]).all()


@pytest.fixture(scope="module")
def quarters(sample, config):
    from kpilib.scoring import score
    return pd.concat([score(sample, config, q).sheet for q in ("2025Q4", "2026Q1", "2026Q2", "2026Q3")])


def test_sample_regional_effect_is_significant(quarters):
    per_person = quarters.groupby(["employee_id", "region"], as_index=False)["composite"].mean()
    overall = S.compare_groups(per_person, "composite", "region")
    assert overall.loc[0, "p_val"] < 0.01


def test_sample_sales_are_heavy_tailed(sample):
    people = sample.measures["employee_id"].isin(sample.people()["employee_id"])  # not the team units
    sales = sample.measures[people & (sample.measures["measure"] == "sales")].groupby("employee_id", observed=True)["value"].sum()
    assert stats.skew(sales) > 1
    assert 0.38 < S.top_share(sales, 0.2) < 0.55  # the source report cites 45%


def test_sample_new_hires_ramp(sample):
    m = sample.measures[sample.measures["measure"] == "sales"]
    monthly = pd.DataFrame({"employee_id": m["employee_id"].astype(str), "period": m["period"], "value": m["value"]})
    ramp = S.new_hire_ramp(monthly, sample.employees)
    by_month = ramp.set_index("tenure_month")["mean_ratio"]
    assert 0.55 < by_month.loc[[1, 2, 3]].mean() < 0.85
    assert by_month.loc[12] > by_month.loc[[1, 2, 3]].max()
