"""Parameters: overlays, and errors that name the file, the key and the position."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kpilib.config import TIE_BREAKS, TIER_GROUPS, load_config
from kpilib.problems import UserError
from kpilib.scoring import SHEET_COLUMNS
from kpilib.yamlfile import MAX_YAML_BYTES


def errors(params, **files):
    for name, text in files.items():
        (params / "clients" / "acme" / name).write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_config("acme", params)
    return [str(p) for p in err.value.problems.errors]


def test_formula_errors_name_the_kpi_and_position(params):
    found = errors(params, **{"catalog.yaml": "kpis:\n  renewal_rate:\n    formula: renewed / due_renewal\n"})
    assert any("KPI renewal_rate" in e and "unknown measure 'due_renewal'" in e and "position 11" in e for e in found)


def test_yaml_syntax_error_names_the_line(params):
    found = errors(params, **{"scheme.yaml": "scoring:\n  quantitative_share: [0.7\n"})
    assert any("scheme.yaml" in e and "row" in e for e in found)


def test_schema_errors_name_the_key(params):
    found = errors(params, **{"scheme.yaml": "scoring:\n  tiers:\n    shares: {S: 0.5, A: 0.6}\n"
                                             "departments:\n  sales:\n    quantitative: {nope: 10}\n"})
    assert any("scoring.tiers" in e and "sum to 1" in e for e in found)


def test_unknown_kpi_in_weights(params):
    found = errors(params, **{"scheme.yaml": "departments:\n  sales:\n    quantitative: {nope: 10}\n"})
    assert any("departments.sales.quantitative.nope" in e for e in found)


def test_null_removes_a_key(params):
    (params / "clients" / "acme" / "scheme.yaml").write_text(
        "departments:\n  sales:\n    quantitative: {campaign_roi: ~}\n", encoding="utf-8")
    config = load_config("acme", params)
    assert "campaign_roi" not in config.scheme.departments["sales"].quantitative


@pytest.mark.parametrize("file, text, key, message", [
    ("scheme.yaml", "departments: {sales: {quantitative: {sales_amount: .nan}}}",
     "departments.sales.quantitative.sales_amount", "a finite number, not nan"),
    ("scheme.yaml", "departments: {sales: {qualitative: {collaboration: true}}}",
     "departments.sales.qualitative.collaboration", "a number, not true"),
    ("scheme.yaml", "scoring: {raters: {supervisor: .nan}}", "scoring.raters.supervisor", "finite"),
    ("scheme.yaml", "scoring: {attainment: {floor: .inf}}", "scoring.attainment.floor", "not inf"),
    ("scheme.yaml", "scoring: {attainment: {cap: -.inf}}", "scoring.attainment.cap", "not -inf"),
    ("scheme.yaml", "scoring: {quantitative_share: .NaN}", "scoring.quantitative_share", "finite"),
    ("scheme.yaml", "scoring: {rounding: {final: true}}", "scoring.rounding.final", "a number, not true"),
    ("scheme.yaml", "scoring: {grades: [{min: .nan, zh: 好, en: Good}, {min: 0, zh: 差, en: Poor}]}",
     "scoring.grades.0.min", "finite"),
    ("scheme.yaml", "scoring: {tiers: {shares: {S: .inf}}}", "scoring.tiers.shares.S", "finite"),
    ("scheme.yaml", "incentives: {sales: {commission: {attainment: .inf}}}", "incentives.sales.commission.attainment",
     "finite"),
    ("scheme.yaml", "incentives: {sales: {watch_list: {bottom: .nan, review_after: 2}}}",
     "incentives.sales.watch_list.bottom", "finite"),
    ("catalog.yaml", "kpis: {sales_amount: {cap: .inf}}", "kpis.sales_amount.cap", "finite"),
    ("catalog.yaml", "kpis: {sales_amount: {thresholds: {target: .nan}}}", "kpis.sales_amount.thresholds.target",
     "finite"),
])
def test_numbers_are_finite_and_not_booleans(params, file, text, key, message):
    found = errors(params, **{file: text + "\n"})
    assert any(file in e and key in e and message in e for e in found), found


def test_negative_tier_share_has_its_own_message(params):
    found = errors(params, **{"scheme.yaml": "scoring: {tiers: {shares: {S: -0.05, A: 0.25}}}\n"})
    assert any("scoring.tiers.shares.S" in e and "greater than or equal to 0" in e for e in found), found
    assert not any("sum to" in e for e in found)


def test_tier_columns_exist_in_the_scoring_sheet(params):
    assert set(TIER_GROUPS) - {"company"} <= set(SHEET_COLUMNS) and set(TIE_BREAKS) <= set(SHEET_COLUMNS)
    found = errors(params, **{"scheme.yaml": "scoring: {tiers: {within: regoin, tie_break: [quantitative, rating]}}\n"})
    assert any("scoring.tiers.within" in e and "company, department, team, region" in e
               and "did you mean region?" in e for e in found), found
    assert any("scoring.tiers.tie_break" in e and "'rating'" in e and "supervisor_rating" in e for e in found), found


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("text", [BILLION_LAUGHS, "a: &a [*a]\n"])
def test_alias_bomb_is_refused_quickly(params, text):
    start = time.perf_counter()
    found = errors(params, **{"scheme.yaml": text})
    assert time.perf_counter() - start < 5
    assert any(str(Path("acme") / "scheme.yaml") in e and "aliases expand to more than" in e for e in found), found


def test_oversized_file_is_refused(params):
    found = errors(params, **{"catalog.yaml": "#" * (MAX_YAML_BYTES + 1) + "\n"})
    assert any(str(Path("acme") / "catalog.yaml") in e and "at most 1,000,000 bytes" in e for e in found), found


@pytest.mark.parametrize("file, text, key, suggestion", [
    ("scheme.yaml", "departments: {sales: {quantitative: {sales_amout: 30}}}",
     "departments.sales.quantitative.sales_amout", "did you mean sales_amount?"),
    ("scheme.yaml", "scoring: {attainment: {flor: 0.1}}", "scoring.attainment.flor", "did you mean floor?"),
    ("scheme.yaml", "scoring: {raters: {superviser: 0.6}}", "scoring.raters", "did you mean supervisor?"),
    ("scheme.yaml", "incentives: {sales: {bonus: {meets_target: {min: 70, multiplier: 1, multipler: 2}}}}",
     "incentives.sales.bonus.meets_target.multipler", "did you mean multiplier?"),
    ("catalog.yaml", "kpis: {sales_amount: {dirction: lower}}", "kpis.sales_amount.dirction",
     "did you mean direction?"),
])
def test_typos_get_a_suggestion(params, file, text, key, suggestion):
    found = errors(params, **{file: text + "\n"})
    assert any(file in e and key in e and suggestion in e for e in found), found


def test_overlong_formula_names_the_kpi(params):
    found = errors(params, **{"catalog.yaml": "kpis: {sales_amount: {formula: " + " + ".join(["sales"] * 1000) + "}}\n"})
    assert any("KPI sales_amount" in e and "kpis.sales_amount.formula" in e and "more than 100 nested" in e
               for e in found), found


@pytest.mark.parametrize("text", ["scoring: {raters: {supervisor: .nan}}\n", BILLION_LAUGHS])
def test_cli_validate_explains_bad_parameters(params, text):
    (params / "clients" / "acme" / "scheme.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, "KPIREPORT_PARAMS": str(params), "COLUMNS": "200",
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.run([sys.executable, "-m", "kpilib", "validate", "--client", "acme"], env=env,
                         capture_output=True, text=True, timeout=120)
    said = run.stdout + run.stderr
    assert run.returncode == 1 and "Traceback" not in said and "scheme.yaml" in said, said


def test_deeply_nested_yaml_is_explained(params):
    found = errors(params, **{"scheme.yaml": "a: " + "[" * 3000 + "1" + "]" * 3000 + "\n"})
    assert any(str(Path("acme") / "scheme.yaml") in e and ("nested less deeply" in e or "nesting depth" in e) for e in found), found


def test_a_parameter_file_read_again_is_a_fresh_copy_and_follows_its_edits(tmp_path):
    from kpilib.problems import Problems
    from kpilib.yamlfile import read_yaml

    path = tmp_path / "scheme.yaml"
    path.write_text("scoring: {raters: {supervisor: 0.6}}\n", encoding="utf-8")
    first = read_yaml(path, Problems())
    first["scoring"]["raters"]["supervisor"] = 1.0  # a caller changing what it read
    assert read_yaml(path, Problems()) == {"scoring": {"raters": {"supervisor": 0.6}}}
    path.write_text("scoring: {raters: {supervisor: 0.7}}\n", encoding="utf-8")
    assert read_yaml(path, Problems()) == {"scoring": {"raters": {"supervisor": 0.7}}}
