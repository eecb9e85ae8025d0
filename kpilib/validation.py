"""Validation of the raw tables: parse types, check each table, then check across tables.

Per-table rules are pandera schemas; parsing (numbers, dates, periods) and cross-table
rules (unknown ids, duplicates, gaps, exits) are vectorised pandas. Text columns are
handled as codes over their distinct values, so a 30-million-row measures table is
checked value by distinct value, not row by row. Every problem names the file, the
Excel row (header = row 1), the column, the value and what was expected; nothing is
dropped silently.
"""

from __future__ import annotations

import difflib
import unicodedata
from functools import cache

import numpy as np
import pandas as pd
import pandera.pandas as pa

from kpilib.config import RATER_TYPES, Config
from kpilib.data import OPTIONAL, REQUIRED, ROW, Dataset, RawTable
from kpilib.numbers import parse_numbers
from kpilib.periods import FORMATS, is_period, parse_period
from kpilib.problems import ERROR, WARNING, Problems
from kpilib.repeats import repeated_keys

MAX_NUMBER = 1e15  # larger values are typos or overflow sums; rows × 1e15 stays exact enough in float64
MAX_PER_CHECK = 200  # rows listed per (file, column, check); the rest are counted
ROLE_LAYERS = ("management", "execution", "support")
KINDS = ("person", "team", "department")
NAT = np.iinfo(np.int64).min
MONTH = pd.PeriodDtype("M")
ID_COLUMNS = ("employee_id", "manager_id", "rater_id")  # compared as `normal_id`
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))  # zero-width characters and BOM
RENAMED = ("an id without spaces, zero-width/BOM characters or full-width forms; read as the id it equals "
           "without them")


class _Table:
    """A raw table being validated, and the problems it adds."""

    def __init__(self, raw: RawTable, problems: Problems):
        self.raw, self.label, self.frame, self.problems = raw, raw.label, raw.frame, problems
        self.coded = cache(self._coded)
        self.renamed: dict[str, np.ndarray] = {}  # id column -> rows whose id `normal_id` changed

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

    def _coded(self, col: str) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct stripped texts) of a column; blanks and NaN are ''. Ids are `normal_id`s."""
        if col not in self.frame.columns:
            return np.zeros(len(self.frame), dtype=np.int8), np.array([""], dtype=object)
        s = self.frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            codes, uniques = s.cat.codes.to_numpy(), list(s.cat.categories)
        else:
            codes, uniques = pd.factorize(s, use_na_sentinel=True)
            uniques = list(uniques)
        texts = [_clean(u) for u in uniques]
        if col in ID_COLUMNS:
            ids = [normal_id(u) for u in texts]
            changed = np.array([a != b for a, b in zip(ids, texts, strict=True)] + [False])
            if changed.any():
                self.renamed[col] = changed[codes]  # code -1 (NaN) takes the appended False
            texts = ids
        has_na = bool((codes < 0).any())
        if not has_na and len(set(texts)) == len(texts):
            return codes, np.asarray(texts, dtype=object)
        merged, distinct = pd.factorize(pd.Series(texts + [""], dtype=object))
        return merged[codes], np.asarray(distinct, dtype=object)  # code -1 (NaN) takes the last, ''

    def text(self, col: str) -> pd.Series:
        codes, uniques = self.coded(col)
        return pd.Series(uniques[codes], index=self.frame.index, dtype="str")

    def categorical(self, col: str) -> pd.Categorical:
        codes, uniques = self.coded(col)
        return pd.Categorical.from_codes(codes, uniques)

    def by_unique(self, col: str, bad: np.ndarray) -> np.ndarray:
        """Row mask from a mask over the column's distinct values."""
        return np.asarray(bad, dtype=bool)[self.coded(col)[0]]

    def report(self, mask, col: str, expected: str, severity: str = ERROR, values=None) -> None:
        mask = np.asarray(mask, dtype=bool)
        count = int(mask.sum())
        if not count:
            return
        where = np.flatnonzero(mask)
        if "_wide_column" in self.frame and col in ("measure", "kpi", "criterion"):
            # an unknown item of a wide export is a column header: one problem per column, at row 1
            for header in pd.unique(self.frame["_wide_column"].to_numpy()[where]):
                add = self.problems.error if severity == ERROR else self.problems.warn
                add(self.label, expected, row=1, column=str(header), value=str(header))
            return
        if "_wide_column" in self.frame and col not in ("value", "target", "score"):
            # a wide export's row became one row per column: one problem per cell of the source
            where = where[~pd.Series(self.frame[ROW].to_numpy()[where]).duplicated().to_numpy()]
            count = len(where)
        where = where[:MAX_PER_CHECK]
        rows = self.frame[ROW].to_numpy()[where]
        if values is None and col in ID_COLUMNS and col in self.frame:
            vals = self.frame[col].to_numpy()[where]  # the id as written, not as normalised
        elif values is None:
            codes, uniques = self.coded(col)
            vals = uniques[codes[where]]
        else:
            vals = np.asarray(values)[where]
        cols = (self.frame["_wide_column"].to_numpy()[where] if "_wide_column" in self.frame
                and col in ("value", "target", "score") else [col] * len(where))
        self.problems.add_rows(self.label, rows, cols, vals, expected, severity)
        if count > len(where):
            add = self.problems.error if severity == ERROR else self.problems.warn
            add(self.label, f"... and {count - len(where):,} more rows with the same problem: {expected}", column=col)

    def numbers(self, col: str, required: bool = True) -> pd.Series:
        """A numeric column as float; every cell that is not a finite number within ±`MAX_NUMBER`
        is reported once and read as NaN (so nothing downstream sums it)."""
        s = self.frame[col] if col in self.frame else pd.Series(np.nan, index=self.frame.index)
        if pd.api.types.is_bool_dtype(s):
            self.report(s.notna().to_numpy(), col, "a number, not true/false")
            return pd.Series(np.nan, index=self.frame.index)
        if pd.api.types.is_numeric_dtype(s):
            values = s.to_numpy(dtype=float, na_value=np.nan)
            empty = np.isnan(values)
        else:
            codes, uniques = self.coded(col)
            parsed, problem = parse_numbers(pd.Series(uniques, dtype=object).astype(str))
            for message in np.unique(problem[problem != ""]):
                self.report(self.by_unique(col, problem == message), col, message)
            values, empty = parsed[codes], (uniques == "")[codes]
        huge = ~empty & ~(np.abs(values) <= MAX_NUMBER)
        if huge.any():
            self.report(huge & ~np.isnan(values), col, f"a finite number, at most {MAX_NUMBER:.0e} in size".replace("+", ""))
            values = np.where(huge, np.nan, values)
        if required:
            self.report(empty, col, "a number (the cell is empty)")
        return pd.Series(values, index=self.frame.index)

    def dates(self, col: str, required: bool) -> pd.Series:
        codes, uniques = self.coded(col)
        parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d", errors="coerce")
        self.report(self.by_unique(col, parsed.isna().to_numpy() & (uniques != "")), col, "a date as YYYY-MM-DD")
        if required:
            self.report(self.by_unique(col, uniques == ""), col, "a date as YYYY-MM-DD (the cell is empty)")
        return pd.Series(parsed.to_numpy()[codes], index=self.frame.index)

    def periods(self, col: str, grains: str, formats: str) -> dict[str, object]:
        """label, grain, start, end (Period[M]) and the bad-row mask of a period column."""
        codes, uniques = self.coded(col)
        spans = []
        for u in uniques:
            if is_period(u, grains):
                spans.append(parse_period(u))
            elif "M" in grains and len(u) == 10 and u.endswith("-01") and is_period(u[:7], "M"):
                spans.append(parse_period(u[:7]))  # Excel turned 2025-07 into a date
            else:
                spans.append(None)
        bad_u = np.array([s is None for s in spans], dtype=bool)
        self.report(self.by_unique(col, bad_u & (uniques != "")), col, f"a period as {formats}")
        self.report(self.by_unique(col, uniques == ""), col, f"a period as {formats} (the cell is empty)")
        start = np.array([s.start.ordinal if s else NAT for s in spans], dtype=np.int64)
        end = np.array([s.end.ordinal if s else NAT for s in spans], dtype=np.int64)
        names = [s.label if s else f"?{i}" for i, s in enumerate(spans)]
        key_u = pd.factorize(pd.Series(names, dtype=object))[0].astype(np.int32)  # one key per distinct period
        return {"label": lambda: pd.Categorical.from_codes(codes, names),
                "grain": lambda: np.array([s.grain if s else "" for s in spans], dtype=object)[codes],
                "start": pd.arrays.PeriodArray(start[codes], dtype=MONTH),
                "end": lambda: pd.arrays.PeriodArray(end[codes], dtype=MONTH),
                "bad": bad_u[codes], "key": key_u[codes],
                "distinct_starts": np.unique(start[(np.bincount(codes, minlength=len(spans)) > 0) & ~bad_u])}

    def check(self, frame: pd.DataFrame, schema: pa.DataFrameSchema) -> None:
        """Run a pandera schema lazily and report each failure at its Excel row."""
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.dropna(subset=["index"])
            for (col, check), group in cases.groupby(["column", "check"], sort=False):
                mask = np.isin(np.arange(len(frame)), group["index"].astype(int).to_numpy())
                self.report(mask, col, str(check), values=frame[col].to_numpy())

    def check_distinct(self, col: str, column: pa.Column) -> None:
        """Run a pandera column schema over the distinct values and report the rows holding failures."""
        codes, uniques = self.coded(col)
        try:
            pa.DataFrameSchema({col: column}).validate(pd.DataFrame({col: pd.Series(uniques, dtype="str")}), lazy=True)
        except pa.errors.SchemaErrors as exc:
            cases = exc.failure_cases.dropna(subset=["index"])
            for check, group in cases.groupby("check", sort=False):
                bad = np.zeros(len(uniques), dtype=bool)
                bad[group["index"].astype(int).to_numpy()] = True
                self.report(self.by_unique(col, bad), col, str(check))

    def duplicates(self, keys: dict[str, np.ndarray], ok: np.ndarray, what: str) -> np.ndarray:
        """Report rows (among `ok`) repeating an earlier row's keys; return the mask of repeats."""
        ok = np.asarray(ok, dtype=bool)
        repeats = repeated_keys([np.asarray(v) for v in keys.values()], ok)
        if not repeats.any():
            return repeats
        rows = self.frame[ROW].to_numpy()
        frame = pd.DataFrame({k: np.asarray(v)[ok] for k, v in keys.items()}).assign(_r=rows[ok])
        involved = frame[frame.duplicated(list(keys), keep=False)]
        first = involved.groupby(list(keys))["_r"].transform("min")
        first_row = dict(zip(involved["_r"], first, strict=True))
        last = list(keys)[-1]
        for index in np.flatnonzero(repeats)[:MAX_PER_CHECK]:
            self.problems.error(self.label, f"one row per {what}; this repeats row {first_row[rows[index]]}",
                                row=int(rows[index]), column=last, value=self.text(last).iloc[index])
        if repeats.sum() > MAX_PER_CHECK:
            self.problems.error(self.label, f"... and {int(repeats.sum()) - MAX_PER_CHECK:,} more repeated rows",
                                column=last)
        return repeats


def normal_id(text: str) -> str:
    """An id as compared: full-width forms folded (NFKC: Ｅ０００２ → E0002), zero-width and BOM
    characters removed, stripped. Case is kept: e0002 is not E0002 (an error suggests it)."""
    return unicodedata.normalize("NFKC", text).translate(INVISIBLE).strip()


def _did_you_mean(values: list[str], known: set[str], limit: int = 10) -> dict[str, str]:
    """The closest known id of each of the first `limit` unknown values that has one: the same id
    in another case, else difflib's closest match."""
    folded = {k.casefold(): k for k in known}
    choices = sorted(known)
    hints = {}
    for value in values[:limit]:
        match = folded.get(value.casefold()) or next(iter(difflib.get_close_matches(value, choices, n=1, cutoff=0.8)), None)
        if match:
            hints[value] = match
    return hints


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    text = str(value).strip()
    return "" if text in ("nan", "None", "<NA>", "NaT") else text


def _isin(allowed, message: str) -> pa.Check:
    return pa.Check.isin(list(allowed), error=message)


NONEMPTY = pa.Check.str_length(min_value=1, error="a value (the cell is empty)")


def validate_tables(raw: dict[str, RawTable], config: Config, problems: Problems) -> Dataset | None:
    """Parse and check the four tables; return a Dataset (None when a required column is missing)."""
    for t in raw.values():
        t.frame = t.frame.reset_index(drop=True)
    tables = {name: _Table(t, problems) for name, t in raw.items()}
    if not all([t.require() for t in tables.values()]):  # a list: every table names its missing columns
        return None
    empty = [t for name, t in tables.items() if name in ("employees", "measures") and not len(t.frame)]
    for t in empty:
        problems.error(t.label, "at least one row of data below the header", row=2)
    if empty:
        return None
    employees = _employees(tables["employees"], config)
    measures = _measures(tables["measures"], config, employees)
    targets = _targets(tables["targets"], config, employees)
    ratings = _ratings(tables["ratings"], config, employees)
    _scheme_coverage(tables["employees"], employees, config)
    return Dataset(employees, measures, targets, ratings, sources={name: t.label for name, t in raw.items()})


def _employees(t: _Table, config: Config) -> pd.DataFrame:
    departments = sorted(set(config.catalog.departments) | set(config.scheme.departments))
    frame = pd.DataFrame({c: t.text(c) for c in ("employee_id", "name", "department", "region", "team",
                                                 "role_layer", "position", "manager_id")})
    frame["kind"] = t.text("kind").replace("", "person")
    frame["hire_date"] = t.dates("hire_date", required=True)
    frame["exit_date"] = t.dates("exit_date", required=False)
    named = {n: d for d, names in config.catalog.departments.items() for n in (names.zh, names.en)}
    by_name = frame["department"].isin(list(named)).to_numpy()
    for name in pd.unique(frame.loc[by_name, "department"]):
        t.report((frame["department"] == name).to_numpy(), "department",
                 f"the department's id {named[name]}, not its name {name} (see `kpireport catalog`)")
    t.check(frame.assign(department=frame["department"].where(~by_name, departments[0])), pa.DataFrameSchema({
        "employee_id": pa.Column(str, NONEMPTY),
        "name": pa.Column(str, NONEMPTY),
        "department": pa.Column(str, _isin(departments, f"a department id from the catalogue ({', '.join(departments)})")),
        "region": pa.Column(str, NONEMPTY),
        "role_layer": pa.Column(str, _isin(("",) + ROLE_LAYERS, f"empty or one of {', '.join(ROLE_LAYERS)}")),
        "kind": pa.Column(str, _isin(KINDS, f"one of {', '.join(KINDS)}")),
    }))
    clash = _id_collisions(t)
    t.duplicates({"employee_id": t.coded("employee_id")[0]}, ~clash, "employee_id")
    ids = set(frame["employee_id"]) - {""}
    if "employee_id" in t.renamed:
        t.report(t.renamed["employee_id"] & ~clash, "employee_id", RENAMED, severity=WARNING)
    _unknown_ids(t, "manager_id", ids, "empty or an employee_id of this file", blank_ok=True)
    t.report((frame["exit_date"] < frame["hire_date"]).to_numpy(), "exit_date", "an exit date on or after hire_date")
    return frame.drop_duplicates("employee_id").reset_index(drop=True)


def _id_collisions(t: _Table) -> np.ndarray:
    """Rows of employees whose employee_id equals an earlier row's only once normalised (E0002 and
    Ｅ０００２: one person or two?): an error naming both rows. Returns the mask of those rows."""
    if "employee_id" not in t.renamed:
        return np.zeros(len(t.frame), dtype=bool)
    same = pd.DataFrame({"id": t.text("employee_id"), "written": t.frame["employee_id"].map(_clean),
                         "row": t.frame[ROW]})
    first = same.groupby("id", sort=False)[["written", "row"]].transform("first")
    clash = (same["written"] != first["written"]).to_numpy()
    for i in np.flatnonzero(clash):
        t.problems.error(t.label, f"an employee_id distinct from {first['written'].iat[i]!r} in row "
                         f"{first['row'].iat[i]}: the two are one id once spaces, zero-width/BOM characters "
                         "and full-width forms are removed", row=int(same["row"].iat[i]), column="employee_id",
                         value=same["written"].iat[i])
    return clash


def _known_entities(t: _Table, employees: pd.DataFrame, groups: bool) -> np.ndarray:
    """Mask over distinct employee_id values: known employee (or team/department when `groups`)."""
    known = set(employees["employee_id"])
    if groups:
        known |= (set(employees["department"]) | set(employees["team"])) - {""}
    what = "an employee_id listed in employees" + (" (or a team or department id)" if groups else "")
    return _unknown_ids(t, "employee_id", known, what)


def _unknown_ids(t: _Table, col: str, known: set[str], what: str, blank_ok: bool = False,
                 among: np.ndarray | None = None) -> np.ndarray:
    """Report the rows (among `among`) whose id is not in `known`, with "did you mean" the closest
    known id; warn where an id matched only once normalised. Returns the mask over distinct ids."""
    codes, uniques = t.coded(col)
    unknown = np.array([u not in known and (u != "" or not blank_ok) for u in uniques], dtype=bool)
    rows = t.by_unique(col, unknown) & (True if among is None else among)
    if rows.any():
        hints = _did_you_mean([u for u in uniques[np.unique(codes[rows])] if u], known)
        for value, match in hints.items():
            t.report(rows & t.by_unique(col, uniques == value), col, f"{what}; did you mean {match}?")
        t.report(rows & ~t.by_unique(col, np.isin(uniques, list(hints))), col, what)
    if col in t.renamed:
        t.report(t.renamed[col] & ~t.by_unique(col, unknown), col, RENAMED, severity=WARNING)
    return unknown


def _measures(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    period = t.periods("period", "M", "YYYY-MM")
    value = t.numbers("value")
    unknown_entity = _known_entities(t, employees, groups=True)
    catalog = config.catalog.measures
    names = t.coded("measure")[1]
    unknown = np.array([u not in catalog for u in names], dtype=bool)
    t.report(t.by_unique("measure", unknown), "measure", "a measure declared in the catalogue (see `kpireport catalog`)")
    signed = np.array([catalog[u].signed if u in catalog else True for u in names], dtype=bool)
    t.report(~t.by_unique("measure", signed) & (value < 0).to_numpy(), "value", "a value ≥ 0 (this measure cannot be negative)")
    _plausible(t, "measure", {u: catalog[u] for u in names if u in catalog}, value)
    ok = ~period["bad"]
    ordinal = period["start"].asi8
    repeats = t.duplicates({"period": period["key"], "employee_id": t.coded("employee_id")[0],
                            "measure": t.coded("measure")[0]}, ok, "period, employee and measure")
    if ok.any():
        _month_gaps(t, period["distinct_starts"])
        _outside_employment(t, ordinal, ok, employees)
    keep = ok & ~repeats & ~t.by_unique("measure", unknown) & ~t.by_unique("employee_id", unknown_entity)
    frame = pd.DataFrame({"period": period["start"], "employee_id": t.categorical("employee_id"),
                          "measure": t.categorical("measure"), "value": value.to_numpy(),
                          "note": t.categorical("note")})
    keep &= ~np.isnan(frame["value"].to_numpy())
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
        for col in ("employee_id", "measure", "note"):
            frame[col] = frame[col].cat.remove_unused_categories()
    return frame


def _plausible(t: _Table, key: str, declared: dict, values: pd.Series, column: str = "value") -> None:
    """Values outside the plausible range of their measure or KPI (`plausible()`: the declared
    `range`, else [0, 1.5] for a percent) are errors; a percent typed as 95.6 instead of 95.6%
    or 0.956 is the classic case."""
    for item, spec in declared.items():
        bounds = spec.plausible()
        if bounds is None:
            continue
        lo, hi = bounds
        rows = t.by_unique(key, t.coded(key)[1] == item) & ~((values >= lo) & (values <= hi)).to_numpy() \
            & values.notna().to_numpy()
        hint = (f"a fraction from {lo:g} to {hi:g} for {item} (a percent: write 95.6% or 0.956, not 95.6)"
                if spec.unit == "percent" and spec.range is None else f"a value from {lo:g} to {hi:g} for {item} (its range)")
        t.report(rows, column, hint, values=values.to_numpy())


def _month_gaps(t: _Table, ordinals: np.ndarray) -> None:
    present = set(ordinals.tolist())
    lo, hi = min(present), max(present)
    for o in range(lo, hi + 1):
        if o not in present:
            month = pd.Period(ordinal=o, freq="M")
            t.problems.error(t.label, f"measures for every month between {pd.Period(ordinal=lo, freq='M')} and "
                             f"{pd.Period(ordinal=hi, freq='M')}: month {month} has none", column="period",
                             value=str(month))


def _outside_employment(t: _Table, ordinal: np.ndarray, ok: np.ndarray, employees: pd.DataFrame) -> None:
    people = employees.set_index("employee_id")
    ids = pd.Index(t.coded("employee_id")[1])
    hire = people["hire_date"].dt.to_period("M").reindex(ids)
    exit_ = people["exit_date"].dt.to_period("M").reindex(ids)
    hire_o = np.where(hire.isna(), NAT, hire.array.asi8)[t.coded("employee_id")[0]]
    exit_o = np.where(exit_.isna(), np.iinfo(np.int64).max, exit_.array.asi8)[t.coded("employee_id")[0]]
    t.report(ok & (ordinal > exit_o), "period", "a month on or before the person's exit_date (measured after leaving)")
    t.report(ok & (ordinal < hire_o), "period", "a month on or after the person's hire_date (measured before joining)")


def _targets(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    period = t.periods("period", "MQHY", FORMATS)
    frame = pd.DataFrame({
        "period": np.asarray(period["label"](), dtype=object), "grain": period["grain"](), "start": period["start"],
        "end": period["end"](), "employee_id": t.text("employee_id"), "kpi": t.text("kpi"),
        "target": t.numbers("target"), "baseline": t.numbers("baseline", required=False),
        "challenge": t.numbers("challenge", required=False), "note": t.text("note")})
    _known_entities(t, employees, groups=True)
    quantitative = config.catalog.quantitative()
    unknown = ~frame["kpi"].isin(list(quantitative)).to_numpy()
    t.report(unknown, "kpi", "a quantitative KPI id from the catalogue")
    t.report(~unknown & (frame["target"] == 0).to_numpy(), "target", "a target other than 0 (attainment divides by the target)")
    declared = {k: quantitative[k] for k in t.coded("kpi")[1] if k in quantitative}
    for level in ("target", "baseline", "challenge"):
        _plausible(t, "kpi", declared, frame[level], column=level)
    additive = frame["kpi"].map({k: v.targets_add_up for k, v in quantitative.items()}).fillna(False).astype(bool)
    t.report((additive & (frame["target"] < 0)).to_numpy(), "target", "a target ≥ 0 for a count or amount")
    ok = ~period["bad"] & ~unknown
    repeats = t.duplicates({"period": period["key"], "employee_id": t.coded("employee_id")[0],
                            "kpi": t.coded("kpi")[0]},
                           ok, "period, employee and KPI")
    keep = ok & ~repeats & frame["target"].notna().to_numpy()
    return frame[keep].reset_index(drop=True)


def _ratings(t: _Table, config: Config, employees: pd.DataFrame) -> pd.DataFrame:
    period = t.periods("period", "MQ", "YYYY-MM or YYYYQn")
    criteria = sorted(config.catalog.qualitative())
    score = t.numbers("score")
    _known_entities(t, employees, groups=False)
    _rater_ids(t, employees)
    t.check_distinct("rater_type", pa.Column(str, _isin(RATER_TYPES, f"one of {', '.join(RATER_TYPES)}")))
    t.check_distinct("criterion", pa.Column(str, _isin(criteria, "a qualitative KPI id from the catalogue")))
    t.check(pd.DataFrame({"score": score}), pa.DataFrameSchema(
        {"score": pa.Column(float, pa.Check.in_range(1, 5, error="a score from 1 to 5"), nullable=True)}))
    good_type = t.by_unique("rater_type", np.isin(t.coded("rater_type")[1], RATER_TYPES))
    good_criterion = t.by_unique("criterion", np.isin(t.coded("criterion")[1], criteria))
    ok = ~period["bad"] & good_type & good_criterion
    repeats = t.duplicates({"period": period["key"], "employee_id": t.coded("employee_id")[0],
                            "rater_type": t.coded("rater_type")[0], "rater_id": t.coded("rater_id")[0],
                            "criterion": t.coded("criterion")[0]}, ok, "period, employee, rater and criterion")
    keep = ok & ~repeats & score.between(1, 5).to_numpy()
    frame = pd.DataFrame({
        "period": period["label"](), "start": period["start"], "end": period["end"](),
        "employee_id": t.categorical("employee_id"), "rater_type": t.categorical("rater_type"),
        "rater_id": t.categorical("rater_id"), "criterion": t.categorical("criterion"),
        "score": score.to_numpy(), "note": t.categorical("note")})
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
        for col in ("period", "employee_id", "rater_type", "rater_id", "criterion", "note"):
            frame[col] = frame[col].cat.remove_unused_categories()
    return frame


def _rater_ids(t: _Table, employees: pd.DataFrame) -> None:
    """A rater_id (when given) is an employee, except for customers; a self rating's is the rated person's."""
    types = t.coded("rater_type")[1]
    _unknown_ids(t, "rater_id", set(employees["employee_id"]), "empty or an employee_id listed in employees "
                 "(a customer's rater_id may be anything)", blank_ok=True,
                 among=~t.by_unique("rater_type", types == "customer"))
    rater_codes, raters = t.coded("rater_id")
    rated_codes, rated = t.coded("employee_id")
    as_rated = pd.Index(rated).get_indexer(raters)  # each distinct rater_id's code among employee_id
    t.report(t.by_unique("rater_type", types == "self") & t.by_unique("rater_id", raters != "")
             & (as_rated[rater_codes] != rated_codes), "rater_id",
             "empty or the rated person's own employee_id (this is a self rating)")


def _scheme_coverage(t: _Table, employees: pd.DataFrame, config: Config) -> None:
    people = employees[employees["kind"] == "person"]
    for dept, count in people["department"].value_counts().items():
        if dept and dept not in config.scheme.departments:
            t.problems.warn(t.label, f"department {dept} has no weights in the scheme: its {count} "
                            "people are not scored", column="department", value=dept)
