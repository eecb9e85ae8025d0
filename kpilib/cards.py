"""The figures of the front page's cards (kpilib.pack.index): one card per department
with people this period, and one for the whole company, each a handful of numbers a
manager reads in thirty seconds, every one explained on a section page.

`card_figures` is the arithmetic on plain frames (tested by hand); `cards` gathers its
inputs from a Workbench and adds the incentive counts; `card_mix` holds the grade, tier
and bonus mixes drawn as small bars; `kpis_below_target` names the KPIs of a card.
Codes and numbers only: the page says them in the report's language.
"""

from __future__ import annotations

import pandas as pd

from kpilib import incentives, scoring, sections
from kpilib.workbench import COMPANY, Workbench

FIGURES = ["department", "people", "unscored", "mean", "previous", "change", "kpis", "below_target", "borrowed",
           "small"]
COLUMNS = [*FIGURES, "bonus_paid", "bonus_not_in_full", "watch_list", "review"]


def _department_attainment(lines: pd.DataFrame) -> pd.DataFrame:
    """Mean attainment of each department × scored quantitative KPI (monitored KPIs and
    lines without attainment left out): department, kpi, attainment. The mean over people,
    as section 10's table of KPI attainment shows it."""
    scored = lines[(lines["kind"] == "quantitative") & ~lines["monitored"].astype(bool) & lines["attainment"].notna()]
    return scored.groupby(["department", "kpi"], observed=True, as_index=False)["attainment"].mean()


def card_figures(sheet: pd.DataFrame, previous: pd.DataFrame, lines: pd.DataFrame, departments: list[str],
                 min_cell: int) -> pd.DataFrame:
    """The scoring figures of each card: one row for the company (`department` "all", first)
    and one per department of `departments`, in that order.

    Parameters
    ----------
    sheet, previous : DataFrame
        The scoring sheets of this period and the one before (department, composite;
        composite NaN: on the roster, not scored). `previous` may be empty.
    lines : DataFrame
        This period's line scores (department, employee_id, kpi, kind, monitored, actual,
        attainment, target_source).
    departments : list of str
        The departments with cards, in the scheme's order.
    min_cell : int
        The scheme's `privacy.min_cell`: a department with fewer people scored is `small`.

    Returns
    -------
    DataFrame
        department; people (composite present); unscored (on the roster without a
        composite); mean (mean composite of the people scored); previous (the same last
        period, NaN without one); change (mean − previous); kpis (scored quantitative KPIs
        with an attainment; the company: department × KPI pairs); below_target (of those,
        the ones whose mean attainment over the department's people is under 100%);
        borrowed (KPIs scored against the catalogue's default target for someone,
        scoring.borrowed_targets); small (people < min_cell: the company's page shows the
        department's headcount and warnings, none of its scores).

    Examples
    --------
    >>> sheet = pd.DataFrame({"department": ["a", "a", "a", "b"], "composite": [80.0, 70.0, None, 90.0]})
    >>> lines = pd.DataFrame(columns=["department", "employee_id", "kpi", "kind", "monitored", "actual",
    ...                               "attainment", "target_source"])
    >>> card_figures(sheet, sheet.iloc[:0], lines, ["a", "b"], 2)[["department", "people", "unscored", "mean", "small"]]
      department  people  unscored  mean  small
    0        all       3         1  80.0  False
    1          a       2         1  75.0  False
    2          b       1         0  90.0   True
    """
    keys = [COMPANY, *departments]

    def per(frame: pd.DataFrame, column: str, how) -> pd.Series:
        mine = frame[frame["department"].isin(departments)]
        by = mine.groupby("department", observed=True)[column].agg(how)
        return pd.concat([pd.Series({COMPANY: mine[column].agg(how)}), by]).reindex(keys)

    kpis = _department_attainment(lines)
    borrowed = scoring.borrowed_targets(lines)
    out = pd.DataFrame({"department": keys})
    out["people"] = per(sheet, "composite", "count").fillna(0).astype(int).to_numpy()
    out["unscored"] = per(sheet.assign(missing=sheet["composite"].isna()), "missing", "sum").fillna(0).astype(int).to_numpy()
    out["mean"] = per(sheet, "composite", "mean").to_numpy(float)
    before = per(previous, "composite", "mean") if len(previous) else pd.Series(float("nan"), index=keys)
    out["previous"] = before.to_numpy(float)
    out["change"] = out["mean"] - out["previous"]
    out["kpis"] = per(kpis, "kpi", "size").fillna(0).astype(int).to_numpy()
    out["below_target"] = per(kpis.assign(below=kpis["attainment"] < 1), "below", "sum").fillna(0).astype(int).to_numpy()
    out["borrowed"] = per(borrowed, "kpi", "size").fillna(0).astype(int).to_numpy()
    out["small"] = (out["people"] < min_cell) & (out["department"] != COMPANY)
    return out[FIGURES]


def _bonuses(wb: Workbench) -> pd.DataFrame:
    """The bonus rule of each department that has one, applied to its people
    (incentives.bonus): department, employee_id, multiplier, full_payment."""
    rules, sheet, lines = wb.config.scheme.incentives, wb.sheet(), wb.period_lines()
    parts = [incentives.bonus(sheet[sheet["department"] == d], lines[lines["department"] == d], rules[d].bonus)
             .assign(department=d) for d in wb.departments() if d in rules and rules[d].bonus]
    columns = ["department", "employee_id", "multiplier", "full_payment"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _counted(frame: pd.DataFrame, departments: list[str], ruled: set[str]) -> pd.Series:
    """Rows of `frame` per department (the company: all), NA for a department in no `ruled`."""
    by = frame["department"].value_counts()
    counts = pd.Series([len(frame) if ruled else pd.NA] + [int(by.get(d, 0)) if d in ruled else pd.NA
                                                           for d in departments], dtype="Int64")
    return counts


def cards(wb: Workbench) -> pd.DataFrame:
    """One row per card (company first, then the departments with people this period):
    `card_figures`' columns, and bonus_paid (people whose bonus multiplier is above 0),
    bonus_not_in_full (of those, paid less than in full: the full-payment gate failed),
    watch_list (people in the bottom share this period: observation), review (people
    below the meets-target line for the rule's run of periods: transfer or exit review),
    each from the department's incentive rules (section 60; NA where the department has no
    such rule)."""
    departments = wb.departments()
    previous = wb.sheet(wb.previous) if wb.previous else pd.DataFrame(columns=["department", "composite"])
    out = card_figures(wb.sheet(), previous, wb.period_lines(), departments, wb.config.scheme.privacy.min_cell)
    rules = wb.config.scheme.incentives
    bonus = _bonuses(wb)
    paid = bonus[bonus["multiplier"] > 0]
    with_bonus = {d for d in departments if d in rules and rules[d].bonus}
    with_watch = {d for d in departments if d in rules and rules[d].watch_list}
    watch = sections.decisions(wb)
    watch = watch[watch["rule"] == "watch_list"].assign(
        department=lambda f: f["employee_id"].map(wb.sheet().set_index("employee_id")["department"]))
    out["bonus_paid"] = _counted(paid, departments, with_bonus)
    out["bonus_not_in_full"] = _counted(paid[~paid["full_payment"].astype(bool)], departments, with_bonus)
    out["watch_list"] = _counted(watch[watch["outcome"] == "observation"], departments, with_watch)
    out["review"] = _counted(watch[watch["outcome"] == "review"], departments, with_watch)
    return out[COLUMNS]


def card_mix(wb: Workbench) -> pd.DataFrame:
    """The mixes drawn as a card's small bars: department (company "all" first), part
    ("grade", "tier" or "bonus"), value (a grade's name in the report's language, best
    first; a tier code in the scheme's order; a bonus multiplier, highest first), people.
    Every grade and tier appears, with 0 people where none; bonuses only as paid (> 0)."""
    sheet = wb.sheet().dropna(subset=["composite"])
    departments = wb.departments()
    grades = [g(wb.lang) for g in wb.config.scheme.scoring.grades]
    tiers = list(wb.config.scheme.scoring.tiers.shares)
    bonus = _bonuses(wb)
    bonus = bonus[bonus["multiplier"] > 0]
    rows = []
    for dept in [COMPANY, *departments]:
        mine = sheet if dept == COMPANY else sheet[sheet["department"] == dept]
        paid = bonus if dept == COMPANY else bonus[bonus["department"] == dept]
        rows += [(dept, "grade", g, int(n)) for g, n in mine["grade"].value_counts().reindex(grades, fill_value=0).items()]
        rows += [(dept, "tier", t, int(n)) for t, n in mine["tier"].value_counts().reindex(tiers, fill_value=0).items()]
        rows += [(dept, "bonus", float(m), int(n))
                 for m, n in paid["multiplier"].value_counts().sort_index(ascending=False).items()]
    return pd.DataFrame(rows, columns=["department", "part", "value", "people"])


def kpis_below_target(wb: Workbench) -> pd.DataFrame:
    """The scored KPIs whose department attainment (mean over its people) is under 100%:
    department, kpi, kpi_name, attainment; lowest attainment first within each department."""
    table = _department_attainment(wb.period_lines())
    table = table[table["attainment"] < 1].sort_values(["department", "attainment"], kind="stable")
    table.insert(2, "kpi_name", table["kpi"].map(wb.kpi_name))
    return table.reset_index(drop=True)
