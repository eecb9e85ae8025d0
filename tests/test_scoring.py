"""Attainment by direction, cap/floor, rater renormalisation, missing lines, grades."""

import numpy as np
import pandas as pd
import pytest

from kpilib.config import load_config
from kpilib.messages import grade_names, render
from kpilib.scoring import attainment, grade_of, score
from tests.conftest import dataset_from


def source(lines, who: str, lang: str = "en") -> str:
    """A line's target source in words (kpilib.messages.render of its code and parameters)."""
    return render(lines.loc[who, "target_source"], lines.loc[who, "target_source_args"], lang)

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
    assert np.isnan(values[0]) and why[0] == ("unbounded", {})
    assert "no cap" in render(*why[0], "en") and "未设上限" in render(*why[0], "zh")


def test_band_is_full_inside_and_falls_to_zero_at_twice_the_band():
    values, _ = att([1.03, 0.95, 1.075, 1.10, 1.30], [1.0] * 5, "band", band=0.05)
    assert values == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])


def test_cap_and_floor():
    assert att([150], [100], "higher", cap=1.2)[0] == [1.2]
    assert att([-10], [100], "higher", floor=0.0)[0] == [0.0]


def test_grade_bands_are_inclusive_at_min(config):
    grades = grade_of(pd.Series([90.0, 89.99, 80.0, 70.0, 69.9, np.nan]), config)
    assert grades.tolist() == ["Excellent", "Good", "Good", "Pass", "Needs improvement", ""]  # codes
    assert grade_names(grades, config, "zh").tolist() == ["优秀", "良好", "良好", "合格", "待改进", ""]


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
    assert any(p.expected == "1 person of sales left during 2025-08 and is not scored" for p in result.problems.warnings)


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
        " collection_on_time: ~, campaign_roi: ~}\n"
        "incentives:\n  sales: ~\n",  # its bonus gate names collection_on_time, dropped here
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
    assert line.loc["A", "target"] == 18 and source(line, "A") == "catalogue × 3"
    assert line.loc["N", "target"] == 6 and source(line, "N") == "catalogue × 3 × 1/3 months employed"
    assert line.loc["N", "target_source"] == "catalogue" and source(line, "N", "zh") == "指标库默认值 × 3 × 1/3（在职月数）"
    assert line.loc["N", "attainment"] == 1.0


def _thresholds(actual, baseline, target, challenge, direction="higher", floor=0.0, cap=1.5):
    from kpilib.scoring import thresholds_attainment
    n = len(actual)
    return thresholds_attainment(np.array(actual, float), np.array([baseline] * n, float), np.array([target] * n, float),
                                 np.array([challenge] * n, float), np.array([direction] * n), floor,
                                 np.array([cap] * n, float)).tolist()


def test_thresholds_map_baseline_target_challenge_onto_floor_100_cap():
    # baseline 90 → 0, target 100 → 1, challenge 110 → 1.5; by hand: 95 → 0.5, 105 → 1.25
    assert _thresholds([80, 90, 95, 100, 105, 110, 130], 90, 100, 110) == pytest.approx(
        [0.0, 0.0, 0.5, 1.0, 1.25, 1.5, 1.5])
    # a floor of 0.6 at the baseline: 95 → 0.6 + 0.4 × 0.5 = 0.8
    assert _thresholds([95], 90, 100, 110, floor=0.6) == pytest.approx([0.8])
    # lower is better: baseline 0.10, target 0.08, challenge 0.06; 0.09 → 0.5, 0.07 → 1.25
    assert _thresholds([0.12, 0.09, 0.08, 0.07, 0.05], 0.10, 0.08, 0.06, "lower") == pytest.approx(
        [0.0, 0.5, 1.0, 1.25, 1.5])
    # no cap: the challenge earns its ratio (110 / 100)
    assert _thresholds([110], 90, 100, 110, cap=np.nan) == pytest.approx([1.1])
    # levels out of order or a band KPI: not defined (the ratio applies)
    assert np.isnan(_thresholds([95], 100, 90, 110)).all()
    assert np.isnan(_thresholds([1.0], 0.9, 1.0, 1.1, "band")).all()


def test_thresholds_method_separates_high_rate_kpis(config):
    """Picking accuracy 99.5–99.9% against 99.5%: ratio gives ~1.00 for all, thresholds 0 → 1.5."""
    months = ("2025-07", "2025-08", "2025-09")
    people = [{"employee_id": e, "name": e, "department": "sales", "region": "华东", "hire_date": "2020-01-01"}
              for e in ("A", "B")]
    measures = [{"period": m, "employee_id": e, "measure": name, "value": v}
                for m in months for e, (ok, due) in {"A": (995, 1000), "B": (999, 1000)}.items()
                for name, v in (("collected_on_time", ok), ("collection_due", due))]
    targets = [{"period": "2025Q3", "employee_id": e, "kpi": "collection_on_time", "target": 0.997,
                "baseline": 0.995, "challenge": 0.999} for e in ("A", "B")]
    ds = dataset_from(config, employees=people, measures=measures, targets=targets)
    ratio = score(ds, config, "2025Q3").lines.query("kpi == 'collection_on_time'").set_index("employee_id")
    assert ratio.loc["B", "line_score"] - ratio.loc["A", "line_score"] < 0.2
    stepped = config.scheme.model_copy(deep=True)
    stepped.scoring.attainment.method = "thresholds"
    lines = score(ds, type(config)(config.catalog, stepped), "2025Q3").lines
    line = lines.query("kpi == 'collection_on_time'").set_index("employee_id")
    assert line.loc["A", "attainment"] == pytest.approx(0.0) and line.loc["B", "attainment"] == pytest.approx(1.5)
    assert line.loc["B", "line_score"] == 22.5 and line.loc["B", "challenge"] == pytest.approx(0.999)


def test_default_cap_is_one_and_a_half(config):
    assert config.scheme.scoring.attainment.cap == 1.5
    months = ("2025-07", "2025-08", "2025-09")
    measures = [{"period": m, "employee_id": "A", "measure": "sales", "value": 10_000_000} for m in months]
    lines = score(dataset_from(config, employees=PEOPLE, measures=measures), config, "2025Q3").lines
    line = lines.query("kpi == 'sales_amount'").iloc[0]
    assert line["attainment"] == 1.5 and line["line_score"] == 45.0


def test_borrowed_targets_are_reported_per_department_and_kpi(config):
    months = ("2025-07", "2025-08", "2025-09")
    measures = [{"period": m, "employee_id": e, "measure": "sales", "value": 1_000_000} for m in months for e in ("A", "M")]
    targets = [{"period": "2025Q3", "employee_id": "A", "kpi": "sales_amount", "target": 3_000_000}]
    result = score(dataset_from(config, employees=PEOPLE, measures=measures, targets=targets), config, "2025Q3")
    from kpilib.scoring import borrowed_targets
    table = borrowed_targets(result.lines).set_index("kpi")
    assert table.loc["sales_amount", "people"] == 1 and table.loc["sales_amount", "of"] == 2
    assert table.loc["sales_amount", "employee_ids"] == "M"
    warned = [p for p in result.problems.warnings if p.column == "sales_amount" and "catalogue's default" in p.expected]
    assert len(warned) == 1 and warned[0].value == "M" and "1 of 2 people of sales" in warned[0].expected


def test_targets_required_makes_each_borrowed_line_an_error(config):
    from kpilib.problems import UserError
    strict = config.scheme.model_copy(deep=True)
    strict.scoring.targets = "required"
    months = ("2025-07", "2025-08", "2025-09")
    measures = [{"period": m, "employee_id": e, "measure": "sales", "value": 1_000_000} for m in months for e in ("A", "M")]
    targets = [{"period": "2025Q3", "employee_id": "A", "kpi": "sales_amount", "target": 3_000_000}]
    ds = dataset_from(config, employees=PEOPLE, measures=measures, targets=targets)
    with pytest.raises(UserError) as err:
        score(ds, type(config)(config.catalog, strict), "2025Q3")
    values = {p.value for p in err.value.problems.errors}
    assert values == {"M sales_amount"}  # A has a target; lines without an actual borrow nothing


def test_an_implausible_attainment_is_a_warning_naming_person_and_kpi(config):
    months = ("2025-07", "2025-08", "2025-09")
    measures = [{"period": m, "employee_id": "A", "measure": "new_customers", "value": 40} for m in months]
    result = score(dataset_from(config, employees=PEOPLE, measures=measures), config, "2025Q3")
    hit = [p for p in result.problems.warnings if "above 3× the target" in p.expected]
    assert [(p.column, p.value) for p in hit] == [("new_customers", "A")]


def test_a_kpi_that_separates_nobody_is_reported(config):
    from kpilib.scoring import separation
    lines = pd.DataFrame({"department": "d", "kpi": ["flat"] * 12 + ["wide"] * 12, "weight": 35.0, "kind": "quantitative",
                          "employee_id": [f"E{i}" for i in range(12)] * 2,
                          "line_score": [34.8 + 0.03 * i for i in range(12)] + [20.0 + i for i in range(12)]})
    table = separation(lines).set_index("kpi")
    assert table.loc["flat", "spread"] == pytest.approx(0.33) and table.loc["wide", "spread"] == pytest.approx(11)
    from kpilib.problems import Problems
    from kpilib.scoring import _separates_nobody
    problems = Problems()
    _separates_nobody(lines, problems)
    assert [p.expected.split()[0] for p in problems.warnings] == ["flat"]


def test_managers_without_targets_are_scored_on_their_team(config):
    """role_layers {management: team}: the lead M of team t1 (members M, A, B) is scored on the
    team's sales against the sum of the members' targets; by hand: (3+2+1) M / (0 + 3 + 3) M."""
    people = [{"employee_id": e, "name": e, "department": "sales", "region": "华东", "hire_date": "2020-01-01",
               "team": "t1", "role_layer": layer} for e, layer in (("M", "management"), ("A", "execution"),
                                                                    ("B", "execution"))]
    people.append({"employee_id": "C", "name": "C", "department": "sales", "region": "华东",
                   "hire_date": "2020-01-01", "team": "t2", "role_layer": "execution"})
    months = ("2025-07", "2025-08", "2025-09")
    per_month = {"M": 1_000_000, "A": 2_000_000 / 3, "B": 1_000_000 / 3, "C": 5_000_000}
    measures = [{"period": m, "employee_id": e, "measure": "sales", "value": v} for m in months for e, v in per_month.items()]
    targets = [{"period": "2025Q3", "employee_id": e, "kpi": "sales_amount", "target": 3_000_000} for e in ("A", "B", "C")]
    ds = dataset_from(config, employees=people, measures=measures, targets=targets)
    plain = score(ds, config, "2025Q3").lines.query("kpi == 'sales_amount'").set_index("employee_id")
    assert source(plain, "M") == "catalogue × 3"  # without the rule: borrowed (and warned)
    teams = config.scheme.model_copy(deep=True)
    teams.scoring.role_layers = {"management": "team"}
    result = score(ds, type(config)(config.catalog, teams), "2025Q3")
    line = result.lines.query("kpi == 'sales_amount'").set_index("employee_id")
    assert line.loc["M", "actual"] == pytest.approx(6_000_000)
    # the team target adds the members' own targets; M, team-scored without one, adds nothing
    assert line.loc["M", "target"] == pytest.approx(3_000_000 * 2)
    assert source(line, "M") == "team of 2: sum of targets (2 own)"
    assert line.loc["M", "scored_on"] == "team" and line.loc["A", "scored_on"] == "person"
    assert line.loc["A", "actual"] == pytest.approx(2_000_000)  # members keep their own lines
    assert source(line, "C") == "targets 2025Q3" and source(line, "C", "zh") == "目标表 2025Q3"


def test_a_person_rated_by_themselves_only_is_a_warning(config):
    """M has no supervisor: their only ratings are their own, so their qualitative score is
    their self-rating; A, rated by M too, is not named."""
    ratings = [{"period": "2025Q3", "employee_id": e, "rater_type": t, "rater_id": r, "criterion": "collaboration",
                "score": 4} for e, t, r in (("A", "self", "A"), ("A", "supervisor", "M"), ("M", "self", "M"))]
    measures = [{"period": m, "employee_id": e, "measure": "sales", "value": 1}
                for m in ("2025-07", "2025-08", "2025-09") for e in ("A", "M")]
    result = score(dataset_from(config, employees=PEOPLE, measures=measures, ratings=ratings), config, "2025Q3")
    alone = [p for p in result.problems.warnings if "rated by themselves only" in p.expected]
    assert [(p.expected.split()[0], p.value) for p in alone] == [("1", "M")]


@pytest.mark.parametrize("client", [None, "retail"])
def test_scores_without_explanations_are_the_same_scores(client):
    from kpilib.origin import sample_dir
    from kpilib.workbench import load_inputs, resolve_period

    config, dataset = load_inputs(str(sample_dir()) if client is None else "tests/data/retail", client, None)
    span = resolve_period(dataset.months, None)
    full, brief = score(dataset, config, span), score(dataset, config, span, explain=False)
    pd.testing.assert_frame_equal(full.sheet, brief.sheet, check_exact=True)
    pd.testing.assert_frame_equal(full.lines.drop(columns="inputs"), brief.lines.drop(columns="inputs"), check_exact=True)
    quantitative = full.lines["kind"] == "quantitative"
    assert full.lines.loc[quantitative, "inputs"].ne("").any() and brief.lines.loc[quantitative, "inputs"].eq("").all()
    assert [vars(p) for p in full.problems.items] == [vars(p) for p in brief.problems.items]
