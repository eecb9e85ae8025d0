"""The appeal chain (kpilib.appeal): lines → quantitative subtotal → × share → qualitative
subtotal → composite, each rounded as the scheme says, sums exactly to the scoring sheet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kpilib import appeal
from kpilib.config import Scoring, load_config
from kpilib.data import load_dataset
from kpilib.scoring import score
from tests.test_worked_example import build

RETAIL = Path(__file__).parent / "data" / "retail" / "retail.xlsx"


def _agrees(result, config) -> None:
    """The chain's subtotals and composite equal the scoring sheet's for every person."""
    steps = appeal.chain(result.lines, config.scheme.scoring).set_index("employee_id")
    sheet = result.sheet.set_index("employee_id")
    assert set(steps.index) == set(sheet.index)
    for column in ("quantitative", "qualitative", "composite"):
        pd.testing.assert_series_equal(steps[column].reindex(sheet.index), sheet[column], check_names=False,
                                       rtol=0, atol=0)


def test_the_worked_example_step_by_step(tmp_path, config):
    """domain.md §3: 85.2 × 70% = 59.64, + 24.5 = 84.14 → 84.1."""
    result = score(load_dataset(build(tmp_path), config), config, "2025Q3")
    row = appeal.chain(result.lines, config.scheme.scoring).set_index("employee_id").loc["T1"]
    assert (row["quantitative_lines"], row["quantitative_sum"], row["quantitative"]) == (5, pytest.approx(85.2), 85.2)
    assert row["weighted"] == pytest.approx(59.64) and row["qualitative"] == 24.5 and row["composite"] == 84.1
    assert row["quantitative_weight"] == 90 and not row["reweighted"]


def test_missing_lines_are_reweighted_and_no_ratings_take_the_composite_path():
    """By hand. A: lines of weight 50 (30.0), 10 (missing) and 10 (2.0): Σ 32.0 × 70 / 60 =
    37.33 → 37.3; no rating → 37.3 × (0.7 + 30 / 100) = 37.3. B: 12.25 → 12.3 (half up);
    0.7 × 12.3 = 8.61; 2.45 → 2.5; 8.61 + 2.5 = 11.11 → 11.1."""
    lines = pd.DataFrame([
        ("A", "quantitative", 50, 30.0), ("A", "quantitative", 10, np.nan), ("A", "quantitative", 10, 2.0),
        ("A", "qualitative", 30, np.nan),
        ("B", "quantitative", 50, 12.25), ("B", "qualitative", 10, 2.45),
    ], columns=["employee_id", "kind", "weight", "line_score"])
    steps = appeal.chain(lines, Scoring()).set_index("employee_id")
    assert steps.loc["A", "quantitative_lines"] == 2 and steps.loc["A", "quantitative_present"] == 60
    assert steps.loc["A", "quantitative"] == 37.3 and steps.loc["A", "reweighted"]
    assert steps.loc["A", "composite"] == 37.3
    assert steps.loc["B", "quantitative"] == 12.3 and steps.loc["B", "qualitative"] == 2.5
    assert steps.loc["B", "weighted"] == pytest.approx(8.61) and steps.loc["B", "composite"] == 11.1


def test_monitored_lines_never_count():
    lines = pd.DataFrame({"employee_id": ["A", "A"], "kind": ["quantitative", "quantitative"], "weight": [100, 0],
                          "line_score": [80.0, np.nan], "monitored": [False, True]})
    row = appeal.chain(lines, Scoring()).iloc[0]
    assert row["quantitative_lines"] == 1 and row["quantitative_weight"] == 100 and row["quantitative"] == 80.0


def test_the_chain_sums_to_the_sheet_for_every_person_of_the_sample(sample, config):
    for period in ("2026Q3", "2026Q2", "2026-09"):
        _agrees(score(sample, config, period), config)


def test_the_chain_sums_to_the_sheet_for_every_person_of_northwind():
    config = load_config("retail")
    data = load_dataset(RETAIL, config)
    for period in ("2026Q3", "2026Q2"):
        _agrees(score(data, config, period), config)


def test_decimals():
    assert [appeal.decimals(v) for v in (0.7, 0.65, 1.0, 0.333333333)] == [1, 2, 0, 6]
