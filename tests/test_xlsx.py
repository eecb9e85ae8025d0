"""kpilib.xlsx, checked against two independent readers (openpyxl's and calamine's) and
openpyxl's column names."""

import zipfile

import numpy as np
import pandas as pd
import pytest

from kpilib import xlsx, zipbytes

TRICKY = pd.DataFrame({
    "employee_id": ["E0001", "E0002", "E0003", "E0004"],
    "name": ["董红", "A & B <Co>", "=SUM(A1)", "  padded  "],
    "note": ["bell\x07here", "_x0041_ stays", None, ""],
    "composite": [81.25, 0.1, np.nan, 1e-05],
    "big": [123456789.123, -2.5, np.inf, 3.0],
    "rank": pd.array([1, None, 3, 4], dtype="Int64"),
    "count": np.array([0, 7, -2, 2**40], dtype="int64"),
    "monitored": [True, False, True, False],
    "mixed": pd.Series(["text", 5, 2.5, None], dtype=object),
    "tier": pd.Categorical(["S", "A", None, "B"]),
    "arrow": pd.Series(["甲", None, "乙", "丙"], dtype="str"),
})
EXPECTED = {
    "employee_id": ["E0001", "E0002", "E0003", "E0004"],
    "name": ["董红", "A & B <Co>", "=SUM(A1)", "  padded  "],
    "note": ["bell\x07here", "_x0041_ stays", None, None],
    "composite": [81.25, 0.1, None, 1e-05],
    "big": [123456789.123, -2.5, None, 3.0],
    "rank": [1, None, 3, 4],
    "count": [0, 7, -2, 2**40],
    "monitored": [True, False, True, False],
    "mixed": ["text", 5, 2.5, None],
    "tier": ["S", "A", None, "B"],
    "arrow": ["甲", None, "乙", "丙"],
}


def _cells(path, engine: str) -> dict[str, dict[str, list]]:
    """Every sheet's columns as lists, blanks as None, as `engine` reads them."""
    if engine == "openpyxl":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    else:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        sheets = {name: [tuple(None if v == "" else v for v in row) for row in book.get_sheet_by_name(name).to_python()]
                  for name in book.sheet_names}
    return {name: {head: [row[i] for row in rows[1:]] for i, head in enumerate(rows[0])} for name, rows in sheets.items()}


@pytest.mark.parametrize("engine", ["openpyxl", "calamine"])
def test_every_kind_of_cell_reads_back_as_written(tmp_path, engine):
    xlsx.write_xlsx(str(tmp_path / "t.xlsx"), {"scores": TRICKY, "empty": TRICKY.iloc[:0]})
    got = _cells(tmp_path / "t.xlsx", engine)
    assert list(got) == ["scores", "empty"] and got["empty"] == {c: [] for c in TRICKY.columns}
    for column, values in EXPECTED.items():
        if column == "note" and engine == "openpyxl":  # openpyxl leaves Excel's _xHHHH_ escapes as written
            values = ["bell_x0007_here", "_x005F_x0041_ stays", None, None]
        assert got["scores"][column] == values, column
        assert [isinstance(v, str) for v in got["scores"][column]] == [isinstance(v, str) for v in values], column


def test_text_is_never_a_formula_and_the_header_stays_in_view(tmp_path):
    from openpyxl import load_workbook

    xlsx.write_xlsx(str(tmp_path / "t.xlsx"), {"scores": TRICKY})
    sheet = load_workbook(tmp_path / "t.xlsx")["scores"]
    assert sheet["B4"].value == "=SUM(A1)" and sheet["B4"].data_type == "s"
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width == 13 and sheet.column_dimensions["B"].width == 12  # "employee_id" + 2
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        text = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in text and 't="inlineStr"><is><t xml:space="preserve">=SUM(A1)</t>' in text


def test_long_tables_continue_on_numbered_sheets_and_rows_cross_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx, "EXCEL_ROWS", 4)  # a header and 3 rows per sheet
    monkeypatch.setattr(xlsx, "CHUNK", 2)
    frame = pd.DataFrame({"n": range(8), "s": [f"row {i}" for i in range(8)]})
    xlsx.write_xlsx(str(tmp_path / "t.xlsx"), {"lines": frame, "other": frame.head(1)})
    got = _cells(tmp_path / "t.xlsx", "openpyxl")
    assert list(got) == ["lines", "lines (2)", "lines (3)", "other"]
    assert [v for name in ("lines", "lines (2)", "lines (3)") for v in got[name]["n"]] == list(range(8))
    assert got["lines (3)"]["s"] == ["row 6", "row 7"] and got["other"]["n"] == [0]


def test_the_same_tables_give_the_same_bytes(tmp_path):
    xlsx.write_xlsx(str(tmp_path / "a.xlsx"), {"scores": TRICKY})
    xlsx.write_xlsx(str(tmp_path / "b.xlsx"), {"scores": TRICKY.copy()})
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert archive.testzip() is None and {i.date_time for i in archive.infolist()} == {zipbytes.EPOCH}
        assert archive.read("docProps/core.xml").decode().count(zipbytes.STAMP) == 2


def test_column_letters_match_openpyxl():
    from openpyxl.utils import get_column_letter

    for index in (1, 2, 26, 27, 52, 53, 702, 703, 16384):
        assert xlsx.column_letter(index) == get_column_letter(index)


def test_text_columns_held_in_several_arrow_chunks_are_written_whole(tmp_path):
    # what concatenated partitions or a filtered Parquet read give: one column, several chunks
    chunked = pd.concat([pd.Series(["甲", None], dtype="str"), pd.Series(["乙", "丙 & <丁>"], dtype="str")],
                        ignore_index=True)
    assert chunked.array._pa_array.num_chunks == 2
    xlsx.write_xlsx(str(tmp_path / "t.xlsx"), {"lines": pd.DataFrame({"n": range(4), "arrow": chunked})})
    for engine in ("openpyxl", "calamine"):
        assert _cells(tmp_path / "t.xlsx", engine)["lines"]["arrow"] == ["甲", None, "乙", "丙 & <丁>"]
