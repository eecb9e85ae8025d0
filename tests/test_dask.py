"""The pack on `dask.distributed`: process workers with a memory limit give the same pages as
the local engine (interfaces.md §3, README "Several machines")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from tests.test_cli import said

runner = CliRunner()
ARGS = ["--departments", "hr,all", "--sections", "overview,rankings"]


def pages(period: Path) -> dict[str, bytes]:
    """Every page of a period's department folders: documents and landing pages."""
    return {str(p.relative_to(period)): p.read_bytes() for p in period.glob("*/*.html")}


@pytest.mark.slow
def test_a_pack_on_two_dask_process_workers_has_the_local_pages(tmp_path):
    from distributed import LocalCluster

    local = runner.invoke(app, ["pack", "--out", str(tmp_path / "local"), *ARGS, "--jobs", "1"])
    assert local.exit_code == 0, said(local)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="3GiB",
                      dashboard_address=None) as cluster:
        workers = cluster.scheduler.workers.values()
        assert len(workers) == 2 and {w.memory_limit for w in workers} == {3 * 2**30}
        result = runner.invoke(app, ["pack", "--out", str(tmp_path / "dask"), *ARGS,
                                     "--scheduler", cluster.scheduler_address])
        assert result.exit_code == 0, said(result)
    period = tmp_path / "dask" / "2026Q3"
    body = json.loads((period / "manifest.json").read_text(encoding="utf-8"))
    assert len(body["documents"]) == 4 and {d["status"] for d in body["documents"]} == {"ok"}
    assert body["engine"] == "dask" and body["scheduler"] == cluster.scheduler_address
    built, reference = pages(period), pages(tmp_path / "local" / "2026Q3")
    assert {o for d in body["documents"] for o in d["outputs"]} <= set(built)  # the 4 documents
    assert built == reference  # byte for byte


@pytest.mark.slow
def test_the_pack_starts_its_own_dask_cluster_with_a_memory_limit(tmp_path):
    args = ["--departments", "hr", "--sections", "overview"]
    local = runner.invoke(app, ["pack", "--out", str(tmp_path / "local"), *args, "--jobs", "1"])
    result = runner.invoke(app, ["pack", "--out", str(tmp_path / "dask"), *args, "--engine", "dask", "--jobs", "2",
                                 "--memory-limit", "2GiB"])
    assert local.exit_code == 0 and result.exit_code == 0, said(result)
    body = json.loads((tmp_path / "dask" / "2026Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert body["engine"] == "dask" and body["scheduler"] is None
    assert pages(tmp_path / "dask" / "2026Q3") == pages(tmp_path / "local" / "2026Q3") != {}
