"""Warm kernels, and the papermill engine that runs notebooks on them (`--engine kpireport`).

A warm kernel is started once per thread and reused for the notebooks that thread runs:
its namespace is reset between notebooks, while imported modules and the workbench memo
stay, which saves the ~0.7 s kernel start and ~2 s of imports per document. So that module
state cannot leak from one document into the next for long (a module-level cache, a
monkeypatch, a growing memo), a kernel is replaced by a fresh one after `restart_every`
notebooks (default 50); `restart_every=1` gives every notebook a new kernel.

`WarmEngine` is a papermill engine (entry point group `papermill.engine`, name `kpireport`):
`papermill in.ipynb out.ipynb --engine kpireport`, or `papermill.execute_notebook(...,
engine_name="kpireport")` in a loop, runs notebooks on the warm kernel of the calling thread
with papermill's own cell bookkeeping, its code cells in one request (`kpilib.pack.cells`). A failing cell ends the
notebook the papermill way: its error is in the cell's outputs and `raise_for_execution_errors`
(papermill.execute_notebook) raises it; the pack reads it from the outputs instead.
Engine keyword arguments: `env` (extra environment of the kernel), `restart_every`, `cwd` (the
kernel's folder; threads pass it rather than changing the process's folder), `warm_up` (code a
fresh kernel runs before its first notebook: the pack's imports).
This module imports no kpilib analytics: papermill loads it whenever it is imported.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import threading
from pathlib import Path

import nbformat
import papermill.engines  # noqa: F401 - papermill first: its entry points, ours too, load while it is imported
from nbclient import NotebookClient

from kpilib.pack import cells
from kpilib.pack.request import RESTART_EVERY  # notebooks a kernel runs before a fresh one

RESET = "get_ipython().run_line_magic('reset', '-f')\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"
TIMEOUT = 600  # seconds per cell
NAME = "kpireport"  # the engine's name for papermill

log = logging.getLogger("kpilib.pack.warm")


class WarmKernel:
    """One kernel kept alive across notebooks; `runs` counts the notebooks it ran."""

    def __init__(self, env: dict[str, str], cwd: Path, kernel_name: str = "python3", startup_timeout: float = 120,
                 warm_up: str = ""):
        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name=kernel_name, startup_timeout=startup_timeout)
        starter.km = starter.create_kernel_manager()
        starter.start_new_kernel(env={**os.environ, **env}, cwd=str(cwd), stderr=subprocess.DEVNULL)
        starter.start_new_kernel_client()
        self.km, self.kc, self.env, self.cwd, self.kernel_name = starter.km, starter.kc, env, cwd, kernel_name
        self.runs = 0
        atexit.register(self.shutdown)
        kernels.append(self)  # from here on `kill_all` reaches it, while it warms up too
        if warm_up:
            self.run(warm_up)

    def fits(self, env: dict[str, str], cwd: Path, kernel_name: str, restart_every: int) -> bool:
        """Whether the next notebook may run here: alive, same environment, folder and kernel,
        and fewer than `restart_every` notebooks run."""
        return (self.kc is not None and self.env == env and self.cwd == cwd and self.kernel_name == kernel_name
                and self.runs < max(1, restart_every))

    def reset(self) -> None:
        """An empty namespace and no open figures for the next notebook (modules stay imported)."""
        self.run(RESET)

    def run(self, code: str) -> None:
        """Execute `code` in the kernel and wait for it."""
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
        client = NotebookClient(nb, km=self.km, timeout=TIMEOUT, kernel_name=self.kernel_name)
        client.kc = self.kc  # reuse the running kernel's client: no new sockets per notebook
        client.execute()

    def kill(self) -> None:
        """Kill the kernel's process from another thread: the thread running a notebook on it
        sees the kernel die and ends (its client's sockets stay with that thread)."""
        with contextlib.suppress(Exception):  # already gone
            self.km.signal_kernel(signal.SIGKILL)

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        if self.kc is None:
            return
        try:
            self.kc.stop_channels()
            run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - a kernel already gone needs no shutdown
            pass
        self.kc = None


_local = threading.local()
kernels: list[WarmKernel] = []  # every kernel started in this process and not yet released
stop = threading.Event()  # set on Ctrl-C / SIGTERM: running notebooks end, none starts


def kernel(env: dict[str, str], cwd: Path, kernel_name: str = "python3",
           restart_every: int = RESTART_EVERY, warm_up: str = "") -> WarmKernel:
    """This thread's warm kernel for a notebook run in `cwd` with `env`: the running one when
    it fits, else a fresh one (the old one shut down) that has run `warm_up`."""
    warm = getattr(_local, "kernel", None)
    if warm is None or not warm.fits(env, cwd, kernel_name, restart_every):
        if warm is not None:
            warm.shutdown()
            with contextlib.suppress(ValueError):
                kernels.remove(warm)
        warm = _local.kernel = WarmKernel(env, cwd, kernel_name, warm_up=warm_up)
        if stop.is_set():  # interrupted while it started: the interrupt may have missed it
            warm.shutdown()
            raise KeyboardInterrupt
    return warm


def drop() -> None:
    """Shut this thread's kernel down (after it died or timed out)."""
    warm = getattr(_local, "kernel", None)
    if warm is not None:
        warm.shutdown()


def kill_all() -> None:
    """Kill every kernel of this process (an interrupt, from the main thread)."""
    for warm in list(kernels):
        warm.kill()


def release() -> None:
    """Shut down every kernel of this process, once no notebook runs (end of a pack; on a
    Dask worker through `Client.run`)."""
    while kernels:
        kernels.pop().shutdown()


def run_managed(nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None, start_timeout=60,
                execution_timeout=None, env: dict[str, str] | None = None, restart_every: int = RESTART_EVERY,
                cwd: str | Path | None = None, warm_up: str = "", **kwargs):
    """Run `nb_man.nb` on the warm kernel for `cwd` (default: the current folder, where
    papermill.execute_notebook has changed into its own `cwd`) and `env`, then count the run
    (the body of the papermill engine `WarmEngine.execute_managed_notebook`). The code cells
    run in one request (`kpilib.pack.cells`); each gets its outputs and execution count as
    nbclient would give them, papermill's bookkeeping marks each cell started and completed,
    and the first failing cell as the exception, after which no cell runs.
    `execution_timeout`: seconds per cell (default TIMEOUT)."""
    if stop.is_set():
        raise KeyboardInterrupt
    warm = kernel(dict(env or {}), Path(cwd) if cwd else Path.cwd(), kernel_name or "python3", restart_every, warm_up)
    warm.reset()
    nb = nb_man.nb
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    batch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        f"import kpilib.pack.cells\nkpilib.pack.cells.run({[cell.source for cell in code]!r})")])
    client = NotebookClient(batch, km=warm.km, timeout=(execution_timeout or TIMEOUT) * max(1, len(code)),
                            kernel_name=warm.kernel_name, allow_errors=True)
    client.kc = warm.kc
    try:
        client.execute()
    finally:
        warm.runs += 1
    ran = next((out["data"][cells.MIME] for out in batch.cells[0].outputs if cells.MIME in out.get("data", {})), None)
    if ran is None:  # the batch itself failed: not a notebook's error
        raise RuntimeError(f"the kernel did not run the notebook's cells: {_failure_of(batch.cells[0])}")
    nb.metadata["language_info"] = batch.metadata.get("language_info", {})
    results = iter(ran)
    for index, cell in enumerate(nb.cells):
        nb_man.cell_start(cell, index)
        failed = False
        if cell.cell_type == "code":
            result = next(results)  # the kernel stops after a failing cell, and so does this loop
            cell.outputs = [nbformat.v4.output_from_msg(message) for message in result["messages"]]
            cell.execution_count = result["execution_count"]
            _log_streams(cell.outputs, log_output, stdout_file, stderr_file)
            failed = result["failed"]
            if failed:
                nb_man.cell_exception(cell, cell_index=index)
        nb_man.cell_complete(cell, cell_index=index)
        if failed:
            break
    return nb


def _failure_of(cell) -> str:
    errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    return errors[0] if errors else "no outputs"


def _log_streams(outputs, log_output: bool, stdout_file, stderr_file) -> None:
    """What papermill's client does with a cell's printed text: logged, or written to the files given."""
    for output in outputs:
        if output.output_type != "stream":
            continue
        target = stdout_file if output.name == "stdout" else stderr_file
        if log_output:
            (log.info if output.name == "stdout" else log.warning)(output.text)
        if target:
            target.write(output.text)
            target.flush()


from kpilib.pack.papermill_engine import WarmEngine  # noqa: E402, F401  (here papermill is fully imported)
