"""Half-up rounding checked against Excel's ROUND results (values as Excel documents them)."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from kpilib.rounding import round_half_up, round_half_up_scalar


def test_excel_examples():
    # Excel: =ROUND(35*0.35,1) → 12.3; =ROUND(2.675,2) → 2.68; =ROUND(1.005,2) → 1.01;
    # =ROUND(-2.5,0) → -3; =ROUND(0.285,2) → 0.29; =ROUND(15.525,1) → 15.5
    assert round_half_up_scalar(35 * 0.35, 1) == 12.3
    assert round_half_up_scalar(2.675, 2) == 2.68
    assert round_half_up_scalar(1.005, 2) == 1.01
    assert round_half_up_scalar(-2.5, 0) == -3.0
    assert round_half_up_scalar(0.285, 2) == 0.29
    assert round_half_up_scalar(15.525, 1) == 15.5
    assert round(2.5) == 2 and round_half_up_scalar(2.5, 0) == 3.0  # not banker's rounding


def test_vector_forms_keep_nan_and_index():
    s = pd.Series([1.25, np.nan, 0.7 * 85.2 + 24.5], index=list("abc"))
    out = round_half_up(s, 1)
    assert out.index.tolist() == list("abc")
    assert out.iloc[0] == 1.3 and np.isnan(out.iloc[1]) and out.iloc[2] == 84.1
    assert round_half_up(np.array([0.5, 1.5, 2.5]), 0).tolist() == [1.0, 2.0, 3.0]


@given(st.integers(min_value=-10**7, max_value=10**7), st.integers(min_value=0, max_value=3))
def test_decimal_ties_go_away_from_zero(k, d):
    value = float(Decimal(k) / Decimal(10) ** (d + 1))  # a decimal with d+1 places, as typed in Excel
    expected = float(Decimal(str(value)).quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP))
    assert round_half_up_scalar(value, d) == expected


@given(st.lists(st.floats(min_value=-1e7, max_value=1e7, allow_nan=False), max_size=50), st.integers(0, 4))
def test_vector_path_equals_the_exact_path(values, d):
    fast = round_half_up(np.array(values), d)
    assert fast.tolist() == [round_half_up_scalar(v, d) for v in values]


def test_products_of_weights_and_attainments():
    weights = np.array([35, 15, 10, 30, 25])
    attainment = np.array([0.35, 1.035, 0.845, 0.965, 1.01])
    assert round_half_up(weights * attainment, 1).tolist() == [12.3, 15.5, 8.5, 29.0, 25.3]
