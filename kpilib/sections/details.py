"""Section 70 (score details for appeals): everything an employee may contest, per person.

- `score_details`: every scored line (formula, inputs, actual, target and its source,
  attainment, rating, line score), with the KPI's data source and owner (catalogue) and
  the remarks (`note`) of the measures and targets behind it;
- `monitored_details`: the monitored lines (computed and shown, never scored);
- `chain_steps`: lines → quantitative subtotal → × share → qualitative subtotal →
  composite, each written with the scheme's rounding (kpilib.appeal);
- `rating_evidence`: per rated criterion its rubric (catalogue `description`) and each
  rater's score and note (`ratings.note`).
Department pages only: each function returns an empty frame at company level.
"""

from __future__ import annotations

import pandas as pd

from kpilib import appeal
from kpilib.i18n import word
from kpilib.messages import readable_lines, say
from kpilib.rounding import round_half_up_scalar
from kpilib.scoring import ratings_in
from kpilib.sections.common import written
from kpilib.workbench import Workbench

PERSON = ["rank", "employee_id", "name", "composite", "grade", "tier"]
DETAIL_COLUMNS = PERSON + ["kpi_name", "weight", "formula", "inputs", "actual", "target", "target_source",
                           "attainment", "rating", "line_score", "status", "source", "note"]
MONITORED_COLUMNS = ["employee_id", "kpi_name", "formula", "inputs", "actual", "target", "attainment", "source", "note"]


def _monitored(lines: pd.DataFrame) -> pd.Series:
    """True for the monitored lines (`monitored` column of the lines, when scoring has it)."""
    flag = lines.get("monitored")
    return pd.Series(False, index=lines.index) if flag is None else flag.fillna(False).astype(bool)


def kpi_source(wb: Workbench, kpi: str) -> str:
    """Where a KPI's data comes from and which department verifies it (catalogue `source`,
    `owner`): "财务报表（财务部）" / "finance report (Finance)"; "" when the catalogue says neither."""
    item = wb.config.catalog.kpis.get(kpi)
    if item is None or not (item.source or item.owner):
        return ""
    source = word(item.source, wb.lang) if item.source else ""
    owner = wb.department_name(item.owner) if item.owner else ""
    if source and owner:
        return say("source.owner", wb.lang, source=source, owner=owner)
    return source or owner


def line_notes(wb: Workbench, lines: pd.DataFrame) -> pd.Series:
    """Per line of `lines` (aligned with it): the remarks written in the `note` column of the
    person's target rows for the KPI that overlap the period and of their measure rows in
    the period for the measures of the KPI's formula, distinct, joined with "; "."""
    span, data = wb.span, wb.dataset
    people = lines["employee_id"].unique()  # the rows of these people first: a page of a large company reads few
    t = data.targets
    t = t[t["employee_id"].isin(people)]
    t = t[(t["start"] <= span.end) & (t["end"] >= span.start) & (t["note"].astype(str) != "")]
    notes = [t[["employee_id", "kpi", "note"]].astype(str)]
    m = data.measures
    m = m[m["employee_id"].isin(people)]
    m = m[(m["period"] >= span.start) & (m["period"] <= span.end) & (m["note"].astype(str) != "")]
    if len(m):
        uses = pd.DataFrame([(k, name) for k in lines["kpi"].unique() if k in wb.config.catalog.formulas
                             for name in wb.config.catalog.formulas[k].measures], columns=["kpi", "measure"])
        notes.append(m[["employee_id", "measure", "note"]].astype(str).merge(uses, on="measure")[["employee_id", "kpi", "note"]])
    found = pd.concat(notes, ignore_index=True).drop_duplicates()
    joined = found.groupby(["employee_id", "kpi"], sort=False)["note"].agg("; ".join)
    keys = pd.MultiIndex.from_arrays([lines["employee_id"].astype(str), lines["kpi"].astype(str)])
    return pd.Series(joined.reindex(keys).fillna("").to_numpy(), index=lines.index, dtype=object)


def _lines(wb: Workbench) -> pd.DataFrame:
    """The period's lines as a reader checks them (kpilib.messages.readable_lines: KPI,
    measure and rater-type names, status and target source in words), actual and target in
    their units, with source and note."""
    lines = wb.period_lines()
    out = readable_lines(written(wb, lines), wb.config.catalog, wb.lang)
    out["source"] = lines["kpi"].map(lambda k: kpi_source(wb, k))
    out["note"] = line_notes(wb, lines)
    out["monitored"] = _monitored(lines)
    return out


def score_details(wb: Workbench) -> pd.DataFrame:
    """How every score was computed, line by line (department only): DETAIL_COLUMNS — by
    rank, quantitative lines first, heaviest first. Monitored lines are not here
    (`monitored_details`)."""
    if wb.company:
        return pd.DataFrame()
    lines = _lines(wb)
    lines = lines[~lines["monitored"]]
    person = wb.sheet().set_index("employee_id")[["rank", "composite", "grade", "tier"]]
    out = lines.join(person, on="employee_id")
    out = out.sort_values(["rank", "employee_id", "kind", "weight"], ascending=[True, True, False, False])
    return out[DETAIL_COLUMNS].reset_index(drop=True)


def monitored_details(wb: Workbench) -> pd.DataFrame:
    """The monitored lines of each person (MONITORED_COLUMNS): computed and shown, with no
    weight and no score; a KPI the person has no actual for is left out. Empty at company
    level and when no line is monitored."""
    if wb.company:
        return pd.DataFrame(columns=MONITORED_COLUMNS)
    lines = _lines(wb)
    measured = wb.period_lines()["actual"].notna().to_numpy()  # `lines` holds the actual as written
    return lines.loc[lines["monitored"].to_numpy() & measured, MONITORED_COLUMNS].reset_index(drop=True)


def _fixed(value: float, digits: int) -> str:
    return f"{round_half_up_scalar(value, digits):.{digits}f}"


def _exact(value: float) -> str:
    """A number with the decimals it has (59.64, 24.5, 0.7): a step that is not rounded."""
    return f"{value:.{appeal.decimals(value)}f}"


def chain_steps(wb: Workbench) -> pd.DataFrame:
    """Per person of the department, how the composite is reached (kpilib.appeal.chain):
    employee_id, step (quantitative subtotal, weighted, qualitative subtotal, composite),
    calculation (the sum written out, with the decimals kept), value (text, with the
    decimals of its step). Empty at company level."""
    if wb.company:
        return pd.DataFrame(columns=["employee_id", "step", "calculation", "value"])
    scoring, lang = wb.config.scheme.scoring, wb.lang
    digits = scoring.rounding
    rows = []
    for r in appeal.chain(wb.period_lines(), scoring).itertuples():
        share = f"{r.share:.0%}" if round(r.share * 100, 6).is_integer() else f"{r.share:.1%}"
        for kind in appeal.KINDS:
            value = getattr(r, kind)
            if pd.isna(value):
                calc, shown = say("chain.none", lang), ""
            else:
                total = _fixed(getattr(r, f"{kind}_sum"), digits.line)
                weight, present = getattr(r, f"{kind}_weight"), getattr(r, f"{kind}_present")
                reweight = scoring.missing == "reweight" and present < weight
                n = getattr(r, f"{kind}_lines")
                calc = (say("chain.reweight", lang, n=n, sum=total, weight=_exact(weight), present=_exact(present),
                            value=_exact(round(getattr(r, f"{kind}_sum") * weight / present, 6)), digits=digits.subtotal)
                        if reweight else say("chain.round", lang, n=n, sum=total, digits=digits.subtotal))
                shown = _fixed(value, digits.subtotal)
            rows.append((r.employee_id, f"{kind} subtotal", calc, shown))
            if kind == "quantitative" and not pd.isna(value):
                rows.append((r.employee_id, "weighted", say("chain.weighted", lang, quantitative=shown, share=share),
                             _exact(round(r.weighted, 6))))
        if pd.isna(r.composite):
            calc = say("chain.none", lang)
        elif r.reweighted:
            weight = 0.0 if pd.isna(r.qualitative_weight) else r.qualitative_weight
            calc = say("chain.composite.reweighted", lang, quantitative=_fixed(r.quantitative, digits.subtotal),
                       share=share, weight=_exact(weight), total=_exact(round(r.quantitative * (r.share + weight / 100), 6)),
                       digits=digits.final)
        else:
            calc = say("chain.composite", lang, weighted=_exact(round(r.weighted, 6)),
                       qualitative=_fixed(r.qualitative, digits.subtotal),
                       total=_exact(round(r.weighted + r.qualitative, 6)), digits=digits.final)
        rows.append((r.employee_id, "composite", calc, "" if pd.isna(r.composite) else _fixed(r.composite, digits.final)))
    return pd.DataFrame(rows, columns=["employee_id", "step", "calculation", "value"])


NAMED_RATERS = ("self", "supervisor")  # the rater types a card names; the others rate anonymously


def rating_evidence(wb: Workbench) -> pd.DataFrame:
    """Each rating behind a qualitative line (department only): employee_id, kpi_name (the
    criterion), rubric (catalogue `description`, else a sentence saying there is none),
    rater_type, rater_name (the person's own or their supervisor's name when the rater is of the
    department, else blank: colleagues and customers rate anonymously, and a department's page
    names only its own people), score, note —
    by person, criterion in the department's weight order, rater type in the scheme's order."""
    columns = ["employee_id", "kpi_name", "rubric", "rater_type", "rater_name", "score", "note"]
    if wb.company:
        return pd.DataFrame(columns=columns)
    sheet = wb.sheet()
    ratings = wb.dataset.ratings
    r = ratings_in(ratings[ratings["employee_id"].isin(sheet["employee_id"])], wb.span).copy()  # its people's first
    r = r.astype({c: str for c in ("employee_id", "criterion", "rater_type", "rater_id", "note")})
    catalog = wb.config.catalog.kpis
    order = {k: i for i, k in enumerate(wb.period_lines().query("kind == 'qualitative'")["kpi"].drop_duplicates())}
    raters = list(wb.config.scheme.scoring.raters)
    names = wb.dataset.employees.set_index("employee_id")["name"]
    r["kpi_name"] = r["criterion"].map(wb.kpi_name)
    r["rubric"] = r["criterion"].map(lambda c: catalog[c].description(wb.lang) if c in catalog and catalog[c].description
                                     else say("rubric.none", wb.lang))
    own = set(wb.scoped(wb.dataset.people())["employee_id"].astype(str))
    named = r["rater_type"].isin(NAMED_RATERS) & r["rater_id"].isin(own)
    r["rater_name"] = r["rater_id"].map(names).fillna(r["rater_id"]).where(named, "")
    r["_c"] = r["criterion"].map(order).fillna(len(order))
    r["_t"] = r["rater_type"].map({t: i for i, t in enumerate(raters)}).fillna(len(raters))
    r = r.sort_values(["employee_id", "_c", "_t", "rater_id"], kind="stable")
    return r[columns].reset_index(drop=True)
