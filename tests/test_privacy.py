"""Company pages leave out groups of fewer than `privacy.min_cell` people (sections.common.shown):
a one-person department's composite is on no company table, the index or a chart."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kpilib import narrate, sections, transitions, workbench
from kpilib.pack.front import cards_view, one
from tests.conftest import SAMPLE

PERIOD = "2026Q3"
COMPANY_CALLS = ["borrowed_targets", "headline", "grade_counts", "kpi_attainment", "tier_allocation",
                 "concentration", "group_profile", "ranking_table", "rank_stability", "group_movement", "trend_frame",
                 "person_trends", "tier_transitions", "outlook", "forecast_check", "top_separators", "rater_table",
                 "self_gap", "rater_variance", "incentive_summary", "kpi_leaders", "most_improved",
                 "score_details", "new_hire_ramp", "coaching", "top_cases", "chain_steps", "rating_evidence",
                 "monitored_details", "monitored_kpis", "rater_basis", "raters_not_judged", "incentive_counts", "action_list"]


@pytest.fixture(scope="module")
def lonely(tmp_path_factory):
    """The sample company with one person left in hr: (company workbench, that person's id)."""
    folder = tmp_path_factory.mktemp("lonely")
    tables = {name: pd.read_csv(SAMPLE / f"{name}.csv", dtype=str, keep_default_na=False)
              for name in ("employees", "measures", "targets", "ratings")}
    people = tables["employees"]
    hr = people.loc[people["department"] == "hr", "employee_id"]
    kept, gone = hr.iloc[0], set(hr.iloc[1:])
    tables["employees"] = people[~people["employee_id"].isin(gone)].assign(
        manager_id=lambda e: e["manager_id"].where(~e["manager_id"].isin(gone), ""))
    for name in ("measures", "targets"):
        tables[name] = tables[name][~tables[name]["employee_id"].isin(gone)]
    r = tables["ratings"]
    tables["ratings"] = r[~r["employee_id"].isin(gone) & ~r["rater_id"].isin(gone)]
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield workbench.open_workbench(PERIOD, "all", folder, lang="en"), folder, kept


def _cells(frame: pd.DataFrame) -> set[str]:
    return {str(v) for v in frame.to_numpy().ravel()} | {str(c) for c in frame.columns}


def test_no_company_table_shows_a_one_person_department(lonely):
    company, _, person = lonely
    hr = company.department_name("hr")
    composite = company.sheet().set_index("employee_id").loc[person, "composite"]
    for name in COMPANY_CALLS:  # scheme_table shows rules, not people; decisions is on department pages only
        frame = getattr(sections, name)(company)
        assert hr not in _cells(frame), name
        assert person not in _cells(frame), name
    by_region = sections.region_comparison(company)
    assert (by_region["people"] >= 5).all()
    head = sections.headline(company)
    assert (head["people"] >= 5).all() and len(head) == len(company.departments()) - 1
    assert composite not in set(head[["mean", "median", "best", "lowest"]].to_numpy().ravel())
    card = next(c for c in cards_view(company, []) if c["department"] == "hr")  # the pack's front page
    assert card["people"] == 1 and card["small"] and not any(card[k] for k in ("mean", "grades", "tiers", "kpis"))
    assert one(composite) not in str([c for c in cards_view(company, []) if c["department"] != "all"])
    sentence = narrate.small_groups(company)
    assert "fewer than 5 people" in sentence and sentence.endswith(f"{hr}.")


def test_department_pages_are_unaffected(lonely):
    _, folder, person = lonely
    hr = workbench.open_workbench(PERIOD, "hr", folder, lang="en")
    assert sections.headline(hr)["people"].sum() == 1
    assert person in set(sections.ranking_table(hr)["employee_id"])
    assert narrate.small_groups(hr) == ""


def test_min_cell_is_a_whole_number_of_at_least_one():
    from pydantic import ValidationError

    from kpilib.config import Privacy, Scheme

    assert Scheme().privacy.min_cell == 5 and Privacy(min_cell=1).min_cell == 1
    for bad in (0, -3, 2.5, True, "five"):
        with pytest.raises(ValidationError):
            Privacy(min_cell=bad)


def test_a_tier_row_of_a_few_people_is_blank_on_the_company_page(lonely):
    company = lonely[0]
    order = list(company.config.scheme.scoring.tiers.shares)
    before = company.sheet(company.previous).set_index("employee_id")["tier"]
    after = company.sheet().set_index("employee_id")["tier"]
    held = transitions.transition_counts(before, after, order).sum(axis=1)
    full = transitions.transitions(before, after, order)
    least = int(held[held > 0].min()) + 1  # the smallest tier row falls under the threshold
    scheme = company.config.scheme.model_copy(update={"privacy": company.config.scheme.privacy.model_copy(
        update={"min_cell": least})})
    strict = dataclasses.replace(company, config=dataclasses.replace(company.config, scheme=scheme))
    shown = sections.tier_transitions(strict)
    assert shown.loc[held < least].isna().all().all() and (held < least).any()
    assert shown.loc[held >= least].equals(full.loc[held >= least])
    sales = dataclasses.replace(strict, department="sales")  # a manager sees their own people, however few
    own = [sales.sheet(period).set_index("employee_id")["tier"] for period in (sales.previous, sales.span.label)]
    assert sections.tier_transitions(sales).equals(transitions.transitions(*own, order))
