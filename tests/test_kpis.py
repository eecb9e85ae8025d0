"""KPI values aggregate measures over the period first (ratio of sums), by declared aggregation."""

import pandas as pd
import pytest

from kpilib.kpis import MeasureCube, kpi_values


def measures(rows):
    frame = pd.DataFrame(rows, columns=["period", "employee_id", "measure", "value"])
    frame["period"] = pd.PeriodIndex(frame["period"], freq="M")
    return frame


def test_quarter_is_ratio_of_sums_not_mean_of_ratios(config):
    m = measures([("2025-07", "E1", "resolved", 90), ("2025-07", "E1", "requests", 100),
                  ("2025-08", "E1", "resolved", 10), ("2025-08", "E1", "requests", 50),
                  ("2025-09", "E1", "resolved", 50), ("2025-09", "E1", "requests", 50)])
    v = kpi_values(MeasureCube(m, config.catalog), config.catalog, "2025Q3", ["resolution_rate"])
    assert v.loc[0, "actual"] == pytest.approx(150 / 200)  # mean of monthly rates would be 0.6333
    assert v.loc[0, "inputs"] == "resolved=150; requests=200"
    month = kpi_values(MeasureCube(m, config.catalog), config.catalog, "2025-08", ["resolution_rate"])
    assert month.loc[0, "actual"] == pytest.approx(0.2)


def test_level_measures_use_their_aggregation(config):
    # customers_at_start aggregates 'first', total_customers 'last', oee 'mean'
    m = measures([("2025-07", "E1", "customers_at_start", 100), ("2025-08", "E1", "customers_at_start", 96),
                  ("2025-09", "E1", "customers_at_start", 93), ("2025-07", "E1", "churned_customers", 4),
                  ("2025-08", "E1", "churned_customers", 3), ("2025-09", "E1", "churned_customers", 3),
                  ("2025-07", "E1", "oee", 0.80), ("2025-08", "E1", "oee", 0.90), ("2025-09", "E1", "oee", 0.85)])
    cube = MeasureCube(m, config.catalog)
    v = kpi_values(cube, config.catalog, "2025Q3", ["customer_retention", "equipment_oee"]).set_index("kpi")
    assert v.loc["customer_retention", "actual"] == pytest.approx(1 - 10 / 100)
    assert v.loc["equipment_oee", "actual"] == pytest.approx(0.85)


def test_yoy_reads_last_year_and_explains(config):
    m = measures([("2024-07", "E1", "sales", 100.0), ("2025-07", "E1", "sales", 125.0)])
    v = kpi_values(MeasureCube(m, config.catalog), config.catalog, "2025-07", ["sales_growth"])
    assert v.loc[0, "actual"] == pytest.approx(0.25)
    assert v.loc[0, "inputs"] == "sales=125; sales[2024-07]=100"


def test_missing_values_carry_a_reason(config):
    m = measures([("2025-07", "E1", "resolved", 0), ("2025-07", "E1", "requests", 0)])
    v = kpi_values(MeasureCube(m, config.catalog), config.catalog, "2025-07", ["resolution_rate"],
                   entities=pd.Index(["E1", "E2"]))
    assert v["actual"].isna().all()
    assert v["reason"].tolist() == [("division_by_zero", {"expression": "requests", "period": "2025-07"}),
                                    ("no_data", {"measure": "resolved", "period": "2025-07"})]
