"""Render an executed section notebook as a self-contained HTML page, our own pages from
templates, and print them to PDF.

Templates (`kpilib/templates/`, package data): `shell.html.j2` is the skeleton of every
page (branding bar, inline `style.css`, footer, the small `sort.js`); `page.html.j2` puts
our own pages in it; `kpireport/` is nbconvert's template for section pages — its `basic`
cells (code, prompts and the analyst-only intro removed) inside the same shell, so a page
opens offline: no CDN, charts are inline PNG. PDF: Debian's headless Chromium prints the
HTML (Noto CJK for Chinese); nbconvert's webpdf cannot use a system Chromium and its LaTeX
route drops Chinese. Print is sized for paper: the client's paper (A4 unless branding says
Letter), text at 10.5 pt, tables at 9 pt whose cells wrap (the widest, the score details,
on landscape pages) instead of the page shrinking to fit.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets.config import Config as TraitletsConfig

from kpilib.branding import Branding
from kpilib.i18n import word

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ANALYST_TAG = "analyst-only"  # the intro cell that tells analysts how to run the notebook


@functools.cache
def environment() -> jinja2.Environment:
    """Our pages' templates, HTML escaped unless marked safe."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def render_template(name: str, **values) -> str:
    return environment().get_template(name).render(**values)


@functools.cache
def _asset(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def stylesheet(brand: Branding) -> str:
    """The inline stylesheet in the client's colour, with its paper size for print (the score
    details' cards, twelve columns wide, print on landscape pages rather than shrinking)."""
    return _asset("style.css") + f":root{{--accent:{brand.primary}}}@page{{size:{brand.paper}}}" \
        f"@page wide{{size:{brand.paper} landscape}}"


def masthead(brand: Branding) -> str:
    """The header's brand: logo (when given) and company name."""
    return str(environment().get_template("shell.html.j2").module.masthead(brand))


def page_values(title: str, lang: str, brand: Branding, back: str | None = "../index.html", footer: str = "",
                error: str | None = None) -> dict:
    """What the shell of a page needs (shell.html.j2)."""
    return {"lang": word("html lang", lang), "title": title, "style": stylesheet(brand), "brand": brand,
            "back": back, "back_word": word("back to index", lang), "footer": footer, "script": _asset("sort.js"),
            "error": error}


def shell(body: str, title: str, lang: str, brand: Branding, back: str = "../index.html", footer: str = "") -> str:
    """Our page around `body` (HTML): branding bar with a link back to the index, inline style, footer."""
    return render_template("page.html.j2", page=page_values(title, lang, brand, back, footer), body=body)


class PageExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass, which parses the whole page with
    BeautifulSoup to give images without alternative text an English placeholder and lab
    cells a tabindex: our charts carry alternative text in the page's language (`page`) and
    our template has no lab cells. On a 2.6 MB score-details page the pass took 8 of 14 s.
    What it keeps of `HTMLExporter.from_notebook_node` (nbconvert 7): the code highlighter
    and the widget data-type filter."""

    def from_notebook_node(self, nb, resources=None, **kw):
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name"))
        resources = self._init_resources(resources)
        self.register_filter("highlight_code", self.filters.get("highlight_code",
                                                                Highlight2HTML(pygments_lexer=lexer, parent=self)))
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


_exporters = threading.local()


def _exporter() -> HTMLExporter:
    """This thread's exporter: made once per thread, so that its Jinja templates are compiled
    once (a fresh exporter compiled them again for each page: 50 of the 60 ms a sample page
    took). The notebook's filters are set per page (`PageExporter.from_notebook_node`),
    which is why threads do not share one."""
    made = getattr(_exporters, "made", None)
    if made is None:
        made = _exporters.made = _new_exporter()
    return made


def _new_exporter() -> HTMLExporter:
    c = TraitletsConfig()
    c.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG, "parameters", "injected-parameters"}
    c.TagRemovePreprocessor.enabled = True
    # no "¶" anchors in headings (hidden anyway): nbconvert writes an anchored heading's
    # text as numeric character references, which only its last pass turned back
    return PageExporter(config=c, exclude_anchor_links=True, template_name="kpireport", extra_template_basedirs=[str(TEMPLATES)], extra_template_paths=[str(TEMPLATES)],
                        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def page(nb, title: str, lang: str, brand: Branding, error: str | None = None, footer: str = "") -> str:
    """The section as one offline HTML page (nbconvert's template `kpireport`); a chart
    without alternative text is described by the page's title (nbconvert would write an
    English placeholder)."""
    alt = f"{title} · {word('chart', lang)}"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output.setdefault("metadata", {}).setdefault("image/png", {}).setdefault("alt", alt)
    body, _ = _exporter().from_notebook_node(nb, resources={"page": page_values(title, lang, brand, footer=footer,
                                                                                  error=error)})
    return body


BREAK = '<div class="book-break"></div>'  # style.css starts the next section on a new page


def book(notebooks: list, title: str, lang: str, brand: Branding) -> str:
    """Several executed section notebooks as one document, in the order given, each section
    starting on a new page: their cells joined into one notebook (a raw HTML break between
    sections) and rendered once with nbconvert's template `kpireport`, as a section page is."""
    cells = []
    for index, nb in enumerate(notebooks):
        if index:
            cells.append(nbformat.v4.new_raw_cell(BREAK, metadata={"raw_mimetype": "text/html"}))
        cells.extend(nbformat.from_dict({**cell, "id": f"s{index}-{cell.get('id', '')}"[:64]}) for cell in nb.cells)
    bound = nbformat.v4.new_notebook(cells=cells, metadata=notebooks[0].metadata)
    body, _ = _exporter().from_notebook_node(bound, resources={"page": page_values(title, lang, brand, back=None,
                                                                                     footer=title)})
    return body


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
