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
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                neutralise(scores.sheet).to_excel(xl, sheet_name="scores", index=False)
                neutralise(scores.lines).to_excel(xl, sheet_name="lines", index=False)
                scores.calibration.to_excel(xl, sheet_name="calibration", index=False)
                neutralise(scores.problems.to_frame()).to_excel(xl, sheet_name="warnings", index=False)
                for sheet in xl.book.worksheets:
                    sheet.freeze_panes = "A2"
                    for column in sheet.columns:
                        width = max(len(str(c.value or "")) for c in column[:200])
                        sheet.column_dimensions[column[0].column_letter].width = min(max(8, width + 2), 60)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
