"""One PDF per department (and the company): its sections in order, each on a new page —
the file HR sends a manager. Built when PDF is asked, from the section pages just rendered;
skipped like a section when none of its sections changed."""

from __future__ import annotations

import hashlib
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kpilib.pack import render
from kpilib.pack.plan import Document

SECTION = "book"


def path_of(department: str, period: str) -> str:
    """`sales/sales-2026Q3.pdf`: a name that still says what it is once attached to an email."""
    return f"{department}/{department}-{period}.pdf"


def build_books(docs: list[Document], entries: list[dict], staging: Path, final: Path,
                previous: dict[str, dict], brand: render.Branding, jobs: int) -> list[dict]:
    """A manifest entry per department book: printed, copied when up to date, or failed
    when one of its sections failed (its pages are in the section files)."""
    status = {(e["department"], e["section"]): e for e in entries}
    by_department: dict[str, list[Document]] = {}
    for doc in docs:
        by_department.setdefault(doc.department, []).append(doc)

    def one(department: str, sections: list[Document]) -> dict:
        started = time.perf_counter()
        first = sections[0]
        out = path_of(department, first.period)
        key = hashlib.sha256("".join(d.key for d in sections).encode()).hexdigest()
        entry = {"period": first.period, "department": department, "section": SECTION, "outputs": [out],
                 "parameters": {k: first.parameters[k] for k in ("period", "department", "lang")},
                 "key": key, "inputs": first.inputs, "error": None}
        failed = [d.section for d in sections if status[(department, d.section)]["status"] == "failed"]
        if failed:
            return {**entry, "status": "failed", "seconds": 0.0, "error": f"sections failed: {', '.join(failed)}"}
        if key in previous and (final / out).exists():
            shutil.copy2(final / out, staging / out)
            return {**entry, "status": "skipped", "seconds": 0.0}
        lang = first.parameters.get("lang", "zh")
        pages = [(staging / d.page).read_text(encoding="utf-8") for d in sections]
        title = f"{department} · {first.period} · " + ("绩效报告" if lang == "zh" else "KPI report")
        html_path = staging / ".pages" / f"{department}-{first.period}.html"
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render.book(pages, title, lang, brand), encoding="utf-8")
        try:
            render.to_pdf(html_path, staging / out)
        except (RuntimeError, OSError) as exc:
            return {**entry, "status": "failed", "seconds": round(time.perf_counter() - started, 3), "error": str(exc)}
        finally:
            html_path.unlink()
        return {**entry, "status": "ok", "seconds": round(time.perf_counter() - started, 3)}

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(lambda item: one(*item), by_department.items()))
