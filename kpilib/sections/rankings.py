"""Section 30 (rankings): the ranking, leaders per KPI, movement and stability."""

from __future__ import annotations

import pandas as pd

from kpilib import ranking
from kpilib.sections.common import composite_summary, shown, with_names, written
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
    """How much the ranking moved since last period, per department (ranking.volatility:
    n, kendall_tau_b, spearman_rho, rbo, mean_abs_rank_change)."""
    rows = []
    if not wb.previous:
        return pd.DataFrame()
    for dept in wb.departments():
        before = wb.sheet(wb.previous).query("department == @dept").set_index("employee_id")["composite"]
        after = wb.sheet().query("department == @dept").set_index("employee_id")["composite"]
        if len(pd.concat([before, after], axis=1).dropna()) >= 5:
            rows.append(ranking.volatility(before, after).assign(department=dept))
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    keep = ["department", "n", "kendall_tau_b", "spearman_rho", "rbo", "mean_abs_rank_change"]
    return with_names(wb, shown(wb, out[keep], "n")) if len(out) else out


def band_movement(wb: Workbench) -> pd.DataFrame:
    """Head, middle and tail since last period (ranking.band_stability): band, n,
    mean_abs_rank_change, stayed."""
    if not wb.previous:
        return pd.DataFrame()
    return shown(wb, ranking.band_stability(*_before_after(wb)), "n")


def most_improved(wb: Workbench, n: int = 10) -> pd.DataFrame:
    """The fastest improvers since last period: name, previous, composite, improvement, movement."""
    if wb.company or not wb.previous:
        return pd.DataFrame()
    best = ranking.most_improved(*_before_after(wb), n=n)
    names = wb.sheet().set_index("employee_id")["name"]
    return pd.DataFrame({"name": best["employee_id"].map(names), "previous": best["before"],
                         "composite": best["after"], "improvement": best["gain"], "movement": best["rank_change"]})
