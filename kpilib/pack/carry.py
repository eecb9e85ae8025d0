"""What a partial run keeps of the previous pack of its period: partial packs add, never remove.

A run limited by `--departments`, `--sections` or `--format` rebuilds only its documents;
every other file of the period (HTML, PDF, department books, the pages books are printed
from in `.pages/`) is copied into the staging folder first, so the swap keeps them. Their
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

from kpilib.pack.plan import Document


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
    """Remove the files a rebuilt document replaces: its outputs in the formats of this run, its
    page kept for the book and a failed notebook. Its outputs in other formats stay."""
    for name in [*doc.outputs(), f".pages/{doc.stem}.html", f"{doc.stem}.failed.ipynb"]:
        (staging / name).unlink(missing_ok=True)


def page_of(entry: dict, folder: Path) -> Path:
    """The HTML page a document's book section is printed from (manifests before `page` was
    recorded: the page set aside when there is one, else the HTML output)."""
    if entry.get("page"):
        return folder / entry["page"]
    stem = f"{entry['department']}/{entry['section']}"
    aside = folder / ".pages" / f"{stem}.html"
    return aside if aside.exists() else folder / f"{stem}.html"


def merge(built: list[dict], previous: list[dict], staging: Path, inputs: dict[str, str]) -> list[dict]:
    """This run's entries plus every previous entry it did not rebuild, each with its outputs
    still present in `staging`; outputs carried over are listed under `kept`, and a kept
    document built from other input files than this run's (`inputs`: file → sha256) is
    marked `stale` (the index says it is out of date)."""
    old = {(e.get("department"), e.get("section")): e for e in previous}
    merged = []
    for entry in built:
        before = old.pop((entry["department"], entry["section"]), {})
        extra = [p for p in before.get("outputs", []) if p not in entry["outputs"] and (staging / p).exists()]
        merged.append({**entry, "outputs": entry["outputs"] + extra, "kept": extra} if extra else entry)
    for entry in old.values():
        outputs = [p for p in entry.get("outputs", []) if (staging / p).exists()]
        if outputs:
            stale = {"stale": True} if entry.get("inputs") != inputs else {}
            merged.append({**entry, "outputs": outputs, "kept": outputs, **stale})
    return merged
