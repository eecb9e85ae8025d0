"""Scoring (考核评分): attainment → line scores → subtotals → composite → grade → tier.

Formulas (scheme.yaml, ../shared/spec/interfaces.md §2):

- attainment, by the KPI's direction:
  higher ``a = actual / target``; lower ``a = target / actual`` (``lower: ratio``) or
  ``a = 2 − actual / target`` (``lower: linear``), an actual of 0 earning the cap;
  band ``d = |actual / target − 1|``, ``a = 1`` when ``d ≤ band``, else
  ``max(0, 1 − (d − band) / band)`` (0 at twice the band). Then the cap (the KPI's
  own, else the scheme's) and the floor.
- quantitative line = round(weight × a, line);
- qualitative rating per criterion = Σ w_t · mean score of rater type t / Σ w_t over
  the rater types present (self 20 / supervisor 60 / cross-department 20), rounded to
  `rating` decimals; line = round(weight × rating / 5, line);
- subtotal = round(Σ lines, subtotal); with `missing: reweight` a missing line's weight
  is spread over the present lines (Σ present × Σ weights / Σ present weights);
- composite = round(quantitative_share × quantitative + qualitative, final); when no
  qualitative line exists at all (e.g. a month with no ratings) and `missing: reweight`,
  composite = round(quantitative × (share + Σ qualitative weights / 100), final);
- grade: the first band (highest first) whose `min` the composite reaches, written as its
  code (the band's English name in scheme.yaml; `kpilib.messages.grade_names` writes it in a
  language).
The output holds codes and numbers only, never words in a language: a line's `status` and
`target_source` are codes with their parameters in `status_args` / `target_source_args`
(JSON), written in words by `kpilib.messages.render`; KPI names are the catalogue's, looked
up where a page or a spreadsheet shows them.
Weights are the person's role layer's, else the department's (`kpilib.roles`); monitored
lines (`monitored`: weight 0, or catalogued for the department and not weighted) get
actual, target and attainment but no line score, and are in no subtotal. A period is scored
with the scheme version in force at its first month (`kpilib.versions.in_force`).
Rounding is half up as Excel's ROUND (`kpilib.rounding`). The default scheme
reproduces domain.md §3 exactly: 85.2 / 24.5 / 84.1 / 良好 (tests/test_worked_example.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kpilib.config import RATER_TYPES, Config
from kpilib.data import Dataset
from kpilib.kpis import MeasureCube, kpi_values
from kpilib.messages import args_text, render
from kpilib.periods import Span, parse_period
from kpilib.problems import Problems
from kpilib.roles import person_weights
from kpilib.rounding import round_half_up
from kpilib.targets import resolve_targets
from kpilib.teams import team_lines
from kpilib.tiers import assign_tiers, rank_within
from kpilib.versions import in_force

SHEET_COLUMNS = ["period", "employee_id", "name", "department", "team", "region", "quantitative",
                 "qualitative", "composite", "grade", "tier", "rank", "supervisor_rating",
                 "missing_lines", "tier_note"]
LINE_COLUMNS = ["period", "employee_id", "name", "department", "kpi", "kind", "weight",
                "formula", "inputs", "actual", "target", "baseline", "challenge", "target_source", "target_source_args",
                "scored_on", "attainment", "rating", "line_score", "status", "status_args", "monitored"]


@dataclass
class Scores:
    """The scoring of one period: `sheet` (one row per person), `lines` (one per person × KPI),
    `tier_allocation` (planned vs allocated tiers per group), `problems` (warnings) and, once
    `kpilib.uncertainty.with_uncertainty` has run, `tier_odds` (person × tier probabilities)."""

    period: Span
    sheet: pd.DataFrame
    lines: pd.DataFrame
    tier_allocation: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    tier_odds: pd.DataFrame = field(default_factory=pd.DataFrame)


def roster(dataset: Dataset, config: Config, span: Span, problems: Problems | None = None,
           kind: str = "person") -> pd.DataFrame:
    """People to score: in a scheme department, hired by the period's end, not gone before it ends.
    `kind`: the entities of employees' `kind` column scored (people; "team" for kpilib.team_units)."""
    people = dataset.employees[dataset.employees["kind"] == kind]
    end = (span.end + 1).to_timestamp()  # first day after the period
    in_scheme = people["department"].isin(list(config.scheme.departments))
    hired = people["hire_date"] < end
    left = people["exit_date"].notna() & (people["exit_date"] < end)
    if problems is not None and (in_scheme & hired & left).any():
        gone = people[in_scheme & hired & left & (people["exit_date"] >= span.start.to_timestamp())]
        for dept, ids in gone.groupby("department")["employee_id"]:
            who = "1 person" if len(ids) == 1 else f"{len(ids)} people"
            problems.warn("employees", f"{who} of {dept} left during {span} and {'is' if len(ids) == 1 else 'are'} not scored",
                          column="exit_date", value=", ".join(ids.head(10)) + ("…" if len(ids) > 10 else ""))
    return people[in_scheme & hired & ~left].reset_index(drop=True)


def months_employed(people: pd.DataFrame, span: Span) -> pd.Series:
    """Months of `span` from each person's hire month (or the span's start) to its end, by employee_id."""
    hire = people["hire_date"].dt.to_period("M")
    first = hire.where(hire > span.start, span.start)
    months = [(span.end - f).n + 1 for f in first]
    return pd.Series(months, index=people["employee_id"].to_numpy(), dtype=float)


def attainment(actual: pd.Series, target: pd.Series, direction: pd.Series, band: pd.Series,
               cap: pd.Series, floor: float, lower: str, baseline: pd.Series | None = None,
               challenge: pd.Series | None = None, method: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Attainment and, where it is missing, why (see the module docstring for the formulas).

    Where `method` is "thresholds" and the line has baseline < target < challenge (in the
    KPI's direction), `thresholds_attainment` applies instead of the ratio; band KPIs keep
    the band rule, which is already piecewise linear around the target."""
    a, t = actual.to_numpy(float), target.to_numpy(float)
    d = direction.to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        higher = a / t
        lower_ratio = np.where(a == 0, np.inf, t / a)
        lower_linear = 2 - a / t
        dev = np.abs(a / t - 1)
        b = band.to_numpy(float)
        band_att = np.where(dev <= b + 1e-12, 1.0, np.maximum(0.0, 1 - (dev - b) / b))
    out = np.select([d == "higher", d == "lower", d == "band"],
                    [higher, lower_ratio if lower == "ratio" else lower_linear, band_att], np.nan)
    caps = cap.to_numpy(float)
    if method is not None and baseline is not None and challenge is not None and (method == "thresholds").any():
        stepped = thresholds_attainment(a, baseline.to_numpy(float), t, challenge.to_numpy(float), d, floor, caps)
        use = (method.to_numpy() == "thresholds") & ~np.isnan(stepped)
        out = np.where(use, stepped, out)
    reason = np.full(len(out), None, dtype=object)
    unbounded = np.isinf(out) & np.isnan(caps)
    for i in np.flatnonzero(unbounded):
        reason[i] = ("unbounded", {})
    out = np.where(np.isnan(caps), out, np.minimum(out, caps))
    out = np.where(unbounded, np.nan, np.maximum(out, floor))
    return pd.Series(out, index=actual.index), pd.Series(reason, index=actual.index)


def thresholds_attainment(actual: np.ndarray, baseline: np.ndarray, target: np.ndarray, challenge: np.ndarray,
                          direction: np.ndarray, floor: float, cap: np.ndarray) -> np.ndarray:
    """门槛值 / 目标值 / 挑战值: baseline → floor, target → 1, challenge → cap, linear in between,
    held at floor below the baseline and at the cap above the challenge.

    Lower-is-better KPIs run the same way on negated values (baseline > target > challenge).
    Without a cap the challenge maps to its ratio attainment (challenge / target, or target /
    challenge). NaN where the three levels are missing or not in order, and for band KPIs.
    Checked by hand-computed cases in tests/test_scoring.py."""
    sign = np.where(direction == "lower", -1.0, 1.0)
    x, lo, mid, hi = sign * actual, sign * baseline, sign * target, sign * challenge
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_top = np.where(direction == "lower", target / challenge, challenge / target)
        top = np.where(np.isnan(cap), ratio_top, cap)
        below = floor + (1 - floor) * (x - lo) / (mid - lo)
        above = 1 + (top - 1) * (x - mid) / (hi - mid)
    out = np.where(x <= lo, floor, np.where(x < mid, below, np.where(x < hi, above, top)))
    valid = (lo < mid) & (mid < hi) & (direction != "band") & ~np.isnan(x)
    return np.where(valid, out, np.nan)


def quantitative_lines(dataset: Dataset, config: Config, span: Span, people: pd.DataFrame,
                       cube: MeasureCube | None = None, explain: bool = True) -> pd.DataFrame:
    """One row per person × quantitative KPI of their department and role layer, monitored ones
    included (LINE_COLUMNS); without `explain`, `inputs` is left blank (kpis.kpi_values)."""
    catalog, scoring = config.catalog, config.scheme.scoring
    pairs = person_weights(people, config, "quantitative")
    cube = cube or MeasureCube(dataset.measures, catalog)
    people_of = pairs.groupby("kpi", sort=False)["employee_id"].unique().to_dict()
    values = kpi_values(cube, catalog, span, list(people_of), people_of, explain)
    lines = pairs.merge(values.drop(columns="period"), on=["employee_id", "kpi"], how="left")
    lines["scored_on"] = "person"
    employed = months_employed(people, span)
    lines = lines.merge(resolve_targets(dataset.targets, catalog, span, lines[["employee_id", "kpi"]], employed),
                        on=["employee_id", "kpi"], how="left")
    if scoring.role_layers:
        lines = team_lines(lines, people, dataset.targets, config, span, cube, employed, explain)
    rules = attainment_rules(lines, config)
    if (rules["method"] == "thresholds").any():
        lines = _scaled_thresholds(lines, catalog)
    att, why = line_attainment(lines, rules, config)
    lines["attainment"] = att
    lines["status"], lines["status_args"] = _status(lines, why)
    lines["line_score"] = round_half_up(lines["weight"] * lines["attainment"], scoring.rounding.line)
    lines["line_score"] = lines["line_score"].where(~lines["monitored"])
    lines["kind"] = "quantitative"
    lines["formula"] = lines["kpi"].map(lambda k: catalog.kpis[k].formula)
    lines["rating"] = np.nan
    return lines


def _status(lines: pd.DataFrame, why: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each line's status code and its parameters (args_text): why the actual is missing
    (`reason`) when it is, else `no_target` when the target is, else why the attainment could
    not be computed (`why`), else 'ok'. Built for the lines that are not 'ok' only: most are."""
    codes = np.full(len(lines), "ok", dtype=object)
    args = np.full(len(lines), args_text({}), dtype=object)

    def mark(rows: np.ndarray, found: list[tuple[str, dict]]) -> None:
        codes[rows] = [code for code, _ in found]
        args[rows] = [args_text(a) for _, a in found]

    problem = np.array([isinstance(w, tuple) for w in why], dtype=bool)
    mark(problem, [w for w, p in zip(why, problem, strict=True) if p])
    untargeted = lines["target"].isna().to_numpy()
    mark(untargeted, [("no_target", {"source": (s, json.loads(a) if isinstance(a, str) and a else {})})
                      for s, a in zip(lines.loc[untargeted, "target_source"], lines.loc[untargeted, "target_source_args"],
                                      strict=True)])
    unmeasured = np.array([isinstance(r, tuple) for r in lines["reason"]], dtype=bool) & lines["actual"].isna().to_numpy()
    mark(unmeasured, list(lines.loc[unmeasured, "reason"]))
    return codes, args


def attainment_rules(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Each quantitative line's attainment rule from its KPI (aligned with `lines`):
    direction, band (NaN when none), cap (the KPI's, else the scheme's, else NaN), method."""
    scoring = config.scheme.scoring
    kpis = lines["kpi"].map(config.catalog.kpis)
    return pd.DataFrame({"direction": kpis.map(lambda k: k.direction),
                         "band": kpis.map(lambda k: k.band if k.band else np.nan).astype(float),
                         "cap": kpis.map(lambda k: k.cap if k.cap else (scoring.attainment.cap or np.nan)).astype(float),
                         "method": kpis.map(lambda k: k.attainment_method or scoring.attainment.method)},
                        index=lines.index)


def line_attainment(lines: pd.DataFrame, rules: pd.DataFrame, config: Config) -> tuple[pd.Series, pd.Series]:
    """`attainment` of lines (actual, target, baseline, challenge) under their `rules`."""
    at = config.scheme.scoring.attainment
    return attainment(lines["actual"], lines["target"], rules["direction"], rules["band"], rules["cap"],
                      at.floor, at.lower, lines["baseline"], lines["challenge"], rules["method"])


def _scaled_thresholds(lines: pd.DataFrame, catalog) -> pd.DataFrame:
    """Baseline and challenge for lines that have a target but not the other two levels: the
    catalogue's levels scaled to the line's target (a personal target of 120 with catalogue
    levels 90 / 100 / 110 gives 108 / 120 / 132)."""
    out = lines.copy()
    for level in ("baseline", "challenge"):
        ratio = out["kpi"].map(lambda k, lv=level: _level_ratio(catalog.kpis[k].thresholds, lv)).astype(float)
        out[level] = out[level].where(out[level].notna(), out["target"] * ratio)
    return out


def _level_ratio(thresholds, level: str) -> float:
    value, target = getattr(thresholds, level), thresholds.target
    return value / target if value is not None and target else np.nan


def ratings_in(ratings: pd.DataFrame, span: Span) -> pd.DataFrame:
    """The ratings whose period lies inside `span` (monthly and quarterly ratings of a quarter)."""
    return ratings[(ratings["start"] >= span.start) & (ratings["end"] <= span.end)]


def qualitative_lines(dataset: Dataset, config: Config, span: Span, people: pd.DataFrame,
                      ratings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per person × qualitative KPI of their department and role layer (LINE_COLUMNS);
    `ratings` are those of the span when already filtered (`ratings_in`)."""
    scoring = config.scheme.scoring
    lines = person_weights(people, config, "qualitative")
    r = ratings if ratings is not None else ratings_in(dataset.ratings, span)
    by_type = (r.groupby(["employee_id", "criterion", "rater_type"], observed=True, sort=False)["score"]
               .agg(["mean", "size"]).reset_index())
    by_type["w"] = by_type["rater_type"].map(scoring.raters).astype(float).fillna(0.0)
    by_type["mean"] = by_type["mean"].astype(float)
    used = by_type[by_type["w"] > 0]
    summary = used.assign(ws=used["w"] * used["mean"]).groupby(["employee_id", "criterion"], observed=True).agg(
        ws=("ws", "sum"), w=("w", "sum"))
    summary["rating"] = round_half_up(summary["ws"] / summary["w"], scoring.rounding.rating)
    summary["inputs"] = _rater_inputs(by_type).reindex(summary.index)
    lines = lines.merge(summary[["rating", "inputs"]], left_on=["employee_id", "kpi"], right_index=True, how="left")
    lines["rating"] = pd.to_numeric(lines["rating"], errors="coerce").astype(float)
    lines["status"] = np.where(lines["rating"].isna(), "no_ratings", "ok")
    lines["status_args"] = np.where(lines["rating"].isna(), args_text({"period": str(span)}), args_text())
    lines["line_score"] = round_half_up(lines["weight"] * lines["rating"] / 5, scoring.rounding.line)
    lines["line_score"] = lines["line_score"].where(~lines["monitored"])
    lines["kind"] = "qualitative"
    for col in ("actual", "target", "attainment"):
        lines[col] = np.nan
    lines["formula"] = ""  # the rater-weighted mean (kpilib.messages `formula.rating`)
    lines["target_source"] = ""
    lines["target_source_args"] = ""
    lines["scored_on"] = "person"
    return lines


def _rater_inputs(by_type: pd.DataFrame) -> pd.Series:
    """Per (employee, criterion): "self=4; supervisor=4.5 (2 raters); cross_department=5"."""
    text = pd.Series([f"{t}={m:.4g}" for t, m in zip(by_type["rater_type"], by_type["mean"], strict=True)],
                     index=by_type.index, dtype=object)
    text = text.where(by_type["size"] <= 1, text + " (" + by_type["size"].astype(str) + " raters)")
    text = text.where(by_type["w"] > 0, text + " (weight 0)")
    wide = pd.DataFrame({"employee_id": by_type["employee_id"].astype(str), "criterion": by_type["criterion"].astype(str),
                         "rater_type": by_type["rater_type"].astype(str), "t": text}).pivot(
        index=["employee_id", "criterion"], columns="rater_type", values="t")
    order = [t for t in RATER_TYPES if t in wide.columns] + [t for t in wide.columns if t not in RATER_TYPES]
    joined = pd.Series("", index=wide.index, dtype=object)
    for col in order:
        part = wide[col].fillna("").astype(object)
        joined = joined.where(part == "", joined.where(joined == "", joined + "; ") + part)
    return joined


def _subtotals(lines: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Per person and kind: subtotal, and how many lines were missing (monitored lines are in neither)."""
    lines = lines[~lines["monitored"]]
    present = lines["line_score"].notna()
    g = lines.assign(present_w=lines["weight"].where(present, 0.0),
                     score=lines["line_score"].fillna(0.0), missing=~present)
    agg = g.groupby(["employee_id", "kind"]).agg(score=("score", "sum"), w=("weight", "sum"),
                                                 present_w=("present_w", "sum"), missing=("missing", "sum"))
    agg["subtotal"] = subtotal_of(agg["score"].to_numpy(float), agg["w"].to_numpy(float),
                                  agg["present_w"].to_numpy(float), config)
    return agg


def subtotal_of(score: np.ndarray, weight: np.ndarray, present_weight: np.ndarray, config: Config) -> np.ndarray:
    """Subtotal from the sum of present line scores, the kind's weight and the present lines'
    weight: with `missing: reweight` score × weight / present weight (NaN when none is present)."""
    scoring = config.scheme.scoring
    total = score
    if scoring.missing == "reweight":
        with np.errstate(divide="ignore", invalid="ignore"):
            total = np.where(present_weight > 0, score * weight / present_weight, np.nan)
    return round_half_up(np.asarray(total, float), scoring.rounding.subtotal)


def grade_of(composite: pd.Series, config: Config) -> pd.Series:
    """Grade code of each composite (first band whose min it reaches: the band's English
    name in scheme.yaml); '' when missing."""
    grades = config.scheme.scoring.grades
    conditions = [composite >= g.min for g in grades]
    codes = [g.en for g in grades]
    return pd.Series(np.select(conditions, codes, ""), index=composite.index).where(composite.notna(), "")


def score(dataset: Dataset, config: Config, period: Span | str,
          departments: list[str] | None = None, kind: str = "person", explain: bool = True,
          cube: MeasureCube | None = None) -> Scores:
    """Score every person (or entity of `kind`, see `roster`) of the scheme's departments for
    one period: codes and numbers, the same in every language (see the module). Without
    `explain` the lines' `inputs` (the measures a KPI's value was computed from) are left
    blank: the same scores, for periods whose lines nobody reads (a history's earlier ones).
    `cube`: the dataset's measures aggregated per span (kpilib.kpis.MeasureCube), shared by
    the periods of a history (a quarter's is its successor's lag); else built here."""
    span = parse_period(period) if isinstance(period, str) else period
    config = in_force(config, span)
    problems = Problems(list(config.warnings.items))  # e.g. weights that do not sum to 100
    people = roster(dataset, config, span, problems, kind)
    if departments:
        people = people[people["department"].isin(departments)]
    quant = quantitative_lines(dataset, config, span, people, cube, explain)
    rated = ratings_in(dataset.ratings, span)
    qual = qualitative_lines(dataset, config, span, people, rated)
    lines = pd.concat([quant, qual], ignore_index=True)
    lines["period"] = span.label
    lines = lines.sort_values(["department", "employee_id", "kind", "weight"], ascending=[True, True, False, False],
                              kind="stable")[LINE_COLUMNS].reset_index(drop=True)
    lines = lines.astype({c: "str" for c in ("employee_id", "kpi", "inputs")})  # Arrow text: a third of NumPy objects' memory
    sheet = _sheet(people, lines, rated, span, config)
    _line_warnings(lines, problems)
    _target_warnings(lines, config, span, problems)
    _implausible(lines, config, problems)
    _separates_nobody(lines, problems)
    _self_rated_only(rated[rated["employee_id"].astype(str).isin(people["employee_id"].astype(str))], config, problems)
    sheet, tier_allocation = assign_tiers(sheet, config.scheme.scoring.tiers)
    sheet["rank"] = rank_within(sheet, "department")
    return Scores(span, sheet[SHEET_COLUMNS].reset_index(drop=True), lines, tier_allocation, problems)


def _self_rated_only(rated: pd.DataFrame, config: Config, problems: Problems) -> None:
    """A warning naming the people whose counted ratings (rater types of weight > 0) are all
    their own: their qualitative score is their self-rating (no supervisor, no colleague)."""
    weights = config.scheme.scoring.raters
    counted = rated[rated["rater_type"].astype(str).map(weights).fillna(0).astype(float) > 0]
    own = (counted["rater_type"].astype(str) == "self").groupby(counted["employee_id"].astype(str)).all()
    alone = sorted(own[own].index)
    if alone:
        problems.warn("scores", f"{len(alone)} person(s) rated by themselves only: their qualitative score is "
                      "their self-rating", column="rater_type", value=", ".join(alone[:5]) + ("…" if len(alone) > 5 else ""))


def _sheet(people, lines, rated, span, config) -> pd.DataFrame:
    sub = _subtotals(lines, config)
    quant = sub.xs("quantitative", level="kind")["subtotal"] if len(sub) else pd.Series(dtype=float)
    qual = sub.xs("qualitative", level="kind")["subtotal"] if "qualitative" in sub.index.get_level_values(1) else pd.Series(dtype=float)
    missing = sub.groupby(level="employee_id")["missing"].sum()
    sheet = people[["employee_id", "name", "department", "team", "region"]].copy()
    sheet.insert(0, "period", span.label)
    sheet["quantitative"] = sheet["employee_id"].map(quant).astype(float)
    sheet["qualitative"] = sheet["employee_id"].map(qual).astype(float)
    scored = lines[(lines["kind"] == "qualitative") & ~lines["monitored"]]
    qual_weight = sheet["employee_id"].map(scored.groupby("employee_id")["weight"].sum()).astype(float).fillna(0.0)
    sheet["composite"] = composite_of(sheet["quantitative"].to_numpy(float), sheet["qualitative"].to_numpy(float),
                                      qual_weight.to_numpy(float), config)
    sheet["grade"] = grade_of(sheet["composite"], config)
    r = rated[rated["rater_type"] == "supervisor"]
    sheet["supervisor_rating"] = sheet["employee_id"].map(r.groupby("employee_id", observed=True)["score"].mean())
    sheet["missing_lines"] = sheet["employee_id"].map(missing).fillna(0).astype(int)
    return sheet


def composite_of(quantitative: np.ndarray, qualitative: np.ndarray, qualitative_weight: np.ndarray,
                 config: Config) -> np.ndarray:
    """round(share × quantitative + qualitative, final); without any qualitative line and
    `missing: reweight`, round(quantitative × (share + Σ the person's qualitative weights / 100), final)."""
    scoring = config.scheme.scoring
    share = scoring.quantitative_share
    composite = share * quantitative + qualitative
    if scoring.missing == "reweight":
        composite = np.where(np.isnan(qualitative), quantitative * (share + qualitative_weight / 100), composite)
    return round_half_up(np.asarray(composite, float), scoring.rounding.final)


def _line_warnings(lines: pd.DataFrame, problems: Problems) -> None:
    bad = lines[(lines["status"] != "ok") & ~lines["monitored"]]
    for (kpi, status, args), group in bad.groupby(["kpi", "status", "status_args"]):
        problems.warn("scores", f"{len(group)} line(s) of {kpi} have no score: {render(status, args, 'en')}",
                      column=kpi, value=", ".join(group["employee_id"].head(5)) + ("…" if len(group) > 5 else ""))


def borrowed_targets(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines scored against the catalogue's default target because the person has no target
    of their own, per department × KPI: department, kpi, people, of (people with the KPI),
    employee_ids (comma-separated, in order). Lines without an actual value are not counted."""
    quant = lines[(lines["kind"] == "quantitative") & lines["actual"].notna() & ~lines["monitored"]]  # scored lines
    borrowed = quant["target_source"].astype(str).str.startswith("catalogue")  # catalogue, catalogue_team_*
    columns = ["department", "kpi", "people", "of", "employee_ids"]
    if not borrowed.any():
        return pd.DataFrame(columns=columns)
    of = quant.groupby(["department", "kpi"])["employee_id"].nunique().rename("of")
    hit = quant[borrowed].groupby(["department", "kpi"])["employee_id"].agg(
        people="nunique", employee_ids=lambda ids: ", ".join(sorted(set(ids))))
    return hit.join(of).reset_index()[columns]


def _target_warnings(lines: pd.DataFrame, config: Config, span: Span, problems: Problems) -> None:
    """Targets are never silently borrowed: a warning per department × KPI (`targets:
    fallback`), or an error per person and KPI (`targets: required`)."""
    table = borrowed_targets(lines)
    if config.scheme.scoring.targets == "required":
        for row in table.itertuples():
            for person in row.employee_ids.split(", "):
                problems.error("targets", f"a target of {person}'s own for {row.kpi} in {span} "
                               "(scoring.targets: required; the catalogue default is not used)",
                               column="kpi", value=f"{person} {row.kpi}")
        problems.raise_if_errors(f"targets for {span}")
        return
    for row in table.itertuples():
        ids = row.employee_ids.split(", ")
        problems.warn("targets", f"{row.people} of {row.of} people of {row.department} have no target of their own "
                      f"for {row.kpi} in {span}: scored against the catalogue's default",
                      column=row.kpi, value=", ".join(ids[:5]) + ("…" if len(ids) > 5 else ""))


def _implausible(lines: pd.DataFrame, config: Config, problems: Problems) -> None:
    """An actual above `warn_above` × the target of a higher-is-better KPI (before the cap) is a
    warning naming person and KPI."""
    limit = config.scheme.scoring.attainment.warn_above
    quant = lines[(lines["kind"] == "quantitative") & lines["actual"].notna() & lines["target"].notna()
                  & ~lines["monitored"]]
    higher = quant["kpi"].map(lambda k: config.catalog.kpis[k].direction == "higher").astype(bool)
    quant = quant[higher]  # a small actual of a lower-is-better KPI is good news, not a typo
    for row in quant[quant["actual"] > limit * quant["target"]].itertuples():
        problems.warn("scores", f"attainment above {limit:g}× the target for {row.kpi} of {row.employee_id}: "
                      f"actual {row.actual:.6g} vs target {row.target:.6g}; check the data (e.g. a percent typed as a number)",
                      column=row.kpi, value=row.employee_id)


SEPARATION_MIN_PEOPLE = 10
SEPARATION_MIN_POINTS = 2.0


def separation(lines: pd.DataFrame) -> pd.DataFrame:
    """Spread of each weighted quantitative KPI's line scores within a department: department, kpi, weight,
    people, spread (max − min line score). A KPI whose spread is under 2 points across 10 or
    more people separates nobody, however large its weight."""
    scored = lines[(lines["kind"] == "quantitative") & (lines["weight"] > 0) & lines["line_score"].notna()]
    out = scored.groupby(["department", "kpi"]).agg(weight=("weight", "first"), people=("employee_id", "nunique"),
                                                    spread=("line_score", lambda s: s.max() - s.min()))
    return out.reset_index()


def _separates_nobody(lines: pd.DataFrame, problems: Problems) -> None:
    table = separation(lines)
    flat = table[(table["people"] >= SEPARATION_MIN_PEOPLE) & (table["spread"] < SEPARATION_MIN_POINTS)]
    for row in flat.itertuples():
        problems.warn("scheme.yaml", f"{row.kpi} separates nobody in {row.department}: its line scores span "
                      f"{row.spread:.1f} points across {row.people} people (weight {row.weight:g}); "
                      "consider attainment method thresholds or another KPI", column=f"departments.{row.department}")
