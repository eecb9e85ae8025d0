"""Section 30 (rankings): the ranking, leaders per KPI, movement and stability, and the source
report's outline: TOP-N per outcome measure, growth, criteria, regions' shares, teams."""

from __future__ import annotations

import pandas as pd

from kpilib import outcomes, rank_agreement, ranking
from kpilib.sections.common import (
    MOVEMENT_GROUPS,
    composite_summary,
    group_of,
    performance_groups,
    shown,
    with_names,
    written,
)
from kpilib.uncertainty import UNCLEAR
from kpilib.workbench import Workbench

# 30 rankings --------------------------------------------------------------------------

def ranking_table(wb: Workbench) -> pd.DataFrame:
    """Department: every person by rank (rank, name, team, region, composite, grade, tier,
    rank_low, rank_high (90% interval), tier_probability, tier_unclear, previous_rank,
    movement). Company: departments ranked by mean composite, with unclear_tiers (people
    whose tier is not clear)."""
    if wb.company:
        table = shown(wb, composite_summary(wb.sheet(), "department")).sort_values("mean", ascending=False,
                                                                                     ignore_index=True)
        table.insert(0, "rank", ranking.rank(table["mean"]))
        if "tier_probability" in wb.sheet():
            table["unclear_tiers"] = table["department"].map(unclear(wb.sheet()).groupby(wb.sheet()["department"]).sum())
        return with_names(wb, table)
    sheet = wb.sheet().sort_values(["rank", "employee_id"], ignore_index=True)
    table = sheet[["rank", "employee_id", "name", "team", "region", "composite", "grade", "tier"]].copy()
    if "tier_probability" in sheet:
        table = table.assign(rank_low=sheet["rank_low"], rank_high=sheet["rank_high"],
                             tier_probability=sheet["tier_probability"], tier_unclear=unclear(sheet))
    if wb.previous:
        before = wb.sheet(wb.previous).set_index("employee_id")["rank"]
        table["previous_rank"] = table["employee_id"].map(before).astype("Int64")
        table["movement"] = (table["previous_rank"] - table["rank"]).astype("Int64")
    return table


def unclear(sheet: pd.DataFrame) -> pd.Series:
    """People whose tier is not clear: kept in fewer than `uncertainty.UNCLEAR` of the draws."""
    return sheet["tier_probability"].lt(UNCLEAR).fillna(False).astype(bool)


def kpi_leaders(wb: Workbench, k: int = 5) -> pd.DataFrame:
    """The best `k` people on each quantitative KPI of the department by attainment
    (kpi_name, rank, name, actual, target, attainment; actual and target written in the KPI's unit).
    Lines scored on a team's aggregate (managers) are not ranked against personal ones."""
    if wb.company:
        return pd.DataFrame()
    lines = wb.period_lines()
    q = lines[(lines["kind"] == "quantitative") & (lines["scored_on"] == "person")].dropna(subset=["attainment"]).copy()
    q["rank"] = ranking.rank(q["attainment"], by=q["kpi"])
    q = q[q["rank"] <= k].sort_values(["kpi", "rank", "employee_id"])
    q["kpi_name"] = q["kpi"].map(wb.kpi_name)
    q = written(wb, q)
    return q[["kpi_name", "rank", "name", "actual", "target", "attainment"]].reset_index(drop=True)


def _before_after(wb: Workbench) -> tuple[pd.Series, pd.Series]:
    before = wb.sheet(wb.previous).set_index("employee_id")["composite"] if wb.previous else pd.Series(dtype=float)
    return before, wb.sheet().set_index("employee_id")["composite"]


def rank_stability(wb: Workbench) -> pd.DataFrame:
    """How much the ranking moved since last period, per department (rank_agreement.volatility:
    n, kendall_tau_b, spearman_rho, rbo, mean_abs_rank_change)."""
    rows = []
    if not wb.previous:
        return pd.DataFrame()
    for dept in wb.departments():
        before = wb.sheet(wb.previous).query("department == @dept").set_index("employee_id")["composite"]
        after = wb.sheet().query("department == @dept").set_index("employee_id")["composite"]
        if len(pd.concat([before, after], axis=1).dropna()) >= 5:
            rows.append(rank_agreement.volatility(before, after).assign(department=dept))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    keep = ["department", "n", "kendall_tau_b", "spearman_rho", "rbo", "mean_abs_rank_change"]
    return with_names(wb, shown(wb, out[keep], "n")) if len(out) else out


def group_movement(wb: Workbench) -> pd.DataFrame:
    """Head, middle and tail since last period, within each department: for the people scored
    in both periods, grouped by common.performance_groups with MOVEMENT_GROUPS (domain.md: top
    10% moves little, the middle 30–60% moves often, the bottom 20% is under pressure) among
    them, per group of last period: performance_group, people, mean_abs_rank_change (department
    ranks among them), stayed (share in the same group this period)."""
    if not wb.previous:
        return pd.DataFrame()
    before, after = (frame.set_index("employee_id") for frame in (wb.sheet(wb.previous), wb.sheet()))
    both = before.index.intersection(after.index)
    before, after = before.loc[both], after.loc[both]
    moved = pd.DataFrame({
        "performance_group": performance_groups(before, MOVEMENT_GROUPS),
        "stayed": performance_groups(before, MOVEMENT_GROUPS) == performance_groups(after, MOVEMENT_GROUPS),
        "change": (ranking.rank(before["composite"], by=before["department"])
                   - ranking.rank(after["composite"], by=after["department"])).abs()})
    table = moved[moved["performance_group"] != ""].groupby("performance_group").agg(
        people=("stayed", "size"), mean_abs_rank_change=("change", "mean"), stayed=("stayed", "mean"))
    table = table.reindex([g for g in MOVEMENT_GROUPS if g in table.index]).reset_index()
    return shown(wb, table.astype({"mean_abs_rank_change": float, "stayed": float}))


def most_improved(wb: Workbench, n: int = 10) -> pd.DataFrame:
    """The fastest improvers since last period: name, previous, composite, improvement, movement."""
    if wb.company or not wb.previous:
        return pd.DataFrame()
    best = ranking.most_improved(*_before_after(wb), n=n)
    names = wb.sheet().set_index("employee_id")["name"]
    return pd.DataFrame({"name": best["employee_id"].map(names), "previous": best["before"],
                         "composite": best["after"], "improvement": best["gain"], "movement": best["rank_change"]})


# the source report's outline: outcome measures, growth, criteria, regions, teams ----------

TOP_N = 10  # the source ranks TOP10


def outcome_kpis(wb: Workbench) -> list[str]:
    """The catalogue's outcome KPIs (`outcome: true`: sales amount, new customers) that the
    departments in scope score, highest weight first."""
    weights: dict[str, float] = {}
    for dept in wb.departments():
        for kpi, weight in wb.config.scheme.departments[dept].quantitative.items():
            if wb.config.catalog.kpis[kpi].outcome:
                weights[kpi] = max(weights.get(kpi, 0.0), weight or 0.0)
    return sorted(weights, key=lambda k: -weights[k])


def outcome_name(wb: Workbench, kpi: str) -> str:
    """What an outcome KPI counts, as readers say it: its measure's name when its formula is
    one measure (销售额 rather than 销售额达成率), else the KPI's name."""
    measure = wb.config.catalog.measures.get((wb.config.catalog.kpis[kpi].formula or "").strip())
    return measure.name(wb.lang) if measure else wb.kpi_name(kpi)


def _outcome_lines(wb: Workbench, period: str | None = None) -> pd.DataFrame:
    """Personal quantitative lines of the outcome KPIs in `period` (a manager's line scored on
    their team's aggregate would count the team twice): employee_id, department, kpi, actual, target."""
    lines = wb.period_lines(period)
    personal = lines["scored_on"] == "person" if "scored_on" in lines else True
    keep = (lines["kind"] == "quantitative") & personal & lines["kpi"].isin(outcome_kpis(wb))
    return lines.loc[keep, ["employee_id", "department", "kpi", "actual", "target"]].reset_index(drop=True)


def _with_people(wb: Workbench, frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` joined with the current sheet's name, team, region and the tie-break keys."""
    keys = [k for k in wb.config.scheme.scoring.tiers.tie_break if k in wb.history.columns]
    sheet = wb.sheet()[["employee_id", "name", "team", "region", *keys]]
    return frame.merge(sheet, on="employee_id", suffixes=("", "_sheet"))


def _top(wb: Workbench, frame: pd.DataFrame, value: str, k: int, ascending: bool = False) -> pd.DataFrame:
    """The best `k` rows per KPI by `value` (ties broken by the scheme's `tiers.tie_break`)."""
    ranked = [ranking.top_k(group, value, k, ascending=ascending, tie_break=wb.config.scheme.scoring.tiers.tie_break)
              for _, group in frame.groupby("kpi", sort=False)]
    return pd.concat(ranked, ignore_index=True) if ranked else frame.assign(rank=pd.Series(dtype="Int64"))


def _ordered(wb: Workbench, table: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order of `outcome_kpis` (then rank), the KPI named as readers say it."""
    order = {k: i for i, k in enumerate(outcome_kpis(wb))}
    table = table.assign(_order=table["kpi"].map(order).fillna(len(order)))
    table = table.sort_values(["_order", "rank"], kind="stable").drop(columns="_order")
    return table.assign(kpi_name=table["kpi"].map(lambda k: outcome_name(wb, k)))


def outcome_top(wb: Workbench, k: int = TOP_N) -> pd.DataFrame:
    """Department: the best `k` people on each outcome measure by this period's actual:
    kpi_name, rank, name, team, region, actual (in the KPI's unit), share (of the department's
    total). Company: empty (company pages name no one; see `region_shares`)."""
    if wb.company:
        return pd.DataFrame()
    lines = _outcome_lines(wb).dropna(subset=["actual"])
    lines["share"] = lines["actual"] / lines.groupby("kpi")["actual"].transform("sum").where(lambda t: t != 0)
    top = _ordered(wb, _top(wb, _with_people(wb, lines), "actual", k))
    return written(wb, top, ("actual",))[["kpi_name", "rank", "name", "team", "region", "actual", "share"]]


def earlier_period(wb: Workbench, against: str) -> str:
    """The label growth compares with: the previous period (`against` "previous", 环比) or the
    same period a year before ("year", 同比); it may be missing from the history."""
    return (wb.span.shift(-1) if against == "previous" else wb.span.year_ago()).label


def outcome_growth(wb: Workbench, against: str = "previous", k: int = TOP_N) -> pd.DataFrame:
    """Growth of each outcome measure on `earlier_period(against)` (outcomes.growth).

    Department: the best `k` people per measure among those with a value > 0 then:
    kpi_name, rank, name, team, before, now (in the KPI's unit), growth. Company: each
    department's total: kpi_name, department, people, before, now, growth, rank. Empty when
    the history does not hold the earlier period (narrate.growth_rule says so)."""
    earlier = earlier_period(wb, against)
    if earlier not in wb.periods:
        return pd.DataFrame()
    now, before = _outcome_lines(wb), _outcome_lines(wb, earlier)
    if wb.company:
        totals = [f.groupby(["department", "kpi"], as_index=False).agg(actual=("actual", "sum"), people=("actual", "count"))
                  for f in (now, before)]
        table = outcomes.growth(totals[0], totals[1], ["department", "kpi"])
        table = table.merge(totals[0][["department", "kpi", "people"]], on=["department", "kpi"])
        table["rank"] = ranking.rank_by(table, "growth", by="kpi")
        table = with_names(wb, written(wb, shown(wb, _ordered(wb, table), "people"), ("before", "now")))
        return table[["kpi_name", "department", "people", "before", "now", "growth", "rank"]]
    table = _with_people(wb, outcomes.growth(now, before, ["employee_id", "kpi"])).dropna(subset=["growth"])
    top = written(wb, _ordered(wb, _top(wb, table, "growth", k)), ("before", "now"))
    return top[["kpi_name", "rank", "name", "team", "before", "now", "growth"]]


def criterion_top(wb: Workbench, k: int = TOP_N) -> pd.DataFrame:
    """Each qualitative criterion of the scheme (collaboration, strategy execution...).
    Department: the best `k` people by rating: kpi_name, rank, name, team, rating (ties by
    the scheme's tie-break). Company: departments by mean rating: kpi_name, department,
    people, rating, rank."""
    lines = wb.period_lines()
    rated = lines[(lines["kind"] == "qualitative")].dropna(subset=["rating"])[["employee_id", "department", "kpi",
                                                                               "weight", "rating"]]
    order = rated.groupby("kpi")["weight"].max().sort_values(ascending=False, kind="stable").index
    if wb.company:
        table = rated.groupby(["kpi", "department"], as_index=False).agg(people=("rating", "size"),
                                                                          rating=("rating", "mean"))
        table = shown(wb, table, "people")
        table["rank"] = ranking.rank_by(table, "rating", by="kpi")
    else:
        table = _top(wb, _with_people(wb, rated), "rating", k)
    table = table.assign(_order=table["kpi"].map({kpi: i for i, kpi in enumerate(order)}))
    table = table.sort_values(["_order", "rank"], kind="stable").assign(kpi_name=lambda f: f["kpi"].map(wb.kpi_name))
    columns = ["kpi_name", "department", "people", "rating", "rank"] if wb.company else ["kpi_name", "rank", "name",
                                                                                         "team", "rating"]
    return with_names(wb, table)[columns].reset_index(drop=True)


def region_shares(wb: Workbench) -> pd.DataFrame:
    """Each region's share of each outcome measure this period (outcomes.shares; the
    department's regions, or the company's): kpi_name, region, people, total (in the KPI's
    unit), share, rank (by total)."""
    lines = _outcome_lines(wb).merge(wb.sheet()[["employee_id", "region"]], on="employee_id")
    table = outcomes.shares(lines, "region", within="kpi")
    table = shown(wb, table, "people")
    table["rank"] = ranking.rank_by(table, "total", by="kpi")
    table = written(wb, _ordered(wb, table), ("total",))
    return table[["kpi_name", "region", "people", "total", "share", "rank"]].reset_index(drop=True)


def team_attainment(wb: Workbench) -> pd.DataFrame:
    """Attainment of each team (department page) or department (company page) on each
    outcome measure whose targets add up, as total over total (outcomes.total_over_total):
    kpi_name, team | department, people (with actual and target), actual, target (Σ, in the
    KPI's unit), attainment, rank."""
    adds = [k for k in outcome_kpis(wb) if wb.config.catalog.kpis[k].targets_add_up]
    lines = _outcome_lines(wb)
    lines = lines[lines["kpi"].isin(adds)].merge(wb.sheet()[["employee_id", "team"]], on="employee_id")
    group = group_of(wb)
    table = shown(wb, outcomes.total_over_total(lines, ["kpi", group]), "people")
    table["rank"] = ranking.rank_by(table, "attainment", by="kpi")
    table = with_names(wb, written(wb, _ordered(wb, table)))
    return table[["kpi_name", group, "people", "actual", "target", "attainment", "rank"]].reset_index(drop=True)


def team_units(wb: Workbench) -> pd.DataFrame:
    """The teams assessed as units (`kind: team`, kpilib.team_units) this period, best first:
    rank, name, team | department (company pages), quantitative, qualitative, composite,
    grade, previous_rank. Teams are no people: company pages show them too."""
    units = wb.units
    if units.empty:
        return pd.DataFrame()
    now = wb.scoped(units[units["period"] == wb.span.label])
    if wb.company:
        now = now.assign(rank=ranking.rank(now["composite"]))
    table = now.sort_values(["rank", "employee_id"])
    group = "department" if wb.company else "team"
    table = with_names(wb, table)[["rank", "name", group, "quantitative", "qualitative", "composite", "grade"]]
    if wb.previous:
        before = wb.scoped(units[units["period"] == wb.previous])
        before = before.assign(rank=ranking.rank(before["composite"])) if wb.company else before
        table["previous_rank"] = now.loc[table.index, "employee_id"].map(before.set_index("employee_id")["rank"])
        table["previous_rank"] = table["previous_rank"].astype("Int64")
    return table.reset_index(drop=True)
