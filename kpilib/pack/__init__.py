"""The report pack for one period: plan → execute → render → index (architecture.md).

`build_pack` writes `<out>/<period>/`: `index.html` (kpilib.pack.index), `<department>/index.html`, `<department>/<section>.html|.pdf`
for every section notebook and department (plus "all", the company level), with PDF also
`<department>/<department>-<period>.pdf` (every section in one file), the scoring
sheet of the departments in the pack (`scores.xlsx`, `scores.csv`, and each department's
own `<department>/scores.xlsx`: `kpilib.pack.scoresheets`), when the period was built
before `changes.csv` and `changes.html` against the previous scoring sheet, kept as
`scores.previous.xlsx` (`kpilib.pack.restate`), a zip of each department's documents
(`<department>.zip`: `kpilib.pack.bundle`), and `manifest.json` (one entry
per document with status ok / skipped / failed, seconds, parameters and input hashes;
paths relative to the period folder). Everything is written into a staging folder and
swapped in whole, so a crash leaves the previous pack as it was; one pack at a time
writes to an output folder, and the leftovers of a killed run are removed by the next
(`kpilib.pack.guard`). The scoring is stored outside the output folder, in the period
store in the user's cache (`kpilib.store`), one partition per department. A document whose key (parameters, inputs, parameters files, notebook, kpilib
source) matches the previous manifest is copied, not rerun ("skipped"). A partial run
(`departments`, `sections`, `formats`) keeps every other document of the period
(`kpilib.pack.carry`); `prune` keeps only what the run builds. With `pseudonyms` the data
was loaded pseudonymised (kpilib.pseudonyms): the notebooks get the key in their kernel's
environment, the manifest the key's fingerprint, and a previous pack made without it (or
with another key) is neither kept, reused nor compared with: the period is built afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kpilib import analytics, sources, store
from kpilib.branding import Branding, branding_file, load_branding, words_file
from kpilib.config import Config, default_params_dir
from kpilib.data import Dataset
from kpilib.pack import carry, guard, restate
from kpilib.pack.book import SECTION, build_books
from kpilib.pack.bundle import write_bundles
from kpilib.pack.index import manifest, periods_html, portable, write_front
from kpilib.pack.plan import Document, default_notebooks_dir, plan
from kpilib.pack.scoresheets import write_actions, write_sheets
from kpilib.periods import Span
from kpilib.problems import UserError
from kpilib.pseudonyms import Pseudonymiser
from kpilib.sections import detail_parts
from kpilib.workbench import COMPANY, Workbench, cache_dir, prepare


@dataclass
class PackResult:
    """The index written, the documents this run built or found up to date (their manifest
    entries), and those a partial run kept from the previous pack without looking at them."""

    index: Path
    documents: list[dict]
    kept: list[dict] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(d["status"] == status for d in self.documents)


def build_pack(config: Config, dataset: Dataset, span: Span, out_dir: Path | str, *, data_dir: Path | str,
               lang: str = "zh", departments: list[str] | None = None, sections: list[str] | None = None,
               formats: tuple[str, ...] = ("html",), jobs: int | None = None, scheduler: str | None = None,
               force: bool = False, prune: bool = False, pseudonyms: Pseudonymiser | None = None,
               progress: Callable[[int, int, dict], None] | None = None) -> PackResult:
    """Build the pack for `span` under `out_dir/<period>/`: this run's documents, plus every
    other document of the previous pack of the period unless `prune`. Holds `out_dir`'s lock
    throughout; a failure to write is a UserError and leaves the previous pack as it was."""
    started = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    known = list(config.scheme.departments)
    unknown = [d for d in departments or [] if d not in known and d != COMPANY]
    if unknown:
        raise UserError(f"--departments: unknown {', '.join(unknown)} (known: {', '.join(known)}, {COMPANY})")
    brand = load_branding(config.client)
    with guard.writing(out_dir), guard.hold(out_dir):
        guard.sweep(out_dir)
        store.sweep(cache_dir())
        wb = prepare(data_dir, config.client, span, lang, loaded=(config, dataset), pseudonyms=pseudonyms)
        present = wb.departments()
        empty = [d for d in departments or [] if d not in present and d != COMPANY]
        if empty:
            raise UserError(f"--departments: no one in {', '.join(empty)} is scored in {span.label} "
                            f"(departments with people: {', '.join(present)})")
        wanted = [d for d in (departments or present) if d in present]
        final = out_dir / span.label
        looks = [p for p in [branding_file(config.client), words_file(config.client)] if p]  # in the bytes
        params = {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in config.files + looks}
        source = sources.shown(data_dir) if sources.is_database(data_dir) else Path(data_dir).resolve()
        docs = plan(span.label, wanted, client=config.client, data_dir=source, lang=lang,
                    formats=formats, inputs=dataset.hashes, params=params, sections=sections, parts=detail_parts(wb))
        if departments and COMPANY not in departments:
            docs = [d for d in docs if d.department != COMPANY]
        params_dir = default_params_dir().resolve()
        env = {"KPIREPORT_CACHE": str(cache_dir().resolve()), "KPIREPORT_PARAMS": str(params_dir),
               **(pseudonyms.kernel_env() if pseudonyms else {}),
               **sources.kernel_env(data_dir, dataset.hashes)}  # a URL's password: never in a parameter
        fingerprint = pseudonyms.fingerprint if pseudonyms else None
        for doc in docs:
            doc.env, doc.name, doc.company = env, wb.department_name(doc.department), brand.company or ""
            doc.shown = {"data_dir": str(source) if sources.is_database(data_dir)
                         else portable(Path(data_dir), out_dir.parent, origin=final),
                         "notebook": portable(doc.notebook, params_dir, default_notebooks_dir().parent)}
        staging = Path(tempfile.mkdtemp(prefix=f".{span.label}-", dir=out_dir))
        retired = staging.with_name(staging.name + "-previous")
        try:
            same = carry.previous_pseudonyms(final) == fingerprint  # else nothing of it may be kept
            old = carry.previous_documents(final) if same else []
            before = [] if prune else old
            if before:
                carry.copy_period(final, staging)
            previous = {} if force else {d["key"]: d for d in old if d.get("status") in ("ok", "skipped") and d.get("key")}
            _analytics(wb, [d for d in docs if d.key not in previous], jobs, progress)
            ran = _run(docs, staging, final, previous, jobs, scheduler, brand, progress)
            entries = carry.merge(ran, before, staging, dataset.hashes)
            if "pdf" in formats:
                touched = list(dict.fromkeys(d.department for d in docs))
                books = build_books(entries, touched, {d.department: d.name for d in docs}, staging, final, previous,
                                    brand, jobs or os.cpu_count() or 1)
                rebound = {e["department"] for e in books}
                entries = [e for e in entries if not (e["section"] == SECTION and e["department"] in rebound)] + books
                ran += books
            entries.sort(key=_order(known))
            held = [d for d in present if any(e["department"] == d for e in entries)]
            built = [d for d in present if any(doc.department == d for doc in docs)]
            sheets = write_sheets(wb, held, built, staging) + write_actions(wb, held, built, staging)
            changes = restate.write_changes(final / "scores.xlsx", staging) if same else None
            if changes is not None:
                page = restate.changes_html(wb, changes, wb.sheet(), brand)
                (staging / "changes.html").write_text(page, encoding="utf-8")
            bundles = write_bundles(entries, staging)
            write_front(staging, wb, entries, brand, changes, bundles, carry.rerun(entries, docs, formats, [COMPANY, *present]))
            extra = {"company": brand.company, "formats": list(formats), "departments": wanted, "jobs": jobs,
                     "scheduler": scheduler, "pruned": prune, "sheets": sheets, "bundles": bundles,
                     "pseudonyms": fingerprint,
                     **({} if changes is None else {"changes": restate.summary(changes)})}
            body = manifest(wb, entries, time.perf_counter() - started, extra, params_dir)
            (staging / "manifest.json").write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
            if final.exists():
                final.rename(retired)  # two renames: there is always a whole pack under `final`'s name or beside it
            staging.rename(final)
            shutil.rmtree(retired, ignore_errors=True)
        finally:
            if retired.exists() and not final.exists():  # stopped between the two renames
                retired.rename(final)
            if staging.exists():
                shutil.rmtree(staging)
        front = out_dir / "index.html.tmp"
        front.write_text(periods_html(out_dir, brand, lang), encoding="utf-8")
        front.replace(out_dir / "index.html")
    done = {(e["department"], e["section"]) for e in ran}
    return PackResult(final / "index.html", [e for e in entries if (e["department"], e["section"]) in done],
                      [e for e in entries if (e["department"], e["section"]) not in done])


def _run(docs: list[Document], staging: Path, final: Path, previous: dict[str, dict], jobs: int | None,
         scheduler: str | None, brand: Branding, progress) -> list[dict]:
    from kpilib.pack import execute

    entries: list[dict] = []

    def record(doc: Document, result: dict) -> None:
        parameters = {**doc.parameters, "data_dir": doc.shown["data_dir"]}
        entries.append({"period": doc.period, "department": doc.department, "section": doc.section,
                        **result, "outputs": doc.outputs(), "page": doc.page, "parameters": parameters, "key": doc.key,
                        "inputs": doc.inputs, "notebook": doc.shown["notebook"], "notebook_sha256": doc.notebook_sha256})
        if progress:
            progress(len(entries), len(docs), entries[-1])

    todo = []
    for doc in docs:
        old = previous.get(doc.key)
        if old and all((final / p).exists() for p in doc.files()):
            for p in doc.files():
                (staging / p).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(final / p, staging / p)
            record(doc, {"status": "skipped", "seconds": 0.0, "error": None})
        else:
            carry.clear(doc, staging)
            todo.append(doc)
    if scheduler:
        execute.run_dask(todo, staging, scheduler, brand, record)
    else:
        execute.run_local(todo, staging, jobs or os.cpu_count() or 1, brand, record)
    return entries


def _analytics(wb: Workbench, docs: list[Document], jobs: int | None, progress) -> None:
    """The heavy analytics of the departments with documents to run, once each, in parallel
    (kpilib.analytics), before their notebooks run; progress as section "analytics"."""
    def step(done: int, total: int, department: str, status: str) -> None:
        if progress:
            progress(done, total, {"department": department, "section": "analytics", "status": status})

    departments = list(dict.fromkeys(d.department for d in docs))
    analytics.compute_all(wb, departments, jobs or os.cpu_count() or 1, step)


def _order(departments: list[str]) -> Callable[[dict], tuple]:
    """Manifest order: sections by name, books last; the company first, then the scheme's
    departments; a department's page before its parts (kpilib.sections.parts), in order."""
    rank = {d: i for i, d in enumerate([COMPANY, *departments])}
    return lambda e: (e["section"] == SECTION, e["section"], rank.get(e["department"], len(rank)), e["department"],
                      e.get("parameters", {}).get("part") or 0)
