"""Sections 10 (overview and rules) and 20 (overall performance): one call per table.

Each function takes a `Workbench` and returns a new frame with the columns its docstring
names. A department workbench shows that department's people; at company level ("all")
every table is an aggregate by department and names no one, and leaves out any group of
fewer than `privacy.min_cell` people (common.shown).
"""

from __future__ import annotations

import pandas as pd

from kpilib import scoring, stats
from kpilib.i18n import word
from kpilib.sections.common import (
    BANDS,
    bands_of,
    composite_summary,
    group_of,
    in_unit,
    named,
    primary_kpi,
    shown,
    with_names,
)
from kpilib.workbench import Workbench

# 10 overview --------------------------------------------------------------------------

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
    """Forced distribution as planned and as allocated (tiers.assign_tiers' calibration):
    group, tier, size, share, planned, allocated, difference."""
    cal = wb.calibration
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


# 20 performance -----------------------------------------------------------------------

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


def band_profile(wb: Workbench) -> pd.DataFrame:
    """Mean attainment of each quantitative KPI in the top 20%, middle 60% and bottom 20%
    (rows kpi_name, columns the bands): where the tail falls behind."""
    sheet = wb.sheet()
    band = pd.Series(bands_of(sheet).to_numpy(), index=sheet["employee_id"])
    lines = wb.period_lines()
    q = lines[(lines["kind"] == "quantitative")].dropna(subset=["attainment"]).copy()
    q["band"] = q["employee_id"].map(band)
    q["kpi_name"] = q["kpi"].map(wb.kpi_name)
    table = q.pivot_table(index="kpi_name", columns="band", values="attainment", aggfunc="mean")
    table = shown(wb, table, q.pivot_table(index="kpi_name", columns="band", values="attainment", aggfunc="count"))
    table = table.reindex(columns=[b for b in BANDS if b in table.columns])
    table.columns.name = None
    return table.reset_index()


def _standouts(wb: Workbench, band: str, weakest: bool, k: int) -> pd.DataFrame:
    """People of `band` with their `k` KPIs furthest below (or above) the department's mean attainment."""
    if wb.company:
        return pd.DataFrame()
    sheet = wb.sheet()
    people = sheet[bands_of(sheet) == band].sort_values("rank", ascending=not weakest)
    lines = wb.period_lines()
    q = lines[lines["kind"] == "quantitative"].dropna(subset=["attainment"]).copy()
    q["mean"] = q.groupby("kpi")["attainment"].transform("mean")
    q["gap"] = q["attainment"] - q["mean"]
    rows = []
    for person in people.itertuples():
        mine = q[q["employee_id"] == person.employee_id]
        picked = mine.nsmallest(k, "gap") if weakest else mine.nlargest(k, "gap")
        rows.append({"rank": person.rank, "name": person.name, "composite": person.composite, "grade": person.grade,
                     "kpis": "; ".join(f"{wb.kpi_name(r.kpi)} {r.attainment:.0%} ({r.mean:.0%})"
                                       for r in picked.itertuples())})
    return pd.DataFrame(rows, columns=["rank", "name", "composite", "grade", "kpis"])


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
