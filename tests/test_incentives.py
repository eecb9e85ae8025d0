"""Results applied: each rule on a hand-made case, with its evidence."""

import pandas as pd

from kpilib import incentives as I
from kpilib.config import Incentives

RULES = Incentives()


def sheet(composites, department="sales"):
    return pd.DataFrame({"employee_id": [f"e{i:02d}" for i in range(len(composites))], "department": department,
                         "composite": composites})


def test_bonus_bands_and_full_payment_gate():
    s = sheet([99, 95, 90, 88, 85, 80, 78, 75, 72, 60])  # 10 people
    lines = pd.DataFrame({"employee_id": ["e00", "e01"], "kpi": "collection_on_time", "actual": [0.97, 0.90]})
    out = I.bonus(s, lines, RULES).set_index("employee_id")
    assert out.loc["e00", "multiplier"] == 3 and out.loc["e00", "full_payment"]
    assert out.loc["e01", "multiplier"] == 2 and not out.loc["e01", "full_payment"]
    assert out.loc["e01", "outcome"] == "2×, not in full" and "90.0%" in out.loc["e01", "evidence"]
    assert out.loc["e03", "multiplier"] == 1 and out.loc["e09", "multiplier"] == 0


def test_commission():
    lines = pd.DataFrame({"employee_id": ["a", "b"], "kpi": "sales_amount", "attainment": [1.25, 1.10]})
    out = I.commission(lines, RULES).set_index("employee_id")["outcome"]
    assert out.to_dict() == {"a": "3×", "b": "standard"}


def test_promotion_needs_six_months_in_the_top_and_few_complaints():
    rows = []
    for m in range(1, 8):
        for i, c in enumerate([95, 90, 80, 70, 60, 50, 40, 30, 20, 10]):
            score = c if not (i == 1 and m == 3) else 5  # e01 drops out in month 3
            rows.append({"period": f"2026-{m:02d}", "employee_id": f"e{i:02d}", "department": "sales", "composite": score})
    out = I.promotion(pd.DataFrame(rows), pd.Series({"e00": 0.001}), RULES).set_index("employee_id")
    assert out.loc["e00", "outcome"] == "eligible" and "7 consecutive months" in out.loc["e00", "evidence"]
    assert out.loc["e01", "outcome"] == "not yet"
    high = I.promotion(pd.DataFrame(rows), pd.Series({"e00": 0.01}), RULES).set_index("employee_id")
    assert high.loc["e00", "outcome"] == "not yet"


def test_reserve_pool_breakthrough_watch_list():
    quarters = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    tiers = pd.DataFrame([{"period": q, "employee_id": e, "tier": t} for q in quarters
                          for e, t in (("a", "S"), ("b", "A" if q != "2026Q1" else "B"))])
    pool = I.reserve_pool(tiers, RULES).set_index("employee_id")["outcome"]
    assert pool.to_dict() == {"a": "in pool", "b": "not yet"}
    history = pd.DataFrame([{"employee_id": "a", "period": q, "sales": v} for q, v in zip(quarters, [100, 120, 110, 190], strict=True)])
    assert I.breakthrough(history, "sales", RULES)["outcome"].tolist() == ["breakthrough"]
    rows = [{"period": q, "employee_id": f"e{i:02d}", "department": "sales", "composite": 90 - i - (50 if i == 3 and q >= "2026Q2" else 0)}
            for q in quarters for i in range(10)]
    watch = I.watch_list(pd.DataFrame(rows), RULES).set_index("employee_id")["outcome"]
    assert watch["e03"] == "review" and watch["e09"] == ""


def test_a_single_period_and_two_departments():
    # one quarter (a yearly report on two years of data has one): streaks of 1, groups kept apart
    rows = [{"period": "2025", "employee_id": f"{d}{i}", "department": d, "composite": 90.0 - i}
            for d in ("s", "m") for i in range(10)]
    watch = I.watch_list(pd.DataFrame(rows), RULES).set_index("employee_id")["outcome"]
    assert watch["s9"] == watch["m9"] == "observation" and watch["s8"] == ""
    months = pd.DataFrame(rows).assign(period="2025-12")
    promo = I.promotion(months, None, RULES).set_index("employee_id")
    assert "1 consecutive months in the top 20%" in promo.loc["s0", "evidence"]
    assert promo.loc["m1", "outcome"] == "not yet" and "1 consecutive" in promo.loc["m1", "evidence"]
