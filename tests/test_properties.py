"""Property tests (hypothesis) of the scoring as a whole."""

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kpilib.config import Tiers
from kpilib.scoring import score
from kpilib.tiers import assign_tiers
from tests.conftest import dataset_from

MONTHS = ("2025-07", "2025-08", "2025-09")
PEOPLE = [{"employee_id": e, "name": e, "department": "sales", "region": "华东", "hire_date": "2020-01-01",
           "manager_id": ""} for e in ("A", "B", "C")]
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def company(sales, renewed, due, complaints_days):
    rows = []
    for i, m in enumerate(MONTHS):
        for e, k in zip(("A", "B", "C"), (1.0, 0.8, 1.3), strict=True):
            rows += [{"period": m, "employee_id": e, "measure": "sales", "value": sales[i] * k},
                     {"period": m, "employee_id": e, "measure": "renewed", "value": min(renewed[i], due[i])},
                     {"period": m, "employee_id": e, "measure": "due_for_renewal", "value": due[i]},
                     {"period": m, "employee_id": e, "measure": "deal_cycle_days", "value": complaints_days[i]},
                     {"period": m, "employee_id": e, "measure": "deals_closed", "value": 3}]
    return rows


amounts = st.lists(st.floats(min_value=1e4, max_value=1e7, allow_nan=False), min_size=3, max_size=3)
counts = st.lists(st.integers(min_value=1, max_value=60), min_size=3, max_size=3)


@SLOW
@given(amounts, counts, counts, counts, st.floats(min_value=0, max_value=5e6), st.sampled_from(MONTHS))
def test_raising_an_actual_never_lowers_the_composite(config, sales, renewed, due, days, extra, month):
    base = company(sales, renewed, due, days)
    before = score(dataset_from(config, employees=PEOPLE, measures=base), config, "2025Q3").sheet
    raised = [dict(r, value=r["value"] + extra) if (r["employee_id"], r["measure"], r["period"]) == ("A", "sales", month)
              else r for r in base]
    after = score(dataset_from(config, employees=PEOPLE, measures=raised), config, "2025Q3").sheet
    a = before.set_index("employee_id").loc["A", "composite"]
    b = after.set_index("employee_id").loc["A", "composite"]
    assert b >= a


@SLOW
@given(amounts, counts, counts, counts, st.randoms(use_true_random=False))
def test_permuting_input_rows_changes_nothing(config, sales, renewed, due, days, rnd):
    rows = company(sales, renewed, due, days)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    people = PEOPLE[:]
    rnd.shuffle(people)
    one = score(dataset_from(config, employees=PEOPLE, measures=rows), config, "2025Q3")
    two = score(dataset_from(config, employees=people, measures=shuffled), config, "2025Q3")
    cols = ["employee_id", "quantitative", "qualitative", "composite", "grade", "tier", "rank"]
    pd.testing.assert_frame_equal(one.sheet[cols].sort_values("employee_id").reset_index(drop=True),
                                  two.sheet[cols].sort_values("employee_id").reset_index(drop=True))
    key = ["employee_id", "kpi"]
    pd.testing.assert_frame_equal(one.lines.sort_values(key).reset_index(drop=True),
                                  two.lines.sort_values(key).reset_index(drop=True))


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=120).map(lambda x: round(x, 1))),
                min_size=0, max_size=60),
       st.integers(min_value=1, max_value=8))
def test_tier_counts_sum_to_group_size(composites, min_group):
    frame = pd.DataFrame({"employee_id": [f"E{i}" for i in range(len(composites))],
                          "composite": pd.Series(composites, dtype=float), "department": "d"})
    out, cal = assign_tiers(frame, Tiers(min_group=min_group, tie_break=[]))
    scored = frame["composite"].notna().sum()
    assert cal["allocated"].sum() == scored == (out["tier"] != "").sum()
    assert cal["planned"].sum() == (scored if scored else 0)
