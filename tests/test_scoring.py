"""Attainment by direction, cap/floor, rater renormalisation, missing lines, grades."""

import numpy as np
import pandas as pd
import pytest

from kpilib.config import load_config
from kpilib.scoring import attainment, grade_of, score
from tests.conftest import dataset_from


def att(actual, target, direction, band=np.nan, cap=np.nan, floor=0.0, lower="ratio"):
    n = len(actual)
    a, why = attainment(pd.Series(actual, dtype=float), pd.Series(target, dtype=float), pd.Series([direction] * n),
                        pd.Series([band] * n, dtype=float), pd.Series([cap] * n, dtype=float), floor, lower)
    return a.tolist(), why.tolist()


def test_higher_and_lower():
    assert att([96], [100], "higher")[0] == [0.96]
    assert att([2.5], [2.0], "lower")[0] == [0.8]                     # target / actual
    assert att([2.5], [2.0], "lower", lower="linear")[0] == [0.75]   # 2 − actual / target


def test_lower_with_zero_actual_takes_the_cap_or_is_missing():
    assert att([0], [0.01], "lower", cap=1.2)[0] == [1.2]
    values, why = att([0], [0.01], "lower")
    assert np.isnan(values[0]) and "no cap" in why[0]


def test_band_is_full_inside_and_falls_to_zero_at_twice_the_band():
    values, _ = att([1.03, 0.95, 1.075, 1.10, 1.30], [1.0] * 5, "band", band=0.05)
    assert values == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])


def test_cap_and_floor():
    assert att([150], [100], "higher", cap=1.2)[0] == [1.2]
    assert att([-10], [100], "higher", floor=0.0)[0] == [0.0]


def test_grade_bands_are_inclusive_at_min(config):
    grades = grade_of(pd.Series([90.0, 89.99, 80.0, 70.0, 69.9, np.nan]), config)
    assert grades.tolist() == ["优秀", "良好", "良好", "合格", "待改进", ""]
    assert grade_of(pd.Series([84.1]), config, "en").tolist() == ["Good"]


PEOPLE = [
    {"employee_id": "A", "name": "甲", "department": "sales", "region": "华东", "hire_date": "2020-01-01", "manager_id": "M"},
    {"employee_id": "M", "name": "乙", "department": "sales", "region": "华东", "hire_date": "2020-01-01", "manager_id": ""},
]


def test_rater_weights_renormalise_over_present_types(config):
    ratings = [{"period": "2025Q3", "employee_id": "A", "rater_type": "self", "rater_id": "A",
                "criterion": "collaboration", "score": 5},
               {"period": "2025Q3", "employee_id": "A", "rater_type": "supervisor", "rater_id": "M",
                "criterion": "collaboration", "score": 3}]
    measures = [{"period": "2025-07", "employee_id": "A", "measure": "sales", "value": 1}]
    ds = dataset_from(config, employees=PEOPLE, measures=measures, ratings=ratings)
    lines = score(ds, config, "2025-07").lines
    line = lines[(lines["employee_id"] == "A") & (lines["kpi"] == "collaboration")].iloc[0]
    assert np.isnan(line["rating"])  # quarterly ratings do not fall inside a month
    lines = score(dataset_from(config, employees=PEOPLE, measures=[
        {"period": m, "employee_id": "A", "measure": "sales", "value": 1} for m in ("2025-07", "2025-08", "2025-09")],
        ratings=ratings), config, "2025Q3").lines
    line = lines[(lines["employee_id"] == "A") & (lines["kpi"] == "collaboration")].iloc[0]
    assert line["rating"] == pytest.approx((0.2 * 5 + 0.6 * 3) / 0.8)  # 3.5, cross-department absent
    assert line["line_score"] == 7.0
    assert line["inputs"] == "self=5; supervisor=3"


def test_missing_lines_are_reweighted_or_zero(config, tmp_path):
    months = ("2025-07", "2025-08", "2025-09")
    measures = [{"period": m, "employee_id": "A", "measure": "sales", "value": 1_600_000} for m in months]
    ds = dataset_from(config, employees=PEOPLE, measures=measures)
    row = score(ds, config, "2025Q3").sheet.set_index("employee_id").loc["A"]
    # only sales_amount (30) present at 100%: reweighted to 90 of 90; no ratings: composite = 90 × (0.7 + 0.3)
    assert row["quantitative"] == 90.0 and row["composite"] == 90.0 and row["missing_lines"] == 8
    zero = config.scheme.model_copy(deep=True)
    zero.scoring.missing = "zero"
    cfg = type(config)(config.catalog, zero)
    row = score(ds, cfg, "2025Q3").sheet.set_index("employee_id").loc["A"]
    assert row["quantitative"] == 30.0 and row["composite"] == 21.0


def test_people_who_left_are_not_scored_and_said(config):
    people = PEOPLE + [{"employee_id": "L", "name": "丙", "department": "sales", "region": "华东",
                        "hire_date": "2020-01-01", "exit_date": "2025-08-10", "manager_id": "M"}]
    measures = [{"period": m, "employee_id": e, "measure": "sales", "value": 1}
                for e in ("A", "L") for m in ("2025-07", "2025-08")]
    dataset = dataset_from(config, employees=people, measures=measures)
    assert "L" in set(score(dataset, config, "2025-07").sheet["employee_id"])  # still there in July
    result = score(dataset, config, "2025-08")
    assert "L" not in set(result.sheet["employee_id"])
    assert any("left during 2025-08" in p.expected for p in result.problems.warnings)


def test_empty_department_scores_nobody(config):
    result = score(dataset_from(config, employees=PEOPLE, measures=[
        {"period": "2025-07", "employee_id": "A", "measure": "sales", "value": 1}]), config, "2025-07",
        departments=["marketing"])
    assert result.sheet.empty and result.lines.empty


def test_client_overlay_changes_weights(tmp_path):
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    root = load_config().files[0].parent
    for name in ("catalog.yaml", "scheme.yaml"):
        (tmp_path / name).write_text((root / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "clients" / "acme" / "scheme.yaml").write_text(
        "scoring:\n  quantitative_share: 0.6\ndepartments:\n  sales:\n    quantitative: {sales_amount: 100, new_customers: ~, renewal_rate: ~,"
        " collection_on_time: ~, campaign_roi: ~}\n",
        encoding="utf-8")
    cfg = load_config("acme", tmp_path)
    assert cfg.scheme.scoring.quantitative_share == 0.6
    assert cfg.scheme.departments["sales"].quantitative == {"sales_amount": 100}
    assert cfg.scheme.departments["sales"].qualitative["collaboration"] == 10  # merged key by key


def test_catalogue_targets_of_counts_are_prorated_for_new_hires(config):
    people = [{"employee_id": "N", "name": "新", "department": "sales", "region": "华东", "hire_date": "2025-09-03",
               "manager_id": ""}] + PEOPLE
    measures = [{"period": m, "employee_id": "A", "measure": "new_customers", "value": 6} for m in ("2025-07", "2025-08")]
    measures += [{"period": "2025-09", "employee_id": e, "measure": "new_customers", "value": 6} for e in ("A", "N")]
    lines = score(dataset_from(config, employees=people, measures=measures), config, "2025Q3").lines
    line = lines[(lines["kpi"] == "new_customers")].set_index("employee_id")
    assert line.loc["A", "target"] == 18 and line.loc["A", "target_source"] == "catalogue × 3"
    assert line.loc["N", "target"] == 6 and line.loc["N", "target_source"] == "catalogue × 3 × 1/3 months employed"
    assert line.loc["N", "attainment"] == 1.0
