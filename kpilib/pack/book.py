"""One PDF per department (and the company): its sections in order, each on a new page —
the file HR sends a manager. Built when PDF is asked, for the departments the run touched,
from the executed notebooks of all their current sections (rebuilt or kept, in `.pages/`),
rendered as one document; skipped like a section when none of its sections changed."""

from __future__ import annotations

import hashlib
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from kpilib.branding import Branding
from kpilib.i18n import word
from kpilib.pack import carry, render
from kpilib.pack.plan import BOOK as SECTION


def path_of(department: str, period: str) -> str:
    """`sales/sales-2026Q3.pdf`: a name that still says what it is once attached to an email."""
    return f"{department}/{department}-{period}.pdf"


def build_books(entries: list[dict], departments: list[str], names: dict[str, str], staging: Path, final: Path,
                previous: dict[str, dict], brand: Branding, jobs: int) -> list[dict]:
    """A manifest entry per book of `departments`, bound from every current section of the
    department (`entries`: this run's and those kept from the previous pack): printed, copied
    when up to date, or failed when one of its sections failed (its pages are in the section files)."""
    by_department: dict[str, list[dict]] = {}
    for entry in sorted(entries, key=lambda e: (e["section"], e.get("parameters", {}).get("part") or 0)):
        if entry["department"] in departments and entry["section"] != SECTION:
            by_department.setdefault(entry["department"], []).append(entry)

    def one(department: str, sections: list[dict]) -> dict:
        started = time.perf_counter()
        first = sections[0]
        out = path_of(department, first["period"])
        key = hashlib.sha256("".join(e["key"] for e in sections).encode()).hexdigest()
        entry = {"period": first["period"], "department": department, "section": SECTION, "outputs": [out],
                 "parameters": {k: first["parameters"][k] for k in ("period", "department", "lang")},
                 "key": key, "inputs": first["inputs"], "error": None}
        failed = [e["section"] for e in sections if e["status"] == "failed"]
        missing = [e["section"] for e in sections if carry.executed_of(e, staging) is None]
        if failed or missing:
            error = f"sections failed: {', '.join(failed)}" if failed else \
                f"executed notebooks missing for {', '.join(missing)}: rebuild them with --format pdf"
            return {**entry, "status": "failed", "seconds": 0.0, "error": error}
        if key in previous and (final / out).exists():
            shutil.copy2(final / out, staging / out)
            return {**entry, "status": "skipped", "seconds": 0.0}
        lang = first["parameters"].get("lang", "zh")
        notebooks = [nbformat.read(carry.executed_of(e, staging), as_version=4) for e in sections]
        title = f"{names.get(department, department)} · {first['period']} · " + word("department report", lang)
        html_path = staging / ".pages" / f"{department}-{first['period']}.html"
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render.book(notebooks, title, lang, brand), encoding="utf-8")
        try:
            render.to_pdf(html_path, staging / out)
        except (RuntimeError, OSError) as exc:
            return {**entry, "status": "failed", "seconds": round(time.perf_counter() - started, 3), "error": str(exc)}
        finally:
            html_path.unlink()
        return {**entry, "status": "ok", "seconds": round(time.perf_counter() - started, 3)}

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda item: one(*item), by_department.items()))
