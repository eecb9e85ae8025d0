"""Writing scoring sheets: CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX.

The XLSX holds `scores`, `lines` (every line with its inputs, enough to check an appeal
by hand), `calibration` (tier allocation) and `warnings`. Text cells that begin with
= + - @ (or a tab / carriage return) are prefixed with an apostrophe so that no
spreadsheet runs them as formulas (CSV/formula injection).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from kpilib.problems import UserError
from kpilib.scoring import Scores

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy of `frame` whose text cells cannot be read as spreadsheet formulas."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(_TRIGGERS) else v)
    return out


def write_scores(scores: Scores, path: Path | str) -> Path:
    """Write the scoring sheet to `.csv` or `.xlsx`, atomically (no half-written file)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise UserError(f"--out {path}: the file must end in .csv or .xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=path.parent, prefix=f".{path.stem}-")
    os.close(fd)
    try:
        if suffix == ".csv":
            neutralise(scores.sheet).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            _write_xlsx(tmp, {"scores": neutralise(scores.sheet), "lines": neutralise(scores.lines),
                              "calibration": scores.calibration,
                              "warnings": neutralise(scores.problems.to_frame())})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


EXCEL_ROWS = 1_048_576


def _write_xlsx(path: str, sheets: dict[str, pd.DataFrame]) -> None:
    """Stream sheets into a workbook (openpyxl write-only: constant memory), header frozen.

    A sheet longer than Excel's 1,048,576 rows is continued on `name (2)`, `name (3)`, ...
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, frame in sheets.items():
        chunks = [frame.iloc[i:i + EXCEL_ROWS - 1] for i in range(0, max(len(frame), 1), EXCEL_ROWS - 1)]
        for n, chunk in enumerate(chunks, start=1):
            sheet = book.create_sheet(name if n == 1 else f"{name} ({n})")
            sheet.freeze_panes = "A2"
            sample = chunk.head(200)
            for i, col in enumerate(chunk.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in sample[col]])
                sheet.column_dimensions[_letter(i)].width = min(max(8, width + 2), 60)
            sheet.append([str(c) for c in chunk.columns])
            cells = chunk.astype(object).where(chunk.notna(), None)
            for row in cells.itertuples(index=False, name=None):
                sheet.append(row)
    book.save(path)


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)
