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


def _say(wb: Workbench, key: str, **values) -> str:
    """The catalogue's sentence `narrate.<key>` (kpilib/messages.yaml) in the page's language."""
    return sentence(f"narrate.{key}", wb.lang, **values)


def _joined(wb: Workbench, separator: str, parts) -> str:
    """`parts` joined with the catalogue's separator `separator` (list, names, groups, and) of the page's language."""
    return sentence(separator, wb.lang).join(parts)


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
    change = "" if pd.isna(before) else _say(wb, "overview.change", before=_score(before), delta=_score(mean - before, "+"))
    return _say(wb, "overview", name=name, period=wb.span.label, n=n, mean=_score(mean), change=change, top=top,
                top_n=int(grades.get(top, 0)), low=low, low_n=int(grades.get(low, 0))) + scheme_changed(wb)


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
        return _say(wb, "concentration.none", department=wb.department_name())
    row = table.sort_values("top_share", ascending=False).iloc[0]
    return _say(wb, "concentration", department=row["department"], measure=row["measure"], share=row["top_share"],
                gini=row["gini"])


def group_profile(wb: Workbench, profile: pd.DataFrame) -> str:
    """The KPI where the bottom 20% trail the top 20% most (sections.group_profile)."""
    if profile.empty or not {"top 20%", "bottom 20%"} <= set(profile.columns):
        return ""
    gap = profile["top 20%"] - profile["bottom 20%"]
    if gap.isna().all():  # every group too small to show (privacy.min_cell)
        return ""
    row = profile.loc[gap.idxmax()]
    return _say(wb, "group_profile", kpi=row["kpi_name"], top=row["top 20%"], bottom=row["bottom 20%"])


def regions(wb: Workbench, overall: pd.DataFrame) -> str:
    """The Kruskal–Wallis verdict on regional differences; one sentence saying why there is
    none when fewer than 2 regions have REGION_LEAST people (a test of one group is no test)."""
    if overall.empty or pd.isna(overall["p_val"].iloc[0]):
        return sentence("regions.untested", wb.lang, least=REGION_LEAST)
    r = overall.iloc[0]
    verdict = _say(wb, "regions.differ" if r["p_val"] < 0.05 else "regions.same")
    return _say(wb, "regions", verdict=verdict, H=r["H"], p=r["p_val"], epsilon=r["epsilon_sq"])


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
    top = [_say(wb, "leader", who=w, score=_score(s)) for w, s in zip(who.head(k), score.head(k), strict=True)]
    return _say(wb, "leaders", names=_joined(wb, "names", top))


def trends(wb: Workbench, table: pd.DataFrame, mobility: pd.DataFrame) -> str:
    """How many people trend up or down, and how mobile the tiers were (sections.tier_mobility)."""
    if len(wb.periods) < trends_module.MIN_PERIODS:
        return _say(wb, "trends.short", n=len(wb.periods), need=trends_module.MIN_PERIODS)
    count = (table.groupby("trend")["people"].sum() if wb.company and len(table)
             else table["trend"].value_counts() if len(table) else pd.Series(dtype=int))
    up, down = int(count.get("increasing", 0)), int(count.get("decreasing", 0))
    mobility = mobility["shorrocks"].iloc[0] if len(mobility) and pd.notna(mobility["shorrocks"].iloc[0]) else None
    extra = "" if mobility is None else _say(wb, "trends.mobility", mobility=mobility)
    return _say(wb, "trends", up=up, down=down, extra=extra)


def _fixed(value: float, digits: int, sign: str = "") -> str:
    """A number to `digits` decimals, half up as Excel (the tables round the same way)."""
    return f"{round_half_up_scalar(value, digits):{sign}.{digits}f}"


def raters(wb: Workbench, table: pd.DataFrame, basis: pd.DataFrame, not_judged: pd.DataFrame) -> str:
    """How supervisors were compared, the flag rule with its threshold, who is flagged
    (with the interval), who could not be judged and why, and ratings without a rater id
    (sections.rater_table, sections.rater_basis, sections.raters_not_judged)."""
    b = basis.iloc[0]
    threshold, level = _fixed(b["flag_threshold"], DECIMALS), f"{b['interval_level']:.0%}"
    unknown = int(b["unknown_ratings"])
    missing = _say(wb, "raters.unknown", n=unknown) if unknown else ""
    if table.empty and not (wb.company and b["judged"]):  # a company page counts raters of departments too small to show
        if not b["raters"]:
            reason = _say(wb, "raters.none")
        elif b["no_comparison"] and not b["too_few"]:
            reason = _say(wb, "raters.no_comparison")
        else:
            reason = _say(wb, "raters.too_few", n=MIN_RATEES)
        return reason + _say(wb, "raters.not_judged") + missing
    rule = _say(wb, "raters.rule", level=level, threshold=threshold)
    if wb.company:
        found = _say(wb, "raters.flagged_count", n=int(b["flagged"]))
        few, alone = int(b["too_few"]), int(b["no_comparison"])
        reasons = [_say(wb, key, n=n) for key, n in (("raters.few", few), ("raters.alone", alone)) if n]
        skipped = _say(wb, "raters.skipped_count", reasons=_joined(wb, "and", reasons)) if reasons else ""
        return rule + found + skipped + missing
    flagged = table[table["flag"] != ""]
    parts = [_say(wb, "raters.flagged_one", name=r.rater_name, flag=word(r.flag, wb.lang),
                  leniency=_fixed(r.leniency, DECIMALS, "+"), low=_fixed(r.ci_low, DECIMALS, "+"),
                  high=_fixed(r.ci_high, DECIMALS, "+")) for r in flagged.itertuples()]
    found = _say(wb, "raters.flagged", names=_joined(wb, "list", parts)) if parts else _say(wb, "raters.nobody")
    left = [_say(wb, "raters.left_one", name=r.rater_name, reason=word(r.reason, wb.lang)) for r in not_judged.itertuples()]
    skipped = _say(wb, "raters.left", names=_joined(wb, "list", left)) if left else ""
    return rule + found + skipped + missing


def incentives(wb: Workbench, counts: pd.DataFrame) -> str:
    """How many people each rule selects (sections.incentive_counts: only people who receive
    something or are put on the watch list), and which departments have no incentive rules
    configured."""
    counts = dict(zip(counts["rule"], counts["selected"], strict=True))
    missing = unconfigured(wb)
    said = _joined(wb, "groups", (_say(wb, "incentives.count", rule=label(r, wb.lang), n=n) for r, n in counts.items()))
    none = _say(wb, "incentives.unconfigured", departments=_joined(wb, "names", missing)) if missing else ""
    return _joined(wb, "between sentences", (t for t in (_say(wb, "incentives", counts=said) if said else "", none) if t))


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
        return _say(wb, "unavailable.history", need=need, have=have, periods=_joined(wb, "names", wb.periods))
    if kind == "previous":
        return _say(wb, "unavailable.previous", period=wb.span.label)
    if kind == "people":
        return _say(wb, "unavailable.people", department=wb.department_name())
    return _say(wb, "unavailable.rows")


def coaching_basis(wb: Workbench, table: pd.DataFrame) -> str:
    """What the coaching list is based on."""
    return _say(wb, "coaching", n=len(table))


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
    parts = ([_say(wb, "grade_vs_tier.top", n=top_low, grade=grades[0], tiers="/".join(sorted(low_tiers)))] if top_low
             else []) + ([_say(wb, "grade_vs_tier.bottom", n=bottom_high, grade=grades[-1],
                               tiers="/".join(sorted(high_tiers)))] if bottom_high else [])
    return _say(wb, "grade_vs_tier", parts=_joined(wb, "groups", parts), shares=shares)


def borrowed_targets(wb: Workbench, table: pd.DataFrame) -> str:
    """A warning banner when KPIs were scored against the catalogue's default targets."""
    if table.empty:
        return ""
    if wb.company:
        counts = table.groupby("department", sort=False)["kpi_name"].size()
        where = _joined(wb, "list", (_say(wb, "borrowed.department", department=d, n=n) for d, n in counts.items()))
        return _say(wb, "borrowed.company", where=where)
    return _say(wb, "borrowed", kpis=len(table), people=int(table["people"].max()),
                names=_joined(wb, "names", table["kpi_name"]))


def small_groups(wb: Workbench) -> str:
    """Company pages: the privacy rule (scheme `privacy.min_cell`, sections.common.shown), said
    once, with the departments it leaves out this period; nothing on a department's pages."""
    if not wb.company:
        return ""
    least = wb.config.scheme.privacy.min_cell
    size = wb.sheet()["department"].value_counts()
    small = [wb.department_name(d) for d in wb.config.scheme.departments if 0 < size.get(d, 0) < least]
    left = _say(wb, "small_groups.left", names=_joined(wb, "names", small)) if small else ""
    return _say(wb, "small_groups", least=least, left=left)


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
    keys = [word(f"tie.{k}", wb.lang) for k in wb.config.scheme.scoring.tiers.tie_break if k in wb.history.columns]
    return sentence("ties", wb.lang, n=n, keys=_joined(wb, "then", keys) or label("rank", wb.lang))


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
