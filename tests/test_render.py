"""Section pages (kpilib.pack.render): charts carry alternative text in the page's language."""

from __future__ import annotations

import re

import nbformat
import pytest

from kpilib.branding import load_branding
from kpilib.pack.render import page


@pytest.mark.parametrize(("lang", "title", "alt"), [("zh", "销售部 · 整体表现", "销售部 · 整体表现 · 图表"),
                                                     ("en", "Sales · Overall performance", "Sales · Overall performance · chart")])
def test_a_chart_is_described_in_the_pages_language(lang, title, alt):
    cell = nbformat.v4.new_code_cell("figures.distribution(wb);")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    html = page(notebook, title, lang, load_branding(None))
    assert re.findall(r'<img[^>]*alt="([^"]*)"', html) == [alt]
    assert "No description" not in html
