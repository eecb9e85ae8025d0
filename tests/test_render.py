"""Section pages (kpilib.pack.render): charts carry alternative text in the page's language;
a department book is its sections' executed notebooks rendered as one page."""

from __future__ import annotations

import re

import nbformat
import pytest

from kpilib.branding import load_branding
from kpilib.pack.render import BREAK, book, page


@pytest.mark.parametrize(("lang", "title", "alt"), [("zh", "销售部 · 整体表现", "销售部 · 整体表现 · 图表"),
                                                     ("en", "Sales · Overall performance", "Sales · Overall performance · chart")])
def test_a_chart_is_described_in_the_pages_language(lang, title, alt):
    cell = nbformat.v4.new_code_cell("figures.distribution(wb);")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    html = page(notebook, title, lang, load_branding(None))
    assert re.findall(r'<img[^>]*alt="([^"]*)"', html) == [alt]
    assert "No description" not in html


def _section(heading: str, table: str) -> nbformat.NotebookNode:
    intro = nbformat.v4.new_markdown_cell("run me with papermill", metadata={"tags": ["analyst-only"]})
    code = nbformat.v4.new_code_cell("display(frame)")
    code.outputs = [nbformat.v4.new_output("display_data", data={"text/html": table, "text/plain": "frame"})]
    return nbformat.v4.new_notebook(cells=[intro, nbformat.v4.new_markdown_cell(f"## {heading}"), code])


def test_a_book_is_its_sections_in_order_each_on_a_new_page():
    sections = [_section("概览与考核规则", "<table><tr><td>82</td></tr></table>"),
                _section("综合排名", "<table><tr><td>袁浩</td></tr></table>")]
    for nb in sections:  # the same cell ids in every section, as notebooks of one template have
        for index, cell in enumerate(nb.cells):
            cell.id = f"c{index}"
    html = book(sections, "销售部 · 2026Q3 · 部门报告", "zh", load_branding(None))
    assert html.index("概览与考核规则") < html.index("<td>82</td>") < html.index(BREAK) < html.index("综合排名") \
        < html.index("<td>袁浩</td>")
    assert html.count(BREAK) == 1 and "papermill" not in html and "display(frame)" not in html
    assert html.count("<main>") == 1 and "部门报告" in html and 'lang="zh' in html


def test_a_threads_exporter_is_reused_and_renders_as_a_fresh_one(monkeypatch):
    from kpilib.pack import render

    notebooks = [_section("概览与考核规则", "<table><tr><td>82</td></tr></table>"),
                 _section("Rankings", "<table><tr><td>Yuan Hao</td></tr></table>")]
    brand = load_branding(None)
    reused = [page(nb, "销售部 · 概览", "zh", brand) for nb in notebooks]
    assert render._exporter() is render._exporter()
    fresh = []
    for nb in notebooks:
        monkeypatch.setattr(render._exporters, "made", None)
        fresh.append(page(nb, "销售部 · 概览", "zh", brand))
    assert reused == fresh
