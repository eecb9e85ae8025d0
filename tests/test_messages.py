"""The one catalogue of words (kpilib/messages.yaml, kpilib.i18n, kpilib.messages): every
code the core writes has a Chinese and an English text, renders with its parameters in
both, and a client overrides words in its own messages.yaml."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kpilib import i18n, incentives, scoring
from kpilib.config import load_config
from kpilib.data import load_dataset
from kpilib.messages import inputs_text, measure_value, namer, readable, render
from kpilib.periods import parse_period
from kpilib.problems import UserError
from tests.conftest import SAMPLE

RETAIL = Path(__file__).parent / "data" / "retail" / "retail.xlsx"

# every code of the catalogue's `codes` group with parameters as the core writes them, and
# the English it must read (the Chinese is checked for the same numbers, no code words)
NEED = ("need.min", {"value": 0.95})
CODES = {
    "ok": ({}, "ok"),
    "no_data": ({"measure": "sales", "period": "2025Q3"}, "no data for sales in 2025Q3"),
    "division_by_zero": ({"expression": "due_for_renewal", "period": "2025-07"},
                         "division by zero: due_for_renewal is 0 in 2025-07"),
    "no_target": ({"source": ["none", {}]}, "no target (none)"),
    "no_ratings": ({"period": "2025Q4"}, "no ratings in 2025Q4"),
    "unbounded": ({}, "actual is 0 on a lower-is-better KPI and no cap is set"),
    "none": ({}, "none"),
    "not_at_frequency": ({"kpi": "sales_amount", "frequency": ["frequency.yearly", {}]},
                         "none: sales_amount is measured yearly"),
    "frequency.monthly": ({}, "monthly"), "frequency.quarterly": ({}, "quarterly"),
    "frequency.half-year": ({}, "half-yearly"), "frequency.yearly": ({}, "yearly"),
    "catalogue": ({"scale": [["scale.times", {"factor": 3.0}], ["scale.employed", {"months": 1, "of": 3}]]},
                  "catalogue × 3 × 1/3 months employed"),
    "targets": ({"period": "2025", "scale": [["scale.prorated", {"months": 3, "of": 12}]]}, "targets 2025 × 3/12"),
    "targets_sum": ({"n": 3, "period": "2026Q3"}, "targets: sum of 3 inside 2026Q3"),
    "targets_mean": ({"n": 3, "period": "2026Q3"}, "targets: mean of 3 inside 2026Q3"),
    "scale.times": ({"factor": 0.666667}, " × 0.666667"),
    "scale.prorated": ({"months": 1, "of": 3}, " × 1/3"),
    "scale.employed": ({"months": 2, "of": 3}, " × 2/3 months employed"),
    "team_sum": ({"n": 18, "own": 17}, "team of 18: sum of targets (17 own)"),
    "team_mean": ({"n": 4, "own": 1}, "team of 4: mean of targets (1 own)"),
    "catalogue_team_sum": ({"n": 4}, "catalogue: team of 4, sum of defaults"),
    "catalogue_team_mean": ({"n": 4}, "catalogue: team of 4, mean of defaults"),
    "bonus": ({"share": 0.146, "band": ["band.top", {"top": 0.3}],
               "gate": [["gate.unmeasured", {"kpi": "collection_on_time", "need": NEED}]]},
              "rank share 14.6%: top 30% of department; collection_on_time not measured (needs ≥ 95.00%)"),
    "band.top": ({"top": 0.1}, "top 10% of department"),
    "band.meets": ({"min": 70}, "meets target (composite ≥ 70)"),
    "band.below": ({}, "below target"),
    "gate.measured": ({"kpi": "collection_on_time", "actual": 0.9, "need": NEED},
                      "; collection_on_time 90.00% (needs ≥ 95.00%)"),
    "gate.unmeasured": ({"kpi": "complaint_rate", "need": ["need.below", {"value": 0.005}]},
                        "; complaint_rate not measured (needs < 0.50%)"),
    "need.min": ({"value": 0.95}, "≥ 95.00%"),
    "need.below": ({"value": 0.005}, "< 0.50%"),
    "commission": ({"kpi": "sales_amount", "attainment": 1.25, "threshold": 1.2},
                   "sales_amount attainment 125.0% (threshold 120%)"),
    "promotion": ({"months": 6, "top": 0.2, "gate": []}, "6 consecutive months in the top 20%"),
    "reserve_pool": ({"quarters": 4, "tiers": "S/A"}, "4 consecutive quarters in tier S/A"),
    "breakthrough": ({"period": "2026Q3", "latest": 190.0, "peak": 120.0}, "2026Q3: 190 vs previous peak 120"),
    "watch.in": ({"bottom": 0.1, "run": 2, "line": 70.0, "review_after": 2},
                 "in the bottom 10% this period; 2 consecutive period(s) below the meets-target line 70 (review after 2)"),
    "watch.out": ({"bottom": 0.1, "run": 0, "line": 70.0, "review_after": 2},
                  "not in the bottom 10% this period; 0 consecutive period(s) below the meets-target line 70 "
                  "(review after 2)"),
}
LATIN_WORD = re.compile(r"[A-Za-z_]{3,}")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_entry_has_both_languages_with_the_same_placeholders():
    for group in ("labels", "words", "sentences", "rules", "sections", "messages", "drivers", "codes"):
        for key, (zh, en) in i18n.entries(group).items():
            if en.strip():  # a separator may be empty in Chinese (between sentences)
                assert zh.strip(), f"{group}.{key}: no Chinese"
            assert en, f"{group}.{key}: no English"
            assert _fields(zh) == _fields(en), f"{group}.{key}: placeholders differ"


def test_the_table_above_covers_every_code_of_the_catalogue():
    assert set(CODES) == set(i18n.entries("codes"))


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_renders_in_english_and_in_chinese(code):
    args, english = CODES[code]
    assert render(code, args, "en") == english
    chinese = render(code, args, "zh", lambda text, key="": "名称")  # ids go through the catalogue's names
    assert not LATIN_WORD.search(chinese), f"{code}: code words in Chinese: {chinese}"
    assert sorted(re.findall(r"\d+(?:\.\d+)?", chinese)) == sorted(re.findall(r"\d+(?:\.\d+)?", english))


def _emitted(config, dataset, period: str) -> set[tuple[str, str]]:
    """(column, code) of every status, target source and evidence the core writes for a period."""
    scores = scoring.score(dataset, config, parse_period(period))
    lines = scores.lines
    seen = {("status", c) for c in lines["status"]} | {("target_source", c) for c in lines["target_source"] if c}
    sheet = scores.sheet.dropna(subset=["composite"])
    for rules in config.scheme.incentives.values():
        if rules.bonus:
            seen |= {("evidence", c) for c in incentives.bonus(sheet, lines, rules.bonus)["evidence"]}
        if rules.commission:
            seen |= {("evidence", c) for c in incentives.commission(lines, rules.commission)["evidence"]}
    return seen


@pytest.mark.parametrize("client", [None, "retail"])
def test_every_code_the_core_writes_on_both_companies_is_in_the_catalogue(client):
    config = load_config(client)
    dataset = load_dataset(RETAIL if client else SAMPLE, config)
    period = "2026Q3"
    seen = _emitted(config, dataset, period)
    assert {c for _, c in seen} <= set(i18n.entries("codes"))
    scores = scoring.score(dataset, config, parse_period(period))
    for lang in ("zh", "en"):
        shown = readable(scores.lines, lang, namer(config.catalog, lang))
        assert "status_args" not in shown and "target_source_args" not in shown
        if lang == "zh":
            text = " ".join(shown["status"].astype(str)) + " ".join(shown["target_source"].astype(str))
            assert not LATIN_WORD.findall(text), "code words in the Chinese scoring sheet"


def test_scores_are_the_same_in_every_language(config, sample):
    """score() takes no language: codes and numbers only (the grade is its code)."""
    scores = scoring.score(sample, config, "2026Q3")
    assert "kpi_name" not in scores.lines and set(scores.sheet["grade"]) <= {g.en for g in config.scheme.scoring.grades} | {""}


def test_a_client_overrides_words_in_its_messages_yaml(tmp_path):
    path = tmp_path / "messages.yaml"
    path.write_text('codes:\n  "no_ratings": ["{period} 未收到评分", "not rated in {period}"]\n'
                    'words:\n  "supervisor": ["直属领导", "line manager"]\n', encoding="utf-8")
    try:
        i18n.use_client_words(path)
        assert render("no_ratings", {"period": "2026Q3"}, "zh") == "2026Q3 未收到评分"
        assert i18n.word("supervisor", "en") == "line manager" and i18n.word("self", "zh") == "自评"
    finally:
        i18n.use_client_words(None)
    assert render("no_ratings", {"period": "2026Q3"}, "en") == "no ratings in 2026Q3"


def test_a_wrong_override_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "messages.yaml"
    path.write_text('codes:\n  "no_such_code": ["甲", "a"]\n  "ok": ["正常"]\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"messages.yaml: .*codes.no_such_code: no such key.*codes.ok: expected \[zh, en\]"):
        i18n.use_client_words(path)
    i18n.use_client_words(None)


def test_inputs_name_their_measures_with_the_precision_of_their_unit(config):
    """Hand-written: currency to the cent half up (0.785 → 0.79), a percent to 0.1% (87.65% →
    87.7%), whole counts without decimals, a lagged measure keeps its period."""
    assert measure_value(2274642.785, "currency") == "2,274,642.79"
    assert measure_value(0.8765, "percent") == "87.7%"
    assert measure_value(44.0, "count") == "44" and measure_value(1234.5, "count") == "1,234.5"
    catalog = config.catalog
    assert inputs_text("renewed=44; due_for_renewal=50", catalog, "zh") == "续约客户数=44；应续约客户数=50"
    assert inputs_text("sales=2274642.785; sales[2025Q2]=∅", catalog, "en") == "Sales=2,274,642.79; Sales[2025Q2]=∅"


def test_no_language_branches():
    """Words come from the catalogue: kpilib tests a language nowhere (i18n.pick looks the
    language up in the catalogue's order)."""
    root = Path(i18n.__file__).parent
    branch = re.compile(r"""lang\s*[!=]=\s*["'](zh|en)["']|["'](zh|en)["']\s*[!=]=\s*\w*lang|\b_zh\(""")
    found = [f"{path.relative_to(root)}:{n}" for path in sorted(root.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if branch.search(line)]
    assert found == []
