"""Sentences of the drivers section (50), from its tables: one message catalogue, Chinese
and English templates side by side, filled with numbers as the tables show them."""

from __future__ import annotations

import pandas as pd

from kpilib import mixed
from kpilib.analytics import BOOTSTRAP
from kpilib.i18n import pick, word
from kpilib.leading import LinkFits
from kpilib.rounding import round_half_up_scalar
from kpilib.sections.drivers import ScorecardModel
from kpilib.workbench import Workbench

MESSAGES: dict[str, tuple[str, str]] = {
    "shares": ("最能拉开人员差距的是{a}和{b}，分别占综合分方差的 {sa} 和 {sb}。每项的占比＝该项对综合分的贡献与综合分的协方差"
               "÷综合分方差，各项合计恰为 100%；人人得分相近的指标，无论权重多大，占比都接近 0，与其他指标反向的指标占比为负。",
               "{a} and {b} separate people most: {sa} and {sb} of the variance of the composite. A line's share is "
               "the covariance of its contribution with the composite over the composite's variance; the shares add "
               "up to exactly 100%. A line everyone scores alike has a share near 0 whatever its weight; one that "
               "runs against the others has a negative share."),
    "shares_company": ("各部门中最能拉开人员差距的指标及其占综合分方差的比例（部门页有完整分解）。",
                       "In each department, the line that separates people most and its share of the composite's "
                       "variance (the department pages show every line)."),
    "shares_none": ("人数太少，无法分解综合分的差异。", "Too few people to decompose the spread of the composite."),
    "too_few_people": ("本期参与评分的只有 {n} 人，至少需要 {need} 人（分属 {teams} 个以上团队）才能可靠地估计哪些因素与绩效相关，"
                       "因此不做此分析。",
                       "Only {n} people are scored this period; at least {need} (in {teams} teams or more) are needed to "
                       "estimate reliably what goes with performance, so this is not fitted."),
    "too_few_teams": ("只有 {have} 个团队，至少需要 {teams} 个才能区分团队差异与个人差异，因此不做此分析。",
                      "There are {have} teams; at least {teams} are needed to tell team differences from personal "
                      "ones, so this is not fitted."),
    "no_factor": ("没有任何因素的每个组别都至少有 {level} 人，因此不做此分析。",
                  "No factor has at least {level} people in each of its groups, so this is not fitted."),
    "association": ("表中是各组与对照组（该因素人数最多的组）相比的综合分差异（分，95% 区间），已考虑团队差异（混合模型，团队为随机效应）。"
                    "这是本期数据中的相关关系，不是因果：它说明哪些人得分较高，而不是区域、司龄或岗位导致了得分。",
                    "Each row is a group's difference in composite (points, 95% interval) from the group it is "
                    "compared with (its factor's most common), teams taken into account (a mixed model with "
                    "the team as a random effect). These are associations in this period's data, not causes: they say who scores higher, not that a "
                    "region, a tenure or a role makes them score so."),
    "supervisor_apart": ("直属上级与团队可以区分，单独列出其方差。",
                         "Supervisors can be told apart from teams here, so their variance is shown on its own."),
    "supervisor_with_team": ("每个团队只有一位直属上级，二者无法区分：团队的方差中包含了上级的影响。",
                             "Each team has one supervisor, so the two cannot be told apart: the team's variance "
                             "includes the supervisor's."),
    "left_out": ("未纳入（有组别不足 {level} 人）：{names}。", "Left out (a group has fewer than {level} people): {names}."),
    "variance": ("团队之间的差异占综合分方差的 {team}，上述因素占 {fixed}，其余 {residual} 是同一团队内个人之间的差异。",
                 "Differences between teams hold {team} of the composite's variance, the factors above {fixed}, and "
                 "the remaining {residual} lies between people of the same team."),
    "variance_supervisor": ("团队之间的差异占综合分方差的 {team}，直属上级之间占 {supervisor}，上述因素占 {fixed}，其余 {residual} 是个人之间的差异。",
                            "Differences between teams hold {team} of the composite's variance, between supervisors "
                            "{supervisor}, the factors above {fixed}, and the remaining {residual} lies between people."),
    "separator": ("、", ", "),
    "importance": ("上述因素共同解释的方差（R²）按 LMG 分配到各因素，区间来自按团队重抽样（自助法，{n} 次）。",
                   "The variance the factors explain together (R²) shared among them by LMG, with intervals from "
                   "resampling whole teams (bootstrap, {n} resamples)."),
    "links": ("每行：领先指标每增加 1 个单位，滞后指标在同月或次月的变化（95% 区间）。每人只与自己的其他月份比较，并扣除所有人共同的月度起伏；"
              "这是时间上的相关，不是实验。回测用上月的领先指标预测最近几个月的滞后指标，“误差降低”为相对于个人历史均值的改进。",
              "Each row: the change in the lagging KPI, the same month or the next, per unit more of the leading "
              "KPI (95% interval). Each person is compared with their own other months, and months that were good "
              "for everyone are taken out; an association over time, not an experiment. The backtest forecasts "
              "each of the last months from last month's leading values; the error reduction is against the "
              "person's own average."),
    "no_links": ("指标库未为本部门定义领先→滞后指标关系。",
                 "The catalogue declares no leading → lagging links for this department (drives: in catalog.yaml)."),
    "links_short": ("历史月份或人数不足，无法估计领先→滞后关系。",
                    "Too few months or people of history to estimate the leading → lagging links."),
}


def say(wb: Workbench, key: str, **values) -> str:
    """The message `key` in the page's language, filled with `values`."""
    return pick(MESSAGES[key], wb.lang).format(**values)


def _pct(share: float) -> str:
    """A share as the tables show it: percent, one decimal, half up."""
    return f"{round_half_up_scalar(100 * share, 1):.1f}%"


def composite_shares(wb: Workbench, table: pd.DataFrame) -> str:
    """The two lines that separate people most (department) or what the company table holds."""
    if wb.company:
        return say(wb, "shares_company")
    lines = table[table["kpi_name"] != word("other", wb.lang)]
    if len(lines) < 2:
        return say(wb, "shares_none")
    a, b = lines.iloc[0], lines.iloc[1]
    return say(wb, "shares", a=a["kpi_name"], b=b["kpi_name"], sa=_pct(a["share"]), sb=_pct(b["share"]))


def scorecard(wb: Workbench, model: ScorecardModel) -> str:
    """Why the model is not fitted, or what its effects mean and which factors were left out."""
    if model.refusal:
        return say(wb, model.refusal, n=model.people, need=mixed.MIN_PEOPLE, teams=mixed.MIN_TEAMS,
                   have=model.teams, level=model.least)
    parts = [say(wb, "association"), say(wb, "supervisor_apart" if model.supervisor else "supervisor_with_team")]
    left = model.factors.loc[~model.factors["used"], "factor"]
    if len(left):
        names = say(wb, "separator").join(word(f, wb.lang) for f in left)
        parts.append(say(wb, "left_out", level=model.least, names=names))
    return " ".join(parts)


def scorecard_variance(wb: Workbench, model: ScorecardModel) -> str:
    """Team, factors and residual shares of the composite's variance, as the table shows them."""
    if model.refusal:
        return ""
    share = model.variance.set_index("component")["share"]
    numbers = {k: _pct(v) for k, v in share.items()}
    return say(wb, "variance_supervisor" if model.supervisor else "variance", **numbers)


def scorecard_importance(wb: Workbench, model: ScorecardModel) -> str:
    """How the factors' LMG and its intervals were computed."""
    return "" if model.refusal else say(wb, "importance", n=BOOTSTRAP)


def links(wb: Workbench, fits: LinkFits) -> str:
    """How to read the leading → lagging table, or why there is none."""
    if fits.links.empty:
        return say(wb, "no_links")
    if fits.coefficients.empty:
        return say(wb, "links_short")
    return say(wb, "links")
