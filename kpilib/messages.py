"""Sentences of the rulebook (section 10) and of the appeal chain (section 70), in Chinese
and English: one template pair per key, filled with `say(key, lang, **values)`. The words
inside them (rater types, perspectives, grades) come from `kpilib.i18n`.
"""

from __future__ import annotations

from kpilib.i18n import pick

MESSAGES: dict[str, tuple[str, str]] = {
    # rulebook: the scheme in force, one sentence per rule
    "version": ("考核方案版本：{version}。", "Scheme version: {version}."),
    "version.changed": ("注意：上期按{before}评分，本期按{now}评分，平均分的变化部分来自方案调整，见考核规则。",
                        " Note: the previous period was scored with {before}, this one with {now}; "
                        "part of the change in the mean comes from the scheme (see the rules)."),
    "version.name.base": ("基础方案", "the base scheme"),
    "version.name": ("方案版本 {version} ", "scheme version {version}"),
    "source.owner": ("{source}（{owner}）", "{source} ({owner})"),
    "version.base": ("考核方案版本：基础方案（{first} 起的调整之前）。", "Scheme version: the base scheme (before the change from {first})."),
    "composite": ("综合分 = 定量分 × {share} + 定性分；定量分 = Σ 权重 × 达成率，定性分 = Σ 权重 × 评分 ÷ 5（评分 1–5 分）。",
                  "Composite = quantitative × {share} + qualitative; quantitative = Σ weight × attainment, "
                  "qualitative = Σ weight × rating ÷ 5 (ratings 1–5)."),
    "composite.above": ("达成率可超过 100%，故综合分可高于 100（本方案最高 {top}）。",
                        " As attainment may pass 100%, the composite may pass 100 (at most {top} under this scheme)."),
    "attainment.ratio": ("达成率 = 实际值 ÷ 目标值；越低越好的指标为 {lower}；区间型指标在目标 ± 区间内为 100%，偏离两倍区间时为 0。"
                         "达成率{cap}不低于 {floor}。",
                         "Attainment = actual ÷ target; for lower-is-better KPIs {lower}; for band KPIs 100% within "
                         "target ± band, 0 at twice the band. Attainment is{cap} at least {floor}."),
    "attainment.thresholds": ("达成率按 基准值 → 目标值 → 挑战值 分段线性计分：基准值得 {floor}，目标值得 100%，挑战值得上限{cap}。",
                              "Attainment runs piecewise-linearly baseline → target → challenge: {floor} at the "
                              "baseline, 100% at the target, the cap{cap} at the challenge."),
    "lower.ratio": ("目标值 ÷ 实际值", "target ÷ actual"),
    "lower.linear": ("2 − 实际值 ÷ 目标值", "2 − actual ÷ target"),
    "cap": ("最高 {cap}、", " capped at {cap} and"),
    "cap.thresholds": ("（{cap}）", " ({cap})"),
    "raters": ("定性评分 = {parts}；某类评分人缺席时，按在场评分人的权重重新归一。",
               "Rating = {parts}; when a rater type is absent, the weights of those present are rescaled to 100%."),
    "rounding": ("四舍五入（非银行家舍入）：每项得分保留 {line} 位小数，评分 {rating} 位，小计 {subtotal} 位，综合分 {final} 位。",
                 "Rounding half up (never banker's rounding): line scores to {line} decimal(s), ratings {rating}, "
                 "subtotals {subtotal}, composite {final}."),
    "missing.reweight": ("缺少数据的指标不计分，其权重按比例分给有得分的指标（小计 = Σ 得分 × 权重合计 ÷ 有得分的权重）；"
                         "没有任何定性评分时，综合分 = 定量分 × （{share} + 定性权重合计 ÷ 100）。",
                         "A line without data is not scored and its weight is spread over the lines that are "
                         "(subtotal = Σ scores × total weight ÷ weight scored); with no rating at all, composite = "
                         "quantitative × ({share} + qualitative weights ÷ 100)."),
    "missing.zero": ("缺少数据的指标记 0 分。", "A line without data scores 0."),
    "targets.fallback": ("没有个人目标值的指标按指标库的默认目标计分，并在本页和校验报告中列出。",
                         "A KPI without a personal target is scored against the catalogue's default target and "
                         "listed on this page and in the validation report."),
    "targets.required": ("每个指标都必须有个人目标值，缺少时报错，不使用默认目标。",
                         "Every KPI needs a personal target: a missing one is an error, no default is used."),
    "grades": ("等级：{bands}。", "Grades: {bands}."),
    "grade.top": ("{name} ≥ {min}", "{name} ≥ {min}"),
    "grade.band": ("{name} {min}–{below}", "{name} {min}–{below}"),
    "grade.bottom": ("{name} < {below}", "{name} < {below}"),
    "tiers": ("强制分布（{within}内）：{shares}；各档人数按最大余数法分配，余数相同时优先靠近中间的档。",
              "Forced distribution within {within}: {shares}; seats by largest remainder, equal remainders "
              "going to the tier nearest the middle."),
    "tiers.ties": ("综合分相同时依次比较{keys}（高者在前）；仍完全相同者不拆开，整组归入其第一人所在的档。",
                   "Equal composites are ordered by {keys} (higher first); people still equal on every key are "
                   "never split: the whole block takes the tier of its first member."),
    "tiers.guideline": ("不足 {min_group} 人的组照常分档，但强制分布仅作参考。",
                        "A group of fewer than {min_group} people is tiered, the curve only a guideline."),
    "tiers.pool": ("不足 {min_group} 人的组合并后统一分档。", "Groups of fewer than {min_group} people are pooled and tiered together."),
    "within.company": ("全公司", "the whole company"),
    "within.department": ("部门", "each department"),
    "within.team": ("团队", "each team"),
    "within.region": ("区域", "each region"),
    # incentive rules (scheme.yaml incentives), one sentence each
    "rule.bonus": ("奖金：部门排名{bands}；其余综合分 ≥ {min} 者 {multiplier}× 基本奖金，其他人无奖金{gate}。",
                   "Bonus: {bands} of the department by rank; others with a composite ≥ {min} get {multiplier}× "
                   "the base bonus, the rest none{gate}."),
    "rule.bonus.band": ("前 {top} {multiplier}×", "top {top} {multiplier}×"),
    "rule.bonus.gate": ("；{kpi} ≥ {min} 才足额发放", "; paid in full only when {kpi} ≥ {min}"),
    "rule.commission": ("提成：{kpi}的实际值达到目标的 {attainment} 及以上时，按 {multiplier}× 计提。",
                        "Commission: {multiplier}× when the actual of {kpi} reaches {attainment} of its target."),
    "rule.promotion": ("晋升：连续 {months} 个月排名部门前 {top}{gate}，进入晋升评审。",
                       "Promotion: in the department's top {top} for {months} consecutive months{gate}: promotion review."),
    "rule.promotion.gate": ("且{kpi} < {below}", " and {kpi} below {below}"),
    "rule.reserve_pool": ("后备干部：最近 {quarters} 期均评为 {tiers} 档。",
                          "Reserve pool: tier {tiers} in each of the last {quarters} periods."),
    "rule.breakthrough": ("突破：本期{kpi}超过本人历史最高值的 {ratio} 倍。",
                          "Breakthrough: {kpi} this period above {ratio}× the person's previous peak."),
    "rule.watch_list": ("观察：排名部门后 {bottom} 进入观察期；连续 {review_after} 期综合分低于达标线 {line} 进入调岗/退出评审。",
                        "Watch list: the department's bottom {bottom} is put under observation; a composite below the "
                        "meets-target line of {line} for {review_after} consecutive periods leads to a transfer or exit "
                        "review."),
    "rules.none": ("{department}未配置激励规则。", "{department} has no incentive rules."),
    # balanced scorecard
    "perspective.zero": ("{department}的{perspectives}视角权重为 0%：没有计分指标属于该视角。",
                         "{department} gives 0% weight to the {perspectives} perspective(s): no scored KPI covers them."),
    "perspective.basis": ("各视角权重 = 该视角指标在综合分中的权重（定量权重 × {share} + 定性权重）占全部权重的比例。",
                          "A perspective's weight = the weight its KPIs carry in the composite (quantitative weight "
                          "× {share} + qualitative weight) as a share of the total."),
    "monitored": ("监测指标只计算和展示，不计分，也不计入任何小计或综合分。",
                  "Monitored KPIs are computed and shown, never scored, and count in no subtotal or composite."),
    # appeal chain (section 70)
    "chain.reweight": ("{n} 项得分之和 {sum} × 权重合计 {weight} ÷ 有得分的权重 {present} = {value}，保留 {digits} 位小数",
                       "sum of {n} line scores {sum} × total weight {weight} ÷ weight scored {present} = {value}, "
                       "to {digits} decimal(s)"),
    "chain.round": ("{n} 项得分之和 {sum}，保留 {digits} 位小数", "sum of {n} line scores {sum}, to {digits} decimal(s)"),
    "chain.none": ("无得分", "no score"),
    "chain.weighted": ("{quantitative} × {share}（此步不舍入）", "{quantitative} × {share} (not rounded)"),
    "chain.composite": ("{weighted} + {qualitative} = {total}，保留 {digits} 位小数", "{weighted} + {qualitative} = {total}, "
                        "to {digits} decimal(s)"),
    "chain.composite.reweighted": ("无定性评分：{quantitative} × （{share} + {weight} ÷ 100）= {total}，保留 {digits} 位小数",
                                   "no rating: {quantitative} × ({share} + {weight} ÷ 100) = {total}, to {digits} decimal(s)"),
    "details.intro": ("每人一张卡片：每行一个指标，实际值由公式和输入数据计算，目标值注明来源，并列出数据来源、核实部门和备注；"
                      "得分 = 权重 × 达成率（定量）或 权重 × 评分 ÷ 5（定性）。卡片下方逐步列出定量分、乘以占比、定性分到综合分的计算，"
                      "以及每个定性项的评分标准和各评分人的分数与评语。",
                      "One card per person: one line per KPI, the actual computed from the formula and its inputs, the "
                      "target with its source, the data source, the department that verifies it and any remark; line "
                      "score = weight × attainment (quantitative) or weight × rating ÷ 5 (qualitative). Under the lines, "
                      "the composite step by step (quantitative subtotal, × share, qualitative subtotal, composite) and, "
                      "per rated criterion, its rubric and each rater's score and note."),
    "details.parts": ("本部门 {people} 人的评分明细按团队分为 {parts} 个部分，每部分一页，由完整的团队组成；点击部分编号查看。",
                      "The score details of the department's {people} people come in {parts} parts, one page each, "
                      "each made of whole teams; open a part by its number."),
    "details.part": ("第 {part} 部分（共 {parts} 部分）：团队 {teams}，{people} 人。",
                     "Part {part} of {parts}: teams {teams}, {people} people."),
    "details.back": ("返回全部部分", "Back to all parts"),
    "table.first_rows": ("仅显示前 {shown} 行（共 {total} 行）；全部人员的数据见评分表：",
                         "The first {shown} of {total} rows; every person's figures are in the scoring sheet:"),
    "formula.rating": ("Σ 评分人权重 × 分数 ÷ Σ 评分人权重", "Σ rater weight × score ÷ Σ rater weight"),
    "inputs.raters": ("（{n} 人）", " ({n} raters)"),
    "inputs.unweighted": ("（权重 0）", " (weight 0)"),
    "rubric.none": ("指标库未写评分标准", "no rubric in the catalogue"),
}


def say(key: str, lang: str, **values: object) -> str:
    """The sentence `key` in `lang` ("zh" or "en"), its {placeholders} filled from `values`."""
    return pick(MESSAGES[key], lang).format(**values)
