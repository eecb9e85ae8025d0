"""The charts of the report sections, one call each: `figures.f(wb)` → matplotlib Axes.

Each takes a `Workbench`, asks `kpilib.sections` (or the scoring sheet) for its data and
draws it with `kpilib.plots`; titles and labels follow the workbench's language.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from kpilib import plots, sections, stats
from kpilib.i18n import label, pick, word
from kpilib.sections.common import shown
from kpilib.workbench import Workbench


def _t(wb: Workbench, zh: str, en: str) -> str:
    return pick((zh, en), wb.lang)


def grades(wb: Workbench):
    """Share of each grade per team (department) or department (company; departments of
    fewer than `privacy.min_cell` people left out)."""
    sheet = wb.sheet()
    sheet = shown(wb, sheet, sheet.groupby("department")["department"].transform("size"))
    by = "department" if wb.company else "team"
    names = {d: wb.department_name(d) for d in sheet["department"].unique()} if wb.company else None
    order = [g(wb.lang) for g in wb.config.scheme.scoring.grades]
    return plots.grade_bars(sheet, by=by, order=order, labels=names, title=_t(wb, "等级分布", "Grades"))


def distribution(wb: Workbench):
    """Histogram of the composite with the grade boundaries."""
    bands = [g.min for g in wb.config.scheme.scoring.grades if g.min > 0]
    ax = plots.distribution(wb.sheet(), "composite", bands=bands,
                            title=_t(wb, "综合分分布（虚线为等级分界）", "Composite (dashed: grade boundaries)"))
    ax.set_xlabel(label("composite", wb.lang))
    ax.set_ylabel(label("people", wb.lang))
    return ax


def lorenz(wb: Workbench):
    """Lorenz curve of the department's outcome (sections.result_values); none at company
    level or without an outcome KPI."""
    if wb.company:
        return None
    values, measure = sections.result_values(wb, wb.department)
    if len(values) < 5:
        return None
    return plots.lorenz_curve(stats.lorenz(values),
                              title=_t(wb, f"{measure}集中度（洛伦兹曲线）", f"Concentration of {measure} (Lorenz curve)"))


def ranking(wb: Workbench, top: int = 15):
    """The best people (department) or departments (company) by composite."""
    table = sections.ranking_table(wb)
    value, who = ("mean", "department") if wb.company else ("composite", "name")
    height = max(3.0, 0.32 * min(top, len(table)) + 1)
    _, ax = plt.subplots(figsize=(8, height))
    if wb.company:
        title = _t(wb, "各部门平均综合分", "Mean composite by department")
    elif len(table) > top:
        title = _t(wb, f"综合分前 {top} 名", f"Top {top} by composite")
    else:
        title = _t(wb, "综合分排名", "Ranking by composite")
    return plots.ranking_bars(table, value, who, top=top, ax=ax, title=title)


def trend(wb: Workbench):
    """Mean composite per period, one line per team or department."""
    frame = sections.trend_frame(wb)
    hue = "department" if wb.company else "team"
    title = _t(wb, "平均综合分走势", "Mean composite by period")
    groups, most = sections.trend_groups(wb), sections.trends.TREND_LINES
    if groups > most:  # a large department: its largest teams only
        zh, en = ("部门", "departments") if wb.company else ("团队", "teams")
        title += _t(wb, f"（人数最多的 {most} 个{zh}，共 {groups} 个）", f" (the {most} largest of {groups} {en})")
    ax = plots.trend_lines(frame, "period", "mean", hue=hue, title=title)
    ax.set_ylabel(label("composite", wb.lang))
    ax.legend(title=label(hue, wb.lang), fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def transitions(wb: Workbench):
    """Tier transitions from last period to this."""
    matrix = sections.tier_transitions(wb)
    if matrix.empty:
        return None
    ax = plots.transition_heatmap(matrix, title=_t(wb, f"分级变化：{wb.previous} → {wb.span.label}",
                                                   f"Tier moves: {wb.previous} → {wb.span.label}"))
    ax.set_ylabel(wb.previous)
    ax.set_xlabel(wb.span.label)
    return ax


def composite_shares(wb: Workbench):
    """Each line's share of the composite's variance among the department's people (%)."""
    table = sections.composite_shares(wb)
    if table.empty:
        return None
    frame = table.assign(percent=100 * table["share"])
    return plots.importance_bars(frame, "percent", label="kpi_name", title=_t(
        wb, "各项对综合分差异的贡献（方差占比，%）", "Share of the composite's variance by line (%)"))


def raters(wb: Workbench, most: int = 30):
    """Leniency of each supervisor with its 95% interval and the flag threshold (dashed), the
    `most` deviating when there are more."""
    table = sections.rater_table(wb)
    if wb.company or table.empty:
        return None
    threshold = float(sections.rater_basis(wb)["flag_threshold"].iloc[0])
    title = _t(wb, f"上级评分宽严度（相对其他上级，定量得分已调整；虚线 ±{threshold:.2f}）",
               f"Supervisor leniency vs other supervisors, quantitative score adjusted (dashed: ±{threshold:.2f})")
    if len(table) > most:
        table = table.loc[table["leniency"].abs().nlargest(most).index]
        title += _t(wb, f"：偏差最大的 {most} 位", f": the {most} furthest from 0")
    _, ax = plt.subplots(figsize=(8, max(3.0, 0.3 * len(table) + 1)))
    ax = plots.rater_intervals(table, label="rater_name", ax=ax, title=title, threshold=threshold)
    ax.set_xlabel(word("lenient", wb.lang) + " + / − " + word("severe", wb.lang))
    return ax
