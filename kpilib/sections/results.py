"""Sections 60 (results applied) and 70 (score details for appeals): one call per table."""

from __future__ import annotations

import pandas as pd

from kpilib import incentives
from kpilib.sections.common import with_names, written
from kpilib.workbench import Workbench

RULES = ("bonus", "commission", "promotion", "reserve pool", "breakthrough", "watch list")


QUIET = {"", "not yet", "standard", "0×"}  # outcomes that select no one


def decisions(wb: Workbench, notable: bool = False) -> pd.DataFrame:
    """Every incentive rule's decision per person (kpilib.incentives): employee_id, name,
    rule, outcome, evidence — the long form HR checks and the employee can contest.
    `notable`: only the decisions that select someone (a bonus, the watch list, ...)."""
    rules = wb.config.scheme.incentives
    sheet = wb.sheet()
    lines = wb.period_lines()
    months = wb.scoped(wb.months) if len(wb.months) else wb.months
    complaints = lines[lines["kpi"] == "complaint_rate"].set_index("employee_id")["actual"]
    quarterly = wb.scoped(wb.history)
    primary = lines[lines["kind"] == "quantitative"]
    parts = [incentives.bonus(sheet, lines, rules), incentives.commission(lines, rules),
             incentives.promotion(months, complaints if len(complaints) else None, rules) if len(months) else None,
             incentives.reserve_pool(quarterly, rules), incentives.watch_list(quarterly, rules)]
    if len(primary):
        amounts = wb.scoped(wb.lines)
        amounts = amounts[amounts["kpi"] == rules.commission_kpi][["employee_id", "period", "actual"]]
        if len(amounts):
            parts.append(incentives.breakthrough(amounts, "actual", rules))
    out = pd.concat([p[incentives.COLUMNS] for p in parts if p is not None and len(p)], ignore_index=True)
    out = out[out["employee_id"].isin(sheet["employee_id"])]
    out.insert(1, "name", out["employee_id"].map(sheet.set_index("employee_id")["name"]))
    if notable:
        out = out[~out["outcome"].isin(QUIET)]
    return out.reset_index(drop=True)


def incentive_summary(wb: Workbench) -> pd.DataFrame:
    """One row per person with the outcome of each rule (department), or per department
    the number of people each rule selects (company: department, bonus, commission, ...)."""
    long = decisions(wb)
    notable = long[~long["outcome"].isin(QUIET)]
    if wb.company:
        dept = wb.sheet().set_index("employee_id")["department"]
        counts = pd.crosstab(notable["employee_id"].map(dept), notable["rule"]).reindex(columns=list(RULES), fill_value=0)
        counts.index.name, counts.columns.name = "department", None
        return with_names(wb, counts.reset_index())
    sheet = wb.sheet().set_index("employee_id")
    wide = long.pivot_table(index="employee_id", columns="rule", values="outcome", aggfunc="first")
    wide = wide.reindex(columns=[r for r in RULES if r in wide.columns]).fillna("")
    wide.columns.name = None
    out = sheet.loc[wide.index, ["rank", "name", "composite", "tier"]].join(wide)
    return out.sort_values("rank").reset_index()


def score_details(wb: Workbench) -> pd.DataFrame:
    """How every score was computed, line by line (department only): rank, employee_id,
    name, composite, grade, tier, then per line kpi_name, weight, formula, inputs, actual,
    target (both written in the KPI's unit), target_source, attainment, rating,
    line_score, status — by rank, quantitative lines first, heaviest first."""
    if wb.company:
        return pd.DataFrame()
    lines = written(wb, wb.period_lines())
    person = wb.sheet().set_index("employee_id")[["rank", "composite", "grade", "tier"]]
    out = lines.join(person, on="employee_id")
    out = out.sort_values(["rank", "employee_id", "kind", "weight"], ascending=[True, True, False, False])
    cols = ["rank", "employee_id", "name", "composite", "grade", "tier", "kpi_name", "weight", "formula", "inputs",
            "actual", "target", "target_source", "attainment", "rating", "line_score", "status"]
    return out[cols].reset_index(drop=True)
