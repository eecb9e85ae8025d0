"""The second bundled company, unlike the sample: `tests/data/retail/retail.xlsx` (committed;
`python tests/data/make_retail.py` rewrites it, deterministically).

Northwind Retail, 60 people, client overlay `params/clients/retail/` (English, own colour
and logo, a warehouse department with its own KPIs). What makes it unlike the sample:
- two quarters of history (2026-04 … 2026-09);
- one messy Excel workbook: measures as a wide export with thousands separators, Excel
  date cells, blank cells;
- ratings by self and supervisor only, some supervisor rater ids blank;
- a sales director and two team leads without personal targets (the scheme scores them on
  their team), a customer-service department without any targets (catalogue defaults);
- high-rate warehouse KPIs (picking accuracy 99.5–99.9%) that the ratio cannot separate;
- a marketing department of 5 people; a hire in 2026-08 and a leaver in 2026-05.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).parent / "retail" / "retail.xlsx"
MONTHS = [str(p) for p in pd.period_range("2026-04", "2026-09", freq="M")]
QUARTERS = ("2026Q2", "2026Q3")
REGIONS = ("North", "South")
CRITERIA = {"sales": ("customer_satisfaction", "collaboration", "strategy_execution", "innovation"),
            "customer_service": ("service_quality", "collaboration", "innovation"),
            "warehouse": ("collaboration", "responsibility"),
            "marketing": ("research_quality", "collaboration", "risk_warning", "innovation")}
FIRST = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Harper",
         "Rowan", "Emery", "Parker", "Reese", "Skyler", "Dakota", "Finley", "Hayden", "Logan")
LAST = ("Smith", "Jones", "Brown", "Wilson", "Evans", "Clark", "Lewis", "Walker", "Hall", "Young", "King",
        "Wright", "Green")


def people() -> pd.DataFrame:
    rows = []

    def add(dept, team, layer, manager, region, hire="2021-03-01", exit_date=""):
        n = len(rows)
        rows.append({"employee_id": f"R{n + 1:03d}", "name": f"{FIRST[n % len(FIRST)]} {LAST[(n * 7) % len(LAST)]}",
                     "department": dept, "team": team, "region": region, "role_layer": layer,
                     "position": {"management": "Manager"}.get(layer, "Associate"), "manager_id": manager,
                     "hire_date": hire, "exit_date": exit_date})
        return rows[-1]["employee_id"]

    director = add("sales", "", "management", "", "North", "2018-05-14")
    for team, region, size in (("Sales North", "North", 10), ("Sales South", "South", 9)):
        lead = add("sales", team, "management", director, region, "2019-09-02")
        for i in range(size):
            hire = "2026-08-03" if (team, i) == ("Sales South", 8) else "2022-01-10"
            add("sales", team, "execution", lead, region, hire, "2026-05-20" if (team, i) == ("Sales North", 9) else "")
    lead = add("customer_service", "Service desk", "management", "", "North", "2020-02-03")
    for i in range(11):
        add("customer_service", "Service desk", "execution", lead, REGIONS[i % 2])
    boss = add("warehouse", "", "management", "", "South", "2017-11-20")
    for team in ("Picking A", "Picking B"):
        for _ in range(10):
            add("warehouse", team, "execution", boss, "South")
    head = add("marketing", "Brand", "management", "", "North", "2020-06-01")
    for _ in range(4):
        add("marketing", "Brand", "execution", head, "North")
    return pd.DataFrame(rows)


def measures(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    skill = dict(zip(staff["employee_id"], rng.normal(1.0, 0.15, len(staff)), strict=True))
    for month in MONTHS:
        for p in staff.itertuples():
            if (p.hire_date[:7] > month) or (p.exit_date and p.exit_date[:7] < month):
                continue
            s, row = skill[p.employee_id], {"period": month, "employee_id": p.employee_id}
            if p.department == "sales" and p.role_layer == "execution":
                sales = 1_500_000 * s * rng.lognormal(0, 0.25)
                row.update(sales=f"{sales:,.2f}", new_customers=int(rng.poisson(6 * s)),
                           renewed=int(rng.binomial(20, min(0.97, 0.85 * s))), due_for_renewal=20,
                           collected_on_time=f"{sales * min(1, 0.93 + 0.05 * rng.random()):,.0f}",
                           collection_due=f"{sales:,.0f}")
            elif p.department == "customer_service" and p.role_layer == "execution":
                requests = int(rng.integers(220, 300))
                resolved = int(requests * min(0.99, 0.86 * s))
                row.update(requests=requests, resolved=resolved, tickets=requests,
                           response_hours=round(requests * 2.1 / s, 1), csat_points=round(45 * min(5, 4.1 * s), 1),
                           csat_responses=45, complaints=int(rng.poisson(2)), working_days=21,
                           calls_received=400, calls_replied_on_time=int(400 * min(1, 0.88 + 0.06 * rng.random())),
                           callbacks_planned=60, callbacks_done=int(60 * min(1, 0.87 + 0.1 * rng.random())))
            elif p.department == "warehouse" and p.role_layer == "execution":
                picks = int(rng.integers(9000, 11000))
                error_rate = max(0.0008, 0.004 / s ** 2 * rng.uniform(0.6, 1.2))
                hours = 160
                row.update(picks=picks, picks_correct=picks - int(picks * error_rate),
                           units_picked=int(hours * 120 * s * rng.uniform(0.9, 1.1)), hours_worked=hours,
                           orders_dispatched=800, orders_on_time=int(800 * min(1, 0.955 + 0.03 * s * rng.random())),
                           counts_done=4, counts_matched=int(rng.binomial(4, 0.97)))
            elif p.department == "marketing":
                row.update(campaign_participants=500, campaign_conversions=int(rng.binomial(500, 0.12 * s)),
                           media_mentions=int(rng.poisson(40 * s)), marketing_budget=50_000,
                           marketing_spend=round(50_000 * rng.uniform(0.9, 1.1)))
            else:
                continue  # managers: no personal measures
            rows.append(row)
    return pd.DataFrame(rows)


def targets(staff: pd.DataFrame) -> pd.DataFrame:
    rows = []
    reps = staff[(staff["department"] == "sales") & (staff["role_layer"] == "execution")]
    for month in MONTHS:
        for p in reps.itertuples():
            rows.append({"period": month, "employee_id": p.employee_id, "kpi": "sales_amount", "target": "1,500,000"})
            rows.append({"period": month, "employee_id": p.employee_id, "kpi": "new_customers", "target": "6"})
    pickers = staff[(staff["department"] == "warehouse") & (staff["role_layer"] == "execution")]
    for quarter in QUARTERS:
        for p in pickers.itertuples():
            rows.append({"period": quarter, "employee_id": p.employee_id, "kpi": "pick_rate", "target": "120"})
    return pd.DataFrame(rows)


def ratings(staff: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for quarter in QUARTERS:
        for n, p in enumerate(staff.itertuples()):
            if p.role_layer == "management" and p.department != "marketing":
                continue
            if p.hire_date >= "2026-07-01" and quarter == "2026Q2":
                continue
            if p.exit_date and quarter == "2026Q3":
                continue
            for criterion in CRITERIA[p.department]:
                base = float(np.clip(np.round(rng.normal(3.6, 0.7)), 1, 5))
                rows.append({"period": quarter, "employee_id": p.employee_id, "rater_type": "self",
                             "rater_id": p.employee_id, "criterion": criterion, "score": min(5, base + 1)})
                rows.append({"period": quarter, "employee_id": p.employee_id, "rater_type": "supervisor",
                             "rater_id": "" if n % 9 == 4 else p.manager_id, "criterion": criterion, "score": base})
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(11)
    staff = people()
    wide = measures(staff, rng)
    book = staff.assign(hire_date=pd.to_datetime(staff["hire_date"]),
                        exit_date=pd.to_datetime(staff["exit_date"].replace("", None)))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(OUT, engine="openpyxl") as xl:
        book.to_excel(xl, sheet_name="employees", index=False)
        wide.to_excel(xl, sheet_name="measures", index=False)
        targets(staff).to_excel(xl, sheet_name="targets", index=False)
        ratings(staff, rng).to_excel(xl, sheet_name="ratings", index=False)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
