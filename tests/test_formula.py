import numpy as np
import pandas as pd
import pytest

from kpilib.formula import FormulaError, evaluate, parse_formula
from kpilib.periods import parse_period

MEASURES = {"a", "b", "sales"}


@pytest.mark.parametrize("text, message, position", [
    ("a / ", "syntax error", 4),
    ("(a + b", "syntax error", 1),
    ("a ** 2", "only + - * /", 1),
    ("a.real", "Attribute is not allowed", 1),
    ("__import__('os')", "unknown function", 1),
    ("a + c", "unknown measure 'c'", 5),
    ("lag(a, 0)", "whole number n", 1),
    ("lag(a, b)", "whole number n", 1),
    ("min(a)", "at least 2", 1),
    ("a if b else 1", "IfExp is not allowed", 1),
    ("a > b", "Compare is not allowed", 1),
    ("'text'", "only numbers", 1),
    ("lambda: 1", "Lambda is not allowed", 1),
    ("", "empty formula", None),
])
def test_parse_errors_name_the_position(text, message, position):
    with pytest.raises(FormulaError) as err:
        parse_formula(text, MEASURES)
    assert message in str(err.value)
    assert err.value.position == position


@pytest.mark.parametrize("text", [" + ".join(["a"] * 1000), " + ".join(["a"] * 100_000), "-" * 5000 + "a",
                                  "abs(" * 120 + "a" + ")" * 120])
def test_overlong_formula_is_an_error_not_a_recursion(text):
    with pytest.raises(FormulaError, match="more than 100 nested operations"):
        parse_formula(text, MEASURES)


def test_a_long_chain_within_the_limit_evaluates():
    formula = parse_formula(" + ".join(["a"] * 100), MEASURES)
    values, _ = evaluate(formula, frames({"2025-07": {"x": {"a": 1.0}}}), parse_period("2025-07"), pd.Index(["x"]))
    assert values["x"] == 100


def frames(data):
    """frame_for from {period label: {entity: {measure: value}}}."""
    def frame_for(span):
        rows = data.get(span.label, {})
        return pd.DataFrame.from_dict(rows, orient="index") if rows else pd.DataFrame()
    return frame_for


def test_arithmetic_and_division_by_zero_reason():
    f = parse_formula("(a - b) / b * 100", MEASURES)
    data = {"2025Q3": {"x": {"a": 12.0, "b": 10.0}, "y": {"a": 5.0, "b": 0.0}, "z": {"a": 1.0}}}
    values, reason = evaluate(f, frames(data), parse_period("2025Q3"), pd.Index(["x", "y", "z"]))
    assert values["x"] == pytest.approx(20.0)
    assert np.isnan(values["y"]) and reason["y"] == ("division_by_zero", {"expression": "b", "period": "2025Q3"})
    assert np.isnan(values["z"]) and reason["z"] == ("no_data", {"measure": "b", "period": "2025Q3"})
    assert reason["x"] is None


def test_growth_functions():
    data = {"2025Q3": {"x": {"sales": 110.0}}, "2024Q3": {"x": {"sales": 100.0}},
            "2025Q2": {"x": {"sales": 88.0}}}
    span, index = parse_period("2025Q3"), pd.Index(["x"])
    yoy, _ = evaluate(parse_formula("yoy(sales)", MEASURES), frames(data), span, index)
    qoq, _ = evaluate(parse_formula("qoq(sales)", MEASURES), frames(data), span, index)
    lag, _ = evaluate(parse_formula("lag(sales, 4)", MEASURES), frames(data), span, index)
    assert yoy["x"] == pytest.approx(0.10) and qoq["x"] == pytest.approx(0.25) and lag["x"] == 100.0


def test_min_max_abs():
    data = {"2025-07": {"x": {"a": -3.0, "b": 2.0}}}
    span, index = parse_period("2025-07"), pd.Index(["x"])
    f = parse_formula("max(a, b, 1) + min(a, b) + abs(a)", MEASURES)
    values, _ = evaluate(f, frames(data), span, index)
    assert values["x"] == 2 - 3 + 3
