"""The pack's front page (`index.html`: every document, by department and section, with
its status) and its `manifest.json` (parameters, input hashes, versions, timings)."""

from __future__ import annotations

import html
import os
import platform
from importlib import metadata
from pathlib import Path

import pandas as pd

from kpilib import __version__, narrate, sections
from kpilib.branding import Branding
from kpilib.i18n import label, section_title, sentence, word
from kpilib.pack.render import masthead, stylesheet
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


def _summary_rows(wb: Workbench) -> str:
    """One row per department: people, mean, best, lowest composite and the grade counts."""
    head = sections.headline(wb).set_index("department")
    grades = sections.grade_counts(wb).set_index("department")
    rows = []
    for name, row in head.iterrows():
        counts = " · ".join(f"{g} {int(n)}" for g, n in grades.loc[name].items() if n)
        rows.append(f"<tr><td>{html.escape(name)}</td><td>{int(row['people'])}</td><td>{row['mean']:.1f}</td>"
                    f"<td>{row['best']:.1f}</td><td>{row['lowest']:.1f}</td><td>{html.escape(counts)}</td></tr>")
    return "".join(rows)


def _link(doc: dict, lang: str) -> str:
    status = doc["status"]
    links = " ".join(f'<a href="{html.escape(p)}">{p.rsplit(".", 1)[-1].upper()}</a>' for p in doc.get("outputs", []))
    mark = {"ok": "", "skipped": '<span class="s" title="up to date">✓</span>',
            "failed": '<span class="f">✗</span>'}[status]
    kept = ' title="kept from an earlier build"' if doc.get("kept") else ""  # not rebuilt by a partial run
    if doc.get("stale"):  # kept by a partial run, built from other data than this run's
        mark += f' <span class="f">⚠ {html.escape(word("index.stale", lang))}</span>'
    return f'<td class="{status}"{kept}>{links} {mark}</td>'


def index_html(wb: Workbench, documents: list[dict], brand: Branding, changes: pd.DataFrame | None = None,
               bundles: list[str] = (), rerun: list[str] = ()) -> str:
    """One page linking every document (departments as rows, sections as columns); with
    `changes` (a rebuild: kpilib.pack.restate) that changed someone's outcome a link to the
    changes page (a rebuild that changed nothing leaves the index as it was); the department
    zips `bundles` (kpilib.pack.bundle) in a line of their own; stale documents get a note
    naming what rebuilds them (`rerun`: kpilib.pack.carry.rerun)."""
    columns = sorted({d["section"] for d in documents})
    departments = [COMPANY] + [d for d in wb.config.scheme.departments if any(x["department"] == d for x in documents)]
    by_key = {(d["department"], d["section"]): d for d in documents}
    grid = []
    for dept in departments:
        cells = "".join(_link(by_key[(dept, s)], wb.lang) if (dept, s) in by_key else "<td></td>" for s in columns)
        grid.append(f"<tr><th>{html.escape(wb.department_name(dept))}</th>{cells}</tr>")
    heads = "".join(f"<th>{html.escape(section_title(s, wb.lang))}</th>" for s in columns)
    failed = [d for d in documents if d["status"] == "failed"]
    fix = word("list separator", wb.lang).join(word(f"rerun.{k}", wb.lang) for k in rerun)
    stale = sentence("pack.stale", wb.lang, fix=fix) if any(d.get("stale") for d in documents) else ""
    failures = "".join(f"<li>{html.escape(wb.department_name(d['department']))} · "
                       f"{html.escape(section_title(d['section'], wb.lang))}: {html.escape(d.get('error') or '')}</li>"
                       for d in failed)
    title = f"{wb.department_name(COMPANY)} · " + sentence("index.title", wb.lang, period=wb.span.label)
    summary_head = [label(k, wb.lang) for k in ("department", "people", "index.mean", "best", "lowest", "index.grades")]
    borrowed = narrate.borrowed_targets(wb, sections.borrowed_targets(wb))
    note = sentence("index.note", wb.lang)
    restated = "" if changes is None or changes.empty else \
        f' · <a href="changes.html">{html.escape(label("changes_since", wb.lang))}</a> ({changes["employee_id"].nunique()})'
    zips = " · ".join(f'<a href="{html.escape(b)}">{html.escape(wb.department_name(b.removesuffix(".zip")))}</a>'
                      for b in bundles)
    zips = f'<p>{html.escape(label("bundles", wb.lang))}: {zips}</p>' if bundles else ""
    return f"""<!doctype html>
<html lang="{word('html lang', wb.lang)}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{stylesheet(brand)}
td.failed{{background:#fef3f2}}.warn-banner{{background:#fffaeb;border:1px solid #b54708;color:#93370d;padding:.7rem 1rem;border-radius:4px;margin:0 0 1rem}}.f{{color:var(--bad);font-weight:700}}.s{{color:var(--muted)}}
table.grid th,table.grid td{{text-align:left;white-space:normal}}
table.summary td:first-child,table.summary td:last-child{{text-align:left}}</style></head>
<body><header class="bar">{masthead(brand)}</header><main>
<h1>{html.escape(title)}</h1>
{f'<div class="warn-banner">{html.escape(borrowed)}</div>' if borrowed else ''}
<h2>{label('index.documents', wb.lang)}</h2>
<table class="grid"><thead><tr><th></th>{heads}</tr></thead><tbody>{''.join(grid)}</tbody></table>
{f'<div class="error-banner"><ul>{failures}</ul></div>' if failed else ''}
{f'<div class="warn-banner">{html.escape(stale)}</div>' if stale else ''}
<p>{html.escape(note)}</p>
<h2>{label('index.departments', wb.lang)}</h2>
<table class="summary"><thead><tr>{''.join(f'<th>{h}</th>' for h in summary_head)}</tr></thead><tbody>{_summary_rows(wb)}</tbody></table>
<p><a href="scores.xlsx">scores.xlsx</a> · <a href="scores.csv">scores.csv</a> · <a href="actions.csv">actions.csv</a> · <a href="manifest.json">manifest.json</a>{restated}</p>
{zips}
</main></body></html>
"""


def periods_html(out_dir, brand: Branding, lang: str) -> str:
    """`reports/index.html`: every period built under `out_dir`, newest first, from its manifest."""
    import json

    rows = []
    for path in sorted(Path(out_dir).glob("*/manifest.json"), reverse=True):
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        docs = m.get("documents", [])
        failed = sum(d.get("status") == "failed" for d in docs)
        period = html.escape(str(m.get("period", path.parent.name)))
        rows.append(f'<tr><td><a href="{period}/index.html">{period}</a></td><td>{m.get("people_scored", "")}</td>'
                    f'<td>{len(docs)}</td><td>{failed or ""}</td><td>{html.escape(str(m.get("company") or ""))}</td></tr>')
    head = [label(k, lang) for k in ("period", "index.people", "index.count", "index.failed", "index.company")]
    title = html.escape(f"{brand.company} · " if brand.company else "") + html.escape(word("index.reports", lang))
    return f"""<!doctype html>
<html lang="{word('html lang', lang)}"><head><meta charset="utf-8"><title>{title}</title>
<style>{stylesheet(brand)}</style></head>
<body><header class="bar">{masthead(brand)}</header><main><h1>{title}</h1>
<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>
</main></body></html>
"""
