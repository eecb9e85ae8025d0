"""`kpireport validate` on the corpus of broken inputs (tests/data/bad/, one folder per case)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.data import check_dataset

BAD = Path(__file__).parent / "data" / "bad"
CASES = sorted(p for p in BAD.iterdir() if p.is_dir())


def test_corpus_is_large_enough():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_problem_is_named_precisely(case, config):
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    _, problems = check_dataset(case, config)
    matches = [p for p in problems.errors
               if expected["message"] in p.expected
               and p.file.endswith(Path(expected["file"]).name)
               and (expected["row"] is None or p.row == expected["row"])
               and (expected["column"] is None or p.column == expected["column"])]
    assert matches, f"expected {expected}, got:\n" + "\n".join(map(str, problems.errors))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_cli_exits_1_without_traceback(case):
    result = CliRunner().invoke(app, ["validate", "--data", str(case)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error" in result.output


def test_every_problem_is_listed_at_once(tmp_path, config):
    import shutil
    shutil.copytree(BAD / "measures_not_a_number", tmp_path / "d")
    (tmp_path / "d" / "ratings.csv").write_text(
        "period,employee_id,rater_type,criterion,score\n2025Q3,E2,boss,collaboration,9\n", encoding="utf-8")
    _, problems = check_dataset(tmp_path / "d", config)
    found = {(p.file, p.column) for p in problems.errors}
    assert {("measures.csv", "value"), ("ratings.csv", "rater_type"), ("ratings.csv", "score")} <= found


def test_sample_is_clean(config):
    from tests.conftest import SAMPLE
    _, problems = check_dataset(SAMPLE, config)
    assert not problems.errors


def test_subprocess_prints_no_traceback_and_writes_report(tmp_path):
    report = tmp_path / "problems.csv"
    run = subprocess.run([sys.executable, "-m", "kpilib", "validate", "--data", str(BAD / "targets_zero"),
                          "--report", str(report)], capture_output=True, text=True)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert "other than 0" in report.read_text(encoding="utf-8-sig")
