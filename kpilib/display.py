"""Showing section tables in a notebook: labelled columns in the report's language,
numbers formatted by what they are (percent, p-value, score), no index, and Markdown.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from kpilib import paging
from kpilib.i18n import labelled, pick, word
from kpilib.messages import say
from kpilib.ratings import DECIMALS
from kpilib.rounding import round_half_up_scalar

PERCENT = {"attainment", "met_target", "top_share", "share", "stayed", "mean_ratio", "median_ratio",
           "share_overrating", "top 20%", "middle 60%", "bottom 20%", "share_3", "tier_probability", "moved_up", "moved_down",
           "growth", "gain", "interval_level"}
THREE = {"gini", "kendall_tau_b", "spearman_rho", "rbo", "lmg", "first", "relative_weight", "r2",
         "spearman", "variance", "slope", "mean_gap", "epsilon_sq", "H", "correlation", "lmg_low", "lmg_high",
         "mae_model", "mae_naive"}
LENIENCY = {"leniency", "ci_low", "ci_high", "estimate"}  # signed, to the decimals the flag rule judges (ratings.leniency_flag)
TWO = {"rating", "supervisor_rating", "flag_threshold"}  # ratings keep the scheme's 2 decimals, so weight × rating / 5 can be checked
PVALUE = {"p_val", "p_adj", "kendall_p", "spearman_p"}
WRAP = {"formula", "inputs", "evidence", "status", "outcome", "target_source", "kpis", "rule", "rule_text", "calculation",
        "rubric", "note", "source"}
WRITTEN = {"actual", "target", "baseline", "challenge", "total", "before", "now"}  # numbers written as text in their unit: right-aligned  # long text may wrap; other cells stay on one line


def _format(column: str, percent: set[str], less_than: str = "<"):
    """Formatter for a column; decimals are rounded half up as Excel does (0.125 → 0.13).
    `less_than`: how "<" is written (a Styler does not escape what a formatter returns)."""
    if column in percent:
        return lambda v: "" if _missing(v) else f"{round_half_up_scalar(100 * v, 1) + 0.0:.1f}%"  # + 0.0: no "-0.0%"
    if column in PVALUE:
        return lambda v: "" if _missing(v) else (f"{less_than}0.001" if v < 0.001 else f"{round_half_up_scalar(v, 3):.3f}")
    if column in LENIENCY:
        return lambda v: "" if _missing(v) else f"{round_half_up_scalar(v, DECIMALS) + 0.0:+,.{DECIMALS}f}"  # + 0.0: no "-0.00"
    if column in TWO:
        return lambda v: "" if _missing(v) else f"{round_half_up_scalar(v, 2):.2f}"
    if column in THREE:
        return lambda v: "" if _missing(v) else f"{round_half_up_scalar(v, 3):,.3f}"
    return lambda v: "" if _missing(v) else (f"{round_half_up_scalar(v, 1):,.1f}" if isinstance(v, float) else v)


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def show(frame: pd.DataFrame, lang: str = "zh", percent: Iterable[str] = (), max_rows: int | None = None,
         empty: str | None = None):
    """A display-ready Styler of `frame`: labels in `lang`, formats per column, no index.

    `percent` names extra columns shown as percentages (e.g. `previous` of an attainment).
    An empty frame is never shown as a table: `empty` (a sentence saying why, e.g.
    `narrate.unavailable`) is shown instead."""
    if frame.empty:
        return markdown(empty or word("nothing to list", lang))
    pct = PERCENT | set(percent)
    data = frame.head(max_rows) if max_rows else paging.first_rows(frame)  # a long table: the page's first rows
    shown = labelled(data, lang)
    names = dict(zip(data.columns, shown.columns, strict=True))
    formats = {names[c]: _format(str(c), pct, "&lt;") for c in data.columns if pd.api.types.is_numeric_dtype(data[c])}
    text = [names[c] for c in data.columns if not pd.api.types.is_numeric_dtype(data[c]) and str(c) not in WRITTEN]
    wrap = [names[c] for c in data.columns if str(c) in WRAP]
    styles = {name: [{"selector": "td", "props": "text-align:left"}] for name in text}
    for name in wrap:
        styles.setdefault(name, []).append({"selector": "td", "props": "white-space:normal;min-width:8em"})
    digest = hashlib.sha1(pd.util.hash_pandas_object(data, index=False).to_numpy().tobytes()
                          + "|".join(map(str, data.columns)).encode()).hexdigest()[:10]
    styler = (shown.style.format(formats, na_rep="", escape="html").hide(axis="index")
              .set_table_styles(styles, overwrite=False)  # one rule per column, not per cell
              .set_uuid(digest)  # ids from the content: the same table renders to the same bytes
              .set_table_attributes('class="kpi-table"'))
    return styler.set_caption(paging.caption(len(frame), lang)) if len(data) < len(frame) and not max_rows else styler


def markdown(text: str):
    """Markdown for the notebook; HTML in it is escaped (names and notes come from data files).
    IPython is imported here so kpilib stays usable without it."""
    import html

    from IPython.display import Markdown

    return Markdown(html.escape(text, quote=False))


def heading(lang: str, zh: str, en: str, level: int = 2) -> None:
    """Show a heading in the report's language."""
    from IPython.display import display

    display(markdown("#" * level + " " + pick((zh, en), lang)))


def titled(frame: pd.DataFrame, lang: str, zh: str, en: str, intro: str = "", **show_options) -> None:
    """A heading, an optional sentence (`intro`) and the table under it (`show`), or nothing
    when the table is empty."""
    from IPython.display import display

    if len(frame):
        heading(lang, zh, en)
        if intro:
            display(markdown(intro))
        display(show(frame, lang, **show_options))


def title(wb, section: str) -> None:
    """The section's title: department, period and section name; on company pages the
    privacy rule under it (narrate.small_groups). Sets the page's table limit (kpilib.paging)."""
    from IPython.display import display

    from kpilib.i18n import section_title
    from kpilib.narrate import small_groups

    paging.set_limit(wb.config.scheme.pages.table_rows, wb.company)  # this page's long tables
    heading(wb.lang, *(f"{wb.department_name()} · {wb.span.label} · {section_title(section, lang)}"
                       for lang in ("zh", "en")), level=1)
    if wb.company:
        display(markdown(small_groups(wb)))


def table_html(frame: pd.DataFrame, lang: str = "zh", percent: Iterable[str] = ()) -> str:
    """The plain-HTML form of `show` (same labels and formats, no per-cell styles): ~5× faster,
    for pages that hold thousands of small tables."""
    head, rows = _rows_html(frame, lang, percent)
    return _table(head, "".join(rows))


def _rows_html(frame: pd.DataFrame, lang: str, percent: Iterable[str] = ()) -> tuple[str, pd.Series]:
    """The heading row of `frame` as `table_html` writes it and each row's `<tr>` (aligned
    with `frame`): labelled, formatted and escaped column by column, once for the whole
    frame, so that a page of thousands of small tables (the score cards) formats each cell
    once and cuts the rows per table (`cards`)."""
    import html

    pct = PERCENT | set(percent)
    shown = labelled(frame, lang)
    row = pd.Series("<tr>", index=frame.index, dtype=object)
    for raw, name in zip(frame.columns, shown.columns, strict=True):
        values = frame[raw].map(_format(str(raw), pct)) if pd.api.types.is_numeric_dtype(frame[raw]) else shown[name]
        row = row + "<td>" + values.map(lambda v: "" if _missing(v) else html.escape(str(v))).astype(object) + "</td>"
    head = "<tr>" + "".join(f"<th>{html.escape(str(name))}</th>" for name in shown.columns) + "</tr>"
    return head, row + "</tr>"


def _table(head: str, rows: str) -> str:
    return f'<table border="0" class="dataframe kpi-table kpi-card"><thead>{head}</thead><tbody>{rows}</tbody></table>'


def cards(details: pd.DataFrame, lang: str = "zh", parts: Sequence[tuple[str, pd.DataFrame]] = (),
          person: tuple[str, ...] = ("rank", "employee_id", "name", "composite", "grade", "tier")):
    """One heading and one table per person (sections.score_details): the appeal view, as a
    single HTML output (a department of thousands stays one output, not thousands).
    `parts`: (title word, frame with an employee_id column) shown under each person's lines
    with the person's rows, titled `word(title)` (e.g. sections.chain_steps, rating_evidence).
    Every frame is formatted once (`_rows_html`) and cut per person."""
    import html as escape

    from IPython.display import HTML

    def per_person(frame: pd.DataFrame, drop: list[str]) -> tuple[str, pd.Series]:
        head, rows = _rows_html(frame.drop(columns=drop), lang)
        return head, rows.groupby(frame["employee_id"].to_numpy(), sort=False).agg("".join)

    extras = [(f"<h4>{escape.escape(word(key, lang))}</h4>", *per_person(frame, ["employee_id"]))
              for key, frame in parts if len(frame)]
    head, own = per_person(details, list(person))
    blocks = []
    for p in details.drop_duplicates("employee_id").sort_values(list(person[:2])).itertuples(index=False):
        p = p._asdict()
        title = say("card.title", lang, rank=p["rank"], name=p["name"], id=p["employee_id"], composite=p["composite"],
                    grade=p["grade"], tier=p["tier"])
        employee = p["employee_id"]
        extra = "".join(heading + _table(head_, rows[employee]) for heading, head_, rows in extras if employee in rows.index)
        blocks.append(f'<div class="card"><h3>{escape.escape(title)}</h3>' + _table(head, own[employee]) + extra + "</div>")
    hint = word("card filter", lang)
    return HTML(f'<input class="card-filter" type="search" placeholder="{hint}">' + "".join(blocks))
