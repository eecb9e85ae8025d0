"""Data intake: encodings, Excel workbook, Parquet, wide exports, dtypes."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpilib.data import check_dataset, load_dataset
from kpilib.problems import UserError

BASE = Path(__file__).parent / "data" / "bad" / "measures_not_a_number"  # any case; we fix its one mistake


@pytest.fixture
def clean(tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(BASE, folder)
    (folder / "expected.json").unlink()
    m = pd.read_csv(folder / "measures.csv", dtype=str)
    m.loc[5, "value"] = "6"
    m.to_csv(folder / "measures.csv", index=False)
    return folder


def test_dtypes(clean, config):
    ds = load_dataset(clean, config)
    assert str(ds.measures["period"].dtype) == "period[M]"
    assert ds.measures["value"].dtype == float
    assert ds.employees["hire_date"].dtype.kind == "M"
    assert set(ds.targets.columns) >= {"period", "grain", "start", "end", "target"}
    assert ds.targets.loc[0, "grain"] == "Q" and str(ds.targets.loc[0, "start"]) == "2025-07"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_chinese_encodings(clean, config, encoding):
    for name in ("employees", "measures"):
        text = (clean / f"{name}.csv").read_text(encoding="utf-8")
        (clean / f"{name}.csv").write_bytes(text.encode(encoding))
    ds = load_dataset(clean, config)
    assert ds.employees.set_index("employee_id").loc["E1", "name"] == "王伟"


def test_excel_workbook(clean, config, tmp_path):
    book = tmp_path / "xl"
    book.mkdir()
    with pd.ExcelWriter(book / "kpi.xlsx") as xl:
        for name in ("employees", "measures", "targets", "ratings"):
            frame = pd.read_csv(clean / f"{name}.csv", dtype=str, keep_default_na=False)
            if name == "employees":
                frame["hire_date"] = pd.to_datetime(frame["hire_date"])  # Excel date cells
            if name == "measures":
                frame["value"] = pd.to_numeric(frame["value"])
                frame["period"] = pd.to_datetime(frame["period"])  # Excel turned 2025-07 into a date
            frame.to_excel(xl, sheet_name=name, index=False)
    ds = load_dataset(book, config)
    assert len(ds.measures) == 24 and ds.measures["period"].astype(str).min() == "2025-07"
    m = pd.read_excel(book / "kpi.xlsx", sheet_name=None)
    m["measures"]["value"] = m["measures"]["value"].astype(object)
    m["measures"].loc[3, "value"] = "lots"
    with pd.ExcelWriter(book / "kpi.xlsx") as xl:
        for name, frame in m.items():
            frame.to_excel(xl, sheet_name=name, index=False)
    _, problems = check_dataset(book, config)
    assert any(p.file == "kpi.xlsx:measures" and p.row == 5 and p.column == "value" for p in problems.errors)
    # --data may name the workbook itself; CSVs beside it are then not read
    (book / "measures.csv").write_text("period,employee_id,measure,value\n", encoding="utf-8")
    _, problems = check_dataset(book / "kpi.xlsx", config)
    assert any(p.file == "kpi.xlsx:measures" and p.row == 5 and p.column == "value" for p in problems.errors)
    from kpilib.data import input_hashes
    assert list(input_hashes(book / "kpi.xlsx")) == ["kpi.xlsx"]


def test_data_path_that_is_neither_folder_nor_workbook(tmp_path, config):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    _, problems = check_dataset(tmp_path / "notes.txt", config)
    assert "an .xlsx workbook" in problems.errors[0].expected


def test_parquet(clean, config):
    for name in ("employees", "measures"):
        frame = pd.read_csv(clean / f"{name}.csv", dtype=str, keep_default_na=False)
        if name == "measures":
            frame["value"] = frame["value"].astype(float)
        frame.to_parquet(clean / f"{name}.parquet")
        (clean / f"{name}.csv").unlink()
    ds = load_dataset(clean, config)
    assert len(ds.measures) == 24


def test_wide_export_is_reshaped(clean, config):
    long = pd.read_csv(clean / "measures.csv", dtype=str)
    wide = long.pivot(index=["period", "employee_id"], columns="measure", values="value").reset_index()
    wide.to_csv(clean / "measures.csv", index=False)
    ds = load_dataset(clean, config)
    assert len(ds.measures) == len(long)
    assert any("blank cell" in p.expected for p in ds.warnings.items)  # E3 has no sales column values


def test_unused_column_is_a_warning_not_dropped_silently(clean, config):
    e = pd.read_csv(clean / "employees.csv", dtype=str)
    e["shoe_size"] = "42"
    e.to_csv(clean / "employees.csv", index=False)
    ds = load_dataset(clean, config)
    assert any(p.column == "shoe_size" for p in ds.warnings.items)


def test_errors_raise_user_error(config):
    with pytest.raises(UserError) as err:
        load_dataset(BASE, config)
    assert "problem" in str(err.value)


def test_thousands_separators_and_numbers_that_are_no_numbers(clean, config):
    m = pd.read_csv(clean / "measures.csv", dtype=str)
    m.loc[0, "value"] = "1,234,567.89"
    m.to_csv(clean / "measures.csv", index=False)
    assert load_dataset(clean, config).measures.loc[0, "value"] == 1234567.89
    m["value"] = m["value"].str.replace(",", "").astype(float)
    m.loc[1, "value"] = float("inf")
    m.to_parquet(clean / "measures.parquet")
    (clean / "measures.csv").unlink()
    _, problems = check_dataset(clean, config)
    assert [(p.row, p.column, p.expected[:15]) for p in problems.errors] == [(3, "value", "a finite number")]


def test_ids_are_normalised_with_a_warning(clean, config):
    m = pd.read_csv(clean / "measures.csv", dtype=str)
    m.loc[0, "employee_id"] = "Ｅ１"  # full-width
    m.loc[2, "employee_id"] = " E2\u200b"  # zero-width space
    m.to_csv(clean / "measures.csv", index=False)
    r = pd.read_csv(clean / "ratings.csv", dtype=str).assign(rater_type="customer", rater_id=["C-881", "C-882"])
    r.to_csv(clean / "ratings.csv", index=False)  # a customer's rater_id needs not be an employee
    ds = load_dataset(clean, config)
    assert set(ds.measures["employee_id"]) == {"E1", "E2", "E3", "E4"}
    renamed = [p for p in ds.warnings.items if p.column == "employee_id"]
    assert [(p.row, p.value) for p in renamed] == [(2, "Ｅ１"), (4, "E2\\u200b")]


def test_workbook_sheets_ignored_are_named_and_rows_count_blank_rows(clean, config, tmp_path):
    book = tmp_path / "xl" / "kpi.xlsx"
    book.parent.mkdir()
    with pd.ExcelWriter(book) as xl:
        for name in ("employees", "measures"):
            frame = pd.read_csv(clean / f"{name}.csv", dtype=str, keep_default_na=False)
            if name == "measures":
                frame.loc[3, "value"] = "lots"
                frame = pd.concat([frame.iloc[:1], frame.iloc[:1].map(lambda _: None), frame.iloc[1:]])
            frame.to_excel(xl, sheet_name=name.title() + " ", index=False)  # 'Measures ' is measures
        frame.to_excel(xl, sheet_name="Notes", index=False)
    _, problems = check_dataset(book, config)
    assert any("not read: 'Notes'" in p.expected for p in problems.warnings)
    assert [(p.file, p.row, p.column) for p in problems.errors] == [("kpi.xlsx:Measures ", 6, "value")]
