"""Words of the reports in Chinese (default) and English: column labels, section titles,
rule outcomes. One table, so the same concept carries the same word in every section.
"""

from __future__ import annotations

import re

import pandas as pd

LABELS: dict[str, tuple[str, str]] = {
    # people and groups
    "employee_id": ("工号", "ID"), "name": ("姓名", "Name"), "department": ("部门", "Department"),
    "team": ("团队", "Team"), "region": ("区域", "Region"), "group": ("组", "Group"),
    "people": ("人数", "People"), "n": ("样本数", "n"), "period": ("期间", "Period"),
    # scoring
    "kpi": ("指标代码", "KPI id"), "kpi_name": ("指标", "KPI"), "kind": ("类型", "Kind"), "role": ("岗位层级", "Role"), "weight": ("权重", "Weight"),
    "formula": ("公式", "Formula"), "inputs": ("输入数据", "Inputs"), "unit": ("单位", "Unit"),
    "direction": ("方向", "Direction"), "actual": ("实际值", "Actual"), "target": ("目标值", "Target"),
    "target_source": ("目标来源", "Target source"), "attainment": ("达成率", "Attainment"),
    "rating": ("评分", "Rating"), "line_score": ("得分", "Line score"), "status": ("说明", "Status"),
    "note": ("备注", "Note"), "source": ("数据来源（核实部门）", "Source (verified by)"),
    "quantitative": ("定量分", "Quantitative"), "qualitative": ("定性分", "Qualitative"),
    "composite": ("综合分", "Composite"), "grade": ("等级", "Grade"), "tier": ("分级", "Tier"),
    "rank": ("排名", "Rank"), "previous_rank": ("上期排名", "Previous rank"), "movement": ("名次变化", "Movement"),
    "previous": ("上期", "Previous"), "change": ("变化", "Change"), "mean": ("平均", "Mean"),
    "median": ("中位数", "Median"), "best": ("最高", "Best"), "lowest": ("最低", "Lowest"),
    "std": ("标准差", "Std dev"), "share": ("占比", "Share"), "planned": ("计划人数", "Planned"),
    "allocated": ("实际人数", "Allocated"), "difference": ("差异", "Difference"), "size": ("人数", "Size"),
    "met_target": ("达标人数占比", "Share at target"), "quantitative_weight": ("定量权重", "Quantitative weight"),
    "qualitative_weight": ("定性权重", "Qualitative weight"), "kpi_count": ("指标数", "KPIs"),
    "baseline": ("基准值", "Baseline"), "challenge": ("挑战值", "Challenge"),
    # analysis
    "performance_group": ("表现分组", "Performance group"), "kpis": ("重点指标：达成率（部门均值）", "KPIs: attainment (department mean)"),
    "top 20%": ("前20%", "Top 20%"), "middle 60%": ("中间60%", "Middle 60%"), "bottom 20%": ("后20%", "Bottom 20%"),
    "top_share": ("前20%贡献占比", "Top 20% share"), "gini": ("基尼系数", "Gini"),
    "measure": ("度量", "Measure"), "tenure_month": ("入职月数", "Month of tenure"),
    "mean_ratio": ("相对团队均值", "Relative to team mean"), "median_ratio": ("中位相对值", "Median ratio"),
    "H": ("H 统计量", "H"), "p_val": ("p 值", "p-value"), "p_adj": ("校正 p 值", "Adjusted p"),
    "epsilon_sq": ("效应量 ε²", "Effect size ε²"), "groups": ("组数", "Groups"), "dof": ("自由度", "df"),
    "trend": ("趋势", "Trend"), "slope": ("斜率/期", "Slope per period"), "forecast": ("下期预测", "Forecast"),
    "last": ("本期", "This period"), "at_risk": ("风险", "At risk"), "method": ("方法", "Method"),
    "mae": ("平均绝对误差", "MAE"), "spearman": ("排序相关", "Rank correlation"),
    "lmg": ("R² 贡献", "LMG"), "lmg_pct": ("贡献占比 %", "Share of R² %"), "first": ("单独 R²", "Alone R²"),
    "relative_weight": ("相对权重", "Relative weight"), "std_beta": ("标准化系数", "Std beta"),
    "rater_id": ("评分人工号", "Rater ID"), "rater_name": ("评分人", "Rater"), "ratings": ("评分次数", "Ratings"),
    "ratees": ("被评人数", "Ratees"), "raters": ("评分人数", "Raters"), "lenient": ("偏宽", "Lenient"), "severe": ("偏严", "Severe"),
    "leniency": ("宽严偏差", "Leniency"), "ci_low": ("95%下限", "95% low"), "ci_high": ("95%上限", "95% high"),
    "flag": ("判定", "Flag"), "self_mean": ("自评均分", "Self mean"), "supervisor_mean": ("上级评均分", "Supervisor mean"),
    "gap": ("差距", "Gap"), "mean_gap": ("平均差距（自评−上级）", "Mean gap (self − supervisor)"),
    "share_overrating": ("自评偏高人数占比", "Share rating themselves higher"), "r2": ("R²", "R²"),
    "mean_abs_rank_change": ("平均名次变动", "Mean rank change"), "kendall_tau_b": ("Kendall τb", "Kendall τb"),
    "spearman_rho": ("Spearman ρ", "Spearman ρ"), "share_of_3": ("3分占比", "Share of 3s"), "component": ("方差来源", "Component"),
    "variance": ("方差", "Variance"), "tau": ("Kendall τ", "Kendall τ"), "rho": ("Spearman ρ", "Spearman ρ"),
    "correlation": ("与综合分相关", "Correlation with composite"), "sd": ("标准差", "Std dev"),
    "factor": ("因素", "Factor"), "level": ("组别", "Group"), "reference": ("对照组", "Compared with"), "estimate": ("差异/效应", "Effect"),
    "lmg_low": ("95%下限", "95% low"), "lmg_high": ("95%上限", "95% high"),
    "lagging_name": ("滞后指标", "Lagging KPI"), "leading_name": ("领先指标", "Leading KPI"), "when": ("时间", "When"),
    "forecasts": ("预测次数", "Forecasts"), "mae_model": ("领先指标预测误差", "Error, leading forecast"),
    "mae_naive": ("个人均值预测误差", "Error, own average"), "gain": ("误差降低", "Error reduction"),
    "observations": ("人月数", "Person-months"), "months": ("检验月数", "Months tested"),
    "rbo": ("RBO", "RBO"), "footrule": ("Footrule", "Footrule"), "shorrocks": ("Shorrocks 流动性", "Shorrocks mobility"),
    "stayed": ("留在原分组", "Stayed in group"), "improvement": ("提升", "Improvement"),
    "rank_low": ("最好名次（90%区间）", "Best rank (90%)"), "rank_high": ("最差名次（90%区间）", "Worst rank (90%)"),
    "tier_probability": ("保持该分级的概率", "P(tier)"), "tier_unclear": ("分级不确定", "Tier not clear"),
    "unclear_tiers": ("分级不确定人数", "Tiers not clear"),
    "moved_up": ("升级占比", "Moved up"), "moved_down": ("降级占比", "Moved down"),
    # the outline's rankings (section 30)
    "total": ("合计", "Total"), "before": ("对比期", "Earlier period"), "now": ("本期", "This period"),
    "growth": ("增长率", "Growth"), "supervisor_rating": ("上级评分", "Supervisor rating"),
    # incentives
    "bonus": ("奖金倍数", "Bonus"), "commission": ("提成", "Commission"), "promotion": ("晋升", "Promotion"),
    "reserve_pool": ("后备干部", "Reserve pool"), "breakthrough": ("突破", "Breakthrough"),
    "watch_list": ("观察", "Watch list"), "rule": ("规则", "Rule"), "outcome": ("结果", "Outcome"),
    "evidence": ("依据", "Evidence"), "count": ("人数", "Count"),
    # follow-up actions (kpilib.actions)
    "action": ("跟进措施", "Action"), "due": ("截止日期", "Due"), "improvement_plan": ("改进计划", "Improvement plan"),
    "interview": ("绩效面谈", "Interview"), "reserve_pool_nomination": ("后备干部提名", "Reserve-pool nomination"),
    "promotion_review": ("晋升评审", "Promotion review"), "transfer_review": ("调岗/退出评审", "Transfer or exit review"),
    # restatements (kpilib.pack.restate)
    "field": ("项目", "Field"), "value_before": ("变化前", "Before"), "value_after": ("变化后", "After"),
    "changes_since": ("与上次生成相比的变化", "Changes since the last build"),
    "bundles": ("各部门报告压缩包（发给部门负责人）", "Each department's documents as one zip (for its manager)"),
    # rulebook and appeal evidence
    "topic": ("项目", "Topic"), "rule_text": ("规则说明", "Rule in full"), "step": ("步骤", "Step"), "calculation": ("计算", "Calculation"),
    "value": ("结果", "Result"), "rubric": ("评分标准", "Rubric"), "rater_type": ("评分人类型", "Rater type"),
    "score": ("分数", "Score"), "financial": ("财务", "Financial"), "customer": ("客户", "Customer"),
    "process": ("内部运营", "Internal process"), "learning": ("学习发展", "Learning & growth"),
    "unassigned": ("未指定视角", "No perspective"),
    # what the leniency judgement rests on (sections.rater_basis) and who the rules select (sections.incentive_counts)
    "judged": ("已判定", "Judged"), "flagged": ("被标记", "Flagged"), "too_few": ("评分太少", "Too few ratings"),
    "no_comparison": ("无可比上级", "No one to compare with"), "unknown_ratings": ("未填评分人的评分", "Ratings without rater ID"),
    "flag_threshold": ("判定阈值（分）", "Flag threshold (points)"), "interval_level": ("区间置信水平", "Interval level"),
    "selected": ("人数", "People"),
}

WORDS: dict[str, tuple[str, str]] = {
    "interval not estimable": ("区间无法估计（模型方差估计退化）", "interval not estimable (degenerate variance estimate)"),
    "rerun.pdf": ("加上 --format html,pdf", "with --format html,pdf"),
    "rerun.departments": ("不带 --departments", "without --departments"),
    "rerun.sections": ("不带 --sections", "without --sections"),
    "rerun.prune": ("加上 --prune（删除数据中已没有的部门）", "with --prune, for departments no longer in the data"),
    "quantitative": ("定量", "quantitative"), "qualitative": ("定性", "qualitative"),
    "higher": ("越高越好", "higher is better"), "lower": ("越低越好", "lower is better"), "band": ("区间", "band"),
    "top 20%": ("前20%", "top 20%"), "middle 60%": ("中间60%", "middle 60%"), "bottom 20%": ("后20%", "bottom 20%"),
    "top 10%": ("前10%", "top 10%"), "middle 30–60%": ("中段30%–60%", "middle 30–60%"),
    "increasing": ("上升", "increasing"), "decreasing": ("下降", "decreasing"), "no trend": ("无明显趋势", "no trend"),
    "insufficient data": ("数据不足", "insufficient data"), "lenient": ("偏宽", "lenient"), "severe": ("偏严", "severe"),
    "too_few": ("评分或被评人太少", "too few ratings or ratees"), "no_comparison": ("无可比的其他上级", "no other supervisor to compare with"),
    "eligible": ("符合", "eligible"), "not yet": ("未满足", "not yet"), "in pool": ("入选", "in pool"),
    "observation": ("观察期", "observation"), "review": ("调岗/退出评审", "review"), "standard": ("标准", "standard"),
    "toward_mean": ("向均值回归", "toward the mean"), "smoothing": ("指数平滑", "exponential smoothing"),
    "rater": ("评分人", "rater"), "ratee": ("被评人", "ratee"), "residual": ("残差", "residual"),
    "new": ("新进", "new"), "direct": ("部门直属", "reports to the head"),
    "breakthrough": ("突破", "breakthrough"), "bonus": ("奖金倍数", "bonus"), "commission": ("提成", "commission"),
    "promotion": ("晋升", "promotion"), "reserve_pool": ("后备干部", "reserve pool"), "watch_list": ("观察", "watch list"),
    "last": ("沿用本期", "carry forward"),
    "not in full": ("未足额发放", "not in full"), "yes": ("是", "yes"),
    "percent": ("百分比", "percent"), "ratio": ("比值", "ratio"), "count": ("数量", "count"),
    "currency": ("金额", "amount"), "days": ("天", "days"), "hours": ("小时", "hours"), "score": ("评分", "score"), "meets target": ("达标", "meets target"),
    "pooled": ("合并", "pooled"), "whole company": ("全公司", "Whole company"),
    "growth_previous": ("环比", "growth on the previous period"),
    "growth_year": ("同比", "growth on the same period a year before"),
    "scope_department": ("部门", "department"), "scope_company": ("全公司", "company"),
    "chart": ("图表", "chart"), "department report": ("绩效报告", "KPI report"), "back to index": ("返回目录", "Index"),
    "html lang": ("zh-CN", "en"), "list separator": ("、", ", "), "sentence separator": ("", " "),
    "nothing to list": ("本期没有可列出的内容。", "Nothing to list for this period."),
    "improvement_plan": ("改进计划", "improvement plan"), "interview": ("绩效面谈", "interview"),
    "reserve_pool_nomination": ("后备干部提名", "reserve-pool nomination"),
    "promotion_review": ("晋升评审", "promotion review"), "transfer_review": ("调岗/退出评审", "transfer or exit review"),
    # rater types, perspectives, monitored KPIs
    "self": ("自评", "self"), "supervisor": ("上级", "supervisor"), "cross_department": ("跨部门", "cross-department"),
    "peer": ("同事", "peer"), "customer": ("客户", "customer"),
    "financial": ("财务", "financial"), "process": ("内部运营", "internal process"), "learning": ("学习发展", "learning & growth"),
    "monitored": ("监测指标", "monitored"),
    # rulebook topics (sections.rulebook)
    "version": ("方案版本", "Scheme version"), "attainment": ("达成率", "Attainment"), "raters": ("评分人权重", "Rater weights"),
    "rounding": ("舍入", "Rounding"), "missing": ("缺失数据", "Missing data"), "targets": ("目标值", "Targets"),
    "grades": ("等级", "Grades"), "tiers": ("强制分布", "Forced distribution"), "ties": ("同分处理", "Ties"),
    "small groups": ("小组规则", "Small groups"),
    # appeal chain steps and card parts
    "quantitative subtotal": ("定量分", "quantitative subtotal"), "weighted": ("定量分 × 占比", "quantitative × share"),
    "qualitative subtotal": ("定性分", "qualitative subtotal"), "composite": ("综合分", "composite"),
    "chain": ("综合分计算过程", "How the composite is reached"),
    "ratings by rater": ("定性评分明细（各评分人）", "Ratings by rater"),
    "monitored kpis": ("监测指标（只展示，不计分）", "Monitored KPIs (shown, not scored)"),
    # functions of a KPI formula (kpilib.formula), as a reader says them
    "lag": ("滞后", "lag"), "yoy": ("同比增长", "yoy"), "qoq": ("环比增长", "qoq"), "min": ("较小值", "min"),
    "max": ("较大值", "max"), "abs": ("绝对值", "abs"),
    # data sources of the catalogue (catalog.yaml `source`)
    "CRM": ("CRM系统", "CRM"), "ERP": ("ERP系统", "ERP"), "HR system": ("人力资源系统", "HR system"),
    "MES": ("MES生产系统", "MES"), "OA system": ("OA办公系统", "OA system"), "QA system": ("质检系统", "QA system"),
    "call centre": ("呼叫中心", "call centre"), "finance report": ("财务报表", "finance report"),
    "internal audit": ("内部审计", "internal audit"), "market research": ("市场调研", "market research"),
    "media monitoring": ("媒体监测", "media monitoring"), "patent office": ("专利机构", "patent office"),
    "project office": ("项目管理办公室", "project office"), "survey platform": ("调查平台", "survey platform"),
    "ticketing": ("工单系统", "ticketing"), "web analytics": ("网站分析", "web analytics"),
    "other": ("其他（舍入、缺项折算）", "other (rounding, missing lines)"), "fixed": ("上述因素", "the factors above"),
    "team": ("团队", "team"), "region": ("区域", "region"),
    "department": ("部门", "department"), "tenure_band": ("司龄段", "tenure band"), "role_layer": ("岗位层级", "role layer"),
    "new_hire": ("新员工", "new hire"), "tenure 0-2": ("司龄不满2年", "under 2 years"),
    "tenure 2-5": ("司龄2–5年", "2–5 years"), "tenure 5+": ("司龄5年以上", "5 years or more"),
    "new hire": ("入职不满1年", "hired within a year"), "not new": ("入职满1年", "hired a year ago or more"),
    "other roles": ("其他岗位（部门权重）", "other roles (department weights)"), "management": ("管理层", "management"), "execution": ("执行层", "execution"), "support": ("支持层", "support"),
    "same month": ("同月", "same month"), "next month": ("次月", "next month"),
    # the front page and department landing pages (kpilib.pack.index, kpilib.cards)
    "card.people": ("考核人数", "people scored"), "card.mean": ("平均综合分", "mean composite"),
    "card.grades": ("等级", "Grades"), "card.tiers": ("分级", "Tiers"), "card.bonus": ("奖金倍数", "Bonus multipliers"),
    "card.watch": ("观察名单", "Watch list"), "card.review": ("调岗/退出评审", "Transfer or exit review"),
    "card.kpis": ("低于目标的指标", "KPIs below target"), "card.warnings": ("数据提示", "Data warnings"),
    "card.documents": ("报告", "Documents"), "card.downloads": ("下载", "Downloads"),
    "card.departments": ("各部门", "Departments"), "card.zip": ("全部报告（zip）", "all documents (zip)"),
    "periods.title": ("绩效考核报告", "KPI evaluation reports"), "periods.documents": ("报告数", "Documents"),
    "periods.failed": ("失败", "Failed"), "periods.company": ("公司", "Company"),
    "stale document": ("数据已更新，本报告未重建", "built from earlier data"),
}

# sentences with {placeholders}, filled by kpilib.narrate
SENTENCES: dict[str, tuple[str, str]] = {
    "regions.untested": ("各区域综合分未做差异检验：有 {least} 人及以上的区域不足两个。",
                         "Regional differences are not tested: fewer than two regions have {least} or more people."),
    "pack.stale": ("标有 ⚠ 的报告是之前用旧数据生成的，本次部分重建没有更新它们：请{fix} 重新生成。",
                   "Documents marked ⚠ were built earlier from other data and kept by this partial run: rebuild them "
                   "(kpireport pack {fix})."),
    "uncertainty unknown": (
        "本期无法估计排名和分级的不确定性：只有一个月的数据，且每类评分人只有一位，没有可重新抽样的内容；排名区间和分级概率留空。",
        "The uncertainty of ranks and tiers cannot be estimated for this period: one month of data and one rater "
        "of each type leave nothing to redraw, so the rank ranges and tier probabilities are left blank."),
    "new hires": ("新员工入职第 1 个月平均达到团队均值的 {first}，第 3 个月达到 {third}。",
                  "New hires reach {first} of their team's mean in their first month and {third} in their third."),
    "unclear tiers": (
        "排名和分级是估计值：把本期的月份和评分人重新抽样并重新评分 {resamples} 次，得到每人的 90% 排名区间；"
        "标为“分级不确定”的人在不到 {unclear:.0%} 的重新评分中保持原分级（{n} 人），其分级在噪声范围内，用于奖惩前宜复核。",
        "Ranks and tiers are estimates: re-scoring the period {resamples} times with its months and raters redrawn "
        "gives each person a 90% rank range; a tier marked not clear is kept in fewer than {unclear:.0%} of the "
        "re-scorings ({n} people), so it lies within the noise and deserves a second look before pay or a watch list "
        "depends on it."),
    # what triggered a follow-up action (kpilib.actions `rule` and its `parameters`)
    "below_standard": ("综合分已连续 {run} 期低于达标线 {line}（{figures}；规则：连续 {periods} 期）",
                       "composite below the meets-target line of {line} for {run} period(s) running "
                       "({figures}; the rule asks for {periods})"),
    "promotion": ("连续 {months} 个月位于部门前 {top}，符合晋升条件",
                  "in the department's top {top} for {months} months running: eligible for promotion"),
    "reserve_pool": ("连续 {quarters} 期分级为 {tiers}，入选后备干部", "tier {tiers} for {quarters} periods running: reserve pool"),
    "watch_list:review": ("观察名单：连续 {periods} 期综合分低于达标线 {line}",
                          "watch list: composite below the meets-target line of {line} for {periods} periods running"),
    "watch_list:observation": ("观察名单：本期位于部门后 {bottom}", "watch list: in the department's bottom {bottom} this period"),
    # section 60's sentence on follow-up actions (narrate.actions)
    "actions none configured": ("考核方案未配置跟进措施（scheme.yaml actions），不列出跟进措施。",
                                "The scheme configures no follow-up actions (scheme.yaml actions); none are listed."),
    "actions counted": ("本期跟进措施：{counts}。", "Follow-up actions this period: {counts}."),
    "action count": ("{action} {n} 人", "{action}: {n}"), "list": ("、", "; "), "between sentences": ("", " "),
    "names": ("、", ", "), "groups": ("；", "; "),
    "too short periods": ("{action}需要连续 {need} 期的结果，目前只有 {have} 期", "{action} needs {need} periods running, "
                          "there are {have}"),
    "too short months": ("{action}需要连续 {need} 个月的结果，目前只有 {have} 个月", "{action} needs {need} months running, "
                         "there are {have}"),
    "actions not yet": ("{reasons}，本期不会产生。", "{reasons}: none can arise yet."),
    "actions nobody": ("本期没有需要跟进的人员。", "No one needs a follow-up action this period."),
    "actions line": ("“低于标准”指综合分低于本部门的达标线（{lines}），不是排名靠后。",
                     "\"Below standard\" means a composite below the department's meets-target line ({lines}), "
                     "not a low rank."),
    "line from bonus": ("{value}，即奖金的达标分", "{value}, the composite that earns the meets-target bonus"),
    "line from grades": ("{value}，即最低合格等级的分数线", "{value}, the floor of the lowest passing grade"),
    # the front page's cards (kpilib.pack.index)
    "pack.title": ("{company} · {period} 绩效考核报告", "{company} · {period} KPI evaluation"),
    "pack.privacy": ("每个部门的报告只包含本部门人员；全公司页面只含汇总数据。",
                     "Each department's documents show only its own people; company pages show aggregates only."),
    "card.change": ("较上期（{previous}）{change}", "{change} on {previous}"),
    "card.no previous": ("无上期数据可比", "no earlier period to compare with"),
    "card.paid": ("{paid} 人获奖金", "{paid} people paid"),
    "card.paid not in full": ("{paid} 人获奖金，其中 {n} 人未足额", "{paid} people paid, {n} not in full"),
    "card.of kpis": ("{below} / {of} 个指标", "{below} of {of}"),
    "card.unscored": ("{n} 人没有综合分（缺少数据）", "{n} people without a composite (data missing)"),
    "card.borrowed": ("{n} 个指标按默认目标计分", "{n} KPI(s) on the catalogue's default target"),
    "card.small": ("本部门不足 {least} 人：全公司页面不显示其分数，见部门主页。",
                   "Fewer than {least} people: the company's page shows none of their scores; see the department page."),
}

SECTIONS: dict[str, tuple[str, str]] = {
    "10_overview": ("概览与考核规则", "Overview and rules"),
    "20_performance": ("整体表现", "Overall performance"),
    "30_rankings": ("排名", "Rankings"),
    "40_trends": ("趋势与预测", "Trends and outlook"),
    "50_drivers": ("驱动因素与评分校准", "Drivers and rater calibration"),
    "60_incentives": ("结果应用", "Results applied"),
    "70_details": ("评分明细（申诉核对）", "Score details (for appeals)"),
    "book": ("整本报告（PDF）", "Whole report (PDF)"),
}


# how scoring explains a line (kpilib.scoring status, kpilib.targets target_source), in Chinese
PHRASES: list[tuple[re.Pattern, str]] = [(re.compile(p), zh) for p, zh in (
    (r"^ok$", "正常"),
    (r"^none$", "无"),
    (r"^catalogue$", "指标库默认值"),
    (r"^catalogue × (.+)$", r"指标库默认值 × \1"),
    (r"^targets: sum of (\d+) inside (\S+)$", r"目标表：\2 内 \1 行之和"),
    (r"^targets: mean of (\d+) inside (\S+)$", r"目标表：\2 内 \1 行平均"),
    (r"^targets (\S+)$", r"目标表 \1"),
    (r"^targets (\S+) × (.+)$", r"目标表 \1 × \2"),
    (r"^no ratings in (\S+)$", r"\1 无评分"),
    (r"^division by zero: (.+) is 0 in (\S+)$", r"除数为零：\2 的 \1 为 0"),
    (r"^no target \((.*)\)$", r"无目标（\1）"),
)]


# the rule of each ranking of section 30, one sentence each ({n}: places shown, {ties}: the tie rule)
RULES: dict[str, tuple[str, str]] = {
    # restatements (kpilib.pack.restate, narrate.restated)
    "restated_none": ("与上次生成 {period} 的报告相比，没有人的综合分、等级、分级、排名或结果应用发生变化。",
                      "Since the last build of {period}, no one's composite, grade, tier, rank or incentive outcome "
                      "changed."),
    "restated": ("与上次生成 {period} 的报告相比，{people} 人的考核结果有 {count} 项变化；每人之后列出其输入数据有变化的指标。"
                 "变化前后的数值分别取自上次和本次的评分表。",
                 "Since the last build of {period}, {count} outcome(s) of {people} people changed; each person's lines "
                 "whose inputs changed follow. Before and after are the values of the previous and the new scoring "
                 "sheet."),
    "ties": ("并列时依次比较{keys}（高者在前），仍并列者名次相同，排在第 {n} 名的并列者全部列出",
             "ties are broken by {keys} (higher first), people still tied share a rank and all tied at place {n} "
             "are shown"),
    "outcome_top": ("规则：每个结果指标（指标库标为结果指标的可加总结果，如销售额、新客户数）按本期个人实际值从高到低排名，"
                    "列出前 {n} 名，占比为个人实际值占部门合计的比例；{ties}。",
                    "Rule: each outcome measure (an additive result the catalogue marks as an outcome, such as sales or "
                    "new customers) ranked by each person's actual this period, highest first, top {n} shown, share "
                    "being the person's part of the department's total; {ties}."),
    "growth_people": ("规则：{comparison}增长率 =（本期 − {earlier}）/ {earlier}，只比较两期都有数据且 {earlier} 大于 0 的人员，"
                      "从高到低排名，列出前 {n} 名；{ties}。",
                      "Rule: {comparison} = (this period − {earlier}) / {earlier}, for people with a value in both "
                      "periods and more than 0 in {earlier}, highest first, top {n} shown; {ties}."),
    "growth_departments": ("规则：{comparison}增长率 = 部门本期合计 / {earlier} 合计 − 1（各期全部人员），从高到低排名。",
                           "Rule: {comparison} = the department's total this period / its total in {earlier} − 1 "
                           "(everyone in each period), highest first."),
    "growth_missing": ("{earlier} 不在本报告的历史数据中（现有 {first} 至 {last}），无法计算{comparison}增长率。",
                       "{earlier} is not in this report's history ({first} to {last}), so {comparison} cannot be "
                       "computed."),
    "criterion_top": ("规则：每个定性评价项按本期加权评分（1–5 分，按评分人权重加权）从高到低排名，列出前 {n} 名；{ties}。",
                      "Rule: each rated criterion ranked by this period's weighted rating (1–5, weighted by rater "
                      "type), highest first, top {n} shown; {ties}."),
    "criterion_company": ("规则：每个定性评价项按各部门本期加权评分的平均值从高到低排名，平均值相同者名次相同。",
                          "Rule: each rated criterion ranked by the department's mean weighted rating this period, "
                          "highest first, equal means sharing a rank."),
    "region_shares": ("规则：区域占比 = 该区域人员本期实际值合计 / {scope}合计，按合计从高到低排名，合计相同者名次相同。",
                      "Rule: a region's share = the sum of its people's actual this period / the {scope} total, "
                      "ranked by that sum, highest first, equal sums sharing a rank."),
    "team_attainment": ("规则：{group}达成率 = Σ 实际值 / Σ 目标值（总对总，只计既有实际值又有目标值的人员，不是个人达成率的平均），"
                        "仅对目标可加总的结果指标计算，从高到低排名，相同者名次相同。",
                        "Rule: a {group}'s attainment = Σ actual / Σ target (total over total, over people with "
                        "both, not a mean of personal attainments), for outcome measures whose targets add up, highest "
                        "first, equal attainments sharing a rank."),
    "team_units": ("规则：员工表中类型为团队的考核单元，按团队自身的度量与目标（以其编号记录）用部门的权重计分，"
                   "按综合分从高到低排名，不参与个人排名、分级与激励。",
                   "Rule: units of kind team in the employees table, scored with the department's weights from the "
                   "team's own measures and targets (recorded under its id), ranked by composite, highest first; "
                   "they take no part in personal ranks, tiers or incentives."),
}


def sentence(key: str, lang: str, **values) -> str:
    """The sentence `key` of `RULES` or `SENTENCES` in `lang`, its {placeholders} filled from `values`."""
    return pick(RULES[key] if key in RULES else SENTENCES[key], lang).format(**values)


def phrase(text: str, lang: str) -> str:
    """A scoring explanation in `lang` (English as written, Chinese by pattern; unknown ones unchanged)."""
    if lang != "zh" or not isinstance(text, str):
        return text
    for pattern, zh in PHRASES:
        if pattern.match(text):
            return pattern.sub(zh, text)
    return text


def pick(pair: tuple[str, str], lang: str | None) -> str:
    """The member of a (zh, en) pair for `lang`: the one place a language chooses words
    (any language other than zh reads English)."""
    return pair[0] if lang == "zh" else pair[1]


def label(key: str, lang: str) -> str:
    """The column label of `key` in `lang` (the key itself when unknown)."""
    return pick(LABELS[key], lang) if key in LABELS else key


def word(key: str, lang: str) -> str:
    """A value word (direction, trend, flag, outcome) in `lang`."""
    return pick(WORDS[key], lang) if key in WORDS else key


def section_title(section: str, lang: str) -> str:
    return pick(SECTIONS[section], lang) if section in SECTIONS else section


# columns whose values are words of the reports (translated cell by cell; other text is data)
WORD_COLUMNS = {"kind", "direction", "unit", "trend", "flag", "method", "performance_group", "rule", "outcome", "at_risk", "action",
                "factor", "level", "reference", "component", "when",
                "bonus", "commission", "promotion", "reserve_pool", "breakthrough", "watch_list", "rater_type", "step"}


def value_word(value, lang: str):
    """A word column's value in `lang` ("3×, not in full" → "3×，未足额发放"); other values unchanged."""
    if not isinstance(value, str) or lang != "zh":
        return word(value, lang) if isinstance(value, str) else value
    head, _, tail = value.partition(", ")  # "3×, not in full"
    return word(head, lang) + (f"，{word(tail, lang)}" if tail else "")


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy with column labels and the words in word columns translated (for display only)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: word("yes", lang), False: ""})
        elif str(col) in ("status", "target_source"):
            out[col] = out[col].map(lambda v: phrase(v, lang))
        elif str(col) in WORD_COLUMNS and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v: value_word(v, lang))
    names = [label(str(c), lang) for c in out.columns]
    out.columns = [f"{n} ({c})" if names.count(n) > 1 else n for n, c in zip(names, out.columns, strict=True)]
    return out


def action_rule(rule: str, parameters: str, evidence: str, lang: str) -> str:
    """What triggered a follow-up action, in `lang` (kpilib.actions `rule`, `parameters` as
    `key=value; ...`, `evidence`); a below-standard run is told with its length and the
    composites of its periods (`evidence`: `period composite; ...`)."""
    values = dict(part.split("=", 1) for part in parameters.split("; ") if "=" in part)
    if rule == "below_standard":
        figures = [f for f in evidence.split("; ") if f]
        values.update(run=len(figures), figures=sentence("list", lang).join(figures))
    return sentence(rule, lang, **values) if rule in SENTENCES else rule
