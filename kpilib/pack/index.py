"""The pack's pages of links — the period's front page (`index.html`: a card per department
saying what matters, then every document by department and section, with its status), each
department's landing page (`<department>/index.html`), the list of periods — and the
period's `manifest.json` (parameters, input hashes, versions, timings)."""

from __future__ import annotations

import json
import os
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from kpilib import __version__
from kpilib.branding import Branding
from kpilib.i18n import label, section_title, sentence, word
from kpilib.pack import front
from kpilib.pack.plan import is_part
from kpilib.pack.render import page_values, render_template
from kpilib.workbench import COMPANY, Workbench

PACKAGES = ("pandas", "numpy", "scipy", "statsmodels", "pingouin", "matplotlib", "seaborn", "pandera",
            "pydantic", "openpyxl", "papermill", "nbclient", "nbconvert")


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def portable(path: Path, *roots: Path, origin: Path | None = None) -> str:
    """`path` relative to `origin` (else to the root) for the first of `roots` it lies in, else
    its name alone: a manifest names no machine's paths."""
    path = Path(path).resolve()
    for root in roots:
        if path.is_relative_to(root.resolve()):
            return Path(os.path.relpath(path, origin or root.resolve())).as_posix()
    return path.name


def manifest(wb: Workbench, documents: list[dict], seconds: float, extra: dict, params_dir: Path) -> dict:
    """The manifest of a pack; parameter files are named relative to `params_dir`."""
    return {"period": wb.span.label, "lang": wb.lang, "client": wb.config.client,
            "scheme_version": wb.config.version, "kpireport": __version__,
            "python": platform.python_version(), "packages": {p: _version(p) for p in PACKAGES},
            "inputs": wb.dataset.hashes, "parameters": [portable(f, params_dir) for f in wb.config.files],
            "people_scored": int(len(wb.sheet())), "warnings": len(wb.problems),
            "seconds": round(seconds, 3), **extra, "documents": documents}


def documents_of(documents: list[dict]) -> dict[tuple[str, str], dict]:
    """The manifest entries by (department, section); parts of a department's pages are
    linked from its page, not here (kpilib.pack.plan.is_part)."""
    return {(d["department"], d["section"]): d for d in documents if not is_part(d)}


def _link(doc: dict, lang: str, prefix: str = "") -> dict:
    """A document's cell of the grid: its outputs (href relative to the page: `prefix`),
    status, whether kept from an earlier build, stale."""
    return {"outputs": [{"href": prefix + p, "kind": p.rsplit(".", 1)[-1].upper()} for p in doc.get("outputs", [])],
            "status": doc["status"], "kept": bool(doc.get("kept")),
            "stale": word("stale document", lang) if doc.get("stale") else ""}


def _grid(wb: Workbench, documents: list[dict], departments: list[str], prefix: str = "") -> dict:
    """The documents as a grid: sections as columns (titled), one row per department."""
    columns = sorted({d["section"] for d in documents})
    by_key = documents_of(documents)
    rows = [{"name": wb.department_name(dept),
             "cells": [_link(by_key[(dept, s)], wb.lang, prefix) if (dept, s) in by_key else None for s in columns]}
            for dept in departments]
    return {"heads": [section_title(s, wb.lang) for s in columns], "rows": rows}


def _listed(wb: Workbench, documents: list[dict]) -> list[dict]:
    """One department's documents as a list from its folder: title and cell, in section order."""
    listed = []
    for doc in sorted(documents_of(documents).values(), key=lambda d: d["section"]):
        cell = _link(doc, wb.lang, "../")
        page = next((o["href"] for o in cell["outputs"] if o["kind"] == "HTML"), None)
        cell["outputs"] = [o for o in cell["outputs"] if o["href"] != page]
        listed.append({"title": section_title(doc["section"], wb.lang), "href": page, "cell": cell})
    return listed


def _failures(wb: Workbench, documents: list[dict]) -> list[str]:
    return [f"{wb.department_name(d['department'])} · {section_title(d['section'], wb.lang)}: {d.get('error') or ''}"
            for d in documents if d["status"] == "failed"]


def index_html(wb: Workbench, documents: list[dict], brand: Branding, changes: pd.DataFrame | None = None,
               bundles: list[str] = (), rerun: list[str] = (), figures: front.Figures | None = None) -> str:
    """The period's front page: a card per department with people (and one for the company,
    first) saying what matters (kpilib.pack.front), then every document (departments as
    rows, sections as columns); with `changes` (a rebuild: kpilib.pack.restate) that changed
    someone's outcome a link to the changes page (a rebuild that changed nothing leaves the
    index as it was); the department zips `bundles` (kpilib.pack.bundle) in a line of their
    own; stale documents get a note naming what rebuilds them (`rerun`: kpilib.pack.carry.rerun)."""
    departments = [COMPANY] + [d for d in wb.config.scheme.departments if any(x["department"] == d for x in documents)]
    fix = word("list separator", wb.lang).join(word(f"rerun.{k}", wb.lang) for k in rerun)
    stale = sentence("pack.stale", wb.lang, fix=fix) if any(d.get("stale") for d in documents) else ""
    title = sentence("pack.title", wb.lang, company=wb.department_name(COMPANY), period=wb.span.label)
    restated = None if changes is None or changes.empty else \
        {"label": label("changes_since", wb.lang), "people": int(changes["employee_id"].nunique())}
    zips = [{"href": b, "name": wb.department_name(b.removesuffix(".zip"))} for b in bundles]
    cards = front.cards_view(wb, documents, figures=figures)
    return render_template("index.html.j2", page=page_values(title, wb.lang, brand, back=None), title=title,
                           company=cards[0], cards=cards[1:], words=front.words(wb.lang),
                           grid=_grid(wb, documents, departments), failures=_failures(wb, documents), stale=stale,
                           note=sentence("pack.privacy", wb.lang), restated=restated,
                           zips={"label": label("bundles", wb.lang), "links": zips})


def landing_html(wb: Workbench, department: str, documents: list[dict], brand: Branding, bundles: list[str] = (),
                 figures: front.Figures | None = None) -> str:
    """`<department>/index.html`: the department's card (all its figures: its manager sees its
    people), every KPI below target, its documents and its downloads (book, scoring sheet,
    follow-up actions, zip)."""
    mine = [d for d in documents if d["department"] == department]
    title = f"{wb.department_name(department)} · {wb.span.label}"
    card = next(c for c in front.cards_view(wb, documents, at=department, figures=figures) if c["department"] == department)
    downloads = [{"href": name, "name": name} for name in ("scores.xlsx", "actions.csv") if department != COMPANY]
    if f"{department}.zip" in bundles:
        downloads.append({"href": f"../{department}.zip", "name": word("card.zip", wb.lang)})
    footer = title if department == COMPANY else f"{wb.department_name(COMPANY)} · {title}"  # the company named once
    return render_template("department.html.j2", page=page_values(title, wb.lang, brand, footer=footer), title=title, card=card,
                           words=front.words(wb.lang), docs=_listed(wb, mine),
                           failures=_failures(wb, mine), downloads=downloads)


def write_front(folder: Path, wb: Workbench, documents: list[dict], brand: Branding, changes: pd.DataFrame | None,
                bundles: list[str], rerun: list[str]) -> None:
    """The period's `index.html` and a landing page `<department>/index.html` for the company
    and each department with documents, into `folder`."""
    figures = front.Figures.of(wb)
    page = index_html(wb, documents, brand, changes, bundles, rerun, figures)
    (folder / "index.html").write_text(page, encoding="utf-8")
    for department in dict.fromkeys(d["department"] for d in documents):
        if department == COMPANY or department in wb.departments():
            (folder / department).mkdir(exist_ok=True)
            (folder / department / "index.html").write_text(landing_html(wb, department, documents, brand, bundles, figures),
                                                              encoding="utf-8")


def periods_html(out_dir, brand: Branding, lang: str) -> str:
    """`reports/index.html`: every period built under `out_dir`, newest first, from its manifest."""
    rows = []
    for path in sorted(Path(out_dir).glob("*/manifest.json"), reverse=True):
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        docs = m.get("documents", [])
        rows.append({"period": str(m.get("period", path.parent.name)), "people": m.get("people_scored", ""),
                     "documents": len(docs), "failed": sum(d.get("status") == "failed" for d in docs) or "",
                     "company": m.get("company") or ""})
    heads = [label("period", lang), word("card.people", lang), word("periods.documents", lang),
             word("periods.failed", lang), word("periods.company", lang)]
    title = (f"{brand.company} · " if brand.company else "") + word("periods.title", lang)
    return render_template("periods.html.j2", page=page_values(title, lang, brand, back=None), title=title,
                           heads=heads, rows=rows)
