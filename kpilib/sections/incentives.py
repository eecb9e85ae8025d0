"""Section 60 (results applied): one call per table."""

from __future__ import annotations

import pandas as pd

from kpilib import incentives
from kpilib.config import Incentives
from kpilib.messages import namer, readable
from kpilib.sections.common import headcount, shown, with_names
from kpilib.sections.rankings import unclear
from kpilib.standard import meets_target_line
from kpilib.workbench import Workbench

RULES = tuple(Incentives.model_fields)  # bonus, commission, promotion, reserve_pool, breakthrough, watch_list


def _rules(wb: Workbench) -> dict[str, Incentives]:
    """The incentive rules of each department in scope that has any (scheme.yaml `incentives:`)."""
    scheme = wb.config.scheme.incentives
    return {d: scheme[d] for d in wb.departments() if d in scheme and scheme[d].configured()}


def unconfigured(wb: Workbench) -> list[str]:
    """Names of the departments in scope that have no incentive rules."""
    rules = _rules(wb)
    return [wb.department_name(d) for d in wb.departments() if d not in rules]


def _department_decisions(wb: Workbench, dept: str, rules: Incentives) -> list[pd.DataFrame]:
    """Each configured rule of `dept` applied to its people (kpilib.incentives)."""
    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["department"] == dept] if len(frame) else frame

    sheet, lines, quarterly = own(wb.sheet()), own(wb.period_lines()), own(wb.history)
    parts = []
    if rules.bonus:
        parts.append(incentives.bonus(sheet, lines, rules.bonus))
    if rules.commission:
        parts.append(incentives.commission(lines, rules.commission))
    if rules.promotion and len(wb.months):
        gate = rules.promotion.complaints
        complaints = lines[lines["kpi"] == gate.kpi].set_index("employee_id")["actual"] if gate else None
        parts.append(incentives.promotion(own(wb.months), complaints, rules.promotion))
    if rules.reserve_pool:
        parts.append(incentives.reserve_pool(quarterly, rules.reserve_pool))
    if rules.breakthrough:
        amounts = own(wb.line_scores.where(["employee_id", "department", "period", "actual"],
                                           kpi=rules.breakthrough.kpi))[["employee_id", "period", "actual"]]
        parts.append(incentives.breakthrough(amounts, "actual", rules.breakthrough))
    if rules.watch_list:
        line = meets_target_line(wb.config.scheme, dept).value
        parts.append(incentives.watch_list(quarterly, rules.watch_list, line))
    return parts


def decisions(wb: Workbench, notable: bool = False) -> pd.DataFrame:
    """Every incentive rule's decision per person (kpilib.incentives), for the departments
    that have rules: employee_id, name, rule, outcome, evidence (in the report's language,
    KPIs by their names), selected — the long form HR checks and the employee can contest.
    Empty for a department without rules.
    `notable`: only the decisions that select someone (a bonus, the watch list, ...),
    without the `selected` column."""
    out = wb.keep("decisions", lambda: _decisions(wb))
    if notable:
        out = out[out["selected"]].drop(columns="selected").reset_index(drop=True)
    return out


def _decisions(wb: Workbench) -> pd.DataFrame:
    parts = [p[incentives.COLUMNS] for dept, rules in _rules(wb).items()
             for p in _department_decisions(wb, dept, rules) if len(p)]
    sheet = wb.sheet()
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=incentives.COLUMNS)
    out = readable(out, wb.lang, namer(wb.config.catalog, wb.lang))
    out = out[out["employee_id"].isin(sheet["employee_id"])].astype({"selected": bool})
    out.insert(1, "name", out["employee_id"].map(sheet.set_index("employee_id")["name"]))
    return out.reset_index(drop=True)


def incentive_summary(wb: Workbench) -> pd.DataFrame:
    """One row per person with the outcome of each configured rule (department: employee_id,
    rank, name, composite, tier, tier_probability, tier_unclear, bonus, ...), or per department with rules the number of
    people each rule selects, blank where the department has no such rule (company:
    department, bonus, ...). Empty when no department in scope has rules. How many people
    each rule selects: `incentive_counts`."""
    rules = _rules(wb)
    columns = [r for r in RULES if any(r in d.configured() for d in rules.values())]
    long = decisions(wb)
    picked = long[long["selected"]]
    if not rules:
        out = pd.DataFrame()
    elif wb.company:
        dept = wb.sheet().set_index("employee_id")["department"]
        counts = pd.crosstab(picked["employee_id"].map(dept), picked["rule"])
        counts = counts.reindex(index=list(rules), columns=columns, fill_value=0).astype("Int64")
        for d, own in rules.items():
            counts.loc[d, [c for c in columns if c not in own.configured()]] = pd.NA
        counts.index.name, counts.columns.name = "department", None
        counts = counts.reset_index()
        out = with_names(wb, shown(wb, counts, headcount(wb, counts["department"])))
    else:
        sheet = wb.sheet().set_index("employee_id")
        wide = long.pivot_table(index="employee_id", columns="rule", values="outcome", aggfunc="first")
        wide = wide.reindex(columns=columns).fillna("")
        wide.columns.name = None
        person = ["rank", "name", "composite", "tier"] + (["tier_probability"] if "tier_probability" in sheet else [])
        out = sheet.loc[wide.index, person].join(wide).sort_values("rank").reset_index()
        if "tier_probability" in out:
            out.insert(out.columns.get_loc("tier_probability") + 1, "tier_unclear", unclear(out))
    return out


def incentive_counts(wb: Workbench) -> pd.DataFrame:
    """People each configured rule selects in scope (only those who receive something or are
    put on the watch list; what the headline counts): rule, selected. One row per rule
    configured in some department in scope, in the order of RULES; empty without rules."""
    rules = _rules(wb)
    columns = [r for r in RULES if any(r in d.configured() for d in rules.values())]
    long = decisions(wb) if columns else pd.DataFrame(columns=["rule", "selected"])
    selected = long.loc[long["selected"].astype(bool), "rule"].value_counts()
    return pd.DataFrame({"rule": columns, "selected": [int(selected.get(r, 0)) for r in columns]})
