"""Section 40 (trends and outlook): one call per table."""

from __future__ import annotations

import pandas as pd

from kpilib import analytics, transitions, trends
from kpilib.sections.common import group_of, shown, with_names
from kpilib.workbench import Workbench

MIN_FORECAST_PERIODS = 3  # a forecast needs a correlation between two earlier periods


TREND_LINES = 12  # groups a trend chart draws: a large department's hundreds of teams would be a tangle


def trend_frame(wb: Workbench) -> pd.DataFrame:
    """Mean composite per period and team (department) or department (company): period,
    group column, mean, people — the input of plots.trend_lines. Of more than TREND_LINES
    groups, the TREND_LINES with the most people this period (`trend_groups` counts them all)."""
    by = group_of(wb)
    frame = wb.scoped(wb.history).groupby(["period", by], observed=True)["composite"].agg(
        mean="mean", people="size").reset_index()
    now = frame[frame["period"] == wb.span.label].sort_values(["people", by], ascending=[False, True], kind="stable")
    if now[by].nunique() > TREND_LINES:
        frame = frame[frame[by].isin(now[by].head(TREND_LINES))].reset_index(drop=True)
    return with_names(wb, shown(wb, frame))


def trend_groups(wb: Workbench) -> int:
    """The groups (teams, or departments at company level) with people this period."""
    return wb.scoped(wb.sheet())[group_of(wb)].nunique()


def person_trends(wb: Workbench) -> pd.DataFrame:
    """Mann–Kendall trend of each person's composite over the history (trends.trend_table).
    Department: name, n, trend, slope, p_val for people with a significant trend; company:
    people per department and trend (department, trend, people)."""
    table = analytics.table(wb, "composite_trends")
    info = wb.scoped(wb.sheet()).set_index("employee_id")
    table = table[table["employee_id"].isin(info.index)]
    if wb.company:
        table["department"] = table["employee_id"].map(info["department"])
        counts = table.groupby(["department", "trend"]).size().rename("people").reset_index()
        return with_names(wb, shown(wb, counts, counts.groupby("department")["people"].transform("sum")))
    moving = table[table["trend"].isin(["increasing", "decreasing"])].copy()
    moving.insert(0, "name", moving["employee_id"].map(info["name"]))
    return moving.drop(columns="employee_id").sort_values(["trend", "slope"], ascending=[False, False],
                                                           ignore_index=True)


def _tiers_before_after(wb: Workbench) -> tuple[pd.Series, pd.Series]:
    return (wb.sheet(wb.previous).set_index("employee_id")["tier"], wb.sheet().set_index("employee_id")["tier"])


def tier_transitions(wb: Workbench) -> pd.DataFrame:
    """Tier transition matrix from last period to this (transitions.transitions; rows before,
    columns after, shares). On a company page a row of fewer than `privacy.min_cell` people
    is blank: its shares would tell where each of a handful of people went."""
    if not wb.previous:
        return pd.DataFrame()
    before, after = _tiers_before_after(wb)
    order = list(wb.config.scheme.scoring.tiers.shares)
    row_people = transitions.transition_counts(before, after, order).sum(axis=1)
    matrix = transitions.transitions(before, after, order)
    return shown(wb, matrix, matrix.apply(lambda _: row_people))  # each cell counted over its row's people


def tier_mobility(wb: Workbench) -> pd.DataFrame:
    """How much people moved between tiers since last period (transitions.mobility: n, stayed,
    moved_up, moved_down, shorrocks); empty without a previous period."""
    if not wb.previous:
        return pd.DataFrame()
    table = transitions.mobility(*_tiers_before_after(wb), list(wb.config.scheme.scoring.tiers.shares))
    return shown(wb, table, "n")


def outlook(wb: Workbench) -> pd.DataFrame:
    """Next-period forecast per person (trends.forecast, toward the mean) and who is at risk
    of falling below the lowest passing grade. Department: name, last, forecast, at_risk
    (at-risk people first); company: department, people, at_risk (count). Empty with fewer
    than MIN_FORECAST_PERIODS periods of history."""
    if len(wb.periods) < MIN_FORECAST_PERIODS:
        return pd.DataFrame()
    history = wb.scoped(wb.history)[["employee_id", "period", "composite"]]
    grades = wb.config.scheme.scoring.grades
    pass_grade = min(g.min for g in grades if g.min > 0) if any(g.min > 0 for g in grades) else 0.0
    fc = trends.at_risk(trends.forecast(history, "composite"), pass_grade)
    info = wb.sheet().set_index("employee_id")
    fc = fc[fc["employee_id"].isin(info.index)]
    if wb.company:
        fc["department"] = fc["employee_id"].map(info["department"])
        counts = fc.groupby("department").agg(people=("employee_id", "size"), at_risk=("at_risk", "sum")).reset_index()
        return with_names(wb, shown(wb, counts))
    out = pd.DataFrame({"name": fc["employee_id"].map(info["name"]), "last": fc["last"],
                        "forecast": fc["toward_mean"], "at_risk": fc["at_risk"]})
    return out.sort_values(["at_risk", "forecast"], ascending=[False, True], ignore_index=True)


def forecast_check(wb: Workbench) -> pd.DataFrame:
    """How well the forecasts did on the history (trends.backtest, kpilib.analytics): method,
    mae, spearman."""
    test = analytics.table(wb, "forecast_backtest")
    return trends.backtest_summary(test)[["method", "mae", "spearman"]] if len(test) else pd.DataFrame()
