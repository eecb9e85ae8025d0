"""The report pack for one period: `<out>/<period>/index.html`, scoring sheets, manifest.

Until the section notebooks exist, the pack holds the validated scoring sheet (XLSX and
CSV), an offline index page summarising each department, and `manifest.json` recording
parameters, input hashes, package versions and timings. The period folder is written
to a temporary folder first and swapped in whole, so a failure leaves nothing
half-written.
"""

from __future__ import annotations

import html
import json
import platform
import shutil
import tempfile
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

from kpilib import __version__
from kpilib.config import Config
from kpilib.data import Dataset
from kpilib.periods import Span
from kpilib.scoring import score
from kpilib.sheets import write_scores

PACKAGES = ("pandas", "numpy", "scipy", "pandera", "pydantic", "openpyxl")


def build_pack(dataset: Dataset, config: Config, span: Span, out_dir: Path | str,
               lang: str = "zh", console=None) -> Path:
    """Build the pack for `span` under `out_dir/<period>/`; returns the index path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    staging = Path(tempfile.mkdtemp(prefix=f".{span.label}-", dir=out_dir))
    try:
        result = score(dataset, config, span, lang=lang)
        documents = []
        for name in ("scores.xlsx", "scores.csv"):
            t0 = time.perf_counter()
            write_scores(result, staging / name)
            documents.append({"period": span.label, "department": "all", "section": name.split(".")[0],
                              "format": name.split(".")[1], "path": name, "status": "ok",
                              "seconds": round(time.perf_counter() - t0, 3)})
        (staging / "index.html").write_text(_index_html(result, config, lang), encoding="utf-8")
        manifest = {
            "period": span.label, "lang": lang, "client": config.client, "kpireport": __version__,
            "python": platform.python_version(),
            "packages": {p: _version(p) for p in PACKAGES},
            "inputs": dataset.hashes, "parameters": [str(f) for f in config.files],
            "people_scored": len(result.sheet), "warnings": len(result.problems),
            "seconds": round(time.perf_counter() - started, 3), "documents": documents,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        final = out_dir / span.label
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return final / "index.html"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _index_html(result, config: Config, lang: str) -> str:
    zh = lang == "zh"
    sheet = result.sheet
    summary = sheet.groupby("department").agg(people=("employee_id", "size"), mean=("composite", "mean"),
                                              best=("composite", "max"), worst=("composite", "min"))
    grades = pd.crosstab(sheet["department"], sheet["grade"])
    order = [g.zh if zh else g.en for g in config.scheme.scoring.grades]
    rows = []
    for row in summary.itertuples():
        counts = " · ".join(f"{g} {int(grades.loc[row.Index, g])}" for g in order
                            if g in grades.columns and grades.loc[row.Index, g])
        rows.append(f"<tr><td>{html.escape(config.catalog.department_name(row.Index, lang))}</td><td>{row.people}</td>"
                    f"<td>{row.mean:.1f}</td><td>{row.best:.1f}</td><td>{row.worst:.1f}</td>"
                    f"<td>{html.escape(counts)}</td></tr>")
    head = ["部门", "人数", "平均综合分", "最高", "最低", "等级分布"] if zh else \
        ["Department", "People", "Mean composite", "Best", "Lowest", "Grades"]
    title = f"{result.period} 绩效考核报告" if zh else f"{result.period} KPI evaluation"
    return f"""<!doctype html>
<html lang="{'zh-CN' if zh else 'en'}"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:2rem;color:#222}}
table{{border-collapse:collapse}}td,th{{border-bottom:1px solid #ddd;padding:.35rem .8rem;text-align:right}}
td:first-child,th:first-child,td:last-child,th:last-child{{text-align:left}}</style></head>
<body><h1>{title}</h1>
<table><thead><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr></thead><tbody>{''.join(rows)}</tbody></table>
<p><a href="scores.xlsx">scores.xlsx</a> · <a href="scores.csv">scores.csv</a> · <a href="manifest.json">manifest.json</a></p>
</body></html>
"""
