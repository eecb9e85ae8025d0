"""Sections 40 (trends and outlook) and 50 (rater calibration; its drivers are in
sections.drivers): one call per table."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from kpilib import rater_model, rating_patterns, ratings, transitions, trends
from kpilib.sections.common import group_of, shown, with_names
from kpilib.workbench import Workbench

MIN_RATERS = 3  # supervisors needed to separate rater from ratee variance
MAX_RATEES = 400  # ratees in the crossed model (a seeded sample above this)
MIN_FORECAST_PERIODS = 3  # a forecast needs a correlation between two earlier periods


# 40 trends ----------------------------------------------------------------------------

def trend_frame(wb: Workbench) -> pd.DataFrame:
    """Mean composite per period and team (department) or department (company): period,
    group column, mean, people — the input of plots.trend_lines."""
    by = group_of(wb)
    frame = wb.scoped(wb.history).groupby(["period", by], observed=True)["composite"].agg(
        mean="mean", people="size").reset_index()
    return with_names(wb, shown(wb, frame))


def person_trends(wb: Workbench) -> pd.DataFrame:
    """Mann–Kendall trend of each person's composite over the history (trends.trend_table).
    Department: name, n, trend, slope, p_val for people with a significant trend; company:
    people per department and trend (department, trend, people)."""
    history = wb.scoped(wb.history)[["employee_id", "period", "composite", "department", "name"]]
    table = trends.trend_table(history, "composite")
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
    columns after, shares)."""
    if not wb.previous:
        return pd.DataFrame()
    return transitions.transitions(*_tiers_before_after(wb), list(wb.config.scheme.scoring.tiers.shares))


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
    """How well the forecasts did on the history (trends.backtest): method, mae, spearman."""
    history = wb.scoped(wb.history)[["employee_id", "period", "composite"]]
    test = trends.backtest(history, "composite")
    return trends.backtest_summary(test)[["method", "mae", "spearman"]] if len(test) else pd.DataFrame()


# 50 rater calibration ----------------------------------------------------

def _scoped_ratings(wb: Workbench) -> pd.DataFrame:
    r = wb.dataset.ratings
    if wb.company:
        return r
    people = wb.sheet()["employee_id"]
    return r[r["employee_id"].isin(people)]


def _leniency(wb: Workbench) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The leniency table of the supervisors rating this scope's people (known ids) and the
    supervisor ratings in scope (for the count of those without a rater id)."""
    table = wb.leniency.drop(columns="department").drop_duplicates("rater_id")
    rated = _scoped_ratings(wb)
    rated = rated[(rated["rater_type"] == "supervisor") & rated["period"].isin(wb.periods)]
    known = ratings.known_rater(rated["rater_id"])
    table = table[table["rater_id"].isin(set(rated.loc[known, "rater_id"].astype(str).str.strip()))]
    names = wb.dataset.employees.set_index("employee_id")
    return table.assign(rater_name=table["rater_id"].map(names["name"]).fillna(table["rater_id"]),
                        department=table["rater_id"].map(names["department"])), rated


def rater_table(wb: Workbench) -> pd.DataFrame:
    """Leniency (+) or severity (−) of each supervisor rating this department's people, over
    the history (ratings.rater_leniency): every supervisor is compared with the other
    supervisors of the whole company rating the same criterion in the same period, adjusted
    for the ratees' quantitative score; self-ratings are never the reference.

    Department: rater_id, rater_name, ratings, ratees, leniency, ci_low, ci_high, flag, for
    the supervisors judged. Company: per department of the rater, raters judged, lenient,
    severe. Who is not judged: `raters_not_judged`; counts, threshold, level: `rater_basis`."""
    table, _ = _leniency(wb)
    judged = table[table["reason"] == ""]
    if wb.company:
        out = judged.groupby("department").agg(
            raters=("rater_id", "size"), lenient=("flag", lambda f: int((f == "lenient").sum())),
            severe=("flag", lambda f: int((f == "severe").sum()))).reset_index()
        out = with_names(wb, shown(wb, out, "raters"))
    else:
        out = judged.rename(columns={"n": "ratings"})
        out = out[["rater_id", "rater_name", "ratings", "ratees", "leniency", "ci_low", "ci_high", "flag"]]
    return out.reset_index(drop=True)


def raters_not_judged(wb: Workbench) -> pd.DataFrame:
    """Supervisors rating this department's people who are not judged (department level;
    empty at company level, where `rater_basis` counts them): rater_id, rater_name, reason
    ('too_few' or 'no_comparison', see ratings.rater_leniency)."""
    table, _ = _leniency(wb)
    left = table[table["reason"] != ""] if not wb.company else table.iloc[:0]
    return left[["rater_id", "rater_name", "reason"]].reset_index(drop=True)


def rater_basis(wb: Workbench) -> pd.DataFrame:
    """What the leniency judgement rests on, one row: raters (supervisors in scope with a
    rater id), judged, flagged (lenient or severe), too_few, no_comparison (not judged, by
    reason), unknown_ratings
    (supervisor ratings in scope without a rater id, left out), flag_threshold (points of
    the flag rule, ratings.LENIENCY_THRESHOLD), interval_level (of the intervals). Shown
    under the sentence that quotes it (narrate.raters)."""
    table, rated = _leniency(wb)
    reasons = table["reason"].value_counts()
    return pd.DataFrame([{"raters": len(table), "judged": int(reasons.get("", 0)),
                          "flagged": int((table["flag"] != "").sum()),
                          "too_few": int(reasons.get("too_few", 0)),
                          "no_comparison": int(reasons.get("no_comparison", 0)),
                          "unknown_ratings": int((~ratings.known_rater(rated["rater_id"])).sum()),
                          "flag_threshold": ratings.LENIENCY_THRESHOLD, "interval_level": ratings.LENIENCY_LEVEL}])


def self_gap(wb: Workbench) -> pd.DataFrame:
    """Self rating minus supervisor rating per team (department) or department (company):
    group, people, mean_gap, share_overrating (rating_patterns.self_supervisor_gap)."""
    by = group_of(wb)
    table = rating_patterns.self_supervisor_gap(_scoped_ratings(wb), wb.dataset.employees, by=by)
    return with_names(wb, shown(wb, table))


def rater_variance(wb: Workbench) -> pd.DataFrame:
    """Where rating variance comes from (rater_model.rating_variance, supervisor ratings): component
    (ratee, rater, residual), variance, share (small departments can put a variance on the
    boundary, i.e. zero; the optimiser's warnings about it are not shown). Empty
    with fewer than MIN_RATERS supervisors or when the model cannot be fitted. Above
    MAX_RATEES ratees the model is fitted on the ratees of a seeded sample of supervisors
    (whole teams, so each rater keeps all their ratees): memory stays bounded."""
    rated = _scoped_ratings(wb)
    supervised = rated[rated["rater_type"] == "supervisor"]
    if supervised["employee_id"].nunique() > MAX_RATEES:  # the crossed model's design grows with ratees × ratings
        teams = supervised.groupby("rater_id", observed=True)["employee_id"].unique().sample(frac=1.0, random_state=0)
        kept = teams.index[teams.map(len).cumsum() <= MAX_RATEES]
        ratees = set(supervised.loc[supervised["rater_id"].isin(kept), "employee_id"])
        rated = rated[rated["employee_id"].isin(ratees)]
        supervised = rated[rated["rater_type"] == "supervisor"]
    if supervised["rater_id"].nunique() < MIN_RATERS:
        return pd.DataFrame(columns=["component", "variance", "share"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a variance on the boundary (zero) is a finding, shown as such
        try:
            return rater_model.rating_variance(rated, rater_types=("supervisor",))
        except (np.linalg.LinAlgError, ValueError):  # too little crossing of raters and ratees to separate them
            return pd.DataFrame(columns=["component", "variance", "share"])
