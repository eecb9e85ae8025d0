"""What a partial run keeps of the previous pack of its period: partial packs add, never remove.

A run limited by `--departments`, `--sections` or `--format` rebuilds only its documents;
every other file of the period (HTML, PDF, department books, the executed notebooks books
are bound from in `.pages/`) is copied into the staging folder first, so the swap keeps them. Their
manifest entries are carried over as they were (status, seconds, key, ...) with one key
added: `kept`, the outputs taken unchanged from the previous pack. A rebuilt document that
had outputs in other formats (its PDF when only HTML is rebuilt) keeps them too, listed in
its `kept`. `pack --prune` starts from an empty period folder instead: the period then holds
exactly what the run built (or found up to date).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kpilib.pack.plan import BOOK, Document
from kpilib.pack.request import FORMATS


def previous_documents(final: Path) -> list[dict]:
    """The manifest entries of the pack in `final` (none when there is no readable manifest)."""
    try:
        return list(json.loads((final / "manifest.json").read_text(encoding="utf-8")).get("documents", []))
    except (OSError, ValueError, AttributeError):
        return []


def previous_pseudonyms(final: Path) -> str | None:
    """The key fingerprint the pack in `final` was pseudonymised with (None: real names, or no pack)."""
    try:
        return json.loads((final / "manifest.json").read_text(encoding="utf-8")).get("pseudonyms")
    except (OSError, ValueError, AttributeError):
        return None


def copy_period(final: Path, staging: Path) -> None:
    """Every file of the previous pack into the staging folder (copies: the previous pack stays
    untouched until the swap)."""
    if final.is_dir():
        shutil.copytree(final, staging, dirs_exist_ok=True)


def clear(doc: Document, staging: Path) -> None:
    """Remove the files of a document's previous build before it is rebuilt: its outputs in
    every format (not only this run's), its executed notebook kept for the book (and a page
    set aside by an earlier version) and a failed notebook."""
    for name in [*(f"{doc.stem}.{fmt}" for fmt in FORMATS), doc.executed, f".pages/{doc.stem}.html",
                 f"{doc.stem}.failed.ipynb"]:
        (staging / name).unlink(missing_ok=True)


def executed_of(entry: dict, folder: Path) -> Path | None:
    """The executed notebook a document's book section is bound from, if it is there (packs
    made before books were bound from notebooks kept none)."""
    path = folder / entry["executed"] if entry.get("executed") else None
    return path if path and path.exists() else None


def _identity(entry: dict) -> tuple:
    """Which document a manifest entry is: a part of a department's pages is one of its own."""
    return entry.get("department"), entry.get("section"), entry.get("parameters", {}).get("part")


def merge(built: list[dict], previous: list[dict], staging: Path, inputs: dict[str, str]) -> list[dict]:
    """This run's entries plus every previous entry it did not rebuild, each with its outputs
    still present in `staging` (listed again under `kept`); a kept
    document built from other input files than this run's (`inputs`: file → sha256) is
    marked `stale` (the index says it is out of date)."""
    old = {_identity(e): e for e in previous}
    for entry in built:
        old.pop(_identity(entry), None)
    merged = list(built)
    for entry in old.values():
        outputs = [p for p in entry.get("outputs", []) if (staging / p).exists()]
        if outputs:
            stale = {"stale": True} if entry.get("inputs") != inputs else {}
            merged.append({**entry, "outputs": outputs, "kept": outputs, **stale})
    return merged


def other_language(previous: list[dict], docs: list[Document], lang: str) -> list[dict]:
    """The entries of `previous` that a run building `docs` in `lang` would keep, written in
    another language: a partial run must not leave a period half in one language."""
    rebuilt = {(d.department, d.section, d.parameters.get("part")) for d in docs}
    return [e for e in previous if _identity(e) not in rebuilt and e.get("parameters", {}).get("lang") not in (None, lang)]


def rerun(entries: list[dict], docs: list[Document], formats: tuple[str, ...], present: list[str]) -> list[str]:
    """What rebuilds the stale documents among `entries` (this run built `docs` in `formats`;
    `present`: the departments with people): "pdf" (a book needs `--format html,pdf`),
    "departments", "sections" (run without that option) or "prune" (a department no longer
    in the data), each once, in that order."""
    built = {d.department for d in docs}, {d.section for d in docs}
    needs = set()
    for e in (e for e in entries if e.get("stale")):
        if e["department"] not in present:
            needs.add("prune")
        elif e["section"] == BOOK and "pdf" not in formats:
            needs.add("pdf")
        elif e["department"] not in built[0]:
            needs.add("departments")
        elif e["section"] not in built[1]:
            needs.add("sections")
    return [k for k in ("pdf", "departments", "sections", "prune") if k in needs]
