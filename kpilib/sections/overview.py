"""Section 10 (overview and rules): one call per table (the rulebook: sections.rulebook).

Each function takes a `Workbench` and returns a new frame with the columns its docstring
names. A department workbench shows that department's people; at company level ("all")
every table is an aggregate by department and names no one, and leaves out any group of
fewer than `privacy.min_cell` people (common.shown).
"""

from __future__ import annotations

import pandas as pd

from kpilib import scoring
from kpilib.i18n import word
from kpilib.sections.common import (
    composite_summary,
    group_of,
    in_unit,
    named,
    shown,
    with_names,
)
from kpilib.workbench import Workbench


def scheme_table(wb: Workbench) -> pd.DataFrame:
    """The rules: for a department, one row per KPI (kpi, kpi_name, kind, weight, formula,
    unit, direction, baseline, target, challenge), preceded by `role` (each role layer with
    weights of its own, then everyone else) when the scheme sets weights by role; at company level one row per department
    (department, kpi_count, quantitative_weight, qualitative_weight)."""
    rows = []
    for dept in wb.departments():
        weights = wb.config.scheme.departments[dept]
        if wb.company:
            rows.append({"department": dept, "kpi_count": len(weights.quantitative) + len(weights.qualitative),
                         "quantitative_weight": sum(weights.quantitative.values()),
                         "qualitative_weight": sum(weights.qualitative.values())})
            continue
        for role in _roles_in_use(wb, dept, weights.role_keys()):
            for kind in ("quantitative", "qualitative"):
                for kpi, weight in weights.weights(kind, role).items():
                    k = wb.config.catalog.kpis[kpi]
                    t = k.thresholds
                    rows.append({"role": word(role or "other roles", wb.lang), "kpi": kpi, "kpi_name": k.name(wb.lang),
                                 "kind": kind, "weight": weight, "formula": named(wb, k.formula or ""), "unit": k.unit,
                                 "direction": k.direction,
                                 **{level: in_unit(getattr(t, level), k.unit, wb.branding.currency)
                                    for level in ("baseline", "target", "challenge")}})
    table = pd.DataFrame(rows)
    if "role" in table and set(table["role"]) == {word("other roles", wb.lang)}:
        table = table.drop(columns="role")  # everyone has the department's weights
    return with_names(wb, table)


def _roles_in_use(wb: Workbench, dept: str, keys: list[str]) -> list[str]:
    """The role keys (a role layer with weights of its own, "" for everyone else) that some
    person of `dept` is scored with."""
    people = wb.dataset.people()
    layers = people.loc[people["department"] == dept, "role_layer"].astype(object).fillna("").astype(str)
    used = {layer if layer in keys else "" for layer in layers}
    return [key for key in keys if key in used]


def borrowed_targets(wb: Workbench) -> pd.DataFrame:
    """KPIs scored against the catalogue's default target because people have no target of
    their own (scoring.borrowed_targets): department, kpi_name, people, of."""
    table = scoring.borrowed_targets(wb.period_lines())
    table.insert(1, "kpi_name", table["kpi"].map(wb.kpi_name))
    return with_names(wb, shown(wb, table[["department", "kpi_name", "people", "of"]], "of"))


def headline(wb: Workbench) -> pd.DataFrame:
    """Per team (department level) or department (company level): people, mean, median,
    best, lowest composite this period, previous (mean last period) and change."""
    by = group_of(wb)
    now = composite_summary(wb.sheet(), by)
    if wb.previous:
        before = wb.sheet(wb.previous).groupby(by, observed=True)["composite"].agg(previous="mean", earlier="size")
        now = now.merge(before, left_on=by, right_index=True, how="left")
        now["change"] = now["mean"] - now["previous"]
        earlier = now.pop("earlier")
        now = shown(wb, now, pd.DataFrame({"previous": earlier, "change": earlier}))
    return with_names(wb, shown(wb, now))


def grade_counts(wb: Workbench) -> pd.DataFrame:
    """People per grade, grades in scheme order (best first), per team or department."""
    sheet = wb.sheet()
    order = [g(wb.lang) for g in wb.config.scheme.scoring.grades]
    table = pd.crosstab(sheet[group_of(wb)], sheet["grade"]).reindex(columns=order, fill_value=0)
    table.columns.name = None
    table = table.reset_index()
    return with_names(wb, shown(wb, table, table[order].sum(axis=1)))


def tier_allocation(wb: Workbench) -> pd.DataFrame:
    """Forced distribution as planned and as allocated (tiers.assign_tiers' tier allocation):
    group, tier, size, share, planned, allocated, difference."""
    cal = wb.tier_allocation
    if not wb.company:
        within = wb.config.scheme.scoring.tiers.within
        sheet = wb.sheet()
        mine = set(sheet[within].astype(str)) if within in sheet.columns else {"company"}
        pooled = cal["group"].astype(str).str.removeprefix("pooled: ").str.split(", ")
        cal = cal[pooled.map(lambda names: bool(mine & set(names)))]
    cal = shown(wb, cal[["group", "tier", "size", "share", "planned", "allocated", "difference"]].reset_index(drop=True),
                "size")
    if wb.config.scheme.scoring.tiers.within == "department":
        cal["group"] = cal["group"].astype(str).map(lambda g: _group_name(wb, g))
    return cal


def _group_name(wb: Workbench, group: str) -> str:
    """A tier group by its department names ("pooled: a, b" keeps its pooling word)."""
    pooled = group.startswith("pooled: ")
    names = ", ".join(wb.department_name(d) for d in group.removeprefix("pooled: ").split(", "))
    return f"{word('pooled', wb.lang)}: {names}" if pooled else names


def kpi_attainment(wb: Workbench) -> pd.DataFrame:
    """Per KPI of the department: mean attainment this period and last, and the share of
    people at or above target (attainment ≥ 100%). Company level: per department and KPI."""
    def per_kpi(lines: pd.DataFrame) -> pd.DataFrame:
        q = lines[lines["kind"] == "quantitative"].dropna(subset=["attainment"])
        return q.groupby(["department", "kpi"], observed=True).agg(
            attainment=("attainment", "mean"), met_target=("attainment", lambda a: float((a >= 1).mean())),
            people=("attainment", "size"))
    now = per_kpi(wb.period_lines())
    if wb.previous:
        before = per_kpi(wb.period_lines(wb.previous))
        now["previous"] = before["attainment"]
        now["change"] = now["attainment"] - now["previous"]
        now = shown(wb, now, pd.DataFrame({"previous": before["people"], "change": before["people"]}))
    out = shown(wb, now.reset_index()).drop(columns="people")
    out.insert(2, "kpi_name", out["kpi"].map(wb.kpi_name))
    out = out.drop(columns="kpi")
    return with_names(wb, out) if wb.company else out.drop(columns="department")
