"""kpilib.cores: each process started for the pack gets its share of the cores."""

import multiprocessing
import os

from kpilib import cores


def _blas_threads() -> str | None:
    return os.environ.get("OPENBLAS_NUM_THREADS")


def test_processes_share_the_cores_and_a_users_setting_stands(monkeypatch):
    for name in cores.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert cores.thread_env(2) == dict.fromkeys(cores.VARIABLES, "4")
    assert cores.thread_env(16) == dict.fromkeys(cores.VARIABLES, "1") and cores.thread_env(0)["OMP_NUM_THREADS"] == "8"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert "OMP_NUM_THREADS" not in cores.thread_env(2)


def test_a_process_started_within_gets_the_share_and_this_one_is_left_as_it_was(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    with cores.shared(2), multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_blas_threads) == "1"
    assert "OPENBLAS_NUM_THREADS" not in os.environ
