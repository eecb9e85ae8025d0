"""The executors of a pack, chosen by name (`kpireport pack --engine NAME`) from one registry.

An executor runs the documents to do and reports each as it finishes:
`executor(docs, folder, brand, request, done)`, `done(doc, fields)` with the manifest entry
fields `kpilib.pack.execute.run_document` returns. Both run every document the same way
(papermill engine `kpireport` on warm kernels), so their pages are byte-identical:

- `local`: `request.workers()` threads of this process, each with its own warm kernel.
- `dask`: a `dask.distributed` cluster: the scheduler at `request.scheduler`, else a local
  cluster the pack starts and stops (`request.workers()` process workers of one thread,
  each with `request.memory_limit`). Each worker keeps a warm kernel per thread; they are
  shut down when the pack ends. Workers must see the same paths as the machine running
  the pack (README, "Several machines").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from kpilib.branding import Branding
from kpilib.pack import execute, warm
from kpilib.pack.plan import Document
from kpilib.pack.request import PackRequest
from kpilib.problems import UserError

Executor = Callable[[list[Document], Path, Branding, PackRequest, execute.Done], None]
EXECUTORS: dict[str, Executor] = {}


def executor(name: str) -> Callable[[Executor], Executor]:
    """Register an executor under `name`."""
    def register(run: Executor) -> Executor:
        EXECUTORS[name] = run
        return run
    return register


def get(name: str) -> Executor:
    """The executor called `name`; a UserError naming the known ones otherwise."""
    if name not in EXECUTORS:
        raise UserError(f"--engine: unknown {name!r} (known: {', '.join(EXECUTORS)})")
    return EXECUTORS[name]


@executor("local")
def local(docs: list[Document], folder: Path, brand: Branding, request: PackRequest, done: execute.Done) -> None:
    execute.run_local(docs, folder, request.workers(), brand, done, request.restart_every)


@executor("dask")
def dask(docs: list[Document], folder: Path, brand: Branding, request: PackRequest, done: execute.Done) -> None:
    from distributed import Client, LocalCluster, as_completed

    with contextlib.ExitStack() as stack:
        address = request.scheduler
        if address is None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=request.workers(), threads_per_worker=1, processes=True,
                memory_limit=request.memory_limit or "auto", dashboard_address=None))
            address = cluster.scheduler_address
        client = stack.enter_context(Client(address, timeout="30s"))
        futures = {client.submit(execute.run_document, doc, folder, brand, request.restart_every, pure=False): doc
                   for doc in docs}
        try:
            for future in as_completed(list(futures)):
                done(futures[future], future.result())
        finally:
            client.run(warm.release)  # the workers' kernels hold the scored company: not beyond the pack
