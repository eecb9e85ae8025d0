"""Control totals (kpilib.controls): sums checked by hand from the CSV text; a 2% mismatch
stops validate and pack, naming controls.csv, its row, the measure, the total, the sum and
the difference; the previous pack stays as it was."""

from __future__ import annotations

import csv
import math
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.data import check_dataset
from tests.conftest import SAMPLE
from tests.test_cli import said


def hand_sum(measure: str, months: list[str], department: str | None) -> float:
    """Σ value of `measure` over `months` (and `department`'s rows), read from the CSV text."""
    with (SAMPLE / "employees.csv").open(encoding="utf-8") as fh:
        dept = {r["employee_id"]: r["department"] for r in csv.DictReader(fh)}
    with (SAMPLE / "measures.csv").open(encoding="utf-8") as fh:
        return math.fsum(float(r["value"]) for r in csv.DictReader(fh)
                         if r["measure"] == measure and r["period"] in months
                         and (department is None or dept[r["employee_id"]] == department))


def money(x: float, signed: bool = False) -> str:
    d = Decimal(repr(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{d:{'+' if signed else ''},.2f}"


Q3 = ["2026-07", "2026-08", "2026-09"]


@pytest.fixture(scope="module")
def sums():
    return {"sales": hand_sum("sales", Q3, "sales"), "all": hand_sum("new_customers", ["2026-09"], None)}


def with_controls(tmp_path: Path, rows: list[str]) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    (folder / "controls.csv").write_text("period,measure,department,total,tolerance\n" + "\n".join(rows) + "\n",
                                         encoding="utf-8")
    return folder


def test_matching_totals_pass(tmp_path, config, sums):
    folder = with_controls(tmp_path, [f"2026Q3,sales,sales,{sums['sales']:.2f},0.01",
                                      f"2026-09,new_customers,all,{sums['all']:.0f},"])
    dataset, problems = check_dataset(folder, config)
    assert not problems.errors, problems.errors
    controls = dataset.controls
    assert controls["holds"].tolist() == [True, True]
    assert controls["sum"].tolist() == pytest.approx([sums["sales"], sums["all"]], abs=1e-6)
    assert controls["row"].tolist() == [2, 3] and controls["tolerance"].tolist() == [0.01, 0.01]
    assert sums["sales"] > 1e6 and sums["all"] > 10  # the controls sum real figures
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 0 and "2 control total(s) hold" in result.output


def _mismatch(tmp_path, sums):
    total = round(sums["sales"] * 1.02, 2)
    folder = with_controls(tmp_path, [f"2026-09,new_customers,all,{sums['all']:.0f},",
                                      f"2026Q3,sales,sales,{total:.2f},"])
    message = (f"the control total of sales for sales in 2026Q3: expected {money(total)}, computed sum "
               f"{money(sums['sales'])}, difference {money(sums['sales'] - total, True)} (tolerance 0.01)")
    return folder, message


def test_two_percent_mismatch_fails_validate(tmp_path, config, sums):
    folder, message = _mismatch(tmp_path, sums)
    dataset, problems = check_dataset(folder, config)
    assert dataset is None
    assert [(p.file, p.row, p.column, p.expected) for p in problems.errors] == [("controls.csv", 3, "total", message)]
    result = CliRunner().invoke(app, ["validate", "--data", str(folder)])
    assert result.exit_code == 1 and "1 error(s)" in result.output


def test_two_percent_mismatch_fails_pack_and_keeps_the_previous_pack(tmp_path, sums):
    folder, message = _mismatch(tmp_path, sums)
    out = tmp_path / "reports"
    (out / "2026Q3").mkdir(parents=True)
    (out / "2026Q3" / "index.html").write_text("previous pack", encoding="utf-8")
    result = CliRunner().invoke(app, ["pack", "--data", str(folder), "--out", str(out)], terminal_width=400)
    assert result.exit_code == 1
    assert f"controls.csv, row 3, column total: found '{money(round(sums['sales'] * 1.02, 2))}'; {message}" in said(result)
    assert (out / "2026Q3" / "index.html").read_text(encoding="utf-8") == "previous pack"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["2026Q3", "2026Q3/index.html"]


def test_bad_control_rows_are_named(tmp_path, config):
    folder = with_controls(tmp_path, ["2026Q5,sales,sales,1,", "2026Q3,nope,sales,1,", "2026Q3,sales,nowhere,1,",
                                      "2026Q3,sales,sales,abc,", "2026Q3,sales,sales,1,-1", "2030Q1,sales,all,1,"])
    _, problems = check_dataset(folder, config)
    found = [(p.row, p.column) for p in problems.errors]
    assert found == [(2, "period"), (3, "measure"), (4, "department"), (5, "total"), (6, "tolerance"), (7, "period")]
    assert all(p.file == "controls.csv" for p in problems.errors)


def test_controls_from_a_database_table(tmp_path, config, sums):
    from sqlalchemy import create_engine, text

    from tests.test_sources import typed_tables, write_database

    url = f"sqlite:///{tmp_path / 'hr.db'}"
    write_database(url, typed_tables(SAMPLE))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE controls (period TEXT, measure TEXT, department TEXT, total NUMERIC)"))
        conn.execute(text("INSERT INTO controls VALUES ('2026Q3', 'sales', 'sales', :t)"), {"t": sums["sales"] * 1.02})
    engine.dispose()
    _, problems = check_dataset(url, config)
    assert [(p.row, p.column) for p in problems.errors] == [(2, "total")]
    assert problems.errors[0].file == f"{url} table controls"


def test_readme_example_holds_on_the_sample(tmp_path, config):
    readme = (SAMPLE.parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("period,measure,department,total,tolerance\n", 1)[1].split("```", 1)[0]
    folder = with_controls(tmp_path, block.strip().splitlines())
    dataset, problems = check_dataset(folder, config)
    assert not problems.errors and dataset.controls["holds"].all() and len(dataset.controls) == 2
