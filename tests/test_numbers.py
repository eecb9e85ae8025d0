"""Numbers written on pages in their catalogue unit (kpilib.numbers.in_unit), checked against
values worked out by hand: enough decimals to tell rates apart, thousands separators, the
client's currency symbol, half-up rounding."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kpilib.branding import Branding, load_branding
from kpilib.numbers import in_unit
from kpilib.sections.common import named


@pytest.mark.parametrize(("value", "text"), [
    (0.85, "85%"),  # a typed target, as typed
    (0.875, "87.5%"),
    (0.002, "0.2%"),
    (0.0024, "0.24%"),  # not 0.2%: issue 11
    (0.00237, "0.24%"),  # two significant digits below 1%
    (0.000123, "0.012%"),
    (48 / 55, "87.3%"),  # 87.2727…% to one decimal
    (0.00245, "0.25%"),  # 0.245% half up, not to even
    (-0.136, "-13.6%"),
    (1.5, "150%"),
    (0.0, "0%"),
    (-0.0001, "-0.01%"),
])
def test_percent_keeps_the_decimals_that_tell_rates_apart(value, text):
    assert in_unit(value, "percent") == text


@pytest.mark.parametrize(("value", "unit", "text"), [
    (1_200_000, "currency", "¥1,200,000"),
    (7_599_004.06, "currency", "¥7,599,004.06"),
    (1234.5, "currency", "¥1,234.50"),  # cents when there are any
    (-35.5, "currency", "-¥35.50"),
    (4.8125, "ratio", "4.81"),
    (4.815, "ratio", "4.82"),  # half up
    (0.05, "ratio", "0.05"),
    (0.0024, "ratio", "0.0024"),  # not 0.00
    (29.566667, "days", "29.57"),
    (1_600_000, "count", "1,600,000"),  # no symbol but for a currency
])
def test_amounts_have_thousands_separators_and_the_clients_currency(value, unit, text):
    assert in_unit(value, unit, "¥") == text


def test_missing_is_blank_and_no_symbol_without_a_currency():
    assert in_unit(None, "percent") == "" and in_unit(float("nan"), "count") == ""
    assert in_unit(1_200_000, "currency") == "1,200,000"


def test_inputs_name_measures_and_write_their_values_in_unit(config):
    wb = SimpleNamespace(config=config, lang="zh", branding=Branding(currency="¥"))
    assert named(wb, "renewed=53; due_for_renewal=60") == "续约客户数=53; 应续约客户数=60"
    assert named(wb, "sales=7599004.06; sales[2025Q3]=5849867.17") == "销售额=¥7,599,004.06; 销售额[2025Q3]=¥5,849,867.17"
    assert named(wb, "market_share=0.2375") == "市场份额=23.75%"
    assert named(wb, "self=4; supervisor=5") == "自评=4; 上级=5"  # not a measure: as it is, in words


def test_the_retail_client_writes_dollars():
    assert load_branding("retail").currency == "$" and Branding().currency == ""
