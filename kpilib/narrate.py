"""Sentences computed from the section tables, in Chinese or English: the "explain in a
sentence" of each notebook cell. Each takes the workbench and the table it speaks of.
"""

from __future__ import annotations

import pandas as pd

from kpilib import trends as trends_module
from kpilib.i18n import label, sentence, word
from kpilib.messages import say
from kpilib.ratings import DECIMALS, MIN_RATEES
from kpilib.rounding import round_half_up_scalar
from kpilib.sections.followup import short_history, standard_lines
from kpilib.sections.incentives import unconfigured
from kpilib.sections.performance import REGION_LEAST
from kpilib.uncertainty import RESAMPLES, UNCLEAR
from kpilib.versions import DEFAULT, in_force
from kpilib.workbench import Workbench


def _zh(wb: Workbench) -> bool:
    return wb.lang == "zh"


def _score(value: float, sign: str = "") -> str:
    """A score or a mean of scores to one decimal, half up as Excel (the tables do the same)."""
    return f"{round_half_up_scalar(value, 1):{sign}.1f}"


def overview(wb: Workbench, headline: pd.DataFrame) -> str:
    """Who was scored, the mean composite and its change, the best and the lowest grade."""
    sheet = wb.sheet()
    n, mean = len(sheet), sheet["composite"].mean()
    before = wb.sheet(wb.previous)["composite"].mean() if wb.previous else float("nan")
    grades = sheet["grade"].value_counts()
    order = [g(wb.lang) for g in wb.config.scheme.scoring.grades]
    top, low = order[0], order[-1]
    name = wb.department_name()
    if _zh(wb):
        change = "" if pd.isna(before) else f"（上期 {_score(before)}，{_score(mean - before, '+')}）"
        return (f"**{name}** {wb.span.label} 共 {n} 人参与考核，平均综合分 {_score(mean)}{change}；"
                f"{top} {int(grades.get(top, 0))} 人，{low} {int(grades.get(low, 0))} 人。") + scheme_changed(wb)
    change = "" if pd.isna(before) else f" (last period {_score(before)}, {_score(mean - before, '+')})"
    return (f"**{name}**, {wb.span.label}: {n} people scored, mean composite {_score(mean)}{change}; "
            f"{int(grades.get(top, 0))} rated {top}, {int(grades.get(low, 0))} rated {low}.") + scheme_changed(wb)


def scheme_changed(wb: Workbench) -> str:
    """A sentence when the previous period was scored with another scheme version (its change
    in the mean is partly the scheme's), else ""."""
    if not wb.previous:
        return ""
    before = in_force(wb.config, wb.previous).version
    if before == wb.config.version:
        return ""
    def named(version: str) -> str:
        return say("version.name.base", wb.lang) if version == DEFAULT else say("version.name", wb.lang, version=version)
    return say("version.changed", wb.lang, before=named(before), now=named(wb.config.version))


def concentration(wb: Workbench, table: pd.DataFrame) -> str:
    """The most concentrated outcome, or why there is none to show."""
    if table.empty:
        if _zh(wb):
            return ("业绩集中度只对可加总的结果指标计算（指标目录中标为结果指标的，如销售额、新客户数）；"
                    f"{wb.department_name()}没有这样的指标，或人数少于 5 人，故不计算。")
        return ("Concentration is computed only for additive outcome KPIs (marked `outcome` in the catalogue, "
                f"such as sales or new customers); {wb.department_name()} has none, or fewer than 5 people, "
                "so it is not shown.")
    row = table.sort_values("top_share", ascending=False).iloc[0]
    if _zh(wb):
        return (f"{row['department']}前20%的员工贡献了{row['measure']}的 {row['top_share']:.1%}"
                f"（基尼系数 {row['gini']:.2f}）。")
    return (f"In {row['department']} the top 20% of people deliver {row['top_share']:.1%} of "
            f"{row['measure']} (Gini {row['gini']:.2f}).")


def group_profile(wb: Workbench, profile: pd.DataFrame) -> str:
    """The KPI where the bottom 20% trail the top 20% most (sections.group_profile)."""
    if profile.empty or not {"top 20%", "bottom 20%"} <= set(profile.columns):
        return ""
    gap = profile["top 20%"] - profile["bottom 20%"]
    if gap.isna().all():  # every group too small to show (privacy.min_cell)
        return ""
    row = profile.loc[gap.idxmax()]
    if _zh(wb):
        return (f"前20%与后20%差距最大的指标是{row['kpi_name']}：平均达成率 {row['top 20%']:.0%} 对 "
                f"{row['bottom 20%']:.0%}。")
    return (f"The top and bottom 20% differ most on {row['kpi_name']}: mean attainment {row['top 20%']:.0%} "
            f"against {row['bottom 20%']:.0%}.")


def regions(wb: Workbench, overall: pd.DataFrame) -> str:
    """The Kruskal–Wallis verdict on regional differences; one sentence saying why there is
    none when fewer than 2 regions have REGION_LEAST people (a test of one group is no test)."""
    if overall.empty or pd.isna(overall["p_val"].iloc[0]):
        return sentence("regions.untested", wb.lang, least=REGION_LEAST)
    r = overall.iloc[0]
    differ = r["p_val"] < 0.05
    if _zh(wb):
        verdict = "存在显著差异" if differ else "无显著差异"
        return f"各区域综合分{verdict}（Kruskal–Wallis H = {r['H']:.1f}，p = {r['p_val']:.3f}，ε² = {r['epsilon_sq']:.2f}）。"
    verdict = "differ significantly" if differ else "do not differ significantly"
    return f"Regions {verdict} (Kruskal–Wallis H = {r['H']:.1f}, p = {r['p_val']:.3f}, ε² = {r['epsilon_sq']:.2f})."


def new_hires(wb: Workbench, ramp: pd.DataFrame) -> str:
    """New hires' first and third month relative to their team (the table of
    stats.new_hire_ramp, as it shows them: percent to one decimal)."""
    months = ramp.set_index("tenure_month")["mean_ratio"] if len(ramp) else pd.Series(dtype=float)
    if not {1, 3} <= set(months.dropna().index):
        return ""
    first, third = (f"{round_half_up_scalar(100 * months[m], 1):.1f}%" for m in (1, 3))
    return sentence("new hires", wb.lang, first=first, third=third)


def leaders(wb: Workbench, table: pd.DataFrame, k: int = 3) -> str:
    """The first `k` of the ranking (people for a department, departments for the company)."""
    if table.empty:
        return ""
    who = table["department"] if wb.company else table["name"]
    score = table["mean"] if wb.company else table["composite"]
    top = [f"{w}（{_score(s)}）" if _zh(wb) else f"{w} ({_score(s)})" for w, s in zip(who.head(k), score.head(k), strict=True)]
    return ("排名前列：" + "、".join(top) + "。") if _zh(wb) else ("Leading: " + ", ".join(top) + ".")


def trends(wb: Workbench, table: pd.DataFrame, mobility: pd.DataFrame) -> str:
    """How many people trend up or down, and how mobile the tiers were (sections.tier_mobility)."""
    if len(wb.periods) < trends_module.MIN_PERIODS:
        n = len(wb.periods)
        if _zh(wb):
            return f"只有 {n} 期数据，趋势检验至少需要 {trends_module.MIN_PERIODS} 期。"
        return f"Only {n} period(s) of data; trend tests need at least {trends_module.MIN_PERIODS}."
    count = (table.groupby("trend")["people"].sum() if wb.company and len(table)
             else table["trend"].value_counts() if len(table) else pd.Series(dtype=int))
    up, down = int(count.get("increasing", 0)), int(count.get("decreasing", 0))
    mobility = mobility["shorrocks"].iloc[0] if len(mobility) and pd.notna(mobility["shorrocks"].iloc[0]) else None
    if _zh(wb):
        extra = "" if mobility is None else f"；分级流动性（Shorrocks）{mobility:.2f}"
        return f"{up} 人综合分呈显著上升趋势，{down} 人显著下降（Mann–Kendall，α = 0.05）{extra}。"
    extra = "" if mobility is None else f"; tier mobility (Shorrocks) {mobility:.2f}"
    return f"{up} people trend significantly up and {down} down (Mann–Kendall, α = 0.05){extra}."


def _fixed(value: float, digits: int, sign: str = "") -> str:
    """A number to `digits` decimals, half up as Excel (the tables round the same way)."""
    return f"{round_half_up_scalar(value, digits):{sign}.{digits}f}"


def raters(wb: Workbench, table: pd.DataFrame, basis: pd.DataFrame, not_judged: pd.DataFrame) -> str:
    """How supervisors were compared, the flag rule with its threshold, who is flagged
    (with the interval), who could not be judged and why, and ratings without a rater id
    (sections.rater_table, sections.rater_basis, sections.raters_not_judged)."""
    zh, b = _zh(wb), basis.iloc[0]
    threshold, level = _fixed(b["flag_threshold"], DECIMALS), f"{b['interval_level']:.0%}"
    unknown = int(b["unknown_ratings"])
    missing = (f"另有 {unknown} 条上级评分未填评分人，未计入。" if zh else
               f" {unknown} supervisor ratings without a rater id are left out.") if unknown else ""
    if table.empty and not (wb.company and b["judged"]):  # a company page counts raters of departments too small to show
        if not b["raters"]:
            reason = "没有上级评分人，" if zh else "There are no supervisor ratings here, "
        elif b["no_comparison"] and not b["too_few"]:
            reason = "没有其他上级评过可比的人，" if zh else "No other supervisor rated comparable people, "
        else:
            reason = (f"评分太少（每位上级至少需要 {MIN_RATEES} 位被评人），" if zh else
                      f"There are too few ratings (at least {MIN_RATEES} ratees per supervisor are needed), ")
        return reason + ("未做宽严判定。" if zh else "so no leniency is judged.") + missing
    if zh:
        rule = (f"每位上级与全公司其他上级对同一考核项、同期、定量得分相近者的评分相比（自评不作参照）；"
                f"{level} 区间不含 0 且偏差绝对值 ≥ {threshold} 分者判为偏宽或偏严。")
    else:
        rule = (f"Each supervisor is compared with the other supervisors' ratings, on the same criterion and period, "
                f"of people with a similar quantitative score (never with self-ratings); flagged lenient or severe "
                f"when the {level} interval excludes 0 and the leniency is at least {threshold} points either way.")
    if wb.company:
        n = int(b["flagged"])
        found = f"共 {n} 位被标记。" if zh else f" {n} are flagged."
        few, alone = int(b["too_few"]), int(b["no_comparison"])
        reasons = [text for n, text in ((few, f"{few} 位评分太少" if zh else f"{few} with too few ratings"),
                                        (alone, f"{alone} 位无可比者" if zh else f"{alone} with no one to compare with"))
                   if n]
        skipped = (("、".join(reasons) + "，未判定。") if zh else (" " + " and ".join(reasons) + " are not judged.")
                   ) if reasons else ""
        return rule + found + skipped + missing
    flagged = table[table["flag"] != ""]
    parts = [f"{r.rater_name}（{word(r.flag, 'zh')}，{_fixed(r.leniency, DECIMALS, '+')}，区间 "
             f"{_fixed(r.ci_low, DECIMALS, '+')} 至 {_fixed(r.ci_high, DECIMALS, '+')}）" if zh else
             f"{r.rater_name} ({r.flag}, {_fixed(r.leniency, DECIMALS, '+')}, interval "
             f"{_fixed(r.ci_low, DECIMALS, '+')} to {_fixed(r.ci_high, DECIMALS, '+')})" for r in flagged.itertuples()]
    found = (("被标记：" + "、".join(parts) + "。") if zh else (" Flagged: " + "; ".join(parts) + ".")) if parts else (
        "无人被标记。" if zh else " No one is flagged.")
    left = [f"{r.rater_name}（{word(r.reason, 'zh')}）" if zh else f"{r.rater_name} ({word(r.reason, 'en')})"
            for r in not_judged.itertuples()]
    skipped = (("未判定：" + "、".join(left) + "。") if zh else (" Not judged: " + "; ".join(left) + ".")) if left else ""
    return rule + found + skipped + missing


def incentives(wb: Workbench, counts: pd.DataFrame) -> str:
    """How many people each rule selects (sections.incentive_counts: only people who receive
    something or are put on the watch list), and which departments have no incentive rules
    configured."""
    counts = dict(zip(counts["rule"], counts["selected"], strict=True))
    missing = unconfigured(wb)
    if _zh(wb):
        said = "；".join(f"{label(r, 'zh')} {n} 人" for r, n in counts.items())
        none = f"{'、'.join(missing)}未配置激励规则（scheme.yaml incentives），不产生激励结果。" if missing else ""
        return (said + "。" if said else "") + none
    said = "; ".join(f"{label(r, 'en')}: {n}" for r, n in counts.items())
    none = (f"No incentive rules are configured for {', '.join(missing)} (scheme.yaml incentives); "
            "no incentive outcomes are given." if missing else "")
    return " ".join(t for t in (said + "." if said else "", none) if t)


def actions(wb: Workbench, table: pd.DataFrame) -> str:
    """How many people each follow-up action names (`table`: sections.follow_up_actions)
    and what "below standard" means here: the meets-target line, not a rank."""
    lang = wb.lang
    configured = wb.config.scheme.actions.configured()
    if not configured:
        return sentence("actions none configured", lang)
    counts = table["action"].value_counts()
    said = sentence("list", lang).join(sentence("action count", lang, action=word(a, lang), n=int(counts[a]))
                                       for a in configured if a in counts)
    lines = {d: sentence("line from bonus" if ln.source.startswith("incentives.") else "line from grades", lang,
                         value=f"{ln.value:g}") for d, ln in standard_lines(wb).items()}
    groups: dict[str, list[str]] = {}
    for dept, text in lines.items():
        groups.setdefault(text, []).append(dept)
    shown = (next(iter(groups)) if len(groups) == 1 else
             sentence("groups", lang).join(f"{sentence('names', lang).join(d)} {t}" for t, d in groups.items()))
    head = sentence("actions counted", lang, counts=said) if said else sentence("actions nobody", lang)
    short = [sentence(f"too short {unit}", lang, action=label(a, lang), need=need, have=have)
             for a, need, have, unit in short_history(wb)]
    parts = [head, sentence("actions line", lang, lines=shown)]
    parts += [sentence("actions not yet", lang, reasons=sentence("groups", lang).join(short))] if short else []
    return sentence("between sentences", lang).join(parts)


def unavailable(wb: Workbench, topic: str) -> str:
    """Why a table has no rows, in one sentence: `topic` is what the table needs
    ("history" with the periods it needs as "history:3", "previous", "people", "rows")."""
    kind, _, need = topic.partition(":")
    have = len(wb.periods)
    if kind == "history":
        if _zh(wb):
            return f"需要至少 {need} 个考核期的数据，目前只有 {have} 个（{'、'.join(wb.periods)}），本表暂不计算。"
        return f"This needs at least {need} periods of history; there are {have} ({', '.join(wb.periods)}), so it is not shown yet."
    if kind == "previous":
        if _zh(wb):
            return f"没有上一期（{wb.span.label} 之前）的考核结果，无法比较。"
        return f"There is no earlier period than {wb.span.label} to compare with."
    if kind == "people":
        if _zh(wb):
            return f"{wb.department_name()}的人数或评分人太少（至少需要 3 位上级各评多人），无法可靠地区分评分人与被评人的差异。"
        return (f"{wb.department_name()} has too few people or raters (at least 3 supervisors rating several people "
                "each) to separate raters from ratees reliably.")
    if _zh(wb):
        return "本期没有符合条件的人员。"
    return "No one meets the condition this period."


def coaching_basis(wb: Workbench, table: pd.DataFrame) -> str:
    """What the coaching list is based on."""
    if _zh(wb):
        return (f"名单为本部门综合分排名后 20% 的 {len(table)} 人；每人列出达成率低于部门平均最多的指标"
                "（括号内为部门平均达成率）。")
    return (f"The list holds the {len(table)} people in the bottom 20% of the department by composite rank; each "
            "with the KPIs where their attainment trails the department mean most (the mean in brackets).")


def grade_vs_tier(wb: Workbench) -> str:
    """Where a person's grade (absolute bands) and tier (forced distribution) disagree, why."""
    sheet = wb.sheet()
    grades = [g(wb.lang) for g in wb.config.scheme.scoring.grades]
    tiers = list(wb.config.scheme.scoring.tiers.shares)
    low_tiers, high_tiers = set(tiers[len(tiers) // 2 + 1:]), set(tiers[:len(tiers) // 2])
    top_low = int(((sheet["grade"] == grades[0]) & sheet["tier"].isin(low_tiers)).sum())
    bottom_high = int(((sheet["grade"] == grades[-1]) & sheet["tier"].isin(high_tiers)).sum())
    if not top_low and not bottom_high:
        return ""
    shares = "/".join(f"{t} {v:.0%}" for t, v in wb.config.scheme.scoring.tiers.shares.items())
    if _zh(wb):
        parts = ([f"{top_low} 人等级为{grades[0]}却在 {'/'.join(sorted(low_tiers))} 档"] if top_low else []) + \
                ([f"{bottom_high} 人等级为{grades[-1]}却在 {'/'.join(sorted(high_tiers))} 档"] if bottom_high else [])
        return (f"{'；'.join(parts)}：等级按综合分的绝对分数线划分，档位则是部门内的强制分布（{shares}），"
                "两者衡量的是不同的东西，同一部门多数人得分很高（或很低）时就会出现这种情况。")
    parts = ([f"{top_low} people graded {grades[0]} are in tier {'/'.join(sorted(low_tiers))}"] if top_low else []) + \
            ([f"{bottom_high} graded {grades[-1]} are in tier {'/'.join(sorted(high_tiers))}"] if bottom_high else [])
    return (f"{'; '.join(parts)}: grades are absolute bands of the composite, tiers a forced distribution within the "
            f"department ({shares}); they measure different things and part ways when most of a department scores "
            "high (or low).")


def borrowed_targets(wb: Workbench, table: pd.DataFrame) -> str:
    """A warning banner when KPIs were scored against the catalogue's default targets."""
    if table.empty:
        return ""
    if wb.company:
        counts = table.groupby("department", sort=False)["kpi_name"].size()
        if _zh(wb):
            where = "、".join(f"{d} {n} 个指标" for d, n in counts.items())
            return (f"⚠ 目标值提示：{where}有人员没有自己的目标值，按指标目录的默认目标计分；明细见各部门的概览页。")
        where = "; ".join(f"{d}: {n} KPI(s)" for d, n in counts.items())
        return (f"⚠ Targets: people without a target of their own were scored against the catalogue's default "
                f"target ({where}); each department's overview lists them.")
    kpis = len(table)
    people = int(table["people"].max())
    names = "、".join(table["kpi_name"]) if _zh(wb) else ", ".join(table["kpi_name"])
    if _zh(wb):
        return (f"⚠ 目标值提示：{kpis} 个指标有人员没有自己的目标值（最多 {people} 人），按指标目录的默认目标计分："
                f"{names}。请在目标表中补充个人目标；如需强制，可在考核方案中要求每人都有个人目标。")
    return (f"⚠ Targets: {kpis} KPI(s) were scored against the catalogue's default target for people without a "
            f"target of their own (up to {people} people): {names}. Add personal targets, or set "
            "`scoring.targets: required` in the scheme.")


def small_groups(wb: Workbench) -> str:
    """Company pages: the privacy rule (scheme `privacy.min_cell`, sections.common.shown), said
    once, with the departments it leaves out this period; nothing on a department's pages."""
    if not wb.company:
        return ""
    least = wb.config.scheme.privacy.min_cell
    size = wb.sheet()["department"].value_counts()
    small = [wb.department_name(d) for d in wb.config.scheme.departments if 0 < size.get(d, 0) < least]
    if _zh(wb):
        left = f"本期未单独显示的部门：{'、'.join(small)}。" if small else ""
        return f"为保护个人信息，全公司页面不显示人数少于 {least} 人的组（部门、区域、指标等）的数字。{left}"
    left = f" Departments not shown separately this period: {', '.join(small)}." if small else ""
    return (f"To protect individuals, company pages leave out every group (department, region, KPI...) of "
            f"fewer than {least} people.{left}")


def restated(wb: Workbench, rows: pd.DataFrame, outcomes: tuple[str, ...]) -> str:
    """The changes page (kpilib.pack.restate): how many people's outcomes changed since the
    last build of the period, or that none did. `rows`: changes.csv (employee_id, field, ...)."""
    changed = rows[rows["field"].isin(outcomes)]
    people = changed["employee_id"].nunique()
    if not people:
        return sentence("restated_none", wb.lang, period=wb.span.label)
    return sentence("restated", wb.lang, period=wb.span.label, people=people, count=len(changed))


def unclear_tiers(wb: Workbench, table: pd.DataFrame) -> str:
    """Why some tiers are marked not clear (kpilib.uncertainty), with how many are marked in
    `table` (a `tier_unclear` flag per person, or `unclear_tiers` counts per department)."""
    column = "unclear_tiers" if "unclear_tiers" in table else "tier_unclear"
    if table.empty or column not in table:
        return ""
    if wb.sheet()["tier_probability"].isna().all():
        return sentence("uncertainty unknown", wb.lang)
    n = int(table[column].sum())
    return sentence("unclear tiers", wb.lang, resamples=RESAMPLES, unclear=UNCLEAR, n=n)


def _ties(wb: Workbench, n: int) -> str:
    """The tie rule of the rankings: the scheme's `tiers.tie_break` keys, then a shared rank."""
    keys = [label(k, wb.lang).lower() for k in wb.config.scheme.scoring.tiers.tie_break if k in wb.history.columns]
    return sentence("ties", wb.lang, n=n, keys=("、" if _zh(wb) else ", then ").join(keys) or label("rank", wb.lang))


def ranking_rule(wb: Workbench, key: str, n: int = 10) -> str:
    """The rule of a ranking of section 30 in one sentence (i18n.RULES): "outcome_top",
    "criterion_top" (company pages: department means), "region_shares", "team_attainment",
    "team_units"."""
    if key == "criterion_top" and wb.company:
        key = "criterion_company"
    group = label("department" if wb.company else "team", wb.lang).lower()
    scope = word("scope_company" if wb.company else "scope_department", wb.lang)
    return sentence(key, wb.lang, n=n, ties=_ties(wb, n), group=group, scope=scope)


def growth_rule(wb: Workbench, against: str, n: int = 10) -> str:
    """How growth on the previous period (`against` "previous") or a year before ("year") is
    ranked, or that the history does not hold that period (Retail has two quarters)."""
    from kpilib.sections.rankings import earlier_period

    earlier, comparison = earlier_period(wb, against), word(f"growth_{against}", wb.lang)
    if earlier not in wb.periods:
        return sentence("growth_missing", wb.lang, earlier=earlier, first=wb.periods[0], last=wb.periods[-1],
                        comparison=comparison)
    key = "growth_departments" if wb.company else "growth_people"
    return sentence(key, wb.lang, earlier=earlier, comparison=comparison, n=n, ties=_ties(wb, n))


def growth_gaps(wb: Workbench) -> str:
    """Which growth comparisons the history cannot give (e.g. no year before: Retail has two
    quarters), when the scope has outcome measures; "" otherwise."""
    from kpilib.sections.rankings import earlier_period, outcome_kpis

    if not outcome_kpis(wb):
        return ""
    return " ".join(growth_rule(wb, against) for against in ("previous", "year")
                    if earlier_period(wb, against) not in wb.periods)
