"""Execute the documents of a pack: parameters injected the papermill way, cells run by
nbclient on warm kernels, each result rendered and written at once.

A warm kernel is started once per worker thread and reused for every notebook that thread
runs: its namespace is reset between notebooks, while imported modules and the workbench
memo stay, which saves the ~0.7 s kernel start and ~2 s of imports per document.
Executors: `run_local` (threads, `--jobs N`) and `run_dask` (a Dask scheduler address;
workers must see the same paths, e.g. a shared folder). A failing notebook is a result,
not an exception: its page shows the error and where it happened, the rest go on.
"""

from __future__ import annotations

import atexit
import contextlib
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from kpilib.branding import Branding
from kpilib.i18n import section_title
from kpilib.pack import render
from kpilib.pack.plan import Document

RESET = "get_ipython().run_line_magic('reset', '-f')\nimport matplotlib.pyplot as _plt\n_plt.close('all')\ndel _plt"
TIMEOUT = 600  # seconds per cell


class WarmKernel:
    """One IPython kernel kept alive across notebooks."""

    def __init__(self, env: dict[str, str], cwd: Path):
        import os

        starter = NotebookClient(nbformat.v4.new_notebook(), kernel_name="python3", startup_timeout=120)
        starter.km = starter.create_kernel_manager()
        starter.start_new_kernel(env={**os.environ, **env}, cwd=str(cwd), stderr=subprocess.DEVNULL)
        starter.start_new_kernel_client()
        self.km, self.kc, self.env, self.cwd = starter.km, starter.kc, env, cwd
        atexit.register(self.shutdown)

    def run(self, nb) -> None:
        nb.cells.insert(0, nbformat.v4.new_code_cell(RESET))
        try:
            client = NotebookClient(nb, km=self.km, timeout=TIMEOUT, kernel_name="python3")
            client.kc = self.kc  # reuse the running kernel's client: no new sockets per notebook
            client.execute()
        finally:
            del nb.cells[0]

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
_kernels: list[WarmKernel] = []
_stop = threading.Event()  # set on Ctrl-C / SIGTERM: running notebooks end, none starts, nothing is written


def _kernel(doc: Document) -> WarmKernel:
    cwd = doc.notebook.parent
    kernel = getattr(_local, "kernel", None)
    if kernel is None or kernel.kc is None or kernel.env != doc.env or kernel.cwd != cwd:
        if kernel is not None:
            kernel.shutdown()
        kernel = _local.kernel = WarmKernel(doc.env, cwd)
        _kernels.append(kernel)
        if _stop.is_set():  # interrupted while it started: the interrupt may have missed it
            kernel.shutdown()
            raise KeyboardInterrupt
    return kernel


def _failure(nb, exc: Exception) -> str:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index + 1}: {output.get('ename')}: {output.get('evalue')}"
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"


def run_document(doc: Document, folder: Path, brand: Branding | None = None) -> dict:
    """Execute, render and write one document under `folder`; returns its manifest entry fields."""
    brand = brand or Branding()
    started = time.perf_counter()
    lang = doc.parameters.get("lang", "zh")
    nb = parameterize_notebook(load_notebook_node(str(doc.notebook)), doc.parameters)
    error = None
    if _stop.is_set():
        raise KeyboardInterrupt
    try:
        _kernel(doc).run(nb)
    except (CellExecutionError, DeadKernelError, TimeoutError, RuntimeError) as exc:
        error = _failure(nb, exc)
        if isinstance(exc, DeadKernelError | TimeoutError):
            _local.kernel.shutdown()
    if _stop.is_set():
        raise KeyboardInterrupt
    html_path = folder / doc.page
    for path in (folder / doc.stem, html_path):
        path.parent.mkdir(parents=True, exist_ok=True)
    section = section_title(doc.section, lang)
    title = f"{doc.name or doc.department} · {doc.period} · {section}"
    footer = f"{doc.company or 'kpireport'} · {doc.name or doc.department} · {doc.period} · {section}"
    html_path.write_text(render.page(nb, title, lang, brand, error=error, footer=footer), encoding="utf-8")
    if error:
        nbformat.write(nb, folder / f"{doc.stem}.failed.ipynb")
    elif "pdf" in doc.formats:
        try:
            render.to_pdf(html_path, folder / f"{doc.stem}.pdf")
        except (RuntimeError, OSError) as exc:
            error = f"PDF: {exc}"
    return {"status": "failed" if error else "ok", "seconds": round(time.perf_counter() - started, 3), "error": error}


def run_local(docs: Iterable[Document], folder: Path, jobs: int, brand: Branding,
              done: Callable[[Document, dict], None]) -> None:
    """Run the documents on `jobs` threads, each with its own warm kernel. Interrupted
    (KeyboardInterrupt), it stops at once: queued notebooks are dropped, kernels shut down."""
    _stop.clear()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="kpireport")
    try:
        futures = {pool.submit(run_document, doc, folder, brand): doc for doc in docs}
        pending = set(futures)
        while pending:
            # a short timeout: a signal the OS delivered to another thread (a kernel client's,
            # the progress bar's) is only handled once the main thread wakes up
            finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in finished:
                done(futures[future], future.result())
    except BaseException:
        _stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        for kernel in list(_kernels):
            kernel.kill()  # closing its sockets from this thread could hang the thread using them
        raise
    finally:
        pool.shutdown(wait=True)  # the running notebooks end with their kernels
        while _kernels:
            _kernels.pop().shutdown()


def run_dask(docs: Iterable[Document], folder: Path, address: str, brand: Branding,
             done: Callable[[Document, dict], None]) -> None:
    """Run the documents on a Dask cluster (`--scheduler tcp://host:8786`)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    with Client(address, timeout="30s") as client:
        futures = {client.submit(run_document, doc, folder, brand, pure=False): doc for doc in docs}
        for future in dask_completed(list(futures)):
            done(futures[future], future.result())
