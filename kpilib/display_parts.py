"""Showing a large department's score details in parts (kpilib.sections.parts): on the
department's page the list of its parts, each linked to its page; on a part's page which
part it is and the way back to the list."""

from __future__ import annotations

import html

import pandas as pd

from kpilib.i18n import labelled
from kpilib.messages import say


def _links(parts: pd.DataFrame, lang: str) -> str:
    """`parts` (sections.part_list) as an HTML table, its first column linked to `href`; text escaped."""
    shown = labelled(parts.drop(columns="href"), lang).astype(str).map(html.escape)
    first = shown.columns[0]
    shown[first] = [f'<a href="{html.escape(href)}">{text}</a>' for text, href in zip(shown[first], parts["href"], strict=True)]
    return shown.to_html(index=False, border=0, escape=False, classes="kpi-table")


def contents(parts: pd.DataFrame, part: int | None, lang: str, back: str):
    """What a page of a department's score details holds, for the notebook to show: the
    list of its parts (`part` None, the department in parts), which part this is with a
    link `back` to the list (a part's page), or None (the department on one page)."""
    from IPython.display import HTML

    if parts.empty:
        return None
    if part is None:
        intro = say("details.parts", lang, parts=len(parts), people=f"{int(parts['people'].sum()):,}")
        return HTML(f"<p>{html.escape(intro, quote=False)}</p>" + _links(parts, lang))
    row = parts.set_index("part").loc[part]
    intro = say("details.part", lang, part=part, parts=len(parts), teams=row["teams"], people=f"{int(row['people']):,}")
    return HTML(f'<p>{html.escape(intro, quote=False)} <a href="{html.escape(back)}">{html.escape(say("details.back", lang))}</a></p>')
