"""Validation of the raw tables: parse types, check each table, then check across tables.

Per-table rules are pandera schemas over the parsed columns; parsing (numbers, dates,
periods) and cross-table rules (unknown ids, duplicates, gaps, exits) are vectorised
pandas. Every problem names the file, the Excel row (header = row 1), the column, the
value and what was expected; nothing is dropped silently.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kpilib.config import RATER_TYPES, Config
from kpilib.data import OPTIONAL, REQUIRED, ROW, Dataset, RawTable
from kpilib.periods import FORMATS, is_period, parse_period
from kpilib.problems import ERROR, Problems

MAX_PER_CHECK = 200  # rows listed per (file, column, check); the rest are counted
ROLE_LAYERS = ("management", "execution", "support")
KINDS = ("person", "team", "department")


class _Table:
    """A raw table being validated, and the problems it adds."""

    def __init__(self, raw: RawTable, problems: Problems):
        self.raw, self.label, self.frame, self.problems = raw, raw.label, raw.frame, problems

    def require(self) -> bool:
        missing = [c for c in REQUIRED[self.raw.name] if c not in self.frame.columns]
        for col in missing:
            self.problems.error(self.label, f"a column named {col!r} (required)", row=1, column=col)
        known = set(REQUIRED[self.raw.name]) | set(OPTIONAL[self.raw.name]) | {ROW, "_wide_column"}
        for col in self.frame.columns:
            if col not in known:
                self.problems.warn(self.label, "a known column; this one is not used and is ignored",
                                   row=1, column=col)
        return not missing

    def text(self, col: str) -> pd.Series:
        if col not in self.frame.columns:
            return pd.Series("", index=self.frame.index, dtype="str")
        s = self.frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(str)
        return s.astype("str").fillna("").str.strip().replace({"nan": "", "None": "", "<NA>": ""})

    def report(self, mask: pd.Series | np.ndarray, col: str, expected: str,
               severity: str = ERROR, values: pd.Series | None = None) -> None:
        mask = np.asarray(mask, dtype=bool)
        count = int(mask.sum())
        if not count:
            return
        rows = self.frame[ROW].to_numpy()[mask]
        vals = (values if values is not None else self.frame[col] if col in self.frame else
                pd.Series("", index=self.frame.index)).to_numpy()[mask]
        cols = (self.frame["_wide_column"].to_numpy()[mask] if "_wide_column" in self.frame
                and col in ("value", "target", "score") else [col] * count)
        shown = min(count, MAX_PER_CHECK)
        for row, column, value in zip(rows[:shown], cols[:shown], vals[:shown], strict=True):
            self.problems.add_rows(self.label, [row], column, [value], expected, severity)
        if count > shown:
            (self.problems.error if severity == ERROR else self.problems.warn)(
                self.label, f"... and {count - shown:,} more rows with the same problem: {expected}",
                column=col)

    def numbers(self, col: str, required: bool = True) -> pd.Series:
        s = self.frame[col] if col in self.frame else pd.Series(np.nan, index=self.frame.index)
        if pd.api.types.is_numeric_dtype(s):
            values = s.astype(float)
            if required:
                self.report(values.isna(), col, "a number (the cell is empty)")
            return values
        text = self.text(col)
        values = pd.to_numeric(text.str.replace(",", "", regex=False).str.rstrip("%"), errors="coerce")
        percent = text.str.endswith("%")
        values = values.where(~percent, values / 100)
        empty = text == ""
        self.report(values.isna() & ~empty, col, "a number")
        if required:
            self.report(empty, col, "a number (the cell is empty)")
        return values.astype(float)

    def by_unique(self, col: str, parse) -> tuple[pd.Series, pd.Series]:
        """Parse a low-cardinality text column through its unique values; (parsed, text)."""
        text = self.text(col)
        codes, uniques = pd.factorize(text)
        parsed = [parse(u) for u in uniques]
        return pd.Series(np.array(parsed + [None], dtype=object)[codes], index=text.index), text

    def dates(self, col: str, required: bool) -> pd.Series:
        def parse(u: str):
            if not u:
                return None
            try:
                return pd.Timestamp(pd.to_datetime(u, format="%Y-%m-%d"))
            except (ValueError, TypeError):
                return "bad"
        parsed, text = self.by_unique(col, parse)
        self.report((parsed == "bad").to_numpy(), col, "a date as YYYY-MM-DD")
        if required:
            self.report((text == "").to_numpy(), col, "a date as YYYY-MM-DD (the cell is empty)")
        return pd.to_datetime(parsed.where(parsed != "bad", None), errors="coerce")

    def periods(self, col: str, grains: str, formats: str):
        """(label, grain, start, end) columns for a period column of the given grains."""
        def parse(u: str):
            if is_period(u, grains):
                span = parse_period(u)
                return span.label, span.grain, span.start, span.end
            if len(u) == 10 and is_period(u[:7], "M") and u[7:] == "-01" and "M" in grains:
                span = parse_period(u[:7])  # Excel turned 2025-07 into a date
                return span.label, span.grain, span.start, span.end
            return None
        parsed, text = self.by_unique(col, parse)
        bad = parsed.isna().to_numpy()
        self.report(bad & (text != "").to_numpy(), col, f"a period as {formats}")
        self.report((text == "").to_numpy(), col, f"a period as {formats} (the cell is empty)")
        parts = [parsed.map(lambda p, i=i: p[i] if p else None) for i in range(4)]
        return (parts[0], parts[1], pd.PeriodIndex(parts[2].tolist(), freq="M") if len(parsed) else
                pd.PeriodIndex([], freq="M"), pd.PeriodIndex(parts[3].tolist(), freq="M")
                if len(parsed) else pd.PeriodIndex([], freq="M"), bad)

    def check(self, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> None:
        """Run a pandera schema lazily and report each failure at its Excel row."""
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.dropna(subset=["index"])
            for (col, check), group in cases.groupby(["column", "check"], sort=False):
                mask = frame.index.isin(group["index"].astype(int))
                self.report(mask, col, str(check), values=frame[col])

    def duplicates(self, frame: pd.DataFrame, keys: list[str], what: str) -> pd.Series:
        """Report rows repeating an earlier row's keys; return the mask of repeats."""
        dup = frame.duplicated(keys, keep="first")
        if dup.any():
            rows = self.frame.loc[frame.index, ROW]
            first = rows.groupby([frame[k] for k in keys], observed=True, sort=False).transform("min")
            repeats = frame.index[dup.to_numpy()]
            for index in repeats[:MAX_PER_CHECK]:
                self.problems.error(self.label, f"one row per {what}; this repeats row {first[index]}",
                                    row=int(rows[index]), column=keys[-1], value=frame.at[index, keys[-1]])
            if len(repeats) > MAX_PER_CHECK:
                self.problems.error(self.label, f"... and {len(repeats) - MAX_PER_CHECK:,} more repeated rows",
                                    column=keys[-1])
        return dup


def _str_check(values: tuple[str, ...], message: str) -> pa.Check:
    return pa.Check.isin(list(values), error=message)


def validate_tables(raw: dict[str, RawTable], config: Config, problems: Problems) -> Dataset | None:
    """Parse and check the four tables; return a Dataset (None when a required column is missing)."""
    tables = {name: _Table(t, problems) for name, t in raw.items()}
    if not all(t.require() for t in tables.values()):
        return None
    employees = _employees(tables["employees"], config)
    measures = _measures(tables["measures"], config, employees)
    targets = _targets(tables["targets"], config, employees)
    ratings = _ratings(tables["ratings"], config, employees)
    _scheme_coverage(tables["employees"], employees, config)
    return Dataset(employees, measures, targets, ratings,
                   sources={name: t.label for name, t in raw.items()})


def _employees(t: _Table, config: Config) -> pd.DataFrame:
    departments = set(config.catalog.departments) | set(config.scheme.departments)
    frame = pd.DataFrame({
        "employee_id": t.text("employee_id"), "name": t.text("name"),
        "department": t.text("department"), "region": t.text("region"),
        "team": t.text("team"), "role_layer": t.text("role_layer"), "position": t.text("position"),
        "manager_id": t.text("manager_id"), "kind": t.text("kind").replace("", "person"),
    }, index=t.frame.index)
    frame["hire_date"] = t.dates("hire_date", required=True)
    frame["exit_date"] = t.dates("exit_date", required=False)
    nonempty = pa.Check.str_length(min_value=1, error="a value (the cell is empty)")
    t.check(frame, pa.DataFrameSchema({
        "employee_id": pa.Column(str, nonempty),
        "name": pa.Column(str, nonempty),
        "department": pa.Column(str, _str_check(tuple(sorted(departments)),
                                                f"a department id from the catalogue ({', '.join(sorted(departments))})")),
        "region": pa.Column(str, nonempty),
        "role_layer": pa.Column(str, _str_check(("",) + ROLE_LAYERS, f"empty or one of {', '.join(ROLE_LAYERS)}")),
        "kind": pa.Column(str, _str_check(KINDS, f"one of {', '.join(KINDS)}")),
    }))
    t.duplicates(frame, ["employee_id"], "employee_id")
    ids = set(frame["employee_id"])
    t.report(~frame["manager_id"].isin(ids | {""}), "manager_id", "empty or an employee_id of this file")
    t.report((frame["exit_date"] < frame["hire_date"]).to_numpy(), "exit_date", "an exit date on or after hire_date")
    return frame.drop_duplicates("employee_id").reset_index(drop=True)


def _entity_check(t: _Table, entity: pd.Series, employees: pd.DataFrame, groups: bool = False) -> None:
    known = set(employees["employee_id"])
    if groups:
        known |= set(employees["department"]) | set(employees["team"]) - {""}
    codes, uniques = pd.factorize(entity)
    unknown_u = np.array([u not in known for u in uniques] + [False])
    what = "an employee_id listed in employees" + (" (or a team or department id)" if groups else "")
    t.report(unknown_u[codes], "employee_id", what)


def _measures(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    label, _grain, start, _end, bad_period = t.periods("period", "M", "YYYY-MM")
    entity = t.text("employee_id")
    measure = t.text("measure")
    value = t.numbers("value")
    frame = pd.DataFrame({"period": start, "employee_id": entity, "measure": measure, "value": value},
                         index=t.frame.index)
    _entity_check(t, entity, employees, groups=True)
    catalog = config.catalog.measures
    codes, uniques = pd.factorize(measure)
    unknown = np.array([u not in catalog for u in uniques] + [False])[codes]
    t.report(unknown, "measure", "a measure declared in the catalogue (see `kpireport catalog`)")
    signed = np.array([catalog[u].signed if u in catalog else True for u in uniques] + [True])[codes]
    t.report(~signed & (value < 0).to_numpy(), "value", "a value ≥ 0 (this measure cannot be negative)")
    ok = ~bad_period
    t.duplicates(frame[ok], ["period", "employee_id", "measure"], "period, employee and measure")
    if ok.any():
        _month_gaps(t, frame.loc[ok, "period"])
        _outside_employment(t, frame[ok], employees)
    frame = frame[ok & ~unknown].drop_duplicates(["period", "employee_id", "measure"])
    frame["employee_id"] = frame["employee_id"].astype("category")
    frame["measure"] = frame["measure"].astype("category")
    return frame.reset_index(drop=True)


def _month_gaps(t: _Table, months: pd.Series) -> None:
    present = set(months.unique())
    full = pd.period_range(min(present), max(present), freq="M")
    for month in full:
        if month not in present:
            t.problems.error(t.label, f"measures for every month between {min(present)} and "
                             f"{max(present)}: month {month} has none", column="period", value=str(month))


def _outside_employment(t: _Table, frame: pd.DataFrame, employees: pd.DataFrame) -> None:
    people = employees.set_index("employee_id")
    hire = frame["employee_id"].map(people["hire_date"].dt.to_period("M"))
    exit_ = frame["employee_id"].map(people["exit_date"].dt.to_period("M"))
    period = frame["period"]
    after = exit_.notna() & (period > exit_.where(exit_.notna(), period))
    before = hire.notna() & (period < hire.where(hire.notna(), period))
    t.report(t.frame.index.isin(frame.index[after.to_numpy()]), "period",
             "a month on or before the person's exit_date (measured after leaving)")
    t.report(t.frame.index.isin(frame.index[before.to_numpy()]), "period",
             "a month on or after the person's hire_date (measured before joining)")


def _targets(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    label, grain, start, end, bad_period = t.periods("period", "MQHY", FORMATS)
    frame = pd.DataFrame({
        "period": label, "grain": grain, "start": start, "end": end,
        "employee_id": t.text("employee_id"), "kpi": t.text("kpi"),
        "target": t.numbers("target"), "baseline": t.numbers("baseline", required=False),
        "challenge": t.numbers("challenge", required=False),
    }, index=t.frame.index)
    _entity_check(t, frame["employee_id"], employees, groups=True)
    quantitative = config.catalog.quantitative()
    unknown = ~frame["kpi"].isin(list(quantitative))
    t.report(unknown, "kpi", "a quantitative KPI id from the catalogue")
    t.report(~unknown & (frame["target"] == 0), "target",
             "a target other than 0 (attainment divides by the target)")
    additive = frame["kpi"].map({k: v.targets_add_up for k, v in quantitative.items()}).fillna(False)
    t.report(additive.astype(bool) & (frame["target"] < 0), "target", "a target ≥ 0 for a count or amount")
    ok = ~bad_period & ~unknown.to_numpy()
    t.duplicates(frame[ok], ["period", "employee_id", "kpi"], "period, employee and KPI")
    frame = frame[ok & frame["target"].notna().to_numpy()].drop_duplicates(["period", "employee_id", "kpi"])
    return frame.reset_index(drop=True)


def _ratings(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    label, _grain, start, end, bad_period = t.periods("period", "MQ", "YYYY-MM or YYYYQn")
    frame = pd.DataFrame({
        "period": label, "start": start, "end": end, "employee_id": t.text("employee_id"),
        "rater_type": t.text("rater_type"), "rater_id": t.text("rater_id"),
        "criterion": t.text("criterion"), "score": t.numbers("score"), "note": t.text("note"),
    }, index=t.frame.index)
    _entity_check(t, frame["employee_id"], employees)
    criteria = sorted(config.catalog.qualitative())
    t.check(frame, pa.DataFrameSchema({
        "rater_type": pa.Column(str, _str_check(RATER_TYPES, f"one of {', '.join(RATER_TYPES)}")),
        "criterion": pa.Column(str, _str_check(tuple(criteria), "a qualitative KPI id from the catalogue")),
        "score": pa.Column(float, pa.Check.in_range(1, 5, error="a score from 1 to 5"), nullable=True),
    }))
    ok = ~bad_period & frame["criterion"].isin(criteria).to_numpy() & frame["rater_type"].isin(RATER_TYPES).to_numpy()
    t.duplicates(frame[ok], ["period", "employee_id", "rater_type", "rater_id", "criterion"],
                 "period, employee, rater and criterion")
    frame = frame[ok & frame["score"].between(1, 5).to_numpy()]
    return frame.drop_duplicates(["period", "employee_id", "rater_type", "rater_id", "criterion"]).reset_index(drop=True)


def _scheme_coverage(t: _Table, employees: pd.DataFrame, config: Config) -> None:
    people = employees[employees["kind"] == "person"]
    for dept, count in people["department"].value_counts().items():
        if dept and dept not in config.scheme.departments:
            t.problems.warn(t.label, f"department {dept} has no weights in the scheme: its {count} "
                            "people are not scored", column="department", value=dept)
