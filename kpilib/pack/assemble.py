"""Assemble the pack for one period: load and score, plan, execute, render, index
(architecture.md); `kpilib.pack.build.build_pack` calls it when `kpilib.pack.fresh` finds
something to do.

Writes `<out>/<period>/`: `index.html` (kpilib.pack.index), `<department>/index.html`,
`<department>/<section>.html|.pdf`
for every section notebook and department (plus "all", the company level), with PDF also
`<department>/<department>-<period>.pdf` (every section in one file), the scoring
sheet of the departments in the pack (`scores.xlsx`, `scores.csv`, and each department's
own `<department>/scores.xlsx`: `kpilib.pack.scoresheets`; copied, not rewritten, when
their inputs did not change), when the period was built
before `changes.csv` and `changes.html` against the previous scoring sheet, kept as
`scores.previous.xlsx` (`kpilib.pack.restate`), a zip of each department's documents
(`<department>.zip`: `kpilib.pack.bundle`), and `manifest.json` (one entry
per document with status ok / skipped / failed, seconds, parameters and input hashes;
paths relative to the period folder; the run key of `kpilib.pack.fresh`; the seconds of
each stage: score, analytics, notebooks, sheets, books, front). Everything is
written into a staging folder and swapped in whole, so a crash leaves the previous pack as
it was; one pack at a time writes to an output folder, and the leftovers of a killed run
are removed by the next (`kpilib.pack.guard`). The scoring is stored outside the output
folder, in the period store in the user's cache (`kpilib.store`), one partition per
department. A document whose key (parameters, inputs, parameters files, notebook, kpilib
source) matches the previous manifest is copied, not rerun ("skipped"). A partial run
(`departments`, `sections`, `formats`) keeps every other document of the period
(`kpilib.pack.carry`); `prune` keeps only what the run builds. With `pseudonyms` the data
was loaded pseudonymised (kpilib.pseudonyms): the notebooks get the key in their kernel's
environment, the manifest the key's fingerprint, and a previous pack made without it (or
with another key) is neither kept, reused nor compared with: the period is built afresh.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kpilib import analytics, cores, sources, store
from kpilib.branding import Branding, branding_file, load_branding, report_language, words_file
from kpilib.config import load_config
from kpilib.origin import default_notebooks_dir, default_params_dir, sample_dir, source_digest
from kpilib.pack import carry, engines, guard, restate
from kpilib.pack.book import SECTION, build_books
from kpilib.pack.bundle import write_bundles
from kpilib.pack.index import manifest, periods_html, portable, write_front
from kpilib.pack.plan import Document, plan
from kpilib.pack.request import PackRequest, PackResult
from kpilib.pack.scoresheets import write_actions, write_sheets
from kpilib.paramtypes import did_you_mean
from kpilib.problems import UserError
from kpilib.sections import detail_parts
from kpilib.sources import locate
from kpilib.workbench import (
    COMPANY,
    Workbench,
    cache_dir,
    forget,
    load_inputs,
    open_workbench,
    prepare,
    resolve_period,
)


def assemble(request: PackRequest, run_key: str | None = None,
             progress: Callable[[int, int, dict], None] | None = None) -> PackResult:
    """Build the pack `request` asks for under `out_dir/<period>/`: this run's documents, plus
    every other document of the previous pack of the period unless `prune`. Holds `out_dir`'s
    lock throughout; a failure to write is a UserError and leaves the previous pack as it was.
    `run_key` (kpilib.pack.fresh) goes into the manifest."""
    started = time.perf_counter()
    engines.get(request.engine)  # an unknown engine is told before the scoring
    known = list(load_config(request.client).scheme.departments)
    unknown = [d for d in request.departments or [] if d not in known and d != COMPANY]
    if unknown:
        raise UserError(f"--departments: unknown {', '.join(unknown)}{did_you_mean(unknown[0], known)}; "
                        f"known: {', '.join(known)}, {COMPANY}")
    data_dir = locate(request.data, sample_dir())
    env = {"KPIREPORT_CACHE": str(cache_dir().resolve()), "KPIREPORT_PARAMS": str(default_params_dir().resolve()),
           **cores.thread_env(request.workers()),  # the kernels working at once share the cores
           **(request.pseudonyms.kernel_env() if request.pseudonyms else {})}
    # files: the kernels start now, on the core that loading and scoring leave idle; a
    # database's kernels are told the hashes of the tables read, so they start once loaded
    early = not sources.is_database(data_dir)
    with engines.ready(request.engine, env, default_notebooks_dir(), request) if early else contextlib.nullcontext():
        return _assemble(request, run_key, progress, started, data_dir, env, early)


def _assemble(request: PackRequest, run_key: str | None, progress: Callable[[int, int, dict], None] | None,
              started: float, data_dir: Path | str, env: dict[str, str], ready: bool) -> PackResult:
    """The body of `assemble`; the executor is ready already when `ready`."""
    out_dir = Path(request.out_dir).resolve()
    executor = engines.get(request.engine)
    departments, sections, formats = request.departments, request.sections, request.formats
    pseudonyms = request.pseudonyms
    loaded = config, dataset = load_inputs(request.data, request.client, pseudonyms)
    span = resolve_period(dataset.months, request.period)
    brand = load_branding(config.client)
    lang = report_language(request.lang, brand, "--lang")
    known = list(config.scheme.departments)
    params_dir = default_params_dir().resolve()
    env.update(sources.kernel_env(data_dir, dataset.hashes))  # a URL's password: never in a parameter
    getting_ready = contextlib.nullcontext() if ready else engines.ready(request.engine, env, default_notebooks_dir(), request)
    with guard.writing(out_dir), guard.hold(out_dir), getting_ready:
        guard.sweep(out_dir)
        store.sweep(cache_dir())
        wb = prepare(data_dir, config.client, span, lang, loaded=loaded, pseudonyms=pseudonyms)
        stages: dict[str, float] = {}
        lap = _stopwatch(stages, started)
        lap("score")
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
                    formats=formats, inputs=dataset.hashes, params=params, sections=list(sections) if sections else None,
                    parts=detail_parts(wb))
        if departments and COMPANY not in departments:
            docs = [d for d in docs if d.department != COMPANY]
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
            before = [] if request.prune else old
            mixed = carry.other_language(before, docs, lang)
            if mixed:
                shown = ", ".join(f"{e['department']}/{e['section']}" for e in mixed[:3]) + (", ..." if len(mixed) > 3 else "")
                raise UserError(
                    f"--lang {lang}: the {span.label} pack holds {len(mixed)} documents in "
                    f"{mixed[0]['parameters']['lang']} ({shown}) that this run would keep beside its {lang} ones; "
                    f"rebuild the whole period in {lang} (without --departments, --sections or --format), "
                    "or add --prune to keep only this run's documents")
            if before:
                carry.copy_period(final, staging)
            previous = {} if request.force else {d["key"]: d for d in old
                                                 if d.get("status") in ("ok", "skipped") and d.get("key")}
            # the departments the pack will hold: those built and those kept
            kept = {e["department"] for e in carry.merge([], before, staging, dataset.hashes)}
            held = [d for d in present if d in kept or any(doc.department == d for doc in docs)]
            built = [d for d in present if any(doc.department == d for doc in docs)]
            sheets_key = _sheets_key(wb, params, held, built, fingerprint)
            hashes, key, ahead = dataset.hashes, wb.key, len(wb.sheet()) >= analytics.AHEAD_FROM
            reopen = functools.partial(open_workbench, span, data_dir=data_dir, client=config.client, lang=lang,
                                       pseudonyms=pseudonyms)
            sheets_of = functools.partial(_sheets, held=held, built=built, staging=staging, final=final,
                                          key=sheets_key if same else None)
            if ahead:
                # from here on a large company is read back from the period store where it is
                # needed, a department at a time where that is enough: this process holds none
                # of it while the analytics and the notebooks run
                del wb, dataset, loaded
                forget()
                _analytics(key, reopen, [d for d in docs if d.key not in previous], request.jobs, progress)
            lap("analytics")
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpireport-sheets") as side:
                # a small company's scoring sheets are written while its notebooks run (the end
                # waits for them); a large one's once the kernels are gone: beside the notebooks
                # they held a second copy of the company (and the GIL) while the kernels held theirs
                writing = None if ahead else side.submit(sheets_of, wb)
                ran = _run(docs, staging, final, previous, executor, request, brand, progress)
                lap("notebooks")
                if ahead:
                    wb = reopen(COMPANY)
                sheets = sheets_of(wb) if writing is None else writing.result()
            lap("sheets")
            entries = carry.merge(ran, before, staging, hashes)
            if "pdf" in formats:
                touched = list(dict.fromkeys(d.department for d in docs))
                books = build_books(entries, touched, {d.department: d.name for d in docs}, staging, final, previous,
                                    brand, request.workers())
                rebound = {e["department"] for e in books}
                entries = [e for e in entries if not (e["section"] == SECTION and e["department"] in rebound)] + books
                ran += books
                lap("books")
            entries.sort(key=_order(known))
            changes = restate.write_changes(final / "scores.xlsx", staging) if same else None
            if changes is not None:
                page = restate.changes_html(wb, changes, wb.sheet(), brand)
                (staging / "changes.html").write_text(page, encoding="utf-8")
            bundles = write_bundles(entries, staging)
            write_front(staging, wb, entries, brand, changes, bundles, carry.rerun(entries, docs, formats, [COMPANY, *present]))
            lap("front")
            extra = {"company": brand.company, "formats": list(formats), "departments": wanted,
                     "engine": request.engine, "jobs": request.jobs, "scheduler": request.scheduler,
                     "pruned": request.prune, "sheets": sheets, "sheets_key": sheets_key, "bundles": bundles,
                     "pseudonyms": fingerprint, "run_key": run_key,
                     "stages": {name: round(seconds, 3) for name, seconds in stages.items()},
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


def _stopwatch(stages: dict[str, float], started: float) -> Callable[[str], None]:
    """`lap(name)` adds to `stages[name]` the seconds since the previous lap (the first: since
    `started`, a `time.perf_counter()`)."""
    last = [started]

    def lap(name: str) -> None:
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - last[0]
        last[0] = now
    return lap


def _run(docs: list[Document], staging: Path, final: Path, previous: dict[str, dict], executor: engines.Executor,
         request: PackRequest, brand: Branding, progress) -> list[dict]:
    """Copy the documents found up to date in `previous` (by key), run the others on
    `executor`; their manifest entries, in the order they finished."""
    entries: list[dict] = []

    def record(doc: Document, result: dict) -> None:
        parameters = {**doc.parameters, "data_dir": doc.shown["data_dir"]}
        entries.append({"period": doc.period, "department": doc.department, "section": doc.section,
                        **result, "outputs": doc.outputs(), "executed": doc.executed, "parameters": parameters, "key": doc.key,
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
    if todo:
        executor(todo, staging, brand, request, record)
    return entries


def _analytics(key: str, opener: analytics.Opener, docs: list[Document], jobs: int | None, progress) -> None:
    """The heavy analytics of the departments with documents to run, once each, in parallel
    processes that each read their department from the period store (kpilib.analytics),
    before their notebooks run; progress as section "analytics"."""
    def step(done: int, total: int, department: str, status: str) -> None:
        if progress:
            progress(done, total, {"department": department, "section": "analytics", "status": status})

    departments = list(dict.fromkeys(d.department for d in docs))
    analytics.compute_stored(key, opener, departments, jobs or os.cpu_count() or 1, step)


def _sheets_key(wb: Workbench, params: dict[str, str], held: Iterable[str], built: Iterable[str],
                fingerprint: str | None) -> str:
    """What decides the scoring sheets' bytes: the inputs, parameter files, kpilib's source,
    period, language, pseudonym key and the departments held and built."""
    parts = {"inputs": wb.dataset.hashes, "params": params, "kpilib": source_digest(), "period": wb.span.label,
             "lang": wb.lang, "held": list(held), "built": list(built), "pseudonyms": fingerprint}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _sheets(wb: Workbench, held: list[str], built: list[str], staging: Path, final: Path, key: str | None) -> list[str]:
    """Write the scoring sheets and actions into `staging`, or copy the previous pack's when
    they were written from the same `key` (an XLSX takes seconds to write); the files' names."""
    try:
        before = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    names = before.get("sheets", []) if isinstance(before, dict) and key and before.get("sheets_key") == key else []
    if names and all((final / name).is_file() for name in names):
        for name in names:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(final / name, staging / name)
        return names
    return write_sheets(wb, held, built, staging) + write_actions(wb, held, built, staging)


def _order(departments: list[str]) -> Callable[[dict], tuple]:
    """Manifest order: sections by name, books last; the company first, then the scheme's
    departments; a department's page before its parts (kpilib.sections.parts), in order."""
    rank = {d: i for i, d in enumerate([COMPANY, *departments])}
    return lambda e: (e["section"] == SECTION, e["section"], rank.get(e["department"], len(rank)), e["department"],
                      e.get("parameters", {}).get("part") or 0)
