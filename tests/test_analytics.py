"""kpilib.analytics: the heavy tables computed once per period and department, written as
Parquet, read back equal to a fresh computation, and the sections alike either way."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, replace

import pandas as pd
import pytest

from kpilib import analytics, sections, workbench
from tests.conftest import ROOT, SAMPLE

PERIOD = "2026Q3"
SCOPES = ["all", "sales", "hr"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(folder))
        workbench._MEMO.clear()  # a scoring kept in memory by an earlier test would bypass the disk cache
        analytics._COMPUTED.clear()
        yield folder


@pytest.fixture(scope="module")
def company(cache):
    return workbench.open_workbench(PERIOD, "all", SAMPLE, lang="en")


@pytest.fixture(scope="module")
def steps(company):
    """compute_all on three scopes in two processes; the progress it reported."""
    seen = []
    computed = analytics.compute_all(company, SCOPES, jobs=2, progress=lambda *step: seen.append(step))
    assert sorted(computed) == sorted(SCOPES)
    return seen


def test_compute_all_writes_every_table_of_each_scope_under_the_workbench_key(steps, company, cache):
    assert sorted(s[2] for s in steps) == sorted(SCOPES)
    assert [s[:2] for s in steps] == [(1, 3), (2, 3), (3, 3)] and {s[3] for s in steps} == {"ok"}
    for department in SCOPES:
        where = analytics.folder(replace(company, department=department))
        assert where == cache / "analytics" / company.key / department
        assert sorted(p.stem for p in where.glob("*.parquet")) == sorted(analytics.TABLES)
        assert not list(where.glob(".*"))  # no temp file left


def test_tables_read_back_equal_a_fresh_computation(steps, company):
    for department in SCOPES:
        wb = replace(company, department=department)
        fresh = analytics.department_analytics(wb)
        assert set(fresh) == set(analytics.TABLES)
        for name, frame in fresh.items():
            pd.testing.assert_frame_equal(analytics.table(wb, name), frame, obj=f"{department}/{name}")
    fitted = analytics.table(replace(company, department="sales"), "scorecard").iloc[0]
    assert fitted["refusal"] == "" and fitted["people"] > 30  # the sample's sales fits the model


def _pages(wb: workbench.Workbench) -> dict:
    """What sections 40 and 50 show from the heavy tables."""
    model = asdict(sections.scorecard_model(wb))
    links = sections.leading_links(wb)
    return {**model, "links": links.links, "coefficients": links.coefficients, "backtest": links.backtest,
            **{name: getattr(sections, name)(wb) for name in (
                "rater_table", "raters_not_judged", "rater_basis", "rater_variance", "self_gap", "person_trends",
                "forecast_check")}}


def test_sections_show_the_same_read_or_computed_in_the_kernel(steps, company, tmp_path, monkeypatch):
    for department in ("all", "sales"):
        wb = replace(company, department=department)
        stored = _pages(wb)
        monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / department))  # no tables: an analyst's kernel
        analytics._COMPUTED.clear()
        assert not analytics.complete(wb)
        alone = _pages(wb)
        assert analytics.complete(wb)  # and it kept them for the next notebook
        monkeypatch.undo()
        for name, value in stored.items():
            if isinstance(value, pd.DataFrame):
                pd.testing.assert_frame_equal(alone[name], value, obj=f"{department}/{name}")
            else:
                assert alone[name] == value, name


def test_two_runs_write_the_same_bytes(steps, company, tmp_path, monkeypatch):
    sales = replace(company, department="sales")
    first = analytics.folder(sales)
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path))
    assert analytics.compute_all(company, ["sales"], jobs=1) == ["sales"]  # in this process, not forked
    again = analytics.folder(sales)
    assert again != first
    for name in analytics.TABLES:
        assert (again / f"{name}.parquet").read_bytes() == (first / f"{name}.parquet").read_bytes(), name


def test_a_complete_scope_is_skipped_and_a_damaged_table_computed_again(steps, company):
    seen = []
    assert analytics.compute_all(company, ["sales", "sales"], jobs=2, progress=lambda *s: seen.append(s)) == []
    assert seen == [(1, 1, "sales", "skipped")]
    sales = replace(company, department="sales")
    path = analytics.folder(sales) / "rater_variance.parquet"
    expected = analytics.table(sales, "rater_variance")
    path.write_bytes(b"cut short")
    analytics._COMPUTED.clear()
    pd.testing.assert_frame_equal(analytics.table(sales, "rater_variance"), expected)
    pd.testing.assert_frame_equal(pd.read_parquet(path), expected)  # written whole again


def test_a_workbench_without_key_computes_and_writes_nothing(company):
    loose = replace(company, department="hr", key="")
    assert analytics.folder(loose) is None and analytics.compute_all(loose, ["hr"]) == []
    expected = analytics.table(replace(company, department="hr"), "scorecard")
    pd.testing.assert_frame_equal(analytics.table(loose, "scorecard"), expected)


def test_retail_small_departments_store_the_refusal(tmp_path, monkeypatch):
    from tests.test_retail import RETAIL

    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path))
    analytics._COMPUTED.clear()
    wb = workbench.open_workbench(None, "all", RETAIL, "retail", "en")
    assert sorted(analytics.compute_all(wb, ["all", "marketing"], jobs=2)) == ["all", "marketing"]
    marketing = replace(wb, department="marketing")
    assert analytics.complete(marketing)
    summary = analytics.table(marketing, "scorecard").iloc[0]
    assert summary["refusal"] == "too_few_people" and analytics.table(marketing, "scorecard_effects").empty
    for name, frame in analytics.department_analytics(marketing).items():
        pd.testing.assert_frame_equal(analytics.table(marketing, name), frame, obj=name)


def test_temp_files_of_killed_writers_are_removed_by_the_next_run(steps, company):
    sales = analytics.folder(replace(company, department="sales"))
    gone = sales / ".scorecard.999999999.tmp"  # no such process
    running = sales / f".scorecard.{os.getpid()}.tmp"
    gone.write_bytes(b"half")
    running.write_bytes(b"being written")
    analytics.compute_all(company, ["sales"], jobs=1)
    assert not gone.exists() and running.exists()
    running.unlink()


def test_a_department_kernel_computes_what_the_pack_stored(steps, company):
    """A department's own workbench (its partition of the store only) gives the tables the
    pack computed from the company's."""
    kernel = workbench.open_workbench(PERIOD, "sales", SAMPLE, lang="en")
    assert kernel.key == company.key
    stored = replace(company, department="sales")
    for name, frame in analytics.department_analytics(kernel).items():
        pd.testing.assert_frame_equal(frame, analytics.table(stored, name), obj=name)


def test_processes_reading_their_department_from_the_store_write_the_same_tables(steps, company, cache, tmp_path):
    """compute_stored (the pack: spawned processes, each opening its scope from the period
    store) writes byte for byte what compute_all (forked, sharing the company) wrote."""
    moved = tmp_path / "analytics"
    (cache / "analytics").rename(moved)  # compute_all's tables, out of the way
    try:
        opener = functools.partial(workbench.open_workbench, PERIOD, data_dir=SAMPLE, lang="en")
        seen = []
        assert sorted(analytics.compute_stored(company.key, opener, ["sales", "hr"], jobs=2,
                                               progress=lambda *s: seen.append(s))) == ["hr", "sales"]
        assert {s[3] for s in seen} == {"ok"}
        for department in ["sales", "hr"]:
            for name in analytics.TABLES:
                written = cache / "analytics" / company.key / department / f"{name}.parquet"
                assert written.read_bytes() == (moved / company.key / department / f"{name}.parquet").read_bytes(), name
    finally:
        shutil.rmtree(cache / "analytics", ignore_errors=True)
        moved.rename(cache / "analytics")


def test_the_optimisers_notes_stay_off_the_terminal_even_when_statsmodels_loads_inside(tmp_path):
    # a fresh interpreter: statsmodels is first imported while a scope's analytics compute
    code = (
        "import warnings\n"
        "from kpilib import analytics\n"
        "def compute(wb):\n"
        "    from statsmodels.tools.sm_exceptions import ConvergenceWarning\n"
        "    warnings.warn('did not converge', ConvergenceWarning)\n"
        "    return {}\n"
        "analytics.department_analytics, analytics._write, analytics.folder = compute, lambda w, t: None, lambda wb: None\n"
        "analytics._adopt(lambda department: None)\n"
        "print(analytics._compute_one('sales'))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "sales", done.stderr
    assert "did not converge" not in done.stderr


def test_a_table_computed_in_a_notebook_leaves_the_optimisers_notes_off_the_page(company, monkeypatch):
    import warnings

    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    def noisy(wb):
        warnings.warn("did not converge", ConvergenceWarning, stacklevel=2)
        return {"rater_variance": pd.DataFrame({"component": ["rater"], "variance": [0.5], "share": [1.0]})}

    monkeypatch.setitem(analytics.GROUPS, "rater_variance", noisy)
    analytics._COMPUTED.clear()
    loose = replace(company, department="hr", key="")  # no folder: computed, not read
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        assert analytics.table(loose, "rater_variance")["share"].tolist() == [1.0]
    assert not seen
    analytics._COMPUTED.clear()


@pytest.mark.slow
def test_a_small_companys_tables_are_computed_by_its_notebooks_with_the_same_pages(tmp_path, monkeypatch):
    """Below AHEAD_FROM people the pack starts no analytics processes: the first notebook
    reading a table computes and keeps it; the pages equal those of a pack that computed
    them ahead in processes."""
    from typer.testing import CliRunner

    from kpilib.cli import app
    from kpilib.pack import assemble

    ahead = []
    real = analytics.compute_stored
    monkeypatch.setattr(analytics, "compute_stored", lambda key, opener, departments, *a, **k: (
        ahead.append(list(departments)), real(key, opener, departments, *a, **k))[1])
    pages = {}
    for run, threshold in (("kernels", analytics.AHEAD_FROM), ("ahead", 1)):
        monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / run / "cache"))
        monkeypatch.setattr(assemble.analytics, "AHEAD_FROM", threshold)
        workbench._MEMO.clear()
        out = tmp_path / run / "reports"
        done = CliRunner().invoke(app, ["pack", "--out", str(out), "--departments", "sales", "--sections", "drivers",
                                        "--jobs", "2"])
        assert done.exit_code == 0, done.output
        key = next((tmp_path / run / "cache" / "analytics").iterdir())
        drivers = [name for name, group in analytics.TABLES.items() if group != "trends"]  # what section 50 reads
        assert all((key / "sales" / f"{name}.parquet").exists() for name in drivers)  # kept either way
        pages[run] = (out / "2026Q3" / "sales" / "50_drivers.html").read_bytes()
    assert ahead == [["sales"]]  # only the run with the lower threshold started processes
    assert pages["kernels"] == pages["ahead"]
