"""Section 20 (overall performance): one call per table.

Each function takes a `Workbench` and returns a new frame with the columns its docstring
names. A department workbench shows that department's people; at company level ("all")
every table is an aggregate by department and names no one, and leaves out any group of
fewer than `privacy.min_cell` people (common.shown).
"""

from __future__ import annotations

import pandas as pd

from kpilib import stats
from kpilib.sections.common import (
    PERFORMANCE_GROUPS,
    composite_summary,
    performance_groups,
    primary_kpi,
    shown,
    with_names,
)
from kpilib.workbench import Workbench


def outcome_kpi(wb: Workbench, department: str) -> str | None:
    """The department's highest-weighted KPI the catalogue marks `outcome: true` (an additive
    result such as sales or new customers), or None."""
    weights = wb.config.scheme.departments[department].quantitative
    outcomes = {k: w for k, w in weights.items() if wb.config.catalog.kpis[k].outcome}
    return max(outcomes, key=outcomes.get) if outcomes else None


def result_values(wb: Workbench, department: str) -> tuple[pd.Series, str]:
    """What a department's concentration is measured on, and its name: each person's actual
    of the department's `outcome_kpi` (sales amount, say), named by its measure. Empty when
    the department has no outcome KPI: a share of composite scores means nothing."""
    kpi = outcome_kpi(wb, department)
    if kpi is None:
        return pd.Series(dtype=float), ""
    lines = wb.period_lines()
    personal = (lines["department"] == department) & (lines["kpi"] == kpi) & (lines["scored_on"] == "person")
    values = lines.loc[personal, "actual"].dropna()  # a manager's team total would count the team twice
    named = wb.config.catalog.measures.get((wb.config.catalog.kpis[kpi].formula or "").strip())
    return values[values >= 0], named.name(wb.lang) if named else wb.kpi_name(kpi)


def concentration(wb: Workbench) -> pd.DataFrame:
    """How concentrated results are: share of the total delivered by the top 20% of people
    and the Gini coefficient (stats.top_share, stats.gini) of each department's
    `result_values`, for departments with an outcome KPI and at least 5 people.
    Columns: department, measure, n, top_share, gini."""
    rows = []
    for dept in wb.departments():
        values, measure = result_values(wb, dept)
        if len(values) >= 5:
            rows.append({"department": dept, "measure": measure, "n": len(values),
                         "top_share": stats.top_share(values, 0.2), "gini": stats.gini(values)})
    return with_names(wb, shown(wb, pd.DataFrame(rows, columns=["department", "measure", "n", "top_share", "gini"]), "n"))


def group_profile(wb: Workbench) -> pd.DataFrame:
    """Mean attainment of each quantitative KPI in each performance group (common.performance_groups:
    top 20%, middle 60%, bottom 20%; rows kpi_name, columns the groups): where the tail falls behind."""
    sheet = wb.sheet()
    group = pd.Series(performance_groups(sheet).to_numpy(), index=sheet["employee_id"])
    lines = wb.period_lines()
    q = lines[(lines["kind"] == "quantitative")].dropna(subset=["attainment"]).copy()
    q["performance_group"] = q["employee_id"].map(group)
    q["kpi_name"] = q["kpi"].map(wb.kpi_name)
    cells = {"index": "kpi_name", "columns": "performance_group", "values": "attainment"}
    table = shown(wb, q.pivot_table(**cells, aggfunc="mean"), q.pivot_table(**cells, aggfunc="count"))
    table = table.reindex(columns=[g for g in PERFORMANCE_GROUPS if g in table.columns])
    table.columns.name = None
    return table.reset_index()


def _standouts(wb: Workbench, group: str, weakest: bool, k: int) -> pd.DataFrame:
    """People of performance group `group` with their `k` KPIs furthest below (or above) the department's mean attainment."""
    if wb.company:
        return pd.DataFrame()
    sheet = wb.sheet()
    people = sheet[performance_groups(sheet) == group].sort_values("rank", ascending=not weakest)
    lines = wb.period_lines()
    q = lines[lines["kind"] == "quantitative"].dropna(subset=["attainment"]).copy()
    q["mean"] = q.groupby("kpi")["attainment"].transform("mean")
    q["gap"] = q["attainment"] - q["mean"]
    # each person's k lines furthest from the mean, as nsmallest / nlargest would pick them (ties: the first)
    mine = q[q["employee_id"].isin(people["employee_id"])].sort_values("gap", ascending=weakest, kind="stable")
    picked = mine.groupby("employee_id", sort=False).head(k)
    text = picked["kpi"].map(wb.kpi_name) + " " + picked["attainment"].map("{:.0%}".format) + " (" \
        + picked["mean"].map("{:.0%}".format) + ")"
    kpis = text.groupby(picked["employee_id"], sort=False).agg("; ".join)
    table = people[["rank", "name", "composite", "grade"]].assign(kpis=people["employee_id"].map(kpis).fillna(""))
    return table.reset_index(drop=True)


def coaching(wb: Workbench, k: int = 2) -> pd.DataFrame:
    """Bottom 20% of the department, each with the `k` KPIs where they fall furthest below the
    department's mean attainment — where coaching starts (rank, name, composite, grade,
    kpis: "KPI attainment (department mean)")."""
    return _standouts(wb, "bottom 20%", weakest=True, k=k)


def top_cases(wb: Workbench, k: int = 2) -> pd.DataFrame:
    """Top 20% of the department, each with the `k` KPIs where they lead the department's
    mean attainment most — the cases worth telling (same columns as `coaching`)."""
    return _standouts(wb, "top 20%", weakest=False, k=k)


def region_comparison(wb: Workbench) -> pd.DataFrame:
    """Composite by region: region, people, mean, median, best, lowest (the test of whether
    regions differ: `region_test`)."""
    return shown(wb, composite_summary(wb.sheet(), "region"))


REGION_LEAST = 3  # people a region needs to take part in the test of regional differences


def region_test(wb: Workbench) -> pd.DataFrame:
    """The Kruskal–Wallis test of whether the composite differs by region, over the regions
    of at least REGION_LEAST people, one row (stats.compare_groups: groups, n, H, dof,
    p_val, epsilon_sq; NaN statistics with fewer than 2 such regions)."""
    return stats.compare_groups(wb.sheet(), "composite", "region", min_size=REGION_LEAST)


def new_hire_ramp(wb: Workbench) -> pd.DataFrame:
    """Performance by month of tenure relative to the team mean (stats.new_hire_ramp) on the
    department's primary KPI when it is a single measure (e.g. sales); empty otherwise."""
    if wb.company:
        return pd.DataFrame()
    kpi = primary_kpi(wb)
    formula = (wb.config.catalog.kpis[kpi].formula or "").strip() if kpi else ""
    if not formula.isidentifier():
        return pd.DataFrame()
    people = wb.scoped(wb.dataset.people())
    m = wb.dataset.measures
    monthly = m[(m["measure"] == formula) & m["employee_id"].isin(people["employee_id"])]
    monthly = monthly.assign(employee_id=monthly["employee_id"].astype(str))
    if monthly.empty:
        return pd.DataFrame()
    return stats.new_hire_ramp(monthly[["employee_id", "period", "value"]], people.assign(
        employee_id=people["employee_id"].astype(str)), max_tenure=6)
