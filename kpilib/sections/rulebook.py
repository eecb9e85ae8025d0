"""Section 10's rulebook (考核规则): the whole scheme in force for the period, read from the
workbench's `config` (the Config in force for the report's period), one sentence per rule
in the report's language (kpilib.messages), so that a reader can check every number.

- `rule_sentences`: composite split, attainment, rater weights, rounding, missing data, targets,
  grade bands, tier shares with the tie rule and the small-group rule, scheme version;
- `incentive_rules`: each configured incentive rule of each department with its thresholds;
- `perspective_weights`: the balanced-scorecard weight of each perspective per department,
  and `perspective_notes` where a perspective has 0%;
- `monitored_kpis`: the KPIs computed and shown but never scored.
"""

from __future__ import annotations

import pandas as pd

from kpilib.config import Incentives
from kpilib.i18n import word
from kpilib.messages import say
from kpilib.rounding import round_half_up_scalar
from kpilib.sections.common import in_unit, shown, with_names, written
from kpilib.standard import meets_target_line
from kpilib.versions import DEFAULT
from kpilib.workbench import Workbench

PERSPECTIVES = ("financial", "customer", "process", "learning")


def _percent(value: float) -> str:
    """A share as people write it: 70%, 12.5%."""
    return in_unit(value, "percent")


def _list(items: list[str], lang: str) -> str:
    return word("list separator", lang).join(items)


def rule_sentences(wb: Workbench) -> pd.DataFrame:
    """The scheme's rules (topic, rule_text), one row per rule, in the report's language;
    the scheme version first when the scheme has versions (`Config.version`)."""
    scoring, lang = wb.config.scheme.scoring, wb.lang
    share = _percent(scoring.quantitative_share)
    att = scoring.attainment
    cap = _percent(att.cap) if att.cap else ""
    if att.method == "thresholds":
        attainment = say("attainment.thresholds", lang, floor=_percent(att.floor),
                         cap=say("cap.thresholds", lang, cap=cap) if cap else "")
    else:
        attainment = say("attainment.ratio", lang, lower=say(f"lower.{att.lower}", lang), floor=_percent(att.floor),
                         cap=say("cap", lang, cap=cap) if cap else "")
    raters = " + ".join(f"{word(t, lang)} × {_percent(w)}" for t, w in scoring.raters.items() if w > 0)
    r = scoring.rounding
    tiers = scoring.tiers
    shares = _list([f"{t} {_percent(s)}" for t, s in tiers.shares.items()], lang)
    keys = _list([word(f"tie.{k}", lang) for k in tiers.tie_break], lang)
    rows = [("version", _version(wb))] if wb.config.version != DEFAULT or wb.config.version_starts else []
    rows += [
        ("composite", say("composite", lang, share=share) + _above_100(wb)),
        ("attainment", attainment),
        ("raters", say("raters", lang, parts=raters)),
        ("rounding", say("rounding", lang, line=r.line, rating=r.rating, subtotal=r.subtotal, final=r.final)),
        ("missing", say(f"missing.{scoring.missing}", lang, share=share)),
        ("targets", say(f"targets.{scoring.targets}", lang)),
        ("grades", say("grades", lang, bands=_grades(wb))),
        ("tiers", say("tiers", lang, within=say(f"within.{tiers.within}", lang), shares=shares)),
        ("ties", say("tiers.ties", lang, keys=keys)),
        ("small groups", say(f"tiers.{tiers.small_groups}", lang, min_group=tiers.min_group)),
        ("monitored", say("monitored", lang)),
    ]
    topics = [word(t, lang) for t, _ in rows]
    return pd.DataFrame({"topic": [t[:1].upper() + t[1:] for t in topics], "rule_text": [text for _, text in rows]})


def _grades(wb: Workbench) -> str:
    """Grade bands, best first: 优秀 ≥ 90、良好 80–89.9、…、待改进 < 70 (to the composite's decimals)."""
    grades, lang = wb.config.scheme.scoring.grades, wb.lang
    step = 10 ** -wb.config.scheme.scoring.rounding.final
    digits = wb.config.scheme.scoring.rounding.final

    def num(v: float) -> str:
        return f"{v:g}" if float(v).is_integer() else f"{v:.{digits}f}"
    parts = []
    for i, g in enumerate(grades):
        name = g(lang)
        if i == 0:
            parts.append(say("grade.top", lang, name=name, min=num(g.min)))
        elif g.min <= 0 and i == len(grades) - 1:
            parts.append(say("grade.bottom", lang, name=name, below=num(grades[i - 1].min)))
        else:
            parts.append(say("grade.band", lang, name=name, min=num(g.min), below=f"{grades[i - 1].min - step:.{digits}f}"))
    return _list(parts, lang)


def _above_100(wb: Workbench) -> str:
    """Where attainment may pass 100%, the composite may pass 100: the highest it can reach in
    the departments (and role layers) in scope: share × Σ quantitative weights × cap + Σ
    qualitative weights."""
    scoring = wb.config.scheme.scoring
    cap = scoring.attainment.cap
    if not cap or cap <= 1:
        return ""
    schemes = [wb.config.scheme.departments[d] for d in wb.departments()]
    top = max(scoring.quantitative_share * sum(w.weights("quantitative", role).values()) * cap
              + sum(w.weights("qualitative", role).values()) for w in schemes for role in w.role_keys())
    return say("composite.above", wb.lang, top=f"{round_half_up_scalar(top, 1):g}") if top > 100 else ""


def _version(wb: Workbench) -> str:
    """The scheme version in force: its `valid_from`, or the base scheme before the first change."""
    if wb.config.version != DEFAULT:
        return say("version", wb.lang, version=wb.config.version)
    return say("version.base", wb.lang, first=wb.config.version_starts[0].label)


def incentive_rules(wb: Workbench) -> pd.DataFrame:
    """Each configured incentive rule (scheme.yaml `incentives:`) of the departments in
    scope as one sentence with its thresholds: department, rule, rule_text; a department
    without rules gets one row saying so (rule blank)."""
    rows = []
    for dept in wb.departments():
        rules = wb.config.scheme.incentives.get(dept)
        if rules is None or not rules.configured():
            rows.append((dept, "", say("rules.none", wb.lang, department=wb.department_name(dept))))
            continue
        rows += [(dept, rule, _rule(wb, rules, rule, dept)) for rule in rules.configured()]
    return with_names(wb, pd.DataFrame(rows, columns=["department", "rule", "rule_text"]))


def _rule(wb: Workbench, rules: Incentives, name: str, dept: str) -> str:
    """One incentive rule as a sentence (kpilib.messages `rule.<name>`)."""
    lang, kpis = wb.lang, wb.config.catalog.kpis

    def level(kpi: str, value: float) -> str:
        return in_unit(value, kpis[kpi].unit) if kpi in kpis else f"{value:g}"
    rule = getattr(rules, name)
    if name == "bonus":
        bands = _list([say("rule.bonus.band", lang, top=_percent(b.top), multiplier=f"{b.multiplier:g}") for b in rule.bands],
                      lang)
        gate = rule.full_payment
        gated = say("rule.bonus.gate", lang, kpi=wb.kpi_name(gate.kpi), min=level(gate.kpi, gate.min)) if gate else ""
        return say("rule.bonus", lang, bands=bands, min=f"{rule.meets_target.min:g}",
                   multiplier=f"{rule.meets_target.multiplier:g}", gate=gated)
    if name == "commission":
        return say("rule.commission", lang, kpi=wb.kpi_name(rule.kpi), attainment=_percent(rule.attainment),
                   multiplier=f"{rule.multiplier:g}")
    if name == "promotion":
        gate = rule.complaints
        gated = say("rule.promotion.gate", lang, kpi=wb.kpi_name(gate.kpi), below=level(gate.kpi, gate.below)) \
            if gate and gate.below is not None else ""
        return say("rule.promotion", lang, months=rule.months, top=_percent(rule.top), gate=gated)
    if name == "reserve_pool":
        return say("rule.reserve_pool", lang, quarters=rule.quarters, tiers="/".join(rule.tiers))
    if name == "breakthrough":
        return say("rule.breakthrough", lang, kpi=wb.kpi_name(rule.kpi), ratio=f"{rule.ratio:g}")
    line = meets_target_line(wb.config.scheme, dept).value  # the review counts periods below it, not in the bottom
    return say("rule.watch_list", lang, bottom=_percent(rule.bottom), review_after=rule.review_after, line=f"{line:g}")


def perspective_weights(wb: Workbench, role: str = "") -> pd.DataFrame:
    """Per department in scope, the share of the composite's weight carried by each
    balanced-scorecard perspective (catalogue `perspective`): department, financial,
    customer, process, learning (fractions summing to 1; `unassigned` too when a weighted
    KPI has no perspective). Weight of a KPI in the composite: quantitative weight ×
    quantitative_share, qualitative weight as is; monitored KPIs (weight 0) carry none.
    `role`: the weights of that role layer where the scheme sets them ("": the department's)."""
    share = wb.config.scheme.scoring.quantitative_share
    catalog = wb.config.catalog.kpis
    rows = []
    for dept in wb.departments():
        weights = wb.config.scheme.departments[dept]
        points = {p: 0.0 for p in PERSPECTIVES}
        for kind in ("quantitative", "qualitative"):
            for kpi, weight in weights.weights(kind, role).items():
                where = catalog[kpi].perspective or "unassigned"
                points[where] = points.get(where, 0.0) + weight * (share if kind == "quantitative" else 1.0)
        total = sum(points.values())
        rows.append({"department": dept, **{p: (v / total if total else 0.0) for p, v in points.items()}})
    table = pd.DataFrame(rows)
    columns = ["department", *PERSPECTIVES] + (["unassigned"] if "unassigned" in table else [])
    return table.reindex(columns=columns).fillna({"unassigned": 0.0})


def perspective_table(wb: Workbench, table: pd.DataFrame) -> pd.DataFrame:
    """`perspective_weights` for reading: departments by name."""
    return with_names(wb, table)


def perspective_notes(wb: Workbench, table: pd.DataFrame) -> str:
    """How the perspective weights are computed, and every department with a perspective at
    0% (e.g. customer service has no financial KPI), by name, in one paragraph."""
    lang = wb.lang
    notes = [say("perspective.basis", lang, share=_percent(wb.config.scheme.scoring.quantitative_share))]
    for row in table.to_dict("records"):
        zero = [word(p, lang) for p in PERSPECTIVES if row[p] == 0]
        if zero:
            notes.append(say("perspective.zero", lang, department=wb.department_name(row["department"]),
                             perspectives=_list(zero, lang)))
    return word("sentence separator", lang).join(notes)


def monitored_kpis(wb: Workbench) -> pd.DataFrame:
    """The monitored KPIs of the period (lines with `monitored == True`: computed, shown,
    never scored): department, kpi_name, kind ("monitored"), people (with a value), mean
    (the mean actual, written in the KPI's unit). No weight and no score. Company level:
    groups of fewer than `privacy.min_cell` people are left out."""
    columns = ["department", "kpi_name", "kind", "people", "mean"]
    lines = wb.period_lines()
    flag = lines.get("monitored")
    if flag is None or not flag.fillna(False).astype(bool).any():
        return pd.DataFrame(columns=columns if wb.company else columns[1:])
    lines = lines[flag.fillna(False).astype(bool)].dropna(subset=["actual"])  # the mean is over people measured
    table = lines.groupby(["department", "kpi"], sort=False).agg(people=("employee_id", "nunique"),
                                                                 actual=("actual", "mean")).reset_index()
    table = written(wb, table.assign(target=float("nan")), ("actual",)).rename(columns={"actual": "mean"})
    table["kpi_name"] = table["kpi"].map(wb.kpi_name)
    table["kind"] = "monitored"
    table = with_names(wb, shown(wb, table[columns]))
    return table if wb.company else table.drop(columns="department")
