"""Fault tests of the pack as a process: two packs into one folder, kill -9 mid-run, SIGTERM."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT

ARGS = ["--client", "slow", "--departments", "sales", "--sections", "overview,slow", "--jobs", "1"]
WHOLE = {"sales/10_overview", "sales/90_slow"}


@pytest.fixture
def params(tmp_path, monkeypatch) -> Path:
    """A client "slow" whose section 90_slow sleeps for $KPIREPORT_TEST_SLOW seconds: a pack stays mid-run."""
    folder = tmp_path / "params"
    shutil.copytree(ROOT / "params", folder, ignore=shutil.ignore_patterns("clients"))
    notebooks = folder / "clients" / "slow" / "notebooks"
    notebooks.mkdir(parents=True)
    nb = nbformat.read(ROOT / "notebooks" / "10_overview.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os, time\ntime.sleep(float(os.environ.get('KPIREPORT_TEST_SLOW', 0)))"))
    nbformat.write(nb, notebooks / "90_slow.ipynb")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(folder))
    return folder


def command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kpilib", "pack", "--out", str(out), *ARGS, *extra]


@contextmanager
def packing(out: Path, slow: float, *extra: str) -> Iterator[subprocess.Popen]:
    """`kpireport pack` in its own process group (its kernels with it), its slow section sleeping
    `slow` seconds; the group is killed on the way out."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KPIREPORT_TEST_SLOW": str(slow)}
    proc = subprocess.Popen(command(out, *extra), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        yield proc
    finally:
        with suppress(ProcessLookupError):  # whatever of the group is still there
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def staging(out: Path) -> list[Path]:
    return list(out.glob(".2026Q3-*")) if out.exists() else []


def wait_for_a_page(out: Path, proc: subprocess.Popen, timeout: float = 180) -> Path:
    """The staging folder once the first document is written in it (the run is mid-way)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        pages = [p for folder in staging(out) for p in folder.rglob("*.html")]
        if pages:
            return pages[0]
        time.sleep(0.1)
    raise AssertionError("no page was written")


def documents(out: Path) -> set[str]:
    body = json.loads((out / "2026Q3" / "manifest.json").read_text(encoding="utf-8"))
    return {f"{d['department']}/{d['section']}" for d in body["documents"]}


def test_a_second_pack_into_the_same_folder_is_refused(tmp_path, params):
    out = tmp_path / "r"
    with packing(out, 20) as first:
        wait_for_a_page(out, first)
        second = subprocess.run(command(out), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                capture_output=True, text=True, timeout=120)
        said = " ".join(second.stderr.split())
        assert second.returncode == 1 and "Traceback" not in second.stderr
        assert f"another pack is writing to {out} (pid {first.pid}); wait for it or use another --out" in said
        assert first.wait(timeout=300) == 0
    assert documents(out) == WHOLE and all((out / "2026Q3" / f"{d}.html").exists() for d in WHOLE)


def test_a_killed_pack_leaves_nothing_behind_the_next_one(tmp_path, params):
    from typer.testing import CliRunner

    from kpilib.cli import app

    out = tmp_path / "r"
    with packing(out, 600) as proc:
        wait_for_a_page(out, proc)
        os.killpg(proc.pid, signal.SIGKILL)  # the pack and its kernels, as an OOM killer or a power cut would
        proc.wait(timeout=30)
    assert staging(out)  # what kill -9 leaves
    result = CliRunner().invoke(app, ["pack", "--out", str(out), *ARGS])
    assert result.exit_code == 0, result.output
    assert staging(out) == [] and documents(out) == WHOLE
    assert sorted(p.name for p in out.iterdir()) == [".kpireport.lock", "2026Q3", "index.html"]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_pack_stops_at_once_and_keeps_the_previous_one(tmp_path, params, signum):
    out = tmp_path / "r"
    (out / "2026Q3").mkdir(parents=True)
    (out / "2026Q3" / "manifest.json").write_text('{"documents": []}', encoding="utf-8")
    with packing(out, 600, "--force") as proc:
        wait_for_a_page(out, proc)
        sent = time.monotonic()
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=180)  # a loaded CI machine: generous, and `took` says how long
        took = time.monotonic() - sent
    assert proc.returncode == 130 and "interrupted: the previous pack is unchanged" in stderr, stderr
    assert "Traceback" not in stderr and took < 30, took
    assert staging(out) == [] and (out / "2026Q3" / "manifest.json").read_text() == '{"documents": []}'
    alive = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert alive == [], "kernels were left running"
