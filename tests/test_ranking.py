"""Rankings and volatility against scipy and hand computations."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kpilib import rank_agreement as A
from kpilib import ranking as R
from kpilib import transitions as T


def test_rank_min_and_direction():
    values = pd.DataFrame({"employee_id": list("abcd"), "kpi": ["resp"] * 2 + ["sales"] * 2,
                           "actual": [1.5, 2.5, 100, 300]})
    out = R.kpi_ranks(values, {"resp": "lower", "sales": "higher"}).set_index("employee_id")
    assert out.loc["a", "rank"] == 1 and out.loc["d", "rank"] == 1  # faster response / more sales rank first
    assert R.rank(pd.Series([3, 5, 5, 1])).tolist() == [3, 1, 1, 4]


def test_volatility_against_scipy_and_hand():
    before = pd.Series([90, 85, 80, 75, 70, 65], index=list("abcdef"))
    after = pd.Series([88, 70, 86, 60, 75, 61], index=list("abcdef"))
    v = A.volatility(before, after).iloc[0]
    assert v["kendall_tau_b"] == pytest.approx(stats.kendalltau(before, after).statistic)
    assert v["spearman_rho"] == pytest.approx(stats.spearmanr(before, after).statistic)
    # ranks before 1..6, after a1 b4 c2 d6 e3 f5: Σ|Δ| = 0+2+1+2+2+1 = 8; max ⌊36/2⌋ = 18
    assert v["footrule"] == pytest.approx(8 / 18)
    assert v["mean_abs_rank_change"] == pytest.approx(8 / 6)
    assert A.footrule(np.arange(1, 6), np.arange(5, 0, -1)) == pytest.approx(1.0)  # reversed → 1


def test_rbo_extrapolated_by_hand():
    # S = 1 2 3, T = 1 3 2, p = 0.9: X1 = 1, X2 = 1, X3 = 3
    # RBO_ext = 3/3·0.9³ + (0.1/0.9)(1·0.9 + ½·0.81 + 1·0.729) = 0.729 + 0.2260 = 0.95500
    assert A.rbo([1, 2, 3], [1, 3, 2], 0.9) == pytest.approx(0.729 + (0.1 / 0.9) * (0.9 + 0.405 + 0.729))
    assert A.rbo(list("abcde"), list("abcde")) == pytest.approx(1.0)
    assert A.rbo(list("abc"), list("xyz")) == 0.0


def test_rbo_on_the_papers_figure_5_lists():
    # Webber, Moffat & Zobel (2010), Fig. 5: S = abcdefg, T = zcavwxy; agreements 0, 0, 2/3, 2/4, 2/5, 2/6, 2/7,
    # average overlap 0.312 as printed in the paper
    s, t = list("abcdefg"), list("zcavwxy")
    assert round(A.average_overlap(s, t), 3) == 0.312
    agreements = [0, 0, 2 / 3, 2 / 4, 2 / 5, 2 / 6, 2 / 7]
    p = 0.9
    expected = agreements[-1] * p**7 + (1 - p) / p * sum(a * p**d for d, a in enumerate(agreements, start=1))
    assert A.rbo(s, t, p) == pytest.approx(expected)


def test_shorrocks_hand_example():
    assert T.shorrocks(np.array([[0.8, 0.2], [0.3, 0.7]])) == pytest.approx(0.5)
    assert T.shorrocks(np.eye(3)) == 0.0
    before = pd.Series(list("SABBC"), index=range(5))
    after = pd.Series(list("SBBAC"), index=range(5))
    m = T.transitions(before, after, ["S", "A", "B", "C"])
    assert m.loc["B", "B"] == 0.5 and m.loc["A", "B"] == 1.0
    row = T.mobility(before, after, ["S", "A", "B", "C"]).iloc[0]
    assert row["shorrocks"] == pytest.approx((4 - (1 + 0 + 0.5 + 1)) / 3)
    assert row["n"] == 5 and row["stayed"] == pytest.approx(3 / 5)  # S, B, C stay; A ↓ B, B ↑ A
    assert row["moved_up"] == pytest.approx(1 / 5) and row["moved_down"] == pytest.approx(1 / 5)
    assert T.transition_counts(before, after, ["S", "A", "B", "C"]).loc["B", "A"] == 1


def test_movement_most_improved():
    before = pd.Series(np.arange(20, 0, -1.0), index=[f"e{i}" for i in range(20)])
    after = before.copy()
    after["e19"] = 100  # last to first
    mv = R.movement(before, after, k=3).set_index("employee_id")
    assert mv.loc["e19", "change"] == 19 and mv.loc["e19", "entered_top_k"]
    assert mv.loc["e2", "left_top_k"]
    assert R.most_improved(before, after, 1)["employee_id"].tolist() == ["e19"]


def test_top_k_keeps_ties_at_the_cut():
    frame = pd.DataFrame({"employee_id": list("abcde"), "sales": [10, 9, 9, 8, 7], "region": ["n", "n", "s", "s", "s"]})
    assert R.top_k(frame, "sales", 2)["employee_id"].tolist() == ["a", "b", "c"]
    per_region = R.top_k(frame, "sales", 1, by="region")
    assert set(per_region["employee_id"]) == {"a", "c"}
