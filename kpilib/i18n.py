"""The words of the reports in Chinese (default) and English: column labels, value words,
sentences, section titles and the codes the core writes, all in one catalogue
(`kpilib/messages.yaml`, one [zh, en] pair per key), so the same concept carries the same
word in every section. A client overrides any entry in `params/clients/<client>/messages.yaml`
(same groups and keys; `use_client_words`, called when the client's branding is loaded).
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import yaml

from kpilib.problems import UserError

CATALOGUE_FILE = Path(__file__).with_name("messages.yaml")
_OVERRIDES: dict[str, dict[str, tuple[str, str]]] = {}


@functools.cache
def _catalogue() -> dict[str, dict[str, tuple[str, str]]]:
    with open(CATALOGUE_FILE, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return {group: {str(k): (v[0], v[1]) for k, v in entries.items()} for group, entries in data.items()}


def entries(group: str) -> dict[str, tuple[str, str]]:
    """Every (zh, en) pair of a catalogue group (labels, words, sentences, rules, sections,
    messages, drivers, codes), the client's overrides applied."""
    return {**_catalogue()[group], **_OVERRIDES.get(group, {})}


def entry(group: str, key: str) -> tuple[str, str] | None:
    """The (zh, en) pair of `key` in `group` (the client's when it overrides it), else None."""
    found = _OVERRIDES.get(group, {}).get(key)
    return found if found is not None else _catalogue()[group].get(key)


def use_client_words(path: Path | None) -> None:
    """Take the overrides of a client's `messages.yaml` (None or a missing file: none). Each
    entry must be a known group and key with two strings [zh, en]; a mistake is a UserError
    naming the file, group and key."""
    _OVERRIDES.clear()
    if path is None or not path.is_file():
        return
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML ({exc})") from None
    known = _catalogue()
    problems = []
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for group, items in (data.items() if isinstance(data, dict) else [(None, None)]):
        if group not in known or not isinstance(items, dict):
            problems.append(f"{group}: expected one of {', '.join(known)} holding key: [zh, en]")
            continue
        for key, pair in items.items():
            if str(key) not in known[group]:
                problems.append(f"{group}.{key}: no such key in the catalogue")
            elif not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
                problems.append(f"{group}.{key}: expected [zh, en], two texts")
            else:
                found.setdefault(group, {})[str(key)] = (pair[0], pair[1])
    if problems:
        raise UserError(f"{path}: " + "; ".join(problems))
    _OVERRIDES.update(found)


def sentence(key: str, lang: str, **values) -> str:
    """The sentence `key` of the catalogue's `rules` or `sentences` in `lang`, its {placeholders} filled from `values`."""
    return pick(entry("rules", key) or entry("sentences", key), lang).format(**values)


def pick(pair: tuple[str, str], lang: str | None) -> str:
    """The member of a (zh, en) pair for `lang`: the one place a language chooses words
    (any language other than zh reads English): the pair's position of the language in
    `LANGUAGES`, the order the catalogue writes its pairs in."""
    return pair[LANGUAGES.get(lang, 1)]


LANGUAGES = {"zh": 0, "en": 1}  # a catalogue entry is [zh, en]


def label(key: str, lang: str) -> str:
    """The column label of `key` in `lang` (the key itself when unknown)."""
    pair = entry("labels", key)
    return pick(pair, lang) if pair else key


def word(key: str, lang: str) -> str:
    """A value word (direction, trend, flag, outcome) in `lang`."""
    pair = entry("words", key)
    return pick(pair, lang) if pair else key


def section_title(section: str, lang: str) -> str:
    pair = entry("sections", section)
    return pick(pair, lang) if pair else section


# columns whose values are words of the reports (translated cell by cell; other text is data)
WORD_COLUMNS = {"kind", "direction", "unit", "trend", "flag", "method", "performance_group", "rule", "outcome", "at_risk", "action",
                "factor", "level", "reference", "component", "when",
                "bonus", "commission", "promotion", "reserve_pool", "breakthrough", "watch_list", "rater_type", "step"}


def value_word(value, lang: str):
    """A word column's value in `lang` ("3×, not in full" → "3×，未足额发放"); other values unchanged."""
    if not isinstance(value, str):
        return value
    head, _, tail = value.partition(", ")  # "3×, not in full"
    return sentence("outcome with remark", lang, outcome=word(head, lang), remark=word(tail, lang)) if tail else word(head, lang)


def labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A copy with column labels and the words in word columns translated (for display only)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: word("yes", lang), False: ""})
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
    return sentence(rule, lang, **values) if entry("sentences", rule) else rule
