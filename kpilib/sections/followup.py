"""Section 60's follow-up actions (kpilib.actions): the codes for the pack's actions.csv,
the department's list of people, the company's counts."""

from __future__ import annotations

import pandas as pd

from kpilib import actions
from kpilib.i18n import action_rule
from kpilib.sections.common import headcount, shown, with_names
from kpilib.sections.incentives import decisions
from kpilib.standard import Line, meets_target_line
from kpilib.workbench import Workbench


def follow_up_actions(wb: Workbench) -> pd.DataFrame:
    """The period's actions for the people in scope, in codes (kpilib.actions.COLUMNS):
    what the pack writes to actions.csv."""
    scheme = wb.config.scheme
    return actions.follow_up(wb.scoped(wb.history), decisions(wb), scheme.actions, scheme, wb.span)


def action_list(wb: Workbench) -> pd.DataFrame:
    """Department: one row per person and action — name, action, rule (what triggered it,
    in the report's language, with the composites of a run below standard), due.
    Company: per department with people, the number of people each configured action
    names (department, people, improvement_plan, ...; no names; departments under
    `privacy.min_cell` left out). Empty when the scheme configures no action."""
    configured = list(wb.config.scheme.actions.configured())
    table = follow_up_actions(wb)
    if not configured:
        return pd.DataFrame()
    if wb.company:
        departments = pd.Series(wb.departments(), name="department")
        counts = pd.crosstab(table["department"], table["action"]).reindex(
            index=departments, columns=configured, fill_value=0)
        counts.columns.name = None
        counts = counts.reset_index()
        counts.insert(1, "people", headcount(wb, counts["department"]).astype(int))
        return with_names(wb, shown(wb, counts))
    rule = [action_rule(r, p, e, wb.lang) for r, p, e in table[["rule", "parameters", "evidence"]].itertuples(index=False)]
    return table[["name", "action"]].assign(rule=rule, due=table["due"])


def standard_lines(wb: Workbench) -> dict[str, Line]:
    """The meets-target line of each department in scope (kpilib.standard), by its name."""
    return {wb.department_name(d): meets_target_line(wb.config.scheme, d) for d in wb.departments()}


def short_history(wb: Workbench) -> list[tuple[str, int, int, str]]:
    """The configured actions that cannot arise yet because the history is shorter than
    their trigger needs: (action, needed, available, "periods" | "months"). The incentive
    triggers count the longest rule among the departments in scope that have it."""
    scheme, have = wb.config.scheme, len(wb.periods)
    months = wb.months["period"].nunique() if len(wb.months) else 0
    rules = [scheme.incentives[d] for d in wb.departments() if d in scheme.incentives]
    needs = {"promotion": (max((r.promotion.months for r in rules if r.promotion), default=0), months, "months"),
             "reserve_pool": (max((r.reserve_pool.quarters for r in rules if r.reserve_pool), default=0), have, "periods"),
             "watch_list": (max((r.watch_list.review_after for r in rules if r.watch_list), default=0), have, "periods")}
    out = []
    for action, rule in scheme.actions.configured().items():
        need, got, unit = (rule.below_standard, have, "periods") if rule.below_standard else needs[rule.incentive]
        if rule.outcome == "observation":
            need = 1
        if need > got:
            out.append((action, need, got, unit))
    return out
