"""Section 50, drivers: what separates people, what goes with performance beyond the
scorecard, and which leading KPIs move the lagging ones. One call per table."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpilib import analytics, leading, mixed, separation
from kpilib.i18n import word
from kpilib.sections.common import headcount, shown, with_names
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
