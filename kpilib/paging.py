"""Tables above a size: a page shows the first rows and says where the rest is.

A table of more than `pages.table_rows` rows (scheme.yaml, default 300) is shown with its
first `table_rows` rows and a caption: how many rows there are and that every person's
figures are in the scoring sheet (`scores.xlsx`, which the pack writes next to a
department's pages, and one folder up for the company's), linked. The limit is the page's, set
once per notebook from its workbench (`display.title` calls `set_limit`), as the plot
theme is (a notebook that never calls it keeps the limit set last, at first the default).
"""

from __future__ import annotations

import html

import pandas as pd

from kpilib.config import Pages
from kpilib.messages import say

_page = {"rows": Pages().table_rows, "sheet": "scores.xlsx"}


def set_limit(rows: int, company: bool) -> None:
    """The rows a table of this page shows at most; where the page's scoring sheet is."""
    _page.update(rows=rows, sheet="../scores.xlsx" if company else "scores.xlsx")


def limit() -> int:
    return _page["rows"]


def caption(total: int, lang: str) -> str:
    """The caption of a table cut to the page's limit (HTML, the scoring sheet linked)."""
    text = say("table.first_rows", lang, shown=f"{_page['rows']:,}", total=f"{total:,}")
    return f'{html.escape(text)} <a href="{html.escape(_page["sheet"])}">scores.xlsx</a>'


def first_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of `frame` a page shows: at most its limit."""
    return frame.head(_page["rows"])
