"""Parameters: overlays, and errors that name the file, the key and the position."""

import shutil

import pytest

from kpilib.config import load_config
from kpilib.problems import UserError


@pytest.fixture
def params(tmp_path):
    root = load_config().files[0].parent
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(root / name, tmp_path / name)
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    return tmp_path


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
