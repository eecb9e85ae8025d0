"""What one pack is asked for: `PackRequest`, the single argument of `build_pack`.

Fields hold the request as the user gave it (`None`: the default, decided when the pack is
built: the sample company, the latest complete quarter, the client's language, every
department and section). `asked()` is the part that decides the pack's bytes; how it is
run (engine, jobs, scheduler, memory limit, kernel restarts) does not change a page.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpilib.pseudonyms import Pseudonymiser

FORMATS = ("html", "pdf")  # what `--format` may ask for
# notebooks a warm kernel runs before a fresh one (kpilib.pack.warm). A kernel's memory stays
# flat from notebook to notebook (the sample's 47 on one kernel: 376-399 MB after each), and
# a fresh one costs ~2.5 s of imports: on the sample, 20 made both kernels restart for their
# last few documents
RESTART_EVERY = 50


@dataclass(frozen=True)
class PackRequest:
    """One `kpireport pack`.

    - out_dir: the output folder (the period goes to `<out_dir>/<period>/`).
    - data: `--data` as given (a folder, a workbook, a database URL or a sources.yaml);
      None: the bundled sample company.
    - client, period, lang: None for the defaults (no overlay; the latest complete quarter;
      the client's branding language, else zh).
    - departments, sections: ids and section names as given; None: all of them.
    - formats: ("html",), ("pdf",) or ("html", "pdf").
    - engine: the executor's name in `kpilib.pack.engines` ("local", "dask").
    - jobs: notebooks at once (local threads, or workers of a Dask cluster the pack starts);
      None: the CPU cores.
    - scheduler: a Dask scheduler's address (tcp://host:8786); None with engine "dask": the
      pack starts a local cluster of `jobs` process workers.
    - memory_limit: per-worker memory limit of that local cluster ("4GiB"; None: Dask's "auto").
    - restart_every: notebooks a warm kernel runs before it is replaced by a fresh one.
    - force: rerun documents that are up to date; prune: keep only what this run builds.
    - pseudonyms: the pseudonym key when people are to be pseudonymised (kpilib.pseudonyms).
    """

    out_dir: Path
    data: str | Path | None = None
    client: str | None = None
    period: str | None = None
    lang: str | None = None
    departments: tuple[str, ...] | None = None
    sections: tuple[str, ...] | None = None
    formats: tuple[str, ...] = ("html",)
    engine: str = "local"
    jobs: int | None = None
    scheduler: str | None = None
    memory_limit: str | None = None
    restart_every: int = RESTART_EVERY
    force: bool = False
    prune: bool = False
    pseudonyms: Pseudonymiser | None = None

    def workers(self) -> int:
        """Notebooks run at once: `jobs`, else the CPU cores."""
        return self.jobs or os.cpu_count() or 1

    def asked(self) -> dict:
        """The request's part that decides what the pack holds, as plain JSON values."""
        return {"data": None if self.data is None else str(self.data), "client": self.client, "period": self.period,
                "lang": self.lang, "departments": self.departments and list(self.departments),
                "sections": self.sections and list(self.sections), "formats": list(self.formats),
                "prune": self.prune, "pseudonyms": self.pseudonyms.fingerprint if self.pseudonyms else None}


@dataclass
class PackResult:
    """The index written, the documents this run built or found up to date (their manifest
    entries), and those a partial run kept from the previous pack without looking at them;
    `unchanged`: nothing the pack depends on had changed, nothing was written."""

    index: Path
    documents: list[dict]
    kept: list[dict] = field(default_factory=list)
    unchanged: bool = False

    def count(self, status: str) -> int:
        return sum(d["status"] == status for d in self.documents)
