"""The scoring sheets of a pack hold only the people its documents are about.

The period's `scores.xlsx` and `scores.csv` cover the departments that have documents in
the pack (built by this run or kept from the previous one); each department built gets
`<department>/scores.xlsx` with only its own people. Lines and tier allocation rows follow the
people; a warning that names someone, or a department, outside is left out. The pack's
sheets add one column per configured incentive rule (bonus, commission, promotion, ...):
the person's outcome in the report's language, blank where the rule did not look at them,
so a restatement (`kpilib.pack.restate`) can compare every outcome from the sheets alone. The
follow-up actions (kpilib.actions) go the same way: `actions.csv` for the period,
`<department>/actions.csv` for each department built, a header alone when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from kpilib.export import write_scores, write_table
from kpilib.i18n import value_word
from kpilib.messages import readable_lines
from kpilib.problems import Problem, Problems
from kpilib.scoring import Scores
from kpilib.sections.followup import follow_up_actions
from kpilib.workbench import Workbench


def _about_others(problem: Problem, others: set[str]) -> bool:
    words = re.findall(r"[\w-]+", " ".join(filter(None, (problem.column, problem.value, problem.expected))))
    return not others.isdisjoint(words)


def outcomes(wb: Workbench) -> pd.DataFrame:
    """employee_id and one column per incentive rule configured for any department (in
    `sections.incentives.RULES` order): each person's outcome in the report's language, "" where
    the rule did not look at them (kpilib.sections.decisions)."""
    from kpilib.sections.incentives import RULES, decisions

    long = decisions(wb)
    wide = long.pivot_table(index="employee_id", columns="rule", values="outcome", aggfunc="first")
    wide = wide[[r for r in RULES if r in wide.columns]].map(lambda v: value_word(v, wb.lang))
    wide.columns.name = None
    return wide.reset_index()


def scoped(wb: Workbench, departments: Iterable[str], outcome: pd.DataFrame | None = None,
           readable: pd.DataFrame | None = None) -> Scores:
    """The period's scoring limited to the people of `departments`; with `outcome` (see
    `outcomes`) its columns added to the sheet. `readable`: the lines already in words
    (messages.readable_lines) of these departments or more, so as not to translate them again."""
    wanted = set(departments)
    everyone = wb.sheet()
    inside = everyone["department"].isin(wanted)
    sheet = everyone[inside].reset_index(drop=True)
    if outcome is not None and len(outcome.columns) > 1:
        rules = [c for c in outcome.columns if c != "employee_id"]
        sheet = sheet.merge(outcome, on="employee_id", how="left")
        sheet[rules] = sheet[rules].fillna("")
    within = wb.config.scheme.scoring.tiers.within
    groups = set(sheet[within].astype(str)) if within in sheet.columns else {"company"}
    pooled = wb.tier_allocation["group"].astype(str).str.removeprefix("pooled: ").str.split(", ")
    tier_allocation = wb.tier_allocation[pooled.map(lambda names: not groups.isdisjoint(names))]
    others = set(everyone.loc[~inside, "employee_id"].astype(str)) | (set(wb.config.scheme.departments) - wanted)
    problems = Problems([p for p in wb.problems.items if not _about_others(p, others)])
    if readable is None:
        lines = wb.period_lines()
        readable = readable_lines(lines[lines["department"].isin(wanted)].reset_index(drop=True), wb.config.catalog,
                                  wb.lang)
    lines = readable[readable["department"].isin(wanted)].reset_index(drop=True)
    return Scores(wb.span, sheet, lines, tier_allocation.reset_index(drop=True), problems)


def write_sheets(wb: Workbench, held: Iterable[str], built: Iterable[str], folder: Path) -> list[str]:
    """`scores.xlsx|csv` for the departments `held` in the pack, `<department>/scores.xlsx`
    for each department `built`; returns the files written (relative to `folder`)."""
    outcome = outcomes(wb)
    period = scoped(wb, held, outcome)
    written = []
    for name in ("scores.xlsx", "scores.csv"):
        write_scores(period, folder / name)
        written.append(name)
    for department in built:
        write_scores(scoped(wb, [department], outcome, readable=period.lines), folder / department / "scores.xlsx")
        written.append(f"{department}/scores.xlsx")
    return written


def write_actions(wb: Workbench, held: Iterable[str], built: Iterable[str], folder: Path) -> list[str]:
    """`actions.csv` for the departments `held` in the pack and `<department>/actions.csv`
    for each department `built` (columns kpilib.actions.COLUMNS); returns the files written."""
    table = follow_up_actions(wb)
    write_table(table[table["department"].isin(set(held))], folder / "actions.csv")
    written = ["actions.csv"]
    for department in built:
        write_table(table[table["department"] == department], folder / department / "actions.csv")
        written.append(f"{department}/actions.csv")
    return written
