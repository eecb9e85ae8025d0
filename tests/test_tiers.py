"""Forced distribution: largest remainder, middle-first ties, tied blocks, small groups."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpilib.config import Tiers
from kpilib.tiers import apportion, assign_tiers, rank_within

SHARES = {"S": 0.05, "A": 0.15, "B": 0.60, "C": 0.15, "D": 0.05}


@pytest.mark.parametrize("n, sizes", [
    (10, [0, 2, 6, 2, 0]),     # quotas .5 1.5 6 1.5 .5: spare seats to A and C (nearest the middle)
    (20, [1, 3, 12, 3, 1]),    # exact
    (100, [5, 15, 60, 15, 5]),
    (1, [0, 0, 1, 0, 0]),
    (0, [0, 0, 0, 0, 0]),
])
def test_apportion(n, sizes):
    assert list(apportion(n, SHARES).values()) == sizes


def test_apportion_hand_check_7():
    # floors 0,1,4,1,0 = 6; one seat left; remainders S .35, A .05, B .2, C .05, D .35 → S and D tie
    # at .35; the tie goes to the tier nearest the middle (equal), then the better tier: S.
    assert apportion(7, SHARES) == {"S": 1, "A": 1, "B": 4, "C": 1, "D": 0}


@given(st.integers(min_value=0, max_value=500),
       st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=6).filter(lambda w: sum(w) > 0))
def test_apportion_sums_to_group_size(n, weights):
    shares = {f"T{i}": w / sum(weights) for i, w in enumerate(weights)}
    sizes = apportion(n, shares)
    assert sum(sizes.values()) == n
    assert all(abs(sizes[t] - n * s) < 1 + 1e-9 for t, s in shares.items())  # quota rule


def sheet(composites, department="sales", **extra):
    frame = pd.DataFrame({"employee_id": [f"E{i:02d}" for i in range(len(composites))], "composite": composites,
                          "department": department, "quantitative": extra.get("quantitative", 0.0)})
    return frame


def test_tied_block_is_never_split_and_is_reported():
    s = sheet([95, 90, 90, 90, 80, 80, 70, 70, 60, 50])  # 10 people: S0 A2 B6 C2 D0
    out, cal = assign_tiers(s, Tiers(shares=SHARES, tie_break=[]))
    tiers = out.set_index("employee_id")["tier"]
    assert tiers["E00"] == "A" and {tiers["E01"], tiers["E02"], tiers["E03"]} == {"A"}  # the 90s stay together
    assert "tied across a tier boundary" in out.set_index("employee_id").loc["E03", "tier_note"]
    assert cal.set_index("tier").loc["A", "difference"] == 2
    assert cal["allocated"].sum() == 10


def test_tie_break_keys_resolve_ties():
    s = sheet([90, 90, 80, 70, 60, 50, 40, 30, 20, 10], quantitative=[50, 60, 0, 0, 0, 0, 0, 0, 0, 0])
    out, _ = assign_tiers(s, Tiers(shares={"top": 0.1, "rest": 0.9}, tie_break=["quantitative"], min_group=1))
    assert out.set_index("employee_id").loc["E01", "tier"] == "top"


def test_small_groups_guideline_or_pool():
    s = pd.concat([sheet([90, 80, 70], "hr"), sheet([88, 77], "finance"), sheet(list(range(60, 100, 2)), "sales")])
    s["employee_id"] = [f"P{i}" for i in range(len(s))]
    out, cal = assign_tiers(s, Tiers(shares=SHARES, min_group=5, small_groups="guideline"))
    assert out[out["department"] == "hr"]["tier_note"].str.contains("guideline").all()
    out, cal = assign_tiers(s, Tiers(shares=SHARES, min_group=5, small_groups="pool"))
    pooled = out[out["department"].isin(["hr", "finance"])]["tier_group"].unique()
    assert list(pooled) == ["pooled: finance, hr"]
    assert set(cal["group"]) == {"pooled: finance, hr", "sales"}


def test_missing_composite_is_not_tiered():
    s = sheet([90, None, 70, 60, 50])
    out, cal = assign_tiers(s, Tiers(shares=SHARES, min_group=1))
    assert out.loc[1, "tier"] == "" and "no composite" in out.loc[1, "tier_note"]
    assert cal["size"].iloc[0] == 4


def test_rank_min_method():
    s = sheet([90, 95, 90, 80])
    assert rank_within(s, "department").tolist() == [2, 1, 2, 4]
