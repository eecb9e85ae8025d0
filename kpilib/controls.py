"""Control totals: finance's totals checked against the sum of the personal figures.

An optional `controls` table (`controls.csv` or `.parquet` in the data folder, a `controls`
sheet of the workbook, or a `controls` table of a database) has one row per control:

- period: 2025-07, 2025Q3, 2025H2 or 2025 (every month of it must be in the measures);
- measure: a measure of the measures table;
- department: a department id, or `all` (the whole company);
- total: the figure finance reports;
- tolerance (optional): the largest difference accepted, in the measure's unit
  (blank: `DEFAULT_TOLERANCE`, a cent).

Formula: sum = Σ value over the measures rows of `measure` whose month lies in `period` and
whose employee_id (a person, team or department row alike) belongs to `department`;
difference = sum − total; the control holds when |difference| ≤ tolerance. A control
that does not hold is an error naming the file, its row, the measure, the expected total,
the computed sum and the difference, so `validate`, `scores` and `pack` stop (a pack then
writes nothing and keeps the previous one). Checked against hand sums in
tests/test_controls.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.data import ROW, Dataset, RawTable
from kpilib.numbers import parse_numbers
from kpilib.periods import FORMATS, is_period, parse_period
from kpilib.problems import Problems
from kpilib.rounding import round_half_up_scalar

COMPANY = "all"
DEFAULT_TOLERANCE = 0.01
COLUMNS = ["row", "period", "measure", "department", "total", "tolerance", "sum", "difference", "holds"]


def check_controls(raw: RawTable | None, dataset: Dataset, problems: Problems) -> pd.DataFrame:
    """Check every control of `raw` against `dataset`; problems name `raw.label` and the row.

    Returns one row per control that could be computed, columns `COLUMNS` (row: the Excel
    row of the control; sum, difference: as in the module's formula; holds: bool)."""
    if raw is None or raw.frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame, label = raw.frame, raw.label
    departments = dataset.employees.set_index("employee_id")["department"].astype(str)
    measures = dataset.measures.assign(department=dataset.measures["employee_id"].map(departments).to_numpy())
    known_measures = set(measures["measure"].astype(str))
    known_departments = set(dataset.employees["department"].astype(str))
    months = set(dataset.months)
    rows = []
    for i in range(len(frame)):
        cells = frame.iloc[i]
        row = int(cells[ROW])
        period, measure, department = (_text(cells.get(c)) for c in ("period", "measure", "department"))
        total, total_ok = _number(cells.get("total"), label, row, "total", problems, required=True)
        tolerance, ok = _number(cells.get("tolerance"), label, row, "tolerance", problems, required=False)
        span = _span(period)
        ok = ok and total_ok
        if span is None:
            problems.error(label, f"a period as {FORMATS}", row=row, column="period", value=period)
            ok = False
        elif missing := [str(m) for m in span.months() if m not in months]:
            problems.error(label, f"a period whose months are all in the measures; {', '.join(missing)} "
                           "have none, so this control cannot be checked", row=row, column="period", value=period)
            ok = False
        if measure not in known_measures:
            problems.error(label, "a measure of the measures table", row=row, column="measure", value=measure)
            ok = False
        if department != COMPANY and department not in known_departments:
            problems.error(label, f"a department id of the employees table, or {COMPANY}", row=row,
                           column="department", value=department)
            ok = False
        if tolerance is not None and tolerance < 0:
            problems.error(label, "a tolerance of 0 or more", row=row, column="tolerance", value=tolerance)
            ok = False
        if not ok:
            continue
        tolerance = DEFAULT_TOLERANCE if tolerance is None else tolerance
        assert total is not None and span is not None
        chosen = measures[(measures["measure"] == measure) & (measures["period"] >= span.start)
                          & (measures["period"] <= span.end)]
        if department != COMPANY:
            chosen = chosen[chosen["department"] == department]
        computed = float(np.sum(chosen["value"].to_numpy(dtype=float)))
        difference = computed - total
        holds = abs(difference) <= tolerance + 1e-9 * max(1.0, abs(total))  # float sums of cents
        rows.append([row, span.label, measure, department, total, tolerance, computed, difference, holds])
        if not holds:
            problems.error(label, f"the control total of {measure} for {department} in {span.label}: expected "
                           f"{_shown(total)}, computed sum {_shown(computed)}, difference {_shown(difference, True)} "
                           f"(tolerance {tolerance:g})", row=row, column="total", value=_shown(total))
    return pd.DataFrame(rows, columns=COLUMNS)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _span(text: str):
    if is_period(text):
        return parse_period(text)
    if len(text) == 10 and text.endswith("-01") and is_period(text[:7], "M"):
        return parse_period(text[:7])  # Excel or a database turned 2025-07 into a date
    return None


def _number(value: object, label: str, row: int, column: str, problems: Problems,
            required: bool) -> tuple[float | None, bool]:
    """(the cell as a float, None when blank; whether it is usable): an error is added for
    text that is no finite number, and for a blank cell when `required`."""
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and not pd.isna(value):
        if np.isfinite(value):
            return float(value), True
        value = str(value)
    text = _text(value)
    if text == "":
        if required:
            problems.error(label, "a number (the cell is empty)", row=row, column=column)
        return None, not required
    parsed, problem = parse_numbers(pd.Series([text], dtype=object))
    if problem[0] or not np.isfinite(parsed[0]):
        problems.error(label, problem[0] or "a finite number", row=row, column=column, value=text)
        return None, False
    return float(parsed[0]), True


def _shown(value: float, signed: bool = False) -> str:
    """Two decimals, rounded half up, thousands separated (`+` on a difference)."""
    return f"{round_half_up_scalar(value, 2):{'+' if signed else ''},.2f}"
