"""Execute the documents of a pack: parameters injected the papermill way, the notebook run
by the papermill engine `kpireport` on a warm kernel (`kpilib.pack.warm`), each result
rendered and written at once.

`run_document` is what every executor (`kpilib.pack.engines`) runs, on a thread here or on
a Dask worker; `run_local` runs the documents on `jobs` threads of this process, whose
kernels `start_lanes` may have started (and given the sections' imports) while the pack
still scored. A failing notebook is a result, not an exception: its page shows the error and
where it happened, the rest go on.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbclient.exceptions import DeadKernelError
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
from papermill.translators import translate_parameters

from kpilib.branding import Branding
from kpilib.i18n import section_title
from kpilib.pack import render, warm
from kpilib.pack.plan import Document
from kpilib.workbench import COMPANY

Done = Callable[[Document, dict], None]  # called with each document and its manifest entry fields
# A fresh kernel of the pack imports what the section notebooks import (~2 s; done while the pack
# scores for the first kernels) and freezes those objects out of the garbage collector's
# reach: `%reset` between notebooks runs a full collection, which otherwise walks every
# object of pandas, scipy, matplotlib and statsmodels each time.
# It draws each figure once (kpilib.plots.draw_once) and imports statsmodels' models, which a
# small company's analytics fit on the kernels (kpilib.analytics.AHEAD_FROM).
WARM_UP = ("import kpilib.analytics, kpilib.display, kpilib.display_parts, kpilib.figures, kpilib.messages, "
           "kpilib.narrate, kpilib.narrate_drivers, kpilib.plots, kpilib.sections, kpilib.workbench\n"
           "import statsmodels.api\nkpilib.plots.draw_once()\nimport gc\ngc.freeze()")


def _failure(nb, exc: Exception | None = None) -> str | None:
    """Where the notebook failed ("cell 3: KeyError: 'x'"), from its error output, else from
    `exc`; None when it did not fail."""
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return f"cell {index + 1}: {output.get('ename')}: {output.get('evalue')}"
    if exc is None:
        return None
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"


def _portable(nb, doc: Document):
    """The executed notebook as the pack keeps it: its injected parameters name the data folder
    as the manifest does (relative to the period folder), not by this machine's path."""
    shown = {**doc.parameters, "data_dir": doc.shown.get("data_dir", doc.parameters.get("data_dir"))}
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters("python3", "python", shown)
    return nb


def run_document(doc: Document, folder: Path, brand: Branding | None = None,
                 restart_every: int = warm.RESTART_EVERY) -> dict:
    """Execute, render and write one document under `folder`; returns its manifest entry fields."""
    brand = brand or Branding()
    started = time.perf_counter()
    lang = doc.parameters.get("lang", "zh")
    nb = parameterize_notebook(load_notebook_node(str(doc.notebook)), doc.parameters)
    try:
        warm.WarmEngine.execute_notebook(nb, "python3", progress_bar=False, env=doc.env, cwd=doc.notebook.parent,
                                         restart_every=restart_every, warm_up=WARM_UP)
        error = _failure(nb)
    except (DeadKernelError, TimeoutError, RuntimeError) as exc:
        error = _failure(nb, exc)
        if isinstance(exc, DeadKernelError | TimeoutError):
            warm.drop()
    if warm.stop.is_set():
        raise KeyboardInterrupt
    html_path = folder / doc.page
    for path in (folder / doc.stem, html_path, folder / doc.executed):
        path.parent.mkdir(parents=True, exist_ok=True)
    section = section_title(doc.section, lang)
    title = f"{doc.name or doc.department} · {doc.period} · {section}"
    who = dict.fromkeys([doc.company or "kpireport", doc.name or doc.department])  # the company's pages: its name once
    footer = " · ".join([*who, doc.period, section])
    html_path.write_text(render.page(nb, title, lang, brand, error=error, footer=footer), encoding="utf-8")
    nbformat.write(_portable(nb, doc), folder / (f"{doc.stem}.failed.ipynb" if error else doc.executed))
    if not error and "pdf" in doc.formats:
        try:
            render.to_pdf(html_path, folder / f"{doc.stem}.pdf")
        except (RuntimeError, OSError) as exc:
            error = f"PDF: {exc}"
    if "html" not in doc.formats:
        html_path.unlink()
    return {"status": "failed" if error else "ok", "seconds": round(time.perf_counter() - started, 3), "error": error}


class Lanes:
    """The documents still to run, handed to `jobs` threads ("lanes") so that each keeps to one
    department while that department has documents left (its warm kernel keeps the
    department's workbench between them: a company-level document reads the whole period
    store, seconds at 20,000 people) and the lanes work on different departments while
    there are several. The company comes first, then the departments with the most
    documents (score-detail parts: the largest), so that no large one is left for the end."""

    def __init__(self, docs: Iterable[Document]):
        docs = list(docs)
        count = Counter(doc.department for doc in docs)
        first = {dept: i for i, dept in enumerate(dict.fromkeys(doc.department for doc in docs))}
        self.docs = sorted(docs, key=lambda d: (d.department != COMPANY, -count[d.department], first[d.department]))
        self.working: dict[int, str] = {}  # lane → department of its latest document
        self.lock = threading.Lock()

    def take(self, lane: int) -> Document | None:
        """The next document for `lane`: one of its department, else of a department no
        other lane is on, else the next; None when none is left."""
        with self.lock:
            if not self.docs:
                return None
            mine = self.working.get(lane)
            others = {dept for other, dept in self.working.items() if other != lane}
            doc = (next((d for d in self.docs if d.department == mine), None)
                   or next((d for d in self.docs if d.department not in others), None) or self.docs[0])
            self.docs.remove(doc)
            self.working[lane] = doc.department
            return doc


def run_local(docs: Iterable[Document], folder: Path, jobs: int, brand: Branding, done: Done,
              restart_every: int = warm.RESTART_EVERY) -> None:
    """Run the documents on `jobs` threads (`Lanes`), each with its own warm kernel.
    Interrupted (KeyboardInterrupt), it stops at once: queued notebooks are dropped, kernels
    shut down."""
    warm.stop.clear()
    lanes, results = Lanes(docs), queue.Queue()
    total = len(lanes.docs)

    def lane(number: int) -> None:
        while not warm.stop.is_set() and (doc := lanes.take(number)) is not None:
            try:
                results.put((doc, run_document(doc, folder, brand, restart_every), None))
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
                results.put((doc, None, exc))
                return

    taken = _started.pop() if _started and _started[0][1] == max(1, jobs) else None  # start_lanes' threads
    pool = taken[0] if taken else ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="kpireport")
    try:
        for number in range(max(1, jobs)):
            pool.submit(lane, number)
        for _ in range(total):
            while True:
                # a short timeout: a signal the OS delivered to another thread (a kernel client's,
                # the progress bar's) is only handled once the main thread wakes up
                with contextlib.suppress(queue.Empty):
                    doc, result, exc = results.get(timeout=0.25)
                    break
            if exc is not None:
                raise exc
            done(doc, result)
    except BaseException:
        warm.stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        warm.kill_all()  # closing its sockets from this thread could hang the thread using them
        raise
    finally:
        pool.shutdown(wait=True)  # the running notebooks end with their kernels
        warm.release()


_started: list[tuple[ThreadPoolExecutor, int]] = []  # lanes `start_lanes` started, for the next `run_local`


def start_lanes(env: dict[str, str], cwd: Path, jobs: int, restart_every: int = warm.RESTART_EVERY) -> None:
    """Start the `jobs` threads of the next `run_local` now, each starting its warm kernel
    (environment `env`, folder `cwd`) and importing what the sections import, in the
    background: the pack goes on scoring on its own core meanwhile. A document whose
    environment or folder differs gets a fresh kernel as before; `stop_lanes` ends them
    when no `run_local` comes."""
    stop_lanes()
    jobs = max(1, jobs)
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="kpireport")
    ready = threading.Barrier(jobs)  # each warm-up on a thread of its own

    def warm_up() -> None:
        ready.wait()
        with contextlib.suppress(Exception):  # a kernel that cannot start says so when a document runs
            warm.kernel(env, cwd, restart_every=restart_every, warm_up=WARM_UP)

    for _ in range(jobs):
        pool.submit(warm_up)
    _started.append((pool, jobs))


def stop_lanes() -> None:
    """Shut down the lanes `start_lanes` started and no `run_local` took, with their kernels."""
    while _started:
        _started.pop()[0].shutdown(wait=True)
        warm.release()
