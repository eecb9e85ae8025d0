"""Render an executed section notebook as a self-contained HTML page, and print it to PDF.

HTML: nbconvert's `basic` template in-process (code, prompts and the analyst-only intro
removed) inside our own page with an inline stylesheet, so it opens offline: no CDN,
charts are inline PNG. PDF: Debian's headless Chromium prints the HTML (Noto CJK for
Chinese); nbconvert's webpdf cannot use a system Chromium and its LaTeX route drops Chinese.
Print is sized for paper: the client's paper (A4 unless branding says Letter), text at
10.5 pt, tables at 9 pt whose cells wrap (the widest, the score details, on landscape
pages) instead of the page shrinking to fit.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from nbconvert import HTMLExporter
from traitlets.config import Config as TraitletsConfig

from kpilib.branding import Branding
from kpilib.i18n import word

ANALYST_TAG = "analyst-only"  # the intro cell that tells analysts how to run the notebook
STYLE = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--accent:#1f4e79;--bad:#b42318}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--ink);
 margin:0;background:#f7f8fa;line-height:1.55;font-size:15px}
header.bar{background:var(--accent);color:#fff;padding:.7rem 2rem;display:flex;gap:1.5rem;align-items:baseline}
header.bar a{color:#fff;text-decoration:none;opacity:.85}header.bar .brand{font-weight:700}
header.bar img.logo{height:1.6em;vertical-align:middle;margin-right:.6em;background:#fff;border-radius:3px}
main{max-width:1240px;margin:1.5rem auto;background:#fff;padding:1.5rem 2.5rem;border:1px solid var(--line);border-radius:6px}
h1{font-size:1.6rem;margin:.2rem 0 1rem;color:var(--accent)}h2{font-size:1.2rem;margin:1.8rem 0 .6rem;
 border-bottom:2px solid var(--line);padding-bottom:.25rem}
.anchor-link{display:none}
table{border-collapse:collapse;margin:.4rem 0 1rem;font-size:.86rem;font-variant-numeric:tabular-nums}
th{background:#f0f4f8;text-align:left;font-weight:600}th,td{padding:.3rem .65rem;border-bottom:1px solid var(--line);white-space:nowrap}
td{text-align:right;vertical-align:top}
img{max-width:100%;height:auto}
table.kpi-card{width:100%}table.kpi-card th,table.kpi-card td{text-align:left;white-space:normal;padding:.3rem .4rem}
table.kpi-card td:first-child{min-width:7em;word-break:keep-all}h3{font-size:1rem;margin:1.2rem 0 .3rem}
.output_html{overflow-x:auto}
.output_stderr{display:none}
.error-banner{background:#fef3f2;border:1px solid var(--bad);color:var(--bad);padding:.8rem 1rem;border-radius:4px}
.output_error pre,.output_text pre{white-space:pre-wrap;font-size:.8rem}
footer{max-width:1240px;margin:0 auto 2rem;color:var(--muted);font-size:.8rem}
@page{margin:12mm}
@media print{body{background:#fff;font-size:14px}header.bar{background:#fff;color:var(--accent);padding:0}
 header.bar a{display:none}main{border:0;margin:0;padding:0;max-width:none}table{page-break-inside:auto}
 tr{page-break-inside:avoid}h2,h3{page-break-after:avoid}img{page-break-inside:avoid}
 .output_html{overflow:visible}table{font-size:12px;max-width:100%}
 th,td{padding:.15rem .3rem;white-space:normal;overflow-wrap:break-word}td{min-width:0!important}
 th{word-break:keep-all}div.card{page:wide}
 footer{font-size:12px;margin:0}input.card-filter{display:none}}
input.card-filter{font:inherit;padding:.35rem .6rem;width:20em;margin:.4rem 0 1rem;border:1px solid var(--line);border-radius:4px}
"""


def stylesheet(brand: Branding) -> str:
    """The inline stylesheet in the client's colour, with its paper size for print (the score
    details' cards, twelve columns wide, print on landscape pages rather than shrinking)."""
    return STYLE + f":root{{--accent:{brand.primary}}}@page{{size:{brand.paper}}}@page wide{{size:{brand.paper} landscape}}"


def masthead(brand: Branding) -> str:
    """The header's brand: logo (when given) and company name."""
    logo = f'<img class="logo" src="{brand.logo}" alt="">' if brand.logo else ""
    return f'<span class="brand">{logo}{html.escape(brand.company or "kpireport")}</span>'


def _exporter() -> HTMLExporter:
    c = TraitletsConfig()
    c.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG, "parameters", "injected-parameters"}
    c.TagRemovePreprocessor.enabled = True
    return HTMLExporter(config=c, template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


BODY = re.compile(r"<main>(.*)</main>", re.S)
# Inline, no library: click a column heading to sort a table; type in a card filter to find a person.
SCRIPT = """
document.querySelectorAll('table.kpi-table').forEach(function (t) {
  if (!t.tHead || !t.tBodies.length) return;
  var cells = t.tHead.rows[t.tHead.rows.length - 1].cells;
  Array.prototype.forEach.call(cells, function (th, i) {
    th.style.cursor = 'pointer';
    th.addEventListener('click', function () {
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows), up = th.dataset.dir !== 'asc';
      function key(r) {
        var text = r.cells[i] ? r.cells[i].textContent.trim() : '';
        var n = parseFloat(text.replace(/[,%×<＜]/g, ''));
        return isNaN(n) ? text : n;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'zh');
        return up ? c : -c;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      th.dataset.dir = up ? 'asc' : 'desc';
    });
  });
});
document.querySelectorAll('input.card-filter').forEach(function (box) {
  box.addEventListener('input', function () {
    var q = box.value.trim().toLowerCase();
    document.querySelectorAll('div.card').forEach(function (card) {
      card.style.display = !q || card.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
    });
  });
});
"""


def shell(body: str, title: str, lang: str, brand: Branding, back: str = "../index.html", footer: str = "") -> str:
    """Our page around `body`: branding bar with a link back to the index, inline style, footer."""
    index = word("back to index", lang)
    return (f'<!doctype html>\n<html lang="{word("html lang", lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{html.escape(title)}</title>'
            f"<style>{stylesheet(brand)}</style></head><body>"
            f'<header class="bar">{masthead(brand)}<a href="{back}">{index}</a></header>'
            f"<main>{body}</main><footer>{html.escape(footer)}</footer><script>{SCRIPT}</script></body></html>\n")


def page(nb, title: str, lang: str, brand: Branding, error: str | None = None, footer: str = "") -> str:
    """The section as one offline HTML page; a chart without alternative text is described by
    the page's title (nbconvert would write an English placeholder)."""
    alt = f"{title} · {word('chart', lang)}"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {}).setdefault("image/png", {}).setdefault("alt", alt)
    body, _ = _exporter().from_notebook_node(nb)
    banner = f'<div class="error-banner">{html.escape(error)}</div>' if error else ""
    return shell(banner + body, title, lang, brand, footer=footer)


def book(pages: list[str], title: str, lang: str, brand: Branding) -> str:
    """Several section pages as one document, each section starting on a new page."""
    bodies = [m.group(1) if (m := BODY.search(text)) else "" for text in pages]
    joined = "".join(f'<section style="page-break-before:{"auto" if i == 0 else "always"}">{b}</section>'
                     for i, b in enumerate(bodies))
    return shell(joined, title, lang, brand, footer=title)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def to_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> None:
    """Print `html_path` to `pdf_path` with headless Chromium (paper size from the page's @page rule, no header/footer)."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("PDF needs Chromium (Debian package `chromium`); run `make setup` as root or use --format html")
    with tempfile.TemporaryDirectory(prefix="kpireport-chromium-") as profile:
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium could not print {html_path.name}: {done.stderr.strip()[-300:]}")
