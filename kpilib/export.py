"""Exporting scoring sheets: CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX.

The XLSX holds `scores`, `lines` (every line with its inputs, enough to check an appeal
by hand), `tier_allocation` (planned vs allocated tiers) and `warnings`. Every file the tool writes for a
spreadsheet (these, and `validate --report`) goes through `neutralise`: text cells, column
names and index labels that begin with = + - @ (or their full-width forms ＝ ＋ － ＠, a tab
or a carriage return) are prefixed with an apostrophe, and XLSX text cells are written as
strings, never formulas (CSV/formula injection). An XLSX's bytes depend only on its
content (kpilib.xlsx).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kpilib.problems import UserError
from kpilib.scoring import Scores
from kpilib.xlsx import write_xlsx

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width ＝ ＋ － ＠


def _inert(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(_TRIGGERS) else value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of `frame` whose text cells, column names and index labels cannot be read as
    spreadsheet formulas (categories included)."""
    out = frame.copy()
    for col in out.columns:
        kind = out[col].dtype
        if isinstance(kind, pd.StringDtype):  # vectorised: a large company's sheets hold millions of these
            risky = out[col].str.startswith(_TRIGGERS).fillna(False).astype(bool)
            if risky.any():
                out[col] = out[col].where(~risky, "'" + out[col])
        elif pd.api.types.is_string_dtype(kind) or isinstance(kind, pd.CategoricalDtype):  # object too
            out[col] = out[col].astype(object).map(_inert)
    out.columns = out.columns.map(_inert)
    out.index = out.index.map(_inert)
    return out


def write_scores(scores: Scores, path: Path | str) -> Path:
    """Write the scoring sheet to `.csv` or `.xlsx`, atomically (no half-written file)."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise UserError(f"--out {path}: the file must end in .csv or .xlsx")
    if path.suffix.lower() == ".csv":
        return write_table(scores.sheet, path)
    sheets = {"scores": scores.sheet, "lines": scores.lines, "tier_allocation": scores.tier_allocation,
              "warnings": scores.problems.to_frame()}
    return _atomic(path, lambda tmp: _write_xlsx(tmp, {name: neutralise(frame) for name, frame in sheets.items()}))


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """One table as CSV (UTF-8 with BOM, so Excel shows Chinese), neutralised, atomically."""
    return _atomic(Path(path), lambda tmp: neutralise(frame).to_csv(tmp, index=False, encoding="utf-8-sig"))


def _atomic(path: Path, write: Callable[[str], None]) -> Path:
    """Run `write` on a temporary file beside `path`, then put it in place: no half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=path.suffix, dir=path.parent, prefix=f".{path.stem}-")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _write_xlsx(path: str, sheets: dict[str, pd.DataFrame]) -> None:
    """The sheets into a workbook, header frozen (kpilib.xlsx: text never a formula, the same
    sheets give the same bytes)."""
    write_xlsx(path, sheets)
