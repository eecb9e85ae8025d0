"""Data intake: read a company's data folder into one validated `Dataset`.

The folder holds `employees`, `measures`, `targets` and `ratings` as CSV (UTF-8, UTF-8
with BOM, or GB18030/GBK as Chinese Excel writes them), as Parquet files with the same
stems, or as one Excel workbook with sheets of those names (../shared/spec/interfaces.md
§1). Wide exports (one column per measure, KPI or criterion) are reshaped to the long
form. Every problem is collected (see `kpilib.validation`) and reported at once.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kpilib.config import Config
from kpilib.problems import Problems

TABLES = ("employees", "measures", "targets", "ratings")
CONTROLS = "controls"  # optional control totals (kpilib.controls), read like the tables
READ = (*TABLES, CONTROLS)
TO_FILL = {"measures": "value", "targets": "target", "ratings": "score"}  # what the intake workbook leaves blank
HELP_SHEETS = ("readme", "kpis", "lists")  # the intake workbook's own sheets (kpilib.template): not read, not warned of
REQUIRED = {
    "employees": ("employee_id", "name", "department", "region", "hire_date"),
    "measures": ("period", "employee_id", "measure", "value"),
    "targets": ("period", "employee_id", "kpi", "target"),
    "ratings": ("period", "employee_id", "rater_type", "criterion", "score"),
    CONTROLS: ("period", "measure", "department", "total"),
}
OPTIONAL = {
    "employees": ("team", "role_layer", "position", "manager_id", "exit_date", "kind"),
    "measures": ("source", "note"),
    "targets": ("baseline", "challenge", "note"),
    "ratings": ("rater_id", "note"),
    CONTROLS: ("tolerance",),
}
# For wide exports: the columns that stay as keys; every other column is a measure/KPI/criterion.
WIDE = {
    "measures": (("measure", "value"), ("period", "employee_id", "source", "note")),
    "targets": (("kpi", "target"), ("period", "employee_id", "note")),
    "ratings": (("criterion", "score"), ("period", "employee_id", "rater_type", "rater_id", "note")),
}
ENCODINGS = ("utf-8-sig", "gb18030")
ROW = "_row"  # Excel row number of the source line (header = row 1)


@dataclass
class RawTable:
    """A table as read: text or typed columns, plus `_row` (Excel row number)."""

    name: str
    label: str  # how the user names the source: file, or workbook:sheet
    frame: pd.DataFrame


@dataclass
class Dataset:
    """The four validated tables.

    - employees: employee_id (str), name, department, region, team, role_layer, position,
      manager_id, hire_date, exit_date (datetime64), kind (person/team/department).
    - measures: period (Period[M]), employee_id, measure (categorical str), value (float),
      note (categorical str, "" when none: a remark such as why a result fell short).
    - targets: period (label), grain (M/Q/H/Y), start, end (Period[M]), employee_id, kpi,
      target, baseline, challenge (float), note (str, "" when none).
    - ratings: period (label), start, end (Period[M]), employee_id, rater_type, rater_id,
      criterion, score (float 1–5), note.
    """

    employees: pd.DataFrame
    measures: pd.DataFrame
    targets: pd.DataFrame
    ratings: pd.DataFrame
    sources: dict[str, str] = field(default_factory=dict)  # table -> file label
    controls: pd.DataFrame = field(default_factory=pd.DataFrame)  # kpilib.controls.COLUMNS, one row per control
    hashes: dict[str, str] = field(default_factory=dict)  # file -> sha256
    warnings: Problems = field(default_factory=Problems)

    @property
    def months(self) -> pd.PeriodIndex:
        return pd.PeriodIndex(sorted(self.measures["period"].unique()), freq="M")

    def people(self) -> pd.DataFrame:
        return self.employees[self.employees["kind"] == "person"]


def load_dataset(data_dir: Path | str, config: Config) -> Dataset:
    """Read and validate; raise `UserError` listing every problem when there are errors."""
    from kpilib.sources import shown

    dataset, problems = check_dataset(data_dir, config)
    problems.raise_if_errors(f"data in {shown(data_dir)}")
    assert dataset is not None
    return dataset


def check_dataset(data_dir: Path | str, config: Config) -> tuple[Dataset | None, Problems]:
    """Read and validate; return the dataset (None when unusable) and every problem found."""
    from kpilib.controls import check_controls
    from kpilib.validation import validate_tables

    problems = Problems()
    raw, hashes = read_tables(data_dir, problems)
    if problems.errors:
        return None, problems
    dataset = validate_tables(raw, config, problems)
    if dataset is not None:
        if not problems.errors:  # sums of data with errors would only repeat them
            dataset.controls = check_controls(raw.get(CONTROLS), dataset, problems)
        dataset.hashes = hashes
        dataset.warnings = Problems([p for p in problems.items if p.severity == "warning"])
    return (dataset if not problems.errors else None), problems


def read_tables(data_dir: Path | str, problems: Problems,
                names: tuple[str, ...] = READ) -> tuple[dict[str, RawTable], dict[str, str]]:
    """Find and read the tables of `data_dir` (a folder, a workbook, or a database: a URL or
    a sources.yaml, `kpilib.sources`); missing optional tables are empty."""
    from kpilib import sources

    tables: dict[str, RawTable] = {}
    if sources.is_database(data_dir):
        found, hashes = sources.read_database(data_dir, names, problems)
        where = sources.shown(data_dir)
        missing = {name: (where, f"a table or view named {name} (or one mapped to it in sources.yaml)")
                   for name in names}
    else:
        data_dir = Path(data_dir)
        found, hashes = _read_files(data_dir, problems)
        missing = {name: (f"{data_dir}:{name}" if _is_workbook(data_dir) else str(data_dir / f"{name}.csv"),
                          f"the {name} table (CSV, Parquet or a workbook sheet)") for name in names}
    if problems.errors and not found:  # which file, sheet or table holds a table is unclear
        return tables, hashes
    intake = not sources.is_database(data_dir) and _is_intake(Path(data_dir))
    for name in names:
        label, frame = found.get(name, (None, None))
        if frame is None:
            if name in ("employees", "measures") and label is None:
                problems.error(*missing[name])
            frame = pd.DataFrame({c: pd.Series(dtype="str") for c in REQUIRED[name]})
            label = label or f"{name}.csv"
        frame = frame.rename(columns=lambda c: str(c).strip().lower().lstrip("\ufeff"))
        if ROW not in frame:
            frame[ROW] = pd.RangeIndex(2, len(frame) + 2)
        if name in TO_FILL and intake:
            frame = _filled_rows(frame, name, label, problems)
        frame = _to_long(name, label, frame, problems)
        tables[name] = RawTable(name, label, frame)
    return tables, hashes


def _read_files(data_dir: Path, problems: Problems) -> tuple[dict[str, tuple[str, pd.DataFrame | None]], dict[str, str]]:
    """Table name → (label, frame or None when unreadable) of a folder's or workbook's tables,
    and file name → sha256."""
    hashes: dict[str, str] = {}
    if not data_dir.is_dir() and not _is_workbook(data_dir):
        problems.error(str(data_dir), "a folder with employees.csv and measures.csv, an .xlsx workbook, "
                       "a database URL or a sources.yaml")
        return {}, hashes
    workbooks = _workbooks(data_dir)
    if len(workbooks) > 1:
        problems.error(str(data_dir), f"at most one .xlsx workbook; found {', '.join(p.name for p in workbooks)}")
        return {}, hashes
    files = _table_files(data_dir, problems)
    if workbooks and files:
        problems.error(str(data_dir), f"either one workbook or CSV/Parquet tables, not both; found {workbooks[0].name} "
                       f"and {', '.join(p.name for p in files.values())} (move one away, or pass --data "
                       f"{workbooks[0]} to read only the workbook)")
        return {}, hashes
    sheets: dict[str, tuple[str, pd.DataFrame]] = {}
    if workbooks:
        hashes[workbooks[0].name] = _sha256(workbooks[0])
        sheets = _read_sheets(workbooks[0], problems)
    if problems.errors:
        return {}, hashes

    def read(path: Path) -> tuple[str, pd.DataFrame | None]:
        digest = _sha256(path)
        return digest, _read_csv(path, problems) if path.suffix == ".csv" else _read_parquet(path, problems)

    with ThreadPoolExecutor(max_workers=2) as pool:  # parsing and hashing release the GIL
        results = dict(zip(files, pool.map(read, files.values()), strict=True))
    found: dict[str, tuple[str, pd.DataFrame | None]] = {}
    for name, path in files.items():
        hashes[path.name], frame = results[name]
        found[name] = (path.name, frame)
    for name, (sheet, cells) in sheets.items():
        found[name] = (f"{workbooks[0].name}:{sheet}", _excel_cells_to_text(cells))
    return found, hashes


def input_hashes(data_dir: Path | str) -> dict[str, str]:
    """sha256 of every file `read_tables` would read (workbooks, table CSV/Parquet), by name;
    of a database, of every table read (`kpilib.sources.frame_digest`)."""
    from kpilib import sources

    if sources.is_database(data_dir):
        return sources.read_database(data_dir, READ, Problems())[1]
    data_dir = Path(data_dir)
    paths = _workbooks(data_dir) + list(_table_files(data_dir).values())
    return {p.name: _sha256(p) for p in sorted(paths) if p.is_file()}


def _is_workbook(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx" and path.is_file()


def _workbooks(data: Path) -> list[Path]:
    """`--data` naming a workbook: that one; a folder: its workbooks (Excel's `~$` lock files aside)."""
    if _is_workbook(data):
        return [data]
    return sorted(p for p in data.glob("*.xlsx") if not p.name.startswith("~$"))


def _table_files(data: Path, problems: Problems | None = None) -> dict[str, Path]:
    """Table name → its CSV or Parquet file in the folder; none when `--data` names a workbook.

    A table given both as CSV and as Parquet is an error: which one holds the data is not ours to guess."""
    if _is_workbook(data):
        return {}
    found = {}
    for name in READ:
        paths = [p for p in (data / f"{name}.csv", data / f"{name}.parquet") if p.exists()]
        if len(paths) > 1 and problems is not None:
            problems.error(str(data), f"one file per table; found {paths[0].name} and {paths[1].name}")
        if paths:
            found[name] = paths[0]
    return found


def _sheet_table(sheet: str) -> str:
    """The table a sheet name stands for: 'Measures ', 'measures (2)' → measures."""
    return re.sub(r"\s*\(\d+\)$", "", unicodedata.normalize("NFKC", sheet).strip().lower())


def _read_sheets(book: Path, problems: Problems) -> dict[str, tuple[str, pd.DataFrame]]:
    """Table name → (sheet name, cells) of the workbook's table sheets.

    Other sheets are named in a warning; two sheets for one table are an error naming both."""
    try:
        with pd.ExcelFile(book) as xl:
            names = [str(n) for n in xl.sheet_names]
            by_table: dict[str, list[str]] = {}
            for sheet in names:
                by_table.setdefault(_sheet_table(sheet), []).append(sheet)
            ignored = [n for n in names if _sheet_table(n) not in (*READ, *HELP_SHEETS)]
            if ignored:
                problems.warn(book.name, f"sheets named {', '.join(READ)}; these sheets are not read: "
                              f"{', '.join(repr(n) for n in ignored)}")
            chosen = {}
            for table in READ:
                found = by_table.get(table, [])
                if len(found) > 1:
                    problems.error(book.name, f"one sheet for the {table} table; found "
                                   f"{', '.join(repr(n) for n in found)}")
                elif found:
                    chosen[table] = found[0]
            cells = pd.read_excel(xl, sheet_name=list(chosen.values()), dtype=object, header=0)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        problems.error(book.name, f"a readable .xlsx workbook ({exc})")
        return {}
    return {table: (sheet, cells[sheet]) for table, sheet in chosen.items()}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_csv(path: Path, problems: Problems) -> pd.DataFrame | None:
    data = path.read_bytes()
    if b"\x00" in data[:4096] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.error(path.name, "UTF-16 is not supported: save as UTF-8 (Excel: CSV UTF-8)")
        return None
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        problems.error(path.name, "a CSV file in UTF-8 or GB18030/GBK encoding")
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.error(path.name, f"a well-formed CSV file ({str(exc).strip()})")
        return None
    frame = frame.apply(lambda s: s.str.strip())
    return _without_blank_rows(frame, frame.index + 2)


def _read_parquet(path: Path, problems: Problems) -> pd.DataFrame | None:
    try:
        schema = pq.read_schema(path)
        text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        # text read as categories: validation works on a column's distinct values, and 39 M
        # measure rows of repeated ids would otherwise be GBs of strings while they are checked
        return pq.read_table(path, read_dictionary=text).to_pandas()
    except Exception as exc:  # pyarrow raises several kinds for a damaged file
        problems.error(path.name, f"a readable Parquet file ({exc})")
        return None


def _is_intake(path: Path) -> bool:
    """An intake workbook (`kpireport template`): a workbook with its help sheets."""
    if not _is_workbook(path):
        return False
    try:
        with pd.ExcelFile(path) as xl:
            return any(_sheet_table(str(n)) in HELP_SHEETS for n in xl.sheet_names)
    except Exception:  # an unreadable workbook is reported where it is read
        return False


def _filled_rows(frame: pd.DataFrame, name: str, label: str, problems: Problems) -> pd.DataFrame:
    """An intake workbook's rows laid out for `name` whose value is still blank are not data
    yet: left out, counted in one warning (their Excel rows keep their numbers)."""
    column = TO_FILL[name]
    if column not in frame:
        return frame
    def empty(cells: pd.DataFrame) -> pd.DataFrame:
        return cells.isna() | cells.astype(str).apply(lambda c: c.str.strip().eq(""))
    cells = empty(frame.drop(columns=[ROW]))
    blank = cells[column] & ~cells.drop(columns=[column]).all(axis=1)  # wholly blank rows are dropped later
    if blank.any():
        problems.warn(label, f"a {column} in every laid-out row; {int(blank.sum())} row(s) without one are not read "
                      "(fill them in, or leave them: they count as not reported)", column=column)
    return frame[~blank]


def _without_blank_rows(frame: pd.DataFrame, rows: pd.Index) -> pd.DataFrame:
    """The rows with some text, each with its Excel row number (`ROW`) counted before blank rows were dropped."""
    frame[ROW] = rows
    return frame[frame.drop(columns=ROW).ne("").any(axis=1)] if len(frame.columns) > 1 else frame


def _excel_cells_to_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Excel cells as text: dates as YYYY-MM-DD, whole numbers without '.0', blanks empty."""
    def cell(v: object) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        if hasattr(v, "strftime"):
            return v.strftime("%Y-%m-%d")
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()
    return _without_blank_rows(frame.map(cell) if len(frame) else frame.astype(str), frame.index + 2)


def _to_long(name: str, label: str, frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    """Reshape a wide export (one column per measure/KPI/criterion) to the long form."""
    if name not in WIDE:
        return frame
    (item, value), keys = WIDE[name]
    if item in frame.columns or value in frame.columns:
        return frame
    present_keys = [c for c in frame.columns if c in keys or c == ROW]
    items = [c for c in frame.columns if c not in present_keys]
    if not items or "period" not in frame.columns:
        return frame  # let validation name the missing columns
    long = frame.melt(id_vars=present_keys, value_vars=items, var_name=item, value_name=value)
    blank = long[value].astype(str).str.strip().isin(["", "nan", "None", "<NA>"]) | long[value].isna()
    if blank.any():
        problems.warn(label, f"wide export: {int(blank.sum())} blank cell(s) ignored "
                      f"(no {value} for that {item})")
    long = long[~blank].sort_values([ROW, item], kind="stable").reset_index(drop=True)
    long["_wide_column"] = long[item]
    return long
