"""The period store (kpilib.store): the scoring given back exactly, a department's workbench
holding only that department's people, reuse by key, rebuild on a changed input, no half
store after a crash."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from kpilib import store, workbench
from kpilib.scoring import score
from tests.conftest import SAMPLE

PERIOD = "2026Q3"
PEOPLE_FRAMES = ("history", "lines", "months", "tier_odds", "units")
TABLES = (*PEOPLE_FRAMES, "tier_allocation", "leniency")


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """The sample scored once into a fresh store: (frames as scored, the store's key, company workbench)."""
    captured = {}
    scorer = workbench._score_history

    def keep(*args):
        captured.update(scorer(*args))
        return captured

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        mp.setattr(workbench, "_score_history", keep)
        workbench._MEMO.clear()
        company = workbench.open_workbench(PERIOD, "all", SAMPLE, lang="en")
        (key,) = [k for k, _ in workbench._MEMO]
        workbench._MEMO.clear()
        mp.setattr(workbench, "_score_history", scorer)
        yield captured, key, company
    workbench._MEMO.clear()


def table(frames: dict, name: str) -> pd.DataFrame:
    """A table of a frames dict; the lines of a read store (kpilib.store.Lines) all read."""
    frame = frames[name]
    return frame.all() if isinstance(frame, store.Lines) else frame


def frames_equal(got: dict, want: dict) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(table(got, name), table(want, name), obj=name)
    for name in store.DATA:
        pd.testing.assert_frame_equal(getattr(got["dataset"], name), getattr(want["dataset"], name), obj=name)


def test_the_store_gives_back_the_scoring_exactly(scored, sample, config):
    frames, key, company = scored
    back = store.read(key)
    frames_equal(back, frames)
    assert (back["span"], back["periods"], back["problems"]) == (frames["span"], frames["periods"], frames["problems"])
    assert back["dataset"].hashes == frames["dataset"].hashes and back["present"] == sorted(company.departments())
    for period in (PERIOD, "2025Q3"):  # against score() run directly, not through the workbench
        direct = score(sample, config, period).sheet
        kept = back["history"][back["history"]["period"] == period].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept[list(direct.columns)], direct)


def only_own_people(company: workbench.Workbench, data, client: str | None = None) -> None:
    """Each department's workbench, read from the store, holds that department's people only
    (every frame with employee_id, the dataset's tables, their categories) and all of them."""
    of = company.dataset.employees.set_index("employee_id")["department"]
    for department in company.departments():
        workbench._MEMO.clear()
        wb = workbench.open_workbench(company.span.label, department, data, client, lang="en")
        own = set(of[of == department].index)
        frames = {name: getattr(wb, name) for name in PEOPLE_FRAMES}
        frames |= {name: getattr(wb.dataset, name) for name in ("employees", "measures", "targets", "ratings")}
        for name, frame in frames.items():
            if frame.empty:
                continue
            ids = frame["employee_id"]
            assert set(ids.astype(str)) <= own, (department, name)
            if isinstance(ids.dtype, pd.CategoricalDtype):  # not even an unused category names someone else
                assert set(ids.cat.categories) <= own, (department, name)
        assert set(wb.history["department"]) == {department} == set(wb.lines["department"])
        assert set(wb.leniency.get("department", pd.Series(dtype=str))) <= {department}
        assert len(wb.sheet()) == len(company.sheet().query("department == @department"))
    assert set(company.history["department"]) == set(company.departments())  # the company level holds everyone


def test_a_department_workbench_holds_only_its_own_people(scored):
    only_own_people(scored[2], SAMPLE)


def test_so_it_does_on_the_retail_company(tmp_path, monkeypatch):
    """Northwind Retail: two periods of history, small departments, team entities."""
    from tests.test_retail import RETAIL

    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    workbench._MEMO.clear()
    company = workbench.open_workbench(None, "all", RETAIL, "retail", lang="en")
    assert len(company.departments()) == 4
    only_own_people(company, RETAIL, "retail")
    workbench._MEMO.clear()


def test_a_period_of_lines_is_read_on_its_own_and_equals_its_rows_of_all(scored):
    """A page that shows one quarter reads that quarter's lines only (a Parquet filter): the
    same rows, in the same order, as every period's lines read and filtered."""
    frames, key, company = scored
    every = frames["lines"]
    for department in ("all", "sales"):
        lines = store.read(key, department)["lines"]
        for period in (PERIOD, "2025Q3"):
            want = every[every["period"] == period]
            if department != "all":
                want = want[want["department"] == department]
            got = lines.of(period)
            pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_categorical=False)
        assert set(lines._frames) == {PERIOD, "2025Q3"}  # read one by one, never all of them
        kpi = every["kpi"].iloc[0]
        want = every.loc[every["kpi"] == kpi, ["employee_id", "period", "actual"]]
        if department != "all":
            want = want[every["department"] == department]
        pd.testing.assert_frame_equal(lines.where(["employee_id", "period", "actual"], kpi=kpi),
                                      want.reset_index(drop=True))
        some = every["employee_id"].drop_duplicates().iloc[::7]
        want = every[(every["period"] == PERIOD) & every["employee_id"].isin(some)]
        if department != "all":
            want = want[want["department"] == department]
        pd.testing.assert_frame_equal(lines.among(some).of(PERIOD), want.reset_index(drop=True),
                                      check_categorical=False)  # a part's people, read with their filter
        assert lines.all()["period"].nunique() == every["period"].nunique()
    assert company.period_lines().equals(every[every["period"] == PERIOD].reset_index(drop=True))


def test_a_partition_read_equals_the_scoring_scoped_in_memory(scored):
    frames, key, company = scored
    for department in company.departments():
        frames_equal(store.read(key, department), store.scope(frames, department))


def test_the_store_is_reused_while_the_key_holds_and_rebuilt_when_an_input_changes(scored, tmp_path, monkeypatch):
    frames, key, _ = scored
    calls = []
    monkeypatch.setattr(workbench, "_score_history", lambda *args: calls.append(args) or frames)
    workbench._MEMO.clear()
    workbench.open_workbench(PERIOD, "sales", SAMPLE, lang="en")
    assert calls == []  # read from the store
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    measures = (data / "measures.csv").read_text(encoding="utf-8").splitlines()
    head, first = measures[1].rsplit(",", 1)
    measures[1] = f"{head},{float(first) + 1}"
    (data / "measures.csv").write_text("\n".join(measures) + "\n", encoding="utf-8")
    workbench.open_workbench(PERIOD, "sales", data, lang="en")
    assert len(calls) == 1
    workbench._MEMO.clear()
    workbench.open_workbench(PERIOD, "hr", data, lang="en")
    assert len(calls) == 1
    assert len([p for p in (store.cache_dir() / "store").iterdir()]) == 2


def test_a_crash_while_writing_leaves_no_half_store(scored, monkeypatch):
    frames, _, _ = scored
    written = []
    real = store._write_file

    def crash(path, frame):
        written.append(path)
        if len(written) == 5:
            raise OSError("disk full")
        real(path, frame)

    monkeypatch.setattr(store, "_write_file", crash)
    key = "f" * 32
    with pytest.raises(OSError, match="disk full"):
        store.write(key, frames)
    assert not store.store_dir(key).exists()
    assert not [p for p in store.store_dir(key).parent.iterdir() if p.name.startswith(f".{key}")]
    assert store.read(key) is None


def test_a_read_only_cache_still_gives_a_department_its_partition(scored, monkeypatch):
    frames, key, _ = scored

    def refuse(*_):
        raise OSError("read-only")

    monkeypatch.setattr(store, "write", refuse)
    monkeypatch.setattr(store, "read", lambda *_: None)
    monkeypatch.setattr(workbench, "_score_history", lambda *_: frames)
    workbench._MEMO.clear()
    wb = workbench.open_workbench(PERIOD, "hr", SAMPLE, lang="en")
    assert set(wb.dataset.employees["department"]) == {"hr"} and set(wb.history["department"]) == {"hr"}
    workbench._MEMO.clear()


def test_a_store_others_may_write_to_is_not_read(scored):
    _, key, _ = scored
    folder = store.store_dir(key)
    folder.chmod(0o777)
    try:
        assert store.read(key) is None
    finally:
        folder.chmod(0o700)
    assert store.read(key, "sales") is not None


def test_sweep_removes_what_dead_writers_and_older_versions_left(tmp_path):
    root = tmp_path / "cache"
    dead = root / "store" / f".{'a' * 32}.999999999.tmp"
    mine = root / "store" / f".{'b' * 32}.{os.getpid()}.tmp"
    old = root / f"{'c' * 32}.pkl"
    for folder in (dead, mine):
        folder.mkdir(parents=True)
    old.write_bytes(b"pickled")
    (root / "mac.key").write_bytes(b"k" * 32)
    assert sorted(store.sweep(root)) == sorted([dead, old, root / "mac.key"])
    assert mine.exists()
