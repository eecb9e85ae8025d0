"""Score details (section 70) in parts of whole teams, so that no page grows with its department.

A department with more people scored than `pages.details_per_part` (scheme.yaml, default
500) gets its score details in parts: its teams in order (people outside any team first,
then by team name), packed greedily into parts of at most that many people; a team larger
than the limit is a part of its own. Each part is a page of its own, one document of the
pack (kpilib.pack.plan plans them from `detail_parts`, for a notebook whose metadata says
`kpireport.parts: teams`; the notebook's `part` parameter picks one), and the department's
page lists the parts with a link to each (`part_list`). A department within the limit has
no parts: its one page shows everyone, as before.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from kpilib.i18n import word
from kpilib.problems import UserError
from kpilib.workbench import Workbench

PART_COLUMNS = ["department", "team", "people", "part"]


def pack_teams(sizes: pd.Series, limit: int) -> pd.Series:
    """Part number (1, 2, ...) of each team of `sizes` (team → people, in the order to keep):
    consecutive teams fill a part until the next one would take it above `limit` people."""
    parts, part, filled = [], 1, 0
    for people in sizes:
        if filled and filled + people > limit:
            part, filled = part + 1, 0
        filled += people
        parts.append(part)
    return pd.Series(parts, index=sizes.index, dtype="int64")


def detail_parts(wb: Workbench) -> pd.DataFrame:
    """The parts of each department in scope whose people scored outnumber
    `pages.details_per_part`: one row per team (PART_COLUMNS: department, team, people,
    part), teams in page order. Empty when every department's details fit one page."""
    limit = wb.config.scheme.pages.details_per_part
    sheet = wb.sheet()
    direct = word("direct", wb.lang)  # people outside any team come first
    frames = []
    for dept, people in sheet.groupby("department", sort=False):
        if len(people) <= limit:
            continue
        sizes = people["team"].astype(str).value_counts()
        sizes = sizes.loc[sorted(sizes.index, key=lambda t: (t != direct, t))]
        part = pack_teams(sizes, limit)
        if part.iloc[-1] > 1:  # one team holding everyone (no teams in the data): one page all the same
            frames.append(pd.DataFrame({"department": dept, "team": sizes.index, "people": sizes.to_numpy(),
                                        "part": part.to_numpy()}))
    order = {d: i for i, d in enumerate(wb.config.scheme.departments)}
    frames.sort(key=lambda f: order.get(f["department"].iloc[0], len(order)))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=PART_COLUMNS)


def part_file(section: str, part: int) -> str:
    """The page of a part, next to its department's page: `70_details-03.html`."""
    return f"{section}-{part:02d}.html"


def part_list(wb: Workbench, section: str) -> pd.DataFrame:
    """The parts of the department's score details, for its page: part, teams (the first and
    last team of the part, "sales-01 – sales-27"), people, href (the part's page,
    `part_file`). Empty when the department's details are one page (or at company level)."""
    parts = detail_parts(wb) if not wb.company else pd.DataFrame(columns=PART_COLUMNS)
    if parts.empty:
        return pd.DataFrame(columns=["part", "teams", "people", "href"])
    out = parts.groupby("part", sort=True).agg(first=("team", "first"), last=("team", "last"), people=("people", "sum"))
    teams = out["first"].where(out["first"] == out["last"], out["first"] + " – " + out["last"])
    return pd.DataFrame({"part": out.index, "teams": teams.to_numpy(), "people": out["people"].to_numpy(),
                         "href": [part_file(section, p) for p in out.index]})


def part_view(wb: Workbench, part: int | None) -> Workbench | None:
    """The department's workbench narrowed to the people of `part`, whose score details a
    part's page shows (its sheets and lines of every period hold only them: ranks, tiers
    and grades are the department's; the dataset stays whole, so a rater of another team of
    the department is still named). `part` None: the workbench unchanged for a department
    on one page, None for a department in parts (its page lists the parts). An unknown part
    is a UserError naming the parts."""
    if wb.company:
        return wb
    parts = detail_parts(wb)
    if part is None:
        return None if len(parts) else wb
    teams = parts.loc[parts["part"] == part, "team"]
    if teams.empty:
        known = f"1–{parts['part'].max()}" if len(parts) else "none: its score details are one page"
        raise UserError(f"part {part}: {wb.department} has no such part of its score details (parts: {known})")
    sheet = wb.sheet()
    people = sheet.loc[sheet["team"].astype(str).isin(teams), "employee_id"]
    return dataclasses.replace(wb, history=wb.history[wb.history["employee_id"].isin(people)],
                               line_scores=wb.line_scores.among(people))
