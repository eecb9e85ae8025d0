"""Rank and tier uncertainty (kpilib.resampling, kpilib.uncertainty): hand-computed pieces,
the identity check against the scoring sheet, and coverage and calibration on simulated
departments whose true scores are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpilib.config import Tiers
from kpilib.resampling import (
    identity_month_draws,
    month_panel,
    qualitative_scores,
    rater_panel,
    remeasured,
    replicate_composites,
)
from kpilib.scoring import score
from kpilib.tiers import apportion
from kpilib.uncertainty import (
    composite_draws,
    rank_intervals,
    sheet_columns,
    tier_probabilities,
    uncertainty,
)
from tests.conftest import dataset_from


def test_identity_draws_give_the_sheet(config, sample):
    scores = score(sample, config, "2026Q3")
    again = replicate_composites(scores, sample, config, resamples=1, identity=True)[0]
    np.testing.assert_array_equal(again, scores.sheet["composite"].to_numpy(float))


def test_redrawn_months_are_summed_and_scaled_by_hand(config):
    """Months 10, 20, 60 (observed sum 90); drawing months 1, 1, 3 sums 80, and the deviation
    −10 is scaled by √(3/2): 90 − 10·√1.5."""
    measures = pd.DataFrame({"period": pd.PeriodIndex(["2025-07", "2025-08", "2025-09"], freq="M"),
                             "employee_id": "A", "measure": "sales", "value": [10.0, 20.0, 60.0]})
    from kpilib.periods import parse_period

    span = parse_period("2025Q3")
    panel = month_panel(measures, span, pd.Index(["A"]))
    assert panel.months.tolist() == [3]
    observed = pd.DataFrame({"sales": [90.0]}, index=pd.Index(["A"]))
    drawn = remeasured(panel, np.array([[[0, 0, 2]]]), observed, {"sales": "sum"})
    assert drawn["sales"][0, 0] == pytest.approx(90 - 10 * np.sqrt(1.5))
    same = remeasured(panel, identity_month_draws(panel.months, 3), observed, {"sales": "sum"})
    assert same["sales"][0, 0] == 90.0


def test_redrawn_raters_by_hand(config):
    """Cross-department raters X (score 5) and Y (3) of person A on collaboration, plus one
    self (4) and one supervisor (4) rating. Drawing X twice: the type's mean 5 is the observed
    4 + √2 · (5 − 4); rating = (0.2·4 + 0.6·4 + 0.2·(4 + √2)) / 1 → 4.28 (two decimals); line
    = round(10 × 4.28 / 5, 1) = 8.6."""
    ratings = pd.DataFrame({"employee_id": "A", "criterion": "collaboration",
                            "rater_type": ["self", "supervisor", "cross_department", "cross_department"],
                            "rater_id": ["A", "S", "X", "Y"], "score": [4.0, 4.0, 5.0, 3.0]})
    lines = pd.DataFrame({"employee_id": ["A"], "kpi": ["collaboration"], "weight": [10.0], "line_score": [8.0]})
    panel = rater_panel(ratings, lines, config)
    # rater codes follow person, rater type, rater: cross X, cross Y, self A, supervisor S
    assert panel.size.tolist() == [2, 2, 1, 1]
    counts = np.array([[2.0, 0.0, 1.0, 1.0]])  # X twice, Y never
    assert qualitative_scores(lines, panel, counts, config)[0, 0] == 8.6
    assert qualitative_scores(lines, panel, np.ones((1, 4)), config)[0, 0] == 8.0


def test_shrinkage_by_hand():
    """Three people, composites 70, 80, 90, every deviation ±1 (s² = 1) and one month (ν = 0:
    σ̃² = s̄² = 1): τ² = var(c) − 1 = 99, B = 0.99; a draw of person 3 at +1 is
    80 + 0.99 · 10 + √0.99 · 1."""
    composite = np.array([70.0, 80.0, 90.0])
    replicates = composite + np.array([[1.0, -1.0, 1.0], [-1.0, 1.0, -1.0]])
    draws = composite_draws(composite, replicates, np.array(["d"] * 3), months=1)
    assert draws[0, 2] == pytest.approx(80 + 0.99 * 10 + np.sqrt(0.99))
    assert draws[1, 0] == pytest.approx(80 - 0.99 * 10 - np.sqrt(0.99))


def test_rank_interval_and_tier_probability_by_hand():
    sheet = pd.DataFrame({"employee_id": list("abcd"), "department": "x", "composite": [4.0, 3.0, 2.0, 1.0]})
    draws = np.array([[4, 3, 2, 1], [3, 4, 2, 1], [4, 3, 1, 2], [4, 2, 3, 1]], dtype=float)
    ranks = rank_intervals(sheet, draws, level=0.5)  # 25% and 75% quantiles (inverted cdf) of 4 draws
    assert ranks.set_index("employee_id").loc["a"].tolist() == [1, 1]
    assert ranks.set_index("employee_id").loc["b"].tolist() == [1, 2]  # b ranks 2, 1, 2, 3
    rules = Tiers(shares={"S": 0.25, "B": 0.5, "D": 0.25}, within="department", min_group=1)
    odds = tier_probabilities(sheet, draws, rules).set_index(["employee_id", "tier"])["probability"]
    assert odds.loc[("a", "S")] == 0.75 and odds.loc[("b", "S")] == 0.25 and odds.loc[("d", "D")] == 0.75
    assert odds.groupby(level="employee_id").sum().tolist() == [1.0] * 4


def test_sample_sheet_columns_are_seeded_and_sensible(config, sample):
    scores = score(sample, config, "2026Q3")
    first = sheet_columns(uncertainty(scores, sample, config, resamples=50, seed=3))
    again = sheet_columns(uncertainty(scores, sample, config, resamples=50, seed=3))
    pd.testing.assert_frame_equal(first, again)
    table = first.merge(scores.sheet[["employee_id", "rank"]], on="employee_id")
    assert (table["rank_low"] <= table["rank_high"]).all()
    assert table["tier_probability"].between(0, 1).all()
    assert len(table) == scores.sheet["composite"].notna().sum()



def test_resamples_scored_in_blocks_give_the_same_figures(config, sample, monkeypatch):
    """A large department's resamples are scored a block at a time (memory); the draws are made
    before, so any block size gives the figures of one block."""
    scores = score(sample, config, "2026Q3")
    whole = replicate_composites(scores, sample, config, resamples=30, seed=5)
    monkeypatch.setattr("kpilib.resampling.BLOCK_CELLS", 500)  # a few resamples per block
    np.testing.assert_array_equal(replicate_composites(scores, sample, config, resamples=30, seed=5), whole)

# simulated departments -------------------------------------------------------------------

GROUPS, SIZE, MONTHS = 20, 40, ("2025-07", "2025-08", "2025-09")
TRUE_SD, MONTH_SD = 10_000.0, 15_000.0  # monthly sales: person mean ~ N(100k, 10k) + N(0, 15k)


@pytest.fixture(scope="module")
def simulated(config):
    """20 departments of 40 (simulated as teams of one scheme department, ranked within the
    team) whose only scored line is sales against a 300k quarterly target; true score = the
    person's mean monthly sales."""
    rng = np.random.default_rng(12)
    n = GROUPS * SIZE
    ids = [f"P{i:04d}" for i in range(n)]
    truth = rng.normal(100_000, TRUE_SD, n)
    people = pd.DataFrame({"employee_id": ids, "name": ids, "department": "sales", "region": "r",
                           "hire_date": "2020-01-01", "team": [f"g{i // SIZE:02d}" for i in range(n)]})
    values = truth[:, None] + rng.normal(0, MONTH_SD, (n, len(MONTHS)))
    measures = pd.DataFrame({"period": np.repeat([MONTHS], n, axis=0).ravel(), "employee_id": np.repeat(ids, 3),
                             "measure": "sales", "value": values.ravel().round(2)})
    targets = pd.DataFrame({"period": "2025Q3", "employee_id": ids, "kpi": "sales_amount", "target": 300_000})
    ds = dataset_from(config, employees=people, measures=measures, targets=targets)
    scores = score(ds, config, "2025Q3")
    sheet = scores.sheet.assign(department=scores.sheet["team"])  # each team a simulated department
    replicates = replicate_composites(scores, ds, config, resamples=200, seed=5)
    draws = composite_draws(sheet["composite"].to_numpy(float), replicates, sheet["department"].to_numpy(), 3)
    true = pd.Series(truth, index=ids).reindex(sheet["employee_id"]).to_numpy()
    return sheet, draws, true


def test_rank_intervals_cover_the_true_rank(simulated):
    sheet, draws, true = simulated
    intervals = rank_intervals(sheet, draws)
    true_rank = pd.Series(true).groupby(sheet["department"].to_numpy()).rank(ascending=False, method="min")
    covered = (intervals["rank_low"] <= true_rank) & (true_rank <= intervals["rank_high"])
    assert 0.85 <= covered.mean() <= 0.95, covered.mean()


def reliability(sheet, draws, true, shares) -> pd.DataFrame:
    """Bins of predicted P(tier) against how often the true tier is that tier."""
    rules = Tiers(shares=shares, within="department", min_group=1)
    odds = tier_probabilities(sheet, draws, rules)
    true_tier = {}
    names = list(shares)
    for _, members in sheet.assign(true=true).groupby("department"):
        order = members.sort_values("true", ascending=False)["employee_id"]
        sizes = apportion(len(order), shares)
        true_tier.update(zip(order, np.repeat(names, list(sizes.values())), strict=True))
    odds["hit"] = odds["tier"] == odds["employee_id"].map(true_tier)
    odds["bin"] = pd.cut(odds["probability"], [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0], include_lowest=True)
    return odds.groupby("bin", observed=True).agg(n=("hit", "size"), predicted=("probability", "mean"),
                                                  observed=("hit", "mean")).reset_index()


def test_tier_probabilities_are_calibrated(simulated, config):
    table = reliability(*simulated, config.scheme.scoring.tiers.shares)
    big = table[table["n"] >= 50]
    assert len(big) >= 5
    assert ((big["observed"] - big["predicted"]).abs() < 0.1).all(), table


def test_nothing_to_redraw_is_unknown_not_certain():
    """One month and no rater to redraw: every resample equals the sheet, so no interval is claimed."""
    composite = np.array([70.0, 80.0, 90.0, 60.0])
    draws = composite_draws(composite, np.tile(composite, (5, 1)), np.array(["d"] * 4), months=1)
    assert np.isnan(draws).all()
    sheet = pd.DataFrame({"employee_id": list("abcd"), "department": "d", "composite": composite})
    assert rank_intervals(sheet, draws)["rank_low"].isna().all()
