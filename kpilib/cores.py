"""The threads of the numerical libraries when several processes share the cores.

OpenBLAS (under numpy, scipy and statsmodels) starts a thread per core in every process, and
its threads spin while they wait for each other: two analytics processes or two kernels on
2 cores then run four busy threads. The 20,000-person pack's analytics took 95 s that way
and 36 s with one thread per process (bench/RESULTS.md). A process started for the pack
(the analytics workers, the kernels) gets its share of the cores instead; a variable the
user set is left as it is. The libraries read these variables when they load, so they are
set in the environment a process starts with.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def thread_env(processes: int) -> dict[str, str]:
    """The environment that gives each of `processes` processes working at once its share
    of this machine's cores (at least one thread), for the variables the user has not set."""
    share = max(1, (os.cpu_count() or 1) // max(1, processes))
    return {name: str(share) for name in VARIABLES if name not in os.environ}


@contextlib.contextmanager
def shared(processes: int) -> Iterator[None]:
    """Within: processes started (spawned) get `thread_env(processes)`; this process's own
    environment is as before afterwards."""
    env = thread_env(processes)
    os.environ.update(env)
    try:
        yield
    finally:
        for name in env:
            os.environ.pop(name, None)
