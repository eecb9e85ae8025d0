"""Peak memory of a process tree: run a command, sum the resident memory (RSS) of the
process and of all its descendants every 0.2 s, and keep the peak of that sum.

`ru_maxrss` gives the peak of one process only; a pack is a parent, its kernels (one per
`--jobs` thread) and, for PDF, Chromium's processes, all alive at once, so the figure
that says whether the machine holds it is the sum over the tree at the same moment.
psutil is used when installed, else `/proc` (Linux). A process that starts and ends
between two samples is missed: the figure is a lower bound, close for processes that
live seconds (kernels, the pack itself).
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL = 0.2  # seconds between samples
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class TreeRun:
    """What `run_tree` measured: wall seconds, exit status (and the last lines of stderr when
    it is not 0), the peak of the tree's summed RSS (bytes), and at that peak the RSS summed
    per kind of process (bytes): "kernels" (ipykernel), "chromium", else the command's name."""

    seconds: float
    returncode: int
    error: str = ""
    timed_out: bool = False
    over_memory: bool = False  # stopped because the tree went above `max_bytes`
    peak: int = 0
    at_peak: dict[str, int] = field(default_factory=dict)
    samples: int = 0


def _kind(name: str, command: str) -> str:
    """A process's group in the breakdown: the kernels, chromium's many processes, else its name."""
    if "ipykernel" in command:
        return "kernels"
    return "chromium" if "chrom" in name.lower() else name


def _proc_tree(root: int) -> dict[int, tuple[str, int]]:
    """pid → (command name, RSS bytes) of `root` and its descendants, read from /proc."""
    parents: dict[int, int] = {}
    names: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue  # ended while we looked
        name_end = stat.rindex(")")
        pid = int(entry.name)
        names[pid] = stat[stat.index("(") + 1:name_end]
        parents[pid] = int(stat[name_end + 2:].split()[1])
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError):
            continue
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            command = ""
        tree[pid] = (_kind(names.get(pid, "?"), command), resident)
        todo += children.get(pid, [])
    return tree


def _psutil_tree(root: int) -> dict[int, tuple[str, int]]:
    import psutil

    try:
        top = psutil.Process(root)
        procs = [top, *top.children(recursive=True)]
    except psutil.Error:
        return {}
    tree = {}
    for p in procs:
        try:
            tree[p.pid] = (_kind(p.name(), " ".join(p.cmdline())), p.memory_info().rss)
        except psutil.Error:
            continue  # ended while we looked
    return tree


def tree_reader():
    """The function that reads a tree: psutil's when installed, else /proc's."""
    try:
        import psutil  # noqa: F401
    except ImportError:
        return _proc_tree
    return _psutil_tree




def run_tree(args: list[str], env: dict[str, str] | None = None, interval: float = INTERVAL,
             timeout: float | None = None, before_stop=None, max_bytes: int | None = None) -> TreeRun:
    """Run `args` (output discarded), sampling its process tree every `interval` seconds.
    After `timeout` seconds the command is stopped (SIGTERM, as Ctrl-C would: a pack shuts its
    kernels down) and `timed_out` set; `before_stop()` is called first (e.g. to look at what
    it has written so far). Above `max_bytes` summed over the tree it is stopped the same way
    (`over_memory`), before the machine runs out."""
    read = tree_reader()
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    result = TreeRun(0.0, 0)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            tree = read(proc.pid)
            total = sum(rss for _, rss in tree.values())
            result.samples += 1
            if total > result.peak:
                by_kind: dict[str, int] = {}
                for kind, rss in tree.values():
                    by_kind[kind] = by_kind.get(kind, 0) + rss
                result.peak, result.at_peak = total, by_kind
            if max_bytes and total > max_bytes and not result.over_memory:
                result.over_memory = True
                proc.terminate()
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        result.timed_out = True
        if before_stop:
            before_stop()
        proc.terminate()
        _, err = proc.communicate()
    done.set()
    sampler.join()
    result.seconds, result.returncode = time.perf_counter() - started, proc.returncode
    if proc.returncode and not result.timed_out and not result.over_memory:  # e.g. a pack with a failed document (exit 1): measured all the same
        result.error = "\n".join(err.decode(errors="replace").strip().splitlines()[-5:])
    return result
