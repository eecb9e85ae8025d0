"""Teams as assessed units (kind: team): scored from their own measures and targets with the
department's weights, by hand; kept out of personal ranks, tiers and incentives; ranked
among teams in section 30."""

from __future__ import annotations

import pandas as pd
import pytest

from kpilib import workbench
from kpilib.periods import parse_period
from kpilib.scoring import score
from kpilib.sections import rankings as R
from kpilib.team_units import score_units
from tests.conftest import dataset_from, write_tables

MONTHS = [str(m) for m in pd.period_range("2026-04", "2026-09", freq="M")]
# per month: team T1 sells 100 and wins 3 customers, T2 150 and 4; the two people 80 and 2
MONTHLY = {"T1": (100, 3), "T2": (150, 4), "P1": (80, 2), "P2": (80, 2)}
TABLES = {
    "employees": [
        {"employee_id": "P1", "name": "Person One", "department": "sales", "region": "N", "team": "t1",
         "hire_date": "2020-01-01"},
        {"employee_id": "P2", "name": "Person Two", "department": "sales", "region": "N", "team": "t2",
         "hire_date": "2020-01-01"},
        {"employee_id": "T1", "name": "Team one", "department": "sales", "region": "N", "team": "t1",
         "hire_date": "2020-01-01", "kind": "team"},
        {"employee_id": "T2", "name": "Team two", "department": "sales", "region": "N", "team": "",
         "hire_date": "2020-01-01", "kind": "team"}],
    "measures": [{"period": m, "employee_id": e, "measure": name, "value": v[i]}
                 for m in MONTHS for e, v in MONTHLY.items() for i, name in enumerate(("sales", "new_customers"))],
    "targets": [{"period": q, "employee_id": e, "kpi": k, "target": t} for q in ("2026Q2", "2026Q3")
                for e, k, t in [("T1", "sales_amount", 400), ("T1", "new_customers", 12), ("T2", "sales_amount", 500),
                                ("T2", "new_customers", 12), ("P1", "sales_amount", 240), ("P2", "sales_amount", 240),
                                ("P1", "new_customers", 6), ("P2", "new_customers", 6)]],
}


def test_team_entities_are_scored_from_their_own_measures_by_hand(config):
    data = dataset_from(config, **TABLES)
    units = score_units(data, config, parse_period("2026Q3"))
    sheet = units.sheet.set_index("employee_id")
    # T1: sales 300 / 400 = 75% → 30 × 0.75 = 22.5; customers 9 / 12 = 75% → 20 × 0.75 = 15.0;
    # renewal, collection and ROI have no data: reweighted, (22.5 + 15.0) × 90 / 50 = 67.5;
    # no ratings: composite = 67.5 × (0.7 + 30 / 100) = 67.5 → needs improvement (< 70)
    assert sheet.loc["T1", "quantitative"] == 67.5 and sheet.loc["T1", "composite"] == 67.5
    assert sheet.loc["T1", "grade"] == "Needs improvement"  # the grade's code (pages write 待改进)
    # T2: 450 / 500 = 90% → 27.0; 12 / 12 = 100% → 20.0; (27.0 + 20.0) × 90 / 50 = 84.6 → good
    assert sheet.loc["T2", "quantitative"] == 84.6 and sheet.loc["T2", "composite"] == 84.6
    assert sheet.loc["T2", "grade"] == "Good" and sheet["rank"].to_dict() == {"T1": 2, "T2": 1}
    assert sheet.loc["T1", "team"] == "t1" and sheet.loc["T2", "team"] == "Team two"  # blank: its name
    lines = units.lines.set_index(["employee_id", "kpi"])
    assert lines.loc[("T1", "sales_amount"), "actual"] == 300 and lines.loc[("T1", "sales_amount"), "target"] == 400


def test_team_entities_stay_out_of_personal_scores(config):
    data = dataset_from(config, **TABLES)
    people = score(data, config, "2026Q3")
    assert set(people.sheet["employee_id"]) == {"P1", "P2"} and set(people.lines["employee_id"]) == {"P1", "P2"}
    # P1: 240 / 240 → 30.0, 6 / 6 → 20.0: the teams' rows change nothing of theirs
    assert people.sheet.set_index("employee_id").loc["P1", "quantitative"] == pytest.approx(90.0)


def test_no_team_entity_no_team_scoring(config):
    tables = {**TABLES, "employees": TABLES["employees"][:2]}
    tables["measures"] = [m for m in TABLES["measures"] if m["employee_id"].startswith("P")]
    tables["targets"] = [t for t in TABLES["targets"] if t["employee_id"].startswith("P")]
    assert score_units(dataset_from(config, **tables), config, parse_period("2026Q3")).sheet.empty


def test_section_30_ranks_the_teams(tmp_path):
    folder = write_tables(tmp_path / "data", **TABLES)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
        workbench._MEMO.clear()
        wb = workbench.open_workbench("2026Q3", "sales", folder, lang="en")
        company = workbench.open_workbench("2026Q3", "all", folder, lang="en")
    table = R.team_units(wb)
    assert table["name"].tolist() == ["Team two", "Team one"] and table["rank"].tolist() == [1, 2]
    assert table["composite"].tolist() == [84.6, 67.5] and table["previous_rank"].tolist() == [1, 2]
    assert "T1" not in set(wb.sheet()["employee_id"])  # not in the personal ranking
    assert R.team_units(company)["department"].tolist() == ["Sales", "Sales"]
