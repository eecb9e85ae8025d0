"""Sentences of the rulebook (section 10) and of the appeal chain (section 70), and the
codes the core writes, rendered in Chinese or English from the catalogue
(kpilib/messages.yaml, kpilib.i18n):

- `say(key, lang, **values)`: a sentence of the `messages` group;
- `render(code, args, lang, name)`: a code of the `codes` group with its parameters
  (`args`: a dict, or its JSON text as the `<column>_args` columns hold it). A parameter
  may itself be a message, `[code, args]`, or a list of them (written one after the
  other); the parameters `kpi`, `measure` and `expression` are written with `name`
  (`namer`: the catalogue's names of KPIs and measures);
- `readable(frame, lang, name)`: a frame's code columns (status, target_source, evidence)
  rendered and their `_args` columns dropped, for a page or a spreadsheet;
- `grade_names`, `readable_lines`, `readable_scores`: grades, lines and a whole scoring as
  a reader sees them (pages, `kpireport scores`, the pack's scores.xlsx).
The core (scoring, targets, teams, incentives) writes codes and numbers only, never words.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from kpilib.i18n import entry, pick, sentence, word
from kpilib.rounding import round_half_up_scalar

CODE_COLUMNS = ("status", "target_source", "evidence")
NAMED = ("kpi", "measure", "expression")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def say(key: str, lang: str, **values: object) -> str:
    """The sentence `key` in `lang` ("zh" or "en"), its {placeholders} filled from `values`."""
    return pick(entry("messages", key), lang).format(**values)


def args_text(args: dict | None = None) -> str:
    """The parameters of a code as the `<column>_args` columns hold them (JSON, keys sorted).
    Scoring writes one per line and most lines share a few: those made of plain values are
    written once (`_written`)."""
    if not args:
        return "{}"
    try:
        return _written(tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in args.items())))
    except TypeError:  # a dict among the values: not hashable
        return json.dumps(args, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@functools.lru_cache(maxsize=4096)
def _written(items: tuple) -> str:
    """JSON of the parameters `items` (a list among them as a tuple: JSON writes both alike)."""
    return json.dumps(dict(items), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _is_message(value: object) -> bool:
    return isinstance(value, list | tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], dict)


def _same(text: str, key: str = "") -> str:
    return text


def render(code: str, args: dict | str | None, lang: str, name: Callable[..., str] = _same) -> str:
    """The code `code` of the catalogue's `codes` group in `lang`, filled with `args`
    (see the module). An unknown code is returned as it is."""
    pair = entry("codes", code) if isinstance(code, str) else None
    if pair is None:
        return code
    values = json.loads(args) if isinstance(args, str) and args else dict(args or {})
    for key, value in values.items():
        if _is_message(value):
            values[key] = render(value[0], value[1], lang, name)
        elif isinstance(value, list) and all(_is_message(v) for v in value):
            values[key] = "".join(render(c, a, lang, name) for c, a in value)
        elif key in NAMED and isinstance(value, str):
            values[key] = name(value, key)
    return pick(pair, lang).format(**values)


def namer(catalog, lang: str) -> Callable[..., str]:
    """A function `name(text, key="expression")` writing a formula or its inputs with
    measures by their catalogue names and functions in words ("renewed / due_for_renewal" →
    "续约客户数 / 应续约客户数"), and a KPI id (`key` "kpi") by the KPI's name (a KPI and a
    measure may share an id: new_customers is 新客户开发数 as a KPI, 新客户数 as a measure)."""
    def one(match: re.Match) -> str:
        ident = match.group(0)
        return catalog.measures[ident].name(lang) if ident in catalog.measures else word(ident, lang)

    def name(text: str, key: str = "expression") -> str:
        if not isinstance(text, str):
            return text
        if key == "kpi" and text in catalog.kpis:
            return catalog.kpis[text].name(lang)
        return IDENTIFIER.sub(one, text)
    return name


RATER_INPUT = re.compile(r"(\w+)=([^;( ]+)(?: \((\d+) raters\))?( \(weight 0\))?")


def rater_inputs(text: str, lang: str) -> str:
    """A qualitative line's inputs ("self=4; supervisor=4.5 (2 raters)", kpilib.scoring)
    with rater types in words."""
    def said(m: re.Match) -> str:
        raters = say("inputs.raters", lang, n=m.group(3)) if m.group(3) else ""
        return f"{word(m.group(1), lang)}={m.group(2)}{raters}" + (say("inputs.unweighted", lang) if m.group(4) else "")
    return sentence("groups", lang).join(RATER_INPUT.sub(said, part) for part in text.split("; ")) if isinstance(text, str) else text


def readable(frame: pd.DataFrame, lang: str, name: Callable[..., str] = _same) -> pd.DataFrame:
    """A copy of `frame` with each code column that has its `_args` column (status,
    target_source, evidence) rendered in `lang`, the `_args` columns dropped."""
    out = frame.copy()
    for col in CODE_COLUMNS:
        if col in out.columns and f"{col}_args" in out.columns:
            out[col] = [render(c, a, lang, name) if isinstance(c, str) else c
                        for c, a in zip(out[col], out[f"{col}_args"], strict=True)]
            out = out.drop(columns=f"{col}_args")
    return out


MEASURE_VALUE = re.compile(r"([A-Za-z_]\w*)(\[[^\]]*\])?=(∅|[-+0-9.eE]+)")


def measure_value(value: float, unit: str) -> str:
    """A measure's value as a reader checks it, with the precision of its unit, half up:
    percent to 0.1% (0.8765 → 87.7%), currency to the cent with thousands separators
    (2274642.785 → 2,274,642.79), counts whole when whole, else to 2 decimals."""
    if unit == "percent":
        return f"{round_half_up_scalar(100 * value, 1):.1f}%"
    rounded = round_half_up_scalar(value, 2)
    if unit == "currency":
        return f"{rounded:,.2f}"
    return f"{rounded:,.0f}" if float(rounded).is_integer() else f"{rounded:,.2f}".rstrip("0")


def inputs_text(text: str, catalog, lang: str) -> str:
    """A quantitative line's inputs (kpilib.kpis: "renewed=44; due_for_renewal=50",
    "sales[2025Q2]=1200000") with measures by their catalogue names and values in their
    unit: "续约客户数=44；应续约客户数=50"."""
    if not isinstance(text, str) or not text:
        return text
    parts = []
    for m in MEASURE_VALUE.finditer(text):
        measure = catalog.measures.get(m.group(1))
        name = measure.name(lang) if measure else m.group(1)
        value = m.group(3) if m.group(3) == "∅" else measure_value(float(m.group(3)), measure.unit if measure else "")
        parts.append(f"{name}{m.group(2) or ''}={value}")
    return sentence("groups", lang).join(parts)


def readable_lines(lines: pd.DataFrame, catalog, lang: str) -> pd.DataFrame:
    """Scoring lines (kpilib.scoring LINE_COLUMNS) as a reader checks them in a spreadsheet:
    kpi_name from the catalogue, formula with measures by their names, inputs by
    `inputs_text` (rater types in words on qualitative lines), status and target_source
    rendered in `lang`."""
    name = namer(catalog, lang)
    out = readable(lines, lang, name)
    rated = out["kind"] == "qualitative"
    out["formula"] = out["formula"].map(name).where(~rated, say("formula.rating", lang))
    out["inputs"] = [rater_inputs(t, lang) if r else inputs_text(t, catalog, lang) for t, r in zip(out["inputs"], rated, strict=True)]
    if "kpi_name" not in out.columns:
        out.insert(out.columns.get_loc("kpi") + 1, "kpi_name", out["kpi"].map(lambda k: name(k, "kpi")))
    return out


def grade_names(grades: pd.Series, config, lang: str) -> pd.Series:
    """Grade codes (kpilib.scoring.grade_of: the band's English name) written in `lang` with
    the scheme's names; other values unchanged."""
    names = {g.en: g(lang) for g in config.scheme.scoring.grades}
    return grades.map(lambda g: names.get(g, g))


def readable_scores(scores, config, lang: str):
    """A scoring (kpilib.scoring.Scores) as a spreadsheet shows it in `lang`: grades by their
    names, lines through `readable_lines`."""
    return replace(scores, sheet=scores.sheet.assign(grade=grade_names(scores.sheet["grade"], config, lang)),
                   lines=readable_lines(scores.lines, config.catalog, lang))
