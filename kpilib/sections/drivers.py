"""Section 50 (drivers and rater calibration): what separates people, what goes with
performance beyond the scorecard, which leading KPIs move the lagging ones, and how
supervisors rate. One call per table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpilib import analytics, leading, mixed, rating_patterns, ratings, separation
from kpilib.i18n import word
from kpilib.sections.common import group_of, headcount, shown, with_names
from kpilib.workbench import Workbench

# what separates people ------------------------------------------------------------------

def composite_shares(wb: Workbench, department: str | None = None) -> pd.DataFrame:
    """Each line's share of the variance of the composite among the department's people this
    period (separation.variance_shares; the shares add up to 100%): kpi_name, kind, weight,
    sd (of its contribution to the composite), correlation (with the composite), share. The
    part "other" holds rounding and re-weighted missing lines. Sorted by share.
    Empty with fewer than two people."""
    dept = department or wb.department
    lines = wb.period_lines()
    lines = lines[lines["department"] == dept]
    sheet = wb.sheet()
    sheet = sheet[sheet["department"] == dept]
    parts = separation.composite_parts(lines, sheet, wb.config.scheme.scoring.quantitative_share)
    if len(parts) < 2 or parts["composite"].nunique() < 2:
        return pd.DataFrame(columns=["kpi_name", "kind", "weight", "sd", "correlation", "share"])
    kpis = [c for c in parts.columns if c not in ("employee_id", "composite")]
    table = separation.variance_shares(parts, kpis, "composite").rename(columns={"part": "kpi"})
    about = lines.groupby("kpi").agg(kind=("kind", "first"), weight=("weight", "first"))
    table["kpi_name"] = [wb.kpi_name(k) if k != separation.OTHER else word(separation.OTHER, wb.lang)
                         for k in table["kpi"]]
    table = table.join(about, on="kpi")
    out = table[["kpi_name", "kind", "weight", "sd", "correlation", "share"]]
    return out.sort_values("share", ascending=False, ignore_index=True)


def top_separators(wb: Workbench) -> pd.DataFrame:
    """Company level: per department the line that separates people most (department,
    kpi_name, share, people)."""
    rows = []
    for dept in wb.departments():
        table = composite_shares(wb, dept)
        table = table[table["kpi_name"] != word(separation.OTHER, wb.lang)]
        if len(table):
            rows.append({"department": dept, "kpi_name": table["kpi_name"].iloc[0], "share": table["share"].iloc[0]})
    out = pd.DataFrame(rows, columns=["department", "kpi_name", "share"])
    out["people"] = headcount(wb, out["department"]).astype(int)
    return with_names(wb, shown(wb, out))


# beyond the scorecard -------------------------------------------------------------------

@dataclass
class ScorecardModel:
    """The mixed model of the composite on person factors (kpilib.mixed), as tables.

    refusal: '' when fitted, else why not ('too_few_people', 'too_few_teams', 'no_factor');
    people, teams: who the model saw; supervisor: whether the supervisor was separated from
    the team; least: the people each group of a factor needs; factors: mixed.usable_factors (factor, levels, smallest, used); effects:
    factor, level, reference (the group it is compared with), estimate, ci_low, ci_high, p_val; variance: component, variance, share;
    importance: factor, lmg, lmg_low, lmg_high (95%, team-cluster bootstrap)."""

    refusal: str
    people: int
    teams: int
    supervisor: bool = False
    least: int = mixed.MIN_LEVEL  # people a factor's every group needs
    factors: pd.DataFrame = field(default_factory=pd.DataFrame)
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)
    variance: pd.DataFrame = field(default_factory=pd.DataFrame)
    importance: pd.DataFrame = field(default_factory=pd.DataFrame)


def scorecard_model(wb: Workbench) -> ScorecardModel:
    """The composite of this period on person factors, team as random effect
    (kpilib.analytics, table group "scorecard"); department levels by their names."""
    summary = analytics.table(wb, "scorecard").iloc[0]
    model = ScorecardModel(refusal=str(summary["refusal"]), people=int(summary["people"]), teams=int(summary["teams"]),
                           supervisor=bool(summary["supervisor"]), least=int(summary["least"]))
    model.factors = analytics.table(wb, "scorecard_factors")
    if model.refusal:
        return model
    effects = analytics.table(wb, "scorecard_effects")
    departments = effects["factor"] == "department"
    for column in ("level", "reference"):
        effects.loc[departments, column] = effects.loc[departments, column].map(wb.department_name)
    model.effects = effects
    model.variance = analytics.table(wb, "scorecard_variance")
    model.importance = analytics.table(wb, "scorecard_importance")
    return model


# leading → lagging ----------------------------------------------------------------------

def leading_links(wb: Workbench) -> leading.LinkFits:
    """The catalogue's `drives:` links among this department's KPIs (all departments at
    company level), fitted on monthly KPI values of the history (kpilib.analytics, table
    group "links")."""
    return leading.LinkFits(analytics.table(wb, "link_pairs"), analytics.table(wb, "link_coefficients"),
                            analytics.table(wb, "link_backtest"))


def link_table(wb: Workbench, fits: leading.LinkFits) -> pd.DataFrame:
    """The fitted links for reading: (department at company level,) lagging_name,
    leading_name, when ('same month' or 'next month'), estimate, ci_low, ci_high, p_val, people."""
    table = fits.coefficients
    if table.empty:
        return pd.DataFrame()
    out = pd.DataFrame({"department": table["department"].map(wb.department_name),
                        "lagging_name": table["lagging"].map(wb.kpi_name),
                        "leading_name": table["leading"].map(wb.kpi_name),
                        "when": table["lag"].map({0: "same month", 1: "next month"})})
    out = pd.concat([out, table[["estimate", "ci_low", "ci_high", "p_val", "people"]]], axis=1)
    return out if wb.company else out.drop(columns="department")


def link_backtest(wb: Workbench, fits: leading.LinkFits) -> pd.DataFrame:
    """The backtest of each lagging KPI for reading: (department,) lagging_name, months,
    forecasts, mae_model, mae_naive, gain."""
    table = fits.backtest
    if table.empty:
        return pd.DataFrame()
    out = table.assign(department=table["department"].map(wb.department_name), lagging_name=table["lagging"].map(wb.kpi_name))
    columns = ["lagging_name", "months", "forecasts", "mae_model", "mae_naive", "gain"]
    return out[(["department"] if wb.company else []) + columns]


# rater calibration ----------------------------------------------------------------------

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
    """Where rating variance comes from (rater_model.rating_variance, supervisor ratings;
    kpilib.analytics): component (ratee, rater, residual), variance, share (small departments
    can put a variance on the boundary, i.e. zero; the optimiser's warnings about it are not
    shown). Empty with fewer than analytics.MIN_RATERS supervisors or when the model cannot be
    fitted. Above analytics.MAX_RATEES ratees the model is fitted on the ratees of a seeded
    sample of supervisors (whole teams, so each rater keeps all their ratees): memory stays bounded."""
    return analytics.table(wb, "rater_variance")
