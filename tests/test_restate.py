"""Restatements (kpilib.pack.restate): a rebuild of a period lists whose outcomes changed,
each row exactly the cells of the previous and the new scoring sheet."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpilib import workbench
from kpilib.cli import app
from kpilib.pack import restate
from kpilib.pack.scoresheets import write_sheets
from tests.conftest import SAMPLE
from tests.test_cli import said

PERIOD = "2026Q3"
PERSON = "E0002"  # a salesperson: sales amount weighs 40 of the sales scheme


def raise_sales(folder, person: str = PERSON, factor: float = 1.5) -> None:
    """Multiply one person's sales of August 2026 by `factor` in `folder/measures.csv`."""
    measures = pd.read_csv(folder / "measures.csv", dtype=str, keep_default_na=False)
    row = (measures["employee_id"] == person) & (measures["measure"] == "sales") & (measures["period"] == "2026-08")
    assert row.sum() == 1
    measures.loc[row, "value"] = str(float(measures.loc[row, "value"].iloc[0]) * factor)
    measures.to_csv(folder / "measures.csv", index=False)


def sheets_of(data, out, monkeypatch, tmp_path):
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    workbench._MEMO.clear()
    wb = workbench.prepare(data, None, PERIOD, "en")
    write_sheets(wb, wb.departments(), [], out)
    return wb


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    """Two scoring workbooks of the sample: as it is, and with PERSON's August sales raised."""
    root = tmp_path_factory.mktemp("restate")
    data = root / "data"
    shutil.copytree(SAMPLE, data)
    with pytest.MonkeyPatch.context() as mp:
        sheets_of(data, root / "before", mp, root)
        raise_sales(data)
        wb = sheets_of(data, root / "after", mp, root)
    rows = restate.write_changes(root / "before" / "scores.xlsx", root / "after")
    return root, rows, wb


def test_the_person_whose_measures_changed_is_listed(rebuilt):
    root, rows, _ = rebuilt
    mine = rows[rows["employee_id"] == PERSON].set_index("field")
    before, after = float(mine.loc["composite", "before"]), float(mine.loc["composite", "after"])
    assert after > before
    assert "sales_amount: inputs" in mine.index  # the input line that explains it
    assert "Sales=" in mine.loc["sales_amount: inputs", "after"]  # the measure by its name (en)
    written = pd.read_csv(root / "after" / "changes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(written.columns) == restate.COLUMNS and len(written) == len(rows)
    assert (root / "after" / restate.PREVIOUS).read_bytes() == (root / "before" / "scores.xlsx").read_bytes()


def test_every_row_agrees_with_the_two_scoring_sheets(rebuilt):
    root, rows, _ = rebuilt
    old = pd.read_excel(root / "before" / "scores.xlsx", sheet_name=None, dtype=str, keep_default_na=False)
    new = pd.read_excel(root / "after" / "scores.xlsx", sheet_name=None, dtype=str, keep_default_na=False)
    checked = 0
    for row in rows.itertuples():
        kpi, _, what = row.field.partition(": ")
        for sheets, value in ((old, row.before), (new, row.after)):
            if what:
                found = sheets["lines"][(sheets["lines"]["employee_id"] == row.employee_id) & (sheets["lines"]["kpi"] == kpi)]
                cell = found[what].iloc[0] if len(found) else ""
            else:
                cell = sheets["scores"].set_index("employee_id").at[row.employee_id, row.field]
            assert cell == value, row
            checked += 1
        assert row.before != row.after
    assert checked == 2 * len(rows)
    # and nothing is missed: every outcome that differs between the sheets is a row
    fields = [f for f in restate.OUTCOMES if f in old["scores"].columns]
    a, b = (s["scores"].set_index("employee_id")[fields] for s in (old, new))
    differ = {(p, f) for p in a.index for f in fields if a.at[p, f] != b.at[p, f]}
    assert differ == {(r.employee_id, r.field) for r in rows.itertuples() if ": " not in r.field}
    assert {"composite", "rank"} <= {f for p, f in differ if p == PERSON}


def test_the_changes_page_names_people_and_fields(rebuilt):
    from kpilib.branding import Branding

    _, rows, wb = rebuilt
    page = restate.changes_html(wb, rows, wb.sheet(), Branding())
    name = wb.sheet().set_index("employee_id").at[PERSON, "name"]
    people = rows.loc[rows["field"].isin(restate.OUTCOMES), "employee_id"].nunique()
    assert name in page and "Composite" in page and f"{wb.kpi_name('sales_amount')} · Inputs" in page
    assert f"outcome(s) of {people} people changed" in page
    assert "sales=" not in page and f"{wb.config.catalog.measures['sales'].name(wb.lang)}=" in page  # measures by name


def test_nothing_changed_gives_a_header_only_file(tmp_path, monkeypatch):
    sheets_of(SAMPLE, tmp_path / "one", monkeypatch, tmp_path)
    rows = restate.write_changes(tmp_path / "one" / "scores.xlsx", tmp_path / "one")
    assert rows.empty
    assert (tmp_path / "one" / "changes.csv").read_text(encoding="utf-8-sig").strip() == ",".join(restate.COLUMNS)
    assert restate.write_changes(tmp_path / "none.xlsx", tmp_path / "one") is None


def test_a_rebuilt_pack_links_its_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    data, out = tmp_path / "data", tmp_path / "reports"
    shutil.copytree(SAMPLE, data)
    args = ["pack", "--data", str(data), "--out", str(out), "--departments", "sales", "--sections", "overview",
            "--jobs", "1", "--lang", "en"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, said(first)
    period = out / PERIOD
    assert not (period / "changes.csv").exists() and "changes.html" not in (period / "index.html").read_text()
    raise_sales(data)
    second = CliRunner().invoke(app, args)
    assert second.exit_code == 0, said(second)
    rows = pd.read_csv(period / "changes.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert PERSON in set(rows.loc[rows["field"] == "composite", "employee_id"])
    assert set(rows["employee_id"]) <= set(pd.read_csv(period / "scores.csv", dtype=str)["employee_id"])
    index = (period / "index.html").read_text(encoding="utf-8")
    assert 'href="changes.html">Changes since the last build</a>' in index
    assert (period / "changes.html").exists() and (period / restate.PREVIOUS).exists()
    import json

    summary = json.loads((period / "manifest.json").read_text(encoding="utf-8"))["changes"]
    assert summary["people"] == rows.loc[rows["field"].isin(restate.OUTCOMES), "employee_id"].nunique() >= 1


def test_retail_a_corrected_figure_is_found(tmp_path, monkeypatch):
    """Northwind Retail (short history, small departments): a sheet differing in one person's
    composite and one line's inputs gives exactly those rows (and that line as the why)."""
    from tests.test_retail import RETAIL

    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    workbench._MEMO.clear()
    wb = workbench.prepare(RETAIL, "retail", None, "en")
    write_sheets(wb, wb.departments(), [], tmp_path)
    before = restate.read_sheet(tmp_path / "scores.xlsx")
    after = {name: frame.copy() for name, frame in before.items()}
    person = after["scores"]["employee_id"].iloc[0]
    after["scores"].loc[0, "composite"] = "0.1"
    line = after["lines"].index[after["lines"]["employee_id"] == person][0]
    after["lines"].loc[line, "inputs"] = "corrected"
    kpi = after["lines"].at[line, "kpi"]
    rows = restate.changes(before, after)
    assert rows.values.tolist() == [[person, "composite", before["scores"].at[0, "composite"], "0.1"],
                                    [person, f"{kpi}: inputs", before["lines"].at[line, "inputs"], "corrected"]]
    assert restate.changes(before, before).empty
