"""The intake workbook (kpilib.template): headers, drop-downs, formats, README language; and
the round trip: generated from the sample, filled in by a script, validated and scored
exactly as the same figures given as CSV files."""

from __future__ import annotations

import shutil

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.data import OPTIONAL, READ, REQUIRED, check_dataset
from kpilib.scoring import score
from tests.conftest import SAMPLE

MONTH = "2026-10"  # the month after the sample's last


@pytest.fixture(scope="module")
def intake(tmp_path_factory):
    path = tmp_path_factory.mktemp("intake") / "intake.xlsx"
    result = CliRunner().invoke(app, ["template", "--out", str(path), "--data", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    return path


def test_sheets_headers_lists_and_formats(intake, config):
    book = openpyxl.load_workbook(intake)
    assert book.sheetnames == ["README", *READ, "kpis", "lists"]
    assert book["lists"].sheet_state == "hidden"
    for name in READ:
        ws = book[name]
        assert [c.value for c in ws[1]] == [*REQUIRED[name], *OPTIONAL[name]]
    rules = {str(r.sqref).split(":")[0][0]: r.formula1 for r in book["employees"].data_validations.dataValidation}
    assert rules["C"].startswith("lists!$A$2")  # department: the scheme's departments
    listed = [c.value for c in book["lists"]["A"][1:] if c.value]
    assert listed == list(dict.fromkeys([*config.scheme.departments, *config.catalog.departments]))
    letter = "ABCDEFG"[[c.value for c in book["ratings"][1]].index("score")]
    score_rule = [r for r in book["ratings"].data_validations.dataValidation if str(r.sqref).startswith(letter)][0]
    column = score_rule.formula1.split("!$")[1][0]
    assert [c.value for c in book["lists"][column][1:] if c.value is not None] == [1, 2, 3, 4, 5]
    assert book["employees"]["E2"].number_format == "yyyy-mm-dd" and book["employees"]["I2"].number_format == "@"
    assert book["measures"]["A2"].number_format == "@" and book["measures"]["D2"].number_format == "#,##0.00"
    assert book["employees"].max_row >= 301 and book["employees"]["A2"].value == "E0001"
    assert {r[0].value for r in book["measures"].iter_rows(min_row=2, max_row=50)} == {MONTH}
    kpis = [(r[0].value, r[1].value) for r in book["kpis"].iter_rows(min_row=2)]
    assert ("sales", "sales_amount") in kpis and ("sales", "customer_satisfaction") in kpis
    assert "填写后" in book["README"]["A2"].value  # the sample's language: zh


def test_readme_in_english_without_data(tmp_path):
    path = tmp_path / "en.xlsx"
    assert CliRunner().invoke(app, ["template", "--out", str(path), "--lang", "en"]).exit_code == 0
    book = openpyxl.load_workbook(path)
    text = " ".join(str(c.value) for c in book["README"]["A"])
    assert "When filled in" in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    assert book["employees"].max_row == 1 + 500  # headers, formatted spare rows, no people
    assert book["employees"]["A1"].comment.text == "ID"


def _fill(intake, tmp_path) -> tuple:
    """Fill every blank value of the workbook (the sample's September figures, else 1; scores
    4) and write the same rows as CSV files."""
    sample = {n: pd.read_csv(SAMPLE / f"{n}.csv", dtype=str, keep_default_na=False) for n in ("measures", "targets")}
    last = {n: f.loc[f["period"] == "2026-09"].set_index(["employee_id", f.columns[2]])[f.columns[3]].to_dict()
            for n, f in sample.items()}
    book = openpyxl.load_workbook(intake)
    frames = {}
    for name, column in (("measures", "value"), ("targets", "target"), ("ratings", "score")):
        ws = book[name]
        header = [c.value for c in ws[1]]
        rows = []
        for r in ws.iter_rows(min_row=2):
            if r[0].value is None:
                continue
            key = (r[1].value, r[2].value if name != "ratings" else None)
            value = 4 if name == "ratings" else float(last[name].get(key, 1))
            r[header.index(column)].value = value
            rows.append({h: c.value for h, c in zip(header, r, strict=True)})
        frames[name] = pd.DataFrame(rows, columns=header)
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    folder = tmp_path / "csv"
    folder.mkdir()
    shutil.copy(SAMPLE / "employees.csv", folder)
    for name, frame in frames.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return filled, folder, frames


def test_round_trip_validates_and_scores_as_csv(intake, tmp_path, config):
    filled, folder, frames = _fill(intake, tmp_path)
    assert len(frames["measures"]) > 2000 and len(frames["ratings"]) > 1000
    dataset, problems = check_dataset(filled, config)
    assert dataset is not None and not problems.errors, problems.errors[:5]
    assert not [p for p in problems.warnings if "sheets" in p.expected]  # README, kpis, lists: not warned of
    from_csv, csv_problems = check_dataset(folder, config)
    assert not csv_problems.errors
    span = MONTH
    got, expected = score(dataset, config, _span(span)), score(from_csv, config, _span(span))
    active = dataset.people()["exit_date"].isna() | (dataset.people()["exit_date"] >= pd.Timestamp(MONTH))
    assert len(got.sheet) == frames["measures"]["employee_id"].nunique() == int(active.sum()) > 250
    pd.testing.assert_frame_equal(got.sheet, expected.sheet)
    result = CliRunner().invoke(app, ["validate", "--data", str(filled)])
    assert result.exit_code == 0, result.output


def _span(label):
    from kpilib.periods import parse_period
    return parse_period(label)


def test_retail_template_in_its_language(tmp_path):
    path = tmp_path / "retail.xlsx"
    retail = SAMPLE.parent.parent / "tests" / "data" / "retail" / "retail.xlsx"
    result = CliRunner().invoke(app, ["template", "--out", str(path), "--client", "retail", "--data", str(retail)])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book["README"]["A1"].value == "KPI evaluation data intake"  # retail's branding: en
    assert book["employees"]["A2"].value and book["measures"]["A2"].value


def test_a_partly_filled_workbook_reads_the_filled_rows(intake, tmp_path, config):
    """Rows laid out by the template and not filled in yet are left out with one warning per
    sheet, not an error per row; the filled rows keep their Excel row numbers."""
    book = openpyxl.load_workbook(intake)
    ws = book["measures"]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("value") + 1, value=7)
    ws.cell(row=3, column=header.index("value") + 1, value="seven")  # a typo is still an error, at its row
    partial = tmp_path / "partial.xlsx"
    book.save(partial)
    dataset, problems = check_dataset(partial, config)
    assert [(p.row, p.column) for p in problems.errors] == [(3, "value")]
    unread = {p.file.split(":")[-1]: p.expected for p in problems.warnings if "not read" in p.expected}
    laid_out = sum(1 for r in ws.iter_rows(min_row=2) if r[0].value is not None)
    assert f"{laid_out - 2} row(s) without one are not read" in unread["measures"]
    assert {"measures", "targets", "ratings"} <= set(unread)
