"""Tables above a size (kpilib.paging): a page shows the first `pages.table_rows` rows and a
caption with the number of rows and a link to the scoring sheet."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from kpilib import display, paging
from kpilib.config import Pages, load_config


@pytest.fixture
def frame():
    return pd.DataFrame({"rank": range(1, 8), "name": [f"p{i}" for i in range(1, 8)],
                         "composite": [90.0, 88, 85, 80, 77, 70, 60]})


@pytest.fixture(autouse=True)
def restore():
    yield
    paging.set_limit(Pages().table_rows, False)


def _rows(styler) -> int:
    return styler.to_html().count("<tr>") - 1  # the heading row


def test_a_long_table_shows_its_first_rows_and_where_the_rest_is(frame):
    paging.set_limit(3, company=False)
    styler = display.show(frame, "en")
    assert _rows(styler) == 3 and "p3" in styler.to_html() and "p4" not in styler.to_html()
    assert styler.caption == ('The first 3 of 7 rows; every person&#x27;s figures are in the scoring sheet: '
                              '<a href="scores.xlsx">scores.xlsx</a>')
    paging.set_limit(3, company=True)  # the company's sheet is one folder up
    zh = display.show(frame, "zh").caption
    assert zh == '仅显示前 3 行（共 7 行）；全部人员的数据见评分表： <a href="../scores.xlsx">scores.xlsx</a>'


def test_short_tables_and_tables_cut_by_their_notebook_have_no_caption(frame):
    paging.set_limit(7, company=False)
    assert display.show(frame, "en").caption is None and _rows(display.show(frame, "en")) == 7
    paging.set_limit(3, company=False)
    cut = display.show(frame, "en", max_rows=5)  # the notebook asked for 5 (e.g. the outlook's 30)
    assert cut.caption is None and _rows(cut) == 5


def test_the_page_takes_its_limit_from_the_scheme(frame):
    wb = SimpleNamespace(config=SimpleNamespace(scheme=SimpleNamespace(pages=Pages(table_rows=2))), company=False,
                         lang="en", span=SimpleNamespace(label="2026Q3"), department_name=lambda: "Sales")
    display.title(wb, "30_rankings")
    assert paging.limit() == 2 and _rows(display.show(frame, "en")) == 2
    assert load_config().scheme.pages == Pages(table_rows=300, details_per_part=500)  # scheme.yaml's
