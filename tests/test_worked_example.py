"""The worked example of domain.md §3, from raw monthly data through the CLI.

Monthly ratios are chosen so that their mean differs from the quarter's ratio of sums:
a scorer that averaged monthly rates would not get 85.2.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from kpilib.data import load_dataset
from kpilib.scoring import score
from tests.conftest import write_tables

MONTHS = ["2025-07", "2025-08", "2025-09"]
MONTHLY = {  # measure: values for July, August, September
    "sales": [1_500_000, 1_700_000, 1_600_000],          # 4.80M
    "new_customers": [5, 7, 6],                           # 18
    "renewed": [9, 27, 8], "due_for_renewal": [10, 30, 10],             # 44/50 = 88% (months: 90, 90, 80)
    "collected_on_time": [95_000, 180_000, 185_000], "collection_due": [100_000, 200_000, 200_000],  # 92%
    "campaign_revenue": [100_000, 150_000, 170_000], "campaign_cost": [20_000, 40_000, 40_000],      # 4.2
}
RATINGS = {  # criterion: (self, supervisor, [cross-department raters])
    "customer_satisfaction": (4, 4, [4]),      # 4.0 → 10 × 4.0/5 = 8.0
    "collaboration": (3, 5, [4, 5]),           # 0.2×3 + 0.6×5 + 0.2×4.5 = 4.5 → 9.0
    "strategy_execution": (3, 5, [4, 5]),      # 4.5 → 4.5
    "innovation": (3, 3, [3]),                 # 3.0 → 3.0
}


def build(folder):
    employees = [
        {"employee_id": "T1", "name": "销售一组", "department": "sales", "region": "华东", "hire_date": "2020-01-01",
         "manager_id": "M1"},
        {"employee_id": "M1", "name": "王经理", "department": "sales", "region": "华东", "hire_date": "2018-01-01",
         "manager_id": ""},
        {"employee_id": "X1", "name": "李协作", "department": "marketing", "region": "华东", "hire_date": "2019-01-01",
         "manager_id": ""},
        {"employee_id": "X2", "name": "赵协作", "department": "marketing", "region": "华东", "hire_date": "2019-01-01",
         "manager_id": ""},
    ]
    measures = [{"period": m, "employee_id": "T1", "measure": k, "value": v[i]}
                for k, v in MONTHLY.items() for i, m in enumerate(MONTHS)]
    targets = [{"period": m, "employee_id": "T1", "kpi": "sales_amount", "target": t}
               for m, t in zip(MONTHS, [1_600_000, 1_700_000, 1_700_000], strict=True)]  # 5.00M
    targets.append({"period": "2025Q3", "employee_id": "T1", "kpi": "new_customers", "target": 20})
    ratings = []
    for criterion, (own, sup, cross) in RATINGS.items():
        ratings.append({"period": "2025Q3", "employee_id": "T1", "rater_type": "self", "rater_id": "T1",
                        "criterion": criterion, "score": own})
        ratings.append({"period": "2025Q3", "employee_id": "T1", "rater_type": "supervisor", "rater_id": "M1",
                        "criterion": criterion, "score": sup})
        for i, s in enumerate(cross):
            ratings.append({"period": "2025Q3", "employee_id": "T1", "rater_type": "cross_department",
                            "rater_id": f"X{i + 1}", "criterion": criterion, "score": s})
    return write_tables(folder, employees=employees, measures=measures, targets=targets, ratings=ratings)


def test_monthly_ratios_average_differently():
    renew = [r / d for r, d in zip(MONTHLY["renewed"], MONTHLY["due_for_renewal"], strict=True)]
    assert abs(sum(renew) / 3 - 0.88) > 0.01


def test_worked_example_lines(tmp_path, config):
    dataset = load_dataset(build(tmp_path), config)
    result = score(dataset, config, "2025Q3")
    every = result.lines[result.lines["employee_id"] == "T1"].set_index("kpi")
    lines = every[~every["monitored"]]
    expected = {"sales_amount": 28.8, "new_customers": 18.0, "renewal_rate": 15.5, "collection_on_time": 14.5,
                "campaign_roi": 8.4, "customer_satisfaction": 8.0, "collaboration": 9.0,
                "strategy_execution": 4.5, "innovation": 3.0}
    assert lines["line_score"].to_dict() == expected
    # the other sales KPIs of the catalogue are monitored: shown, never scored
    assert every.loc[every["monitored"], "line_score"].isna().all() and every["monitored"].sum() > 0
    assert lines.loc["renewal_rate", "actual"] == pytest.approx(0.88)
    assert lines.loc["renewal_rate", "inputs"] == "renewed=44; due_for_renewal=50"
    assert lines.loc["sales_amount", "target"] == 5_000_000
    assert lines.loc["collaboration", "rating"] == 4.5
    row = result.sheet.set_index("employee_id").loc["T1"]
    assert (row["quantitative"], row["qualitative"], row["composite"], row["grade"]) == (85.2, 24.5, 84.1, "Good")


def test_worked_example_via_cli(tmp_path):
    data = build(tmp_path / "data")
    out = tmp_path / "scores.xlsx"
    run = subprocess.run([sys.executable, "-m", "kpilib", "scores", "--data", str(data), "--period", "2025Q3",
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    sheet = pd.read_excel(out, sheet_name="scores").set_index("employee_id")
    assert sheet.loc["T1", ["quantitative", "qualitative", "composite", "grade"]].tolist() == [85.2, 24.5, 84.1, "良好"]
    warnings = pd.read_excel(out, sheet_name="warnings")
    assert warnings["expected"].str.contains("sum to 90").any()  # the template's weights, flagged
    lines = pd.read_excel(out, sheet_name="lines")
    assert {"kpi", "kind", "inputs", "actual", "target", "attainment", "weight", "line_score"} <= set(lines.columns)
    csv = tmp_path / "scores.csv"
    run = subprocess.run([sys.executable, "-m", "kpilib", "scores", "--data", str(data), "--period", "2025Q3",
                          "--out", str(csv), "--lang", "en"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    row = pd.read_csv(csv, encoding="utf-8-sig").set_index("employee_id").loc["T1"]
    assert (row["composite"], row["grade"]) == (84.1, "Good")
