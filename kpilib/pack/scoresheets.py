"""The scoring sheets of a pack hold only the people its documents are about.

The period's `scores.xlsx` and `scores.csv` cover the departments that have documents in
the pack (built by this run or kept from the previous one); each department built gets
`<department>/scores.xlsx` with only its own people. Lines and calibration rows follow the
people; a warning that names someone, or a department, outside is left out. The
follow-up actions (kpilib.actions) go the same way: `actions.csv` for the period,
`<department>/actions.csv` for each department built, a header alone when there are none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from kpilib.problems import Problem, Problems
from kpilib.scoring import Scores
from kpilib.sections.followup import follow_up_actions
from kpilib.sheets import write_scores, write_table
from kpilib.workbench import Workbench


def _about_others(problem: Problem, others: set[str]) -> bool:
    words = re.findall(r"[\w-]+", " ".join(filter(None, (problem.column, problem.value, problem.expected))))
    return not others.isdisjoint(words)


def scoped(wb: Workbench, departments: Iterable[str]) -> Scores:
    """The period's scoring limited to the people of `departments`."""
    wanted = set(departments)
    everyone = wb.sheet()
    inside = everyone["department"].isin(wanted)
    sheet = everyone[inside].reset_index(drop=True)
    lines = wb.period_lines()
    within = wb.config.scheme.scoring.tiers.within
    groups = set(sheet[within].astype(str)) if within in sheet.columns else {"company"}
    pooled = wb.calibration["group"].astype(str).str.removeprefix("pooled: ").str.split(", ")
    calibration = wb.calibration[pooled.map(lambda names: not groups.isdisjoint(names))]
    others = set(everyone.loc[~inside, "employee_id"].astype(str)) | (set(wb.config.scheme.departments) - wanted)
    problems = Problems([p for p in wb.problems.items if not _about_others(p, others)])
    return Scores(wb.span, sheet, lines[lines["department"].isin(wanted)].reset_index(drop=True),
                  calibration.reset_index(drop=True), problems)


def write_sheets(wb: Workbench, held: Iterable[str], built: Iterable[str], folder: Path) -> list[str]:
    """`scores.xlsx|csv` for the departments `held` in the pack, `<department>/scores.xlsx`
    for each department `built`; returns the files written (relative to `folder`)."""
    period = scoped(wb, held)
    written = []
    for name in ("scores.xlsx", "scores.csv"):
        write_scores(period, folder / name)
        written.append(name)
    for department in built:
        write_scores(scoped(wb, [department]), folder / department / "scores.xlsx")
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
