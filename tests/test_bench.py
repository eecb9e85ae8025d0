"""The benchmark's process-tree memory sampler (bench/treemem.py): a child's memory counts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import treemem  # noqa: E402

HOLD = 200 * 2**20  # bytes the grandchild holds
# a child that starts a grandchild holding HOLD bytes (touched, so resident) for a second
CHILD = f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", "import time; b = bytearray({HOLD}); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"])
"""


@pytest.mark.parametrize("reader", ["proc", "default"])
def test_tree_peak_counts_descendants(monkeypatch, reader):
    if reader == "proc":
        monkeypatch.setattr(treemem, "tree_reader", lambda: treemem._proc_tree)
    run = treemem.run_tree([sys.executable, "-c", CHILD])
    assert run.returncode == 0 and run.samples >= 3
    # three interpreters (~10 MB each) and the grandchild's bytes, summed at one moment
    assert HOLD < run.peak < HOLD + 200 * 2**20
    assert max(run.at_peak.values()) >= HOLD


def test_kernels_are_one_line_of_the_breakdown():
    assert treemem._kind("python", "/venv/bin/python -m ipykernel_launcher -f k.json") == "kernels"
    assert treemem._kind("chromium", "chromium --headless") == "chromium"
    assert treemem._kind("python", "python -m kpilib pack") == "python"


def test_failed_command_is_measured_with_its_error():
    run = treemem.run_tree([sys.executable, "-c", "import sys; sys.exit('no data')"])
    assert run.returncode == 1 and "no data" in run.error


def test_a_command_past_its_time_limit_is_stopped():
    seen = []
    run = treemem.run_tree([sys.executable, "-c", "import time; time.sleep(30)"], timeout=1.0,
                           before_stop=lambda: seen.append(True))
    assert run.timed_out and seen and run.seconds < 10 and run.error == ""
