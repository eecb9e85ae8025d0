"""Schemes by role layer, monitored KPIs, and scheme versions by period, scored by hand.

The default scheme's marketing department (params/scheme.yaml): a manager is weighted on
plan_completion 20, brand_awareness 30, campaign_effect 25, budget_execution 15,
report_timeliness 10; an executor on campaign_sales_lift 20 and the same four; both on the
ability dimensions professionalism 9, strategy_execution 7.5, collaboration 6, innovation
4.5, responsibility 3. Targets are the catalogue's (brand awareness 0.35, sales lift 0.15,
campaign conversion 0.12, budget 1.0 ± 5%, report timeliness 0.95, plan completion 0.90).
"""

from __future__ import annotations

import dataclasses
import shutil

import pytest

from kpilib.config import load_config
from kpilib.scoring import score
from kpilib.versions import in_force
from tests.conftest import dataset_from

Q1 = ["2026-01", "2026-02", "2026-03"]
Q2 = ["2026-04", "2026-05", "2026-06"]
COMMON = {  # measure: monthly values of one quarter; quarter sums in the comments
    "lift_sales_after": [400_000, 380_000, 400_000],       # 1.18M
    "lift_sales_baseline": [300_000, 350_000, 350_000],    # 1.00M → lift 0.18 → 1.2 × 20 = 24.0
    "campaign_conversions": [9, 9, 9],                     # 27
    "campaign_participants": [100, 100, 100],              # 300 → 0.09 → 0.75 × 25 = 18.75 → 18.8
    "marketing_spend": [360_000, 360_000, 360_000],        # 1.08M
    "marketing_budget": [333_000, 333_000, 334_000],       # 1.00M → 8% off, band 5% → 0.4 × 15 = 6.0
    "reports_on_time": [6, 7, 6],                          # 19
    "reports_due": [7, 7, 6],                              # 20 → 0.95 → 1.0 × 10 = 10.0
    "surveyed_respondents": [100, 150, 150],               # 400
}
OWN = {
    "M1": {"aware_respondents": [40, 50, 50],              # 140/400 = 0.35 → 1.0 × 30 = 30.0
           "projects_done": [3, 3, 3], "projects_planned": [3, 3, 4]},   # 9/10 → 1.0 × 20 = 20.0
    "E1": {"aware_respondents": [32, 40, 40]},             # 112/400 = 0.28 → 0.8 × 30 = 24.0
}
SUPERVISOR = {"professionalism": 5, "strategy_execution": 4, "collaboration": 3, "innovation": 4, "responsibility": 5}
# 9 × 5/5 = 9.0; 7.5 × 4/5 = 6.0; 6 × 3/5 = 3.6; 4.5 × 4/5 = 3.6; 3 × 5/5 = 3.0 → 25.2


def tables(months=Q1 + Q2):
    employees = [
        {"employee_id": "M1", "name": "王经理", "department": "marketing", "region": "华东", "hire_date": "2020-01-01",
         "role_layer": "management"},
        {"employee_id": "E1", "name": "李策划", "department": "marketing", "region": "华东", "hire_date": "2020-01-01",
         "role_layer": "execution", "manager_id": "M1"},
    ]
    measures = [{"period": m, "employee_id": person, "measure": k, "value": v[i % 3]}
                for person in OWN for k, v in {**COMMON, **OWN[person]}.items() for i, m in enumerate(months)]
    quarters = sorted({f"{m[:4]}Q{(int(m[5:]) - 1) // 3 + 1}" for m in months})
    ratings = [{"period": q, "employee_id": person, "rater_type": "supervisor", "criterion": c, "score": s}
               for q in quarters for person in OWN for c, s in SUPERVISOR.items()]
    return {"employees": employees, "measures": measures, "ratings": ratings}


@pytest.fixture(scope="module")
def scored(config):
    return score(dataset_from(config, **tables()), config, "2026Q1")


def test_a_manager_and_an_executor_get_their_roles_weights(scored):
    lines = scored.lines[~scored.lines["monitored"]].set_index(["employee_id", "kpi"])["line_score"]
    manager = {"plan_completion": 20.0, "brand_awareness": 30.0, "campaign_effect": 18.8,
               "budget_execution": 6.0, "report_timeliness": 10.0}
    executor = {"campaign_sales_lift": 24.0, "brand_awareness": 24.0, "campaign_effect": 18.8,
                "budget_execution": 6.0, "report_timeliness": 10.0}
    ability = {"professionalism": 9.0, "strategy_execution": 6.0, "collaboration": 3.6, "innovation": 3.6,
               "responsibility": 3.0}
    assert lines["M1"].to_dict() == {**manager, **ability}
    assert lines["E1"].to_dict() == {**executor, **ability}
    assert scored.lines.loc[scored.lines["employee_id"] == "E1", "weight"].head(5).tolist() == [30, 25, 20, 15, 10]
    sheet = scored.sheet.set_index("employee_id")
    # manager: 20 + 30 + 18.8 + 6 + 10 = 84.8, 0.7 × 84.8 + 25.2 = 84.56 → 84.6
    # executor: 24 + 24 + 18.8 + 6 + 10 = 82.8, 0.7 × 82.8 + 25.2 = 83.16 → 83.2
    assert sheet.loc["M1", ["quantitative", "qualitative", "composite", "grade"]].tolist() == [84.8, 25.2, 84.6, "Good"]
    assert sheet.loc["E1", ["quantitative", "qualitative", "composite", "grade"]].tolist() == [82.8, 25.2, 83.2, "Good"]
    assert (sheet["missing_lines"] == 0).all()


def test_management_only_kpis_are_not_given_to_other_layers(scored):
    e1 = scored.lines[scored.lines["employee_id"] == "E1"]
    assert "plan_completion" not in set(e1["kpi"])  # catalogue role_layer: management


def test_monitored_kpis_are_computed_not_scored(scored, config):
    lines = scored.lines.set_index(["employee_id", "kpi"])
    seen = lines.loc[("M1", "campaign_sales_lift")]  # weighted for the executor, monitored for the manager
    assert bool(seen["monitored"]) and seen["weight"] == 0
    assert (seen["actual"], seen["target"], seen["attainment"]) == pytest.approx((0.18, 0.15, 1.2))
    assert seen["line_score"] != seen["line_score"]  # NaN
    monitored = scored.lines[scored.lines["monitored"]]
    assert {"media_exposure", "online_marketing", "nps"} <= set(monitored["kpi"])
    assert monitored["line_score"].isna().all()
    assert not any("media_exposure" in str(p) for p in scored.problems.items)  # no data: not a warning
    # the composite does not move when nothing is monitored
    quiet = config.scheme.model_copy(deep=True)
    quiet.scoring.monitored = "listed"
    listed = score(dataset_from(config, **tables()), type(config)(config.catalog, quiet), "2026Q1")
    assert not listed.lines["monitored"].any()
    assert listed.sheet["composite"].tolist() == scored.sheet["composite"].tolist()


def test_weight_zero_is_monitored_and_roles_are_checked(params):
    (params / "clients" / "acme" / "scheme.yaml").write_text(
        "departments:\n  marketing:\n    quantitative: {report_timeliness: 0, plan_completion: 10}\n"
        "    roles:\n      support: {qualitative: {collaboration: 20}}\n", encoding="utf-8")
    config = load_config("acme", params)
    warnings = [str(p) for p in config.warnings.warnings]
    assert any("departments.marketing.quantitative.plan_completion" in w and "management-layer" in w
               for w in warnings), warnings
    assert any("departments.marketing.roles.support" in w and "meets every target exactly and is rated 5 on every criterion scores" in w for w in warnings), warnings
    assert any("customer_service is scored on 7 quantitative KPIs" in w and "max_kpis" in w for w in warnings)
    scored = score(dataset_from(config, **tables(Q1)), config, "2026Q1")
    e1 = scored.lines[scored.lines["employee_id"] == "E1"].set_index("kpi")
    assert bool(e1.loc["report_timeliness", "monitored"]) and e1.loc["report_timeliness", "attainment"] == 1.0


def test_unknown_role_and_kpi_of_the_wrong_kind_name_the_key(params):
    from kpilib.problems import UserError
    (params / "clients" / "acme" / "scheme.yaml").write_text(
        "departments:\n  marketing:\n    roles:\n      managment: {quantitative: {nps: 100}}\n"
        "      management: {qualitative: {nps: 10}}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_config("acme", params)
    found = [str(p) for p in err.value.problems.errors]
    assert any("departments.marketing.roles.managment" in e for e in found), found
    (params / "clients" / "acme" / "scheme.yaml").write_text(
        "departments:\n  marketing:\n    roles:\n      management: {qualitative: {nps: 10}}\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_config("acme", params)
    found = [str(p) for p in err.value.problems.errors]
    assert any("departments.marketing.roles.management.qualitative.nps" in e and "quantitative" in e
               for e in found), found


CHANGE = """
versions:
  - valid_from: 2026Q2
    departments:
      marketing:
        quantitative: {campaign_sales_lift: 30, report_timeliness: 0}
"""


def test_a_change_at_2026q2_scores_2026q1_with_the_old_version(params):
    with open(params / "scheme.yaml", "a", encoding="utf-8") as f:
        f.write(CHANGE)
    config = load_config(params_dir=params)
    assert list(config.schemes) == ["default", "2026Q2"]
    assert in_force(config, "2026Q1").version == "default" and in_force(config, "2026-03").version == "default"
    assert in_force(config, "2026Q2").version == "2026Q2" and in_force(config, "2026Q3").version == "2026Q2"
    data = dataset_from(config, **tables())
    old, new = (score(data, config, q).sheet.set_index("employee_id") for q in ("2026Q1", "2026Q2"))
    assert old.loc["E1", "quantitative"] == 82.8  # 24.0 + 24.0 + 18.8 + 6.0 + 10.0, as before the change
    # from 2026Q2: sales lift 30 × 1.2 = 36.0, report timeliness monitored → 36 + 24 + 18.8 + 6 = 84.8
    assert new.loc["E1", "quantitative"] == 84.8
    assert new.loc["E1", "composite"] == 84.6  # 0.7 × 84.8 + 25.2 = 84.56
    # the manager's own map is untouched by a change to the department's
    assert old.loc["M1", "quantitative"] == new.loc["M1", "quantitative"] == 84.8
    q2 = score(data, config, "2026Q2").lines
    assert bool(q2.loc[(q2["employee_id"] == "E1") & (q2["kpi"] == "report_timeliness"), "monitored"].iloc[0])


def test_a_bad_version_names_file_and_entry(params):
    from kpilib.problems import UserError
    with open(params / "scheme.yaml", "a", encoding="utf-8") as f:
        f.write("versions:\n  - valid_from: 2026Q5\n    scoring: {quantitative_share: 0.6}\n"
                "  - valid_from: 2026Q3\n    scoring: {quantitative_share: 1.5}\n")
    with pytest.raises(UserError) as err:
        load_config(params_dir=params)
    found = [str(p) for p in err.value.problems.errors]
    assert any("versions[0].valid_from" in e and "2026Q5" in e for e in found), found
    assert any("version 2026Q3" in e and "scoring.quantitative_share" in e for e in found), found
    (params / "clients" / "acme" / "scheme.yaml").write_text(
        "versions:\n  - valid_from: 2026-05\n    departments: {sales: {quantitative: {nope: 5}}}\n", encoding="utf-8")
    shutil.copy(load_config().files[1], params / "scheme.yaml")
    with pytest.raises(UserError) as err:
        load_config("acme", params)
    found = [str(p) for p in err.value.problems.errors]
    assert any("client acme) version 2026-05" in e and "departments.sales.quantitative.nope" in e
               for e in found), found


def test_the_workbench_scores_history_with_the_version_then(params, tmp_path, monkeypatch):
    from kpilib.workbench import open_workbench
    from tests.conftest import write_tables

    with open(params / "scheme.yaml", "a", encoding="utf-8") as f:
        f.write(CHANGE)
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    data = write_tables(tmp_path / "data", **tables())
    wb = open_workbench("2026Q2", "marketing", data)
    assert wb.config.version == "2026Q2"
    assert wb.config.scheme.departments["marketing"].quantitative["campaign_sales_lift"] == 30
    history = wb.history.set_index(["period", "employee_id"])["quantitative"]
    assert (history[("2026Q1", "E1")], history[("2026Q2", "E1")]) == (82.8, 84.8)
    from kpilib import narrate
    assert "the previous period was scored with the base scheme, this one with scheme version 2026Q2" in \
        narrate.scheme_changed(dataclasses.replace(wb, lang="en"))
    assert "上期按基础方案评分，本期按方案版本 2026Q2 评分" in narrate.scheme_changed(wb)
    assert narrate.scheme_changed(open_workbench("2026Q1", "marketing", data)) == ""


def test_the_weights_table_shows_the_roles_people_have(monkeypatch):
    """Marketing's scheme sets management weights: the rules table shows them beside everyone
    else's; when every person of the department is a manager, only the management block."""
    from kpilib import sections, workbench
    wb = workbench.open_workbench("2026Q3", "marketing", lang="en")
    table = sections.scheme_table(wb)
    assert set(table["role"]) == {"management", "other roles (department weights)"}
    managers = table[table["role"] == "management"]
    assert "Department plan completion" in set(managers["kpi_name"])
    assert managers.loc[managers["kind"] == "quantitative", "weight"].sum() == 100
    people = wb.dataset.employees.assign(role_layer="management")
    monkeypatch.setattr(wb.dataset, "employees", people)
    assert set(sections.scheme_table(wb)["role"]) == {"management"}
