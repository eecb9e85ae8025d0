"""The period store: one period's scoring, written once as Parquet tables partitioned by
department, read back one department at a time (replaces the pickled workbench cache).

Where: `<cache>/store/<key>/` (`cache_dir()`: `$KPIREPORT_CACHE`, else
`$XDG_CACHE_HOME/kpireport`, else `~/.cache/kpireport`), outside the pack's output folder,
which the pack swaps in whole. `key` (kpilib.workbench) hashes the input files, the
parameter files, the period, kpilib's version and source and the pseudonym key; not the
language: scoring returns codes and numbers, and pages put them in words.

Layout of a store:
- `meta.json`: span (start month, grain), periods, departments scored in the period, the
  scoring's problems, the dataset's sources, hashes and warnings, and per table its
  columns' dtypes and categories (so a company read restores them exactly).
- `<table>/d-<department>.parquet` for each PARTITIONED table (the workbench frames and
  the dataset's tables): the rows of one department's people, teams and department entity,
  in the original order, with `_row` (their position in the whole table). A row's
  department is its own `department` column, else its `employee_id`'s in `employees`;
  rows with neither go to `<table>/none.parquet` (read at company level only).
  `<table>/schema.parquet`: no rows, the table's columns (for a department with none).
- `company/<table>.parquet` for each COMPANY table: aggregates without person rows
  (`tier_allocation`: the tier allocation per group).

The lines are read when asked for (`Lines`), a period at a time when one is enough: at
100,000 people the eight quarters' lines are 10 M rows, and most pages read one quarter's.

Written into `.<key>.<pid>.tmp/` and renamed: a store folder is whole or absent, and the
staging folders of writers that died are removed by `sweep`. A store is read only when its
folder is this user's and no one else may write to it; anything else is rebuilt.
Parquet holds data, no code: reading a store runs nothing.

Words: the tables are stored as scoring returns them, and the store adds none (the team
name of people outside a team and the grade names are put in on reading, kpilib.workbench):
one store serves a pack in every language.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from kpilib.data import Dataset
from kpilib.periods import Span
from kpilib.problems import Problem, Problems

COMPANY = "all"
FRAMES = ("history", "lines", "months", "tier_odds", "units", "leniency")  # workbench frames of people and teams
DATA = ("employees", "measures", "targets", "ratings", "controls")  # the dataset's tables
PARTITIONED = FRAMES + DATA
COMPANY_TABLES = ("tier_allocation",)
LINES = "lines"
ROW = "_row"
NONE = "none"
SCHEMA = "schema"
_STAGING = re.compile(r"^\.(?P<key>[0-9a-f]{32})\.(?P<pid>\d+)\.tmp$")
_OLD_CACHE = re.compile(r"^(?:\.?[0-9a-f]{32}\.pkl(?:\.\d+\.tmp)?|\.?mac\.key(?:\.\d+\.tmp)?)$")


def cache_dir() -> Path:
    """The user's cache folder for kpireport (see the module's docstring)."""
    if os.environ.get("KPIREPORT_CACHE"):
        return Path(os.environ["KPIREPORT_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kpireport"


def store_dir(key: str) -> Path:
    return cache_dir() / "store" / key


def write(key: str, frames: dict) -> Path:
    """Write the scored period `frames` (kpilib.workbench._score_history's dict: dataset,
    span, periods, problems and the tables) as the store `key`, atomically; returns its
    folder. A store another process finished first is kept (same key, same content)."""
    final = store_dir(key)
    final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = final.with_name(f".{key}.{os.getpid()}.tmp")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(mode=0o700)
    try:
        dataset: Dataset = frames["dataset"]
        tables = _tables(frames)
        owner = _owners(dataset.employees)
        for name in PARTITIONED:
            _write_partitions(staging / name, tables[name], _departments(tables[name], owner))
        (staging / "company").mkdir()
        for name in COMPANY_TABLES:
            _write_file(staging / "company" / f"{name}.parquet", tables[name])
        span: Span = frames["span"]
        meta = {"span": {"start": str(span.start), "grain": span.grain}, "periods": frames["periods"],
                "present": _present(frames["history"], span.label),
                "problems": [asdict(p) for p in frames["problems"].items],
                "dataset": {"sources": dataset.sources, "hashes": dataset.hashes,
                            "warnings": [asdict(p) for p in dataset.warnings.items]},
                "tables": {name: _describe(frame) for name, frame in tables.items()}}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        try:
            staging.rename(final)
        except OSError:
            if not (final / "meta.json").exists():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final


def read(key: str, department: str = COMPANY) -> dict | None:
    """The store `key` as the frames dict `write` took, limited to `department`'s partition
    (its people, teams and department entity; the dataset likewise) plus the company tables;
    COMPANY: every partition. `present` is added: the departments scored in the period.
    None when there is no usable store (missing, someone else's, unreadable)."""
    folder = store_dir(key)
    if not _trusted(folder):
        return None
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        tables = {name: _read_partition(folder / name, department, meta["tables"][name])
                  for name in PARTITIONED if name != LINES}
        described = meta["tables"][LINES]
        tables[LINES] = Lines(lambda rows, columns: _read_partition(folder / LINES, department, described, rows, columns))
        tables |= {name: _restore(pd.read_parquet(folder / "company" / f"{name}.parquet"), meta["tables"][name])
                   for name in COMPANY_TABLES}
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    data = meta["dataset"]
    dataset = Dataset(**{name: tables.pop(name) for name in DATA}, sources=data["sources"], hashes=data["hashes"],
                      warnings=Problems([Problem(**p) for p in data["warnings"]]))
    span = Span(pd.Period(meta["span"]["start"], freq="M"), meta["span"]["grain"])
    return {"dataset": dataset, "span": span, "periods": meta["periods"], "present": meta["present"],
            "problems": Problems([Problem(**p) for p in meta["problems"]]), **tables}


Rows = list[tuple[str, str, object]]  # Parquet filters: (column, "==" or "in", value), all to hold


class Lines:
    """Line scores of a store's partition, read when asked for: every period's (`all`, kept),
    one period's (`of`, kept; read on its own until every period's are asked for), or some
    columns of the rows where columns have given values (`where`, not kept)."""

    def __init__(self, read: Callable[[Rows | None, list[str] | None], pd.DataFrame]):
        self._read = read  # (rows wanted (None: all), columns (None: all)) -> those lines, in order
        self._frames: dict[str | None, pd.DataFrame] = {}

    @classmethod
    def held(cls, lines: pd.DataFrame) -> Lines:
        """Lines already in memory (a store that could not be written, a part of a page)."""
        return cls(lambda rows, columns: _matching(lines, rows, columns))

    def among(self, people: pd.Series) -> Lines:
        """These lines of `people` (employee ids) only, still read when asked for (a part of a
        department's pages reads its own people's lines, not the department's)."""
        only = ("employee_id", "in", [str(p) for p in people])
        return Lines(lambda rows, columns: self._read([*(rows or []), only], columns))

    def all(self) -> pd.DataFrame:
        if None not in self._frames:
            self._frames = {None: self._read(None, None)}  # the periods read one by one are in it
        return self._frames[None]

    def of(self, period: str) -> pd.DataFrame:
        if None in self._frames:
            return _matching(self._frames[None], [("period", "==", period)])
        if period not in self._frames:
            self._frames[period] = self._read([("period", "==", period)], None)
        return self._frames[period]

    def where(self, columns: list[str], **equal: object) -> pd.DataFrame:
        """`columns` of the lines of every period whose columns hold `equal`'s values."""
        rows = [(column, "==", value) for column, value in equal.items()]
        return _matching(self._frames[None], rows, columns) if None in self._frames else self._read(rows, columns)[columns]


def _matching(frame: pd.DataFrame, rows: Rows | None, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of `frame` that pass the filters `rows` (None: all), `columns` of them."""
    keep = np.ones(len(frame), dtype=bool)
    for column, op, value in rows or []:
        keep &= frame[column].isin(value if op == "in" else [value]).to_numpy()
    return frame.loc[keep, columns or list(frame.columns)].reset_index(drop=True)


def scope(frames: dict, department: str) -> dict:
    """`frames` (as `write` takes them) limited to `department` in memory, as `read` would
    give them: for a kernel whose store could not be written (read-only cache)."""
    if department == COMPANY:
        return {**frames, LINES: Lines.held(frames[LINES]), "present": _present(frames["history"], frames["span"].label)}
    tables = _tables(frames)
    owner = _owners(frames["dataset"].employees)
    mine = {name: _unused_dropped(tables[name][(_departments(tables[name], owner) == department).to_numpy()]
                                  .reset_index(drop=True))
            for name in PARTITIONED}
    mine[LINES] = Lines.held(mine[LINES])
    dataset = Dataset(**{name: mine.pop(name) for name in DATA}, sources=frames["dataset"].sources,
                      hashes=frames["dataset"].hashes, warnings=frames["dataset"].warnings)
    return {**frames, **mine, "dataset": dataset, "present": _present(frames["history"], frames["span"].label)}


def sweep(folder: Path | None = None) -> list[Path]:
    """Remove from the cache folder the staging folders of store writers that are gone
    (killed mid-write) and the pickled caches of older versions; returns what was removed."""
    folder = folder or cache_dir()
    gone = []
    for parent, pattern in ((folder / "store", _STAGING), (folder, _OLD_CACHE)):
        try:
            names = list(parent.iterdir())
        except OSError:
            continue
        for path in names:
            found = pattern.match(path.name)
            if not found or ("pid" in pattern.groupindex and alive(int(found["pid"]))):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            gone.append(path)
    return gone


def _tables(frames: dict) -> dict[str, pd.DataFrame]:
    dataset = frames["dataset"]
    return {**{name: frames[name] for name in FRAMES + COMPANY_TABLES},
            **{name: getattr(dataset, name) for name in DATA}}


def _owners(employees: pd.DataFrame) -> pd.Series:
    """employee_id (people, teams, department entities) → department."""
    unique = employees.drop_duplicates("employee_id")
    return pd.Series(unique["department"].astype(str).to_numpy(), index=unique["employee_id"].astype(str))


def _departments(frame: pd.DataFrame, owner: pd.Series) -> pd.Series:
    """Each row's department, a categorical Series: its `department` column, else its
    employee_id's; NONE without either. Coded through each column's distinct values, so
    39 M measures at 100,000 people are not turned into 39 M strings."""
    own = _coded(frame["department"]) if "department" in frame.columns else None
    if "employee_id" in frame.columns and (own is None or own.isna().any()):
        theirs = _coded(frame["employee_id"], owner)
        if own is None:
            own = theirs
        else:
            both = own.cat.categories.union(theirs.cat.categories)
            own = own.cat.set_categories(both).fillna(theirs.cat.set_categories(both))
    if own is None:
        own = pd.Series(pd.Categorical.from_codes(np.full(len(frame), -1), []))
    if NONE not in own.cat.categories:
        own = own.cat.add_categories([NONE])
    return own.fillna(NONE)


def _coded(column: pd.Series, to: pd.Series | None = None) -> pd.Series:
    """`column` as text (mapped through `to` when given, NaN where it has no entry), as a
    categorical Series on a RangeIndex, built from the column's distinct values."""
    codes, distinct = pd.factorize(column)
    values = pd.Series(pd.Index(distinct).astype(str))
    if to is not None:
        values = values.map(to)
    inner, names = pd.factorize(values)
    rows = np.append(inner, -1)[codes]  # a missing value (code -1) stays missing
    return pd.Series(pd.Categorical.from_codes(rows, pd.Index(names).astype(str)))


def _present(history: pd.DataFrame, label: str) -> list[str]:
    return sorted(set(history.loc[history["period"] == label, "department"].astype(str))) if len(history) else []


def _file(department: str) -> str:
    return NONE if department == NONE else "d-" + quote(department, safe="")


def _write_partitions(folder: Path, frame: pd.DataFrame, departments: pd.Series) -> None:
    folder.mkdir()
    _write_file(folder / f"{SCHEMA}.parquet", _unused_dropped(frame.iloc[:0]))
    if frame.empty:
        return
    # one partition copied at a time (a copy of the whole numbered frame was GBs at 100,000 people)
    codes = departments.cat.codes.to_numpy()
    for code, rows in pd.Series(codes).groupby(codes, sort=False).indices.items():
        part = frame.iloc[rows].assign(**{ROW: rows})
        _write_file(folder / f"{_file(str(departments.cat.categories[code]))}.parquet", _unused_dropped(part))


def _write_file(path: Path, frame: pd.DataFrame) -> None:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)


def _unused_dropped(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories no row uses are left out: a department's file names no one else."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.assign(**{c: frame[c].cat.remove_unused_categories() for c in cats}) if cats else frame


def _describe(frame: pd.DataFrame) -> dict:
    """A table's columns, dtypes and (categorical columns) categories, to restore them on read."""
    dtypes = {str(c): str(t) for c, t in frame.dtypes.items()}
    categories = {str(c): {"values": frame[c].cat.categories.tolist(), "ordered": bool(frame[c].cat.ordered)}
                  for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)}
    return {"columns": [str(c) for c in frame.columns], "dtypes": dtypes, "categories": categories}


def _read_partition(folder: Path, department: str, described: dict, rows: Rows | None = None,
                    columns: list[str] | None = None) -> pd.DataFrame:
    """A table's rows of `department` (COMPANY: every partition), in the original order;
    `rows`: only those passing these Parquet filters; `columns`: only these."""
    if department == COMPANY:
        files = sorted(p for p in folder.glob("*.parquet") if p.stem != SCHEMA)
    else:
        files = [p for p in [folder / f"{_file(department)}.parquet"] if p.exists()]
    if columns is not None:
        described = {**described, "columns": [c for c in described["columns"] if c in columns]}
    if not files:
        return _restore(pd.read_parquet(folder / f"{SCHEMA}.parquet", columns=columns), described, department)
    wanted = None if columns is None else [*described["columns"], ROW]
    parts = [_restore(pd.read_parquet(p, filters=rows, columns=wanted), described, department, keep=[ROW])
             for p in files]
    frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True).sort_values(ROW, kind="stable")
    return frame.drop(columns=ROW).reset_index(drop=True)


def _restore(frame: pd.DataFrame, described: dict, department: str = COMPANY, keep: list[str] | None = None
             ) -> pd.DataFrame:
    """The dtypes the table had when written (Parquet turns object text into str and loses
    the categories a partition does not use: the company's are set back, so that the
    partitions concatenate as categoricals); a department's categoricals keep only theirs.
    Columns: the table's, then those of `keep` that the frame has."""
    if not described["columns"]:
        return pd.DataFrame()
    for column in described["columns"]:
        wanted = described["dtypes"][column]
        if column in described["categories"]:
            if department != COMPANY and isinstance(frame[column].dtype, pd.CategoricalDtype):
                continue  # written with the partition's own categories, in the table's order
            cats = described["categories"][column]
            dtype = pd.CategoricalDtype(cats["values"], ordered=cats["ordered"])
            series = frame[column]
            frame[column] = (series.cat.set_categories(dtype.categories, ordered=dtype.ordered)
                             if isinstance(series.dtype, pd.CategoricalDtype) else series.astype(object).astype(dtype))
        elif str(frame[column].dtype) != wanted:
            frame[column] = frame[column].astype(wanted)
    return frame[described["columns"] + [c for c in keep or [] if c in frame.columns]]


def _trusted(folder: Path) -> bool:
    """The store folder exists, is this user's and only they may write to it."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022


def alive(pid: int) -> bool:
    """Whether process `pid` runs (someone else's counts): its staging files are not litter."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
