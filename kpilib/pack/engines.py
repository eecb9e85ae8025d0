"""The executors of a pack, chosen by name (`kpireport pack --engine NAME`) from one registry.

An executor runs the documents to do and reports each as it finishes:
`executor(docs, folder, brand, request, done)`, `done(doc, fields)` with the manifest entry
fields `kpilib.pack.execute.run_document` returns. Both run every document the same way
(papermill engine `kpireport` on warm kernels), so their pages are byte-identical:

- `local`: `request.workers()` threads of this process, each with its own warm kernel,
  started (`ready`) while the pack still scores.
- `dask`: a `dask.distributed` cluster: the scheduler at `request.scheduler`, else a local
  cluster the pack starts and stops (`request.workers()` process workers of one thread,
  each with `request.memory_limit`). Each worker keeps a warm kernel per thread; they are
  shut down when the pack ends. Workers must see the same paths as the machine running
  the pack (README, "Several machines").
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from kpilib.branding import Branding
from kpilib.pack import execute, warm
from kpilib.pack.plan import Document
from kpilib.pack.request import PackRequest
from kpilib.problems import UserError

Executor = Callable[[list[Document], Path, Branding, PackRequest, execute.Done], None]
# (kernel environment, kernel folder, request) -> a context within which the executor gets ready
Readying = Callable[[dict[str, str], Path, PackRequest], contextlib.AbstractContextManager]
EXECUTORS: dict[str, Executor] = {}
READYING: dict[str, Readying] = {}


def executor(name: str, ready: Readying | None = None) -> Callable[[Executor], Executor]:
    """Register an executor under `name`; `ready`, when given, starts what it needs before
    the documents are known (see `ready`)."""
    def register(run: Executor) -> Executor:
        EXECUTORS[name] = run
        if ready:
            READYING[name] = ready
        return run
    return register


def ready(name: str, env: dict[str, str], cwd: Path, request: PackRequest) -> contextlib.AbstractContextManager:
    """A context within which the executor `name` gets ready to run notebooks in `cwd` with
    the kernel environment `env` (the pack scores meanwhile); what it started and did not use
    is stopped at its end."""
    return READYING[name](env, cwd, request) if name in READYING else contextlib.nullcontext()


@contextlib.contextmanager
def _lanes_started(env: dict[str, str], cwd: Path, request: PackRequest) -> Iterator[None]:
    execute.start_lanes(env, cwd, request.workers(), request.restart_every)
    try:
        yield
    except BaseException:
        warm.kill_all()  # a kernel still importing is not waited for: the error is told at once
        raise
    finally:
        execute.stop_lanes()


def get(name: str) -> Executor:
    """The executor called `name`; a UserError naming the known ones otherwise."""
    if name not in EXECUTORS:
        raise UserError(f"--engine: unknown {name!r} (known: {', '.join(EXECUTORS)})")
    return EXECUTORS[name]


@executor("local", ready=_lanes_started)
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
