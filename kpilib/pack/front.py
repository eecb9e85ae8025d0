"""The cards of the front page and the landing pages, ready for their template
(`card.html.j2`): kpilib.cards' figures written in the report's language, each with the link
to the page that explains it.

A figure links to its section page when the pack holds it: the mean and its change and the
grades to the overview (10), the tiers to the rankings (30), bonuses, the watch list and
reviews to the results applied (60), KPIs below target and default targets to the overview
(whose banner lists them), people without a composite to the score details (70). On the
period's front page a department under `privacy.min_cell` shows its headcount and
warnings only; its landing page, which its manager reads, shows everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kpilib import cards as figures_of
from kpilib.i18n import sentence, word
from kpilib.pack.plan import is_part
from kpilib.rounding import round_half_up_scalar
from kpilib.workbench import COMPANY, Workbench

EXPLAINED = {"mean": "10_overview", "grades": "10_overview", "tiers": "30_rankings", "incentives": "60_incentives",
             "kpis": "10_overview", "borrowed": "10_overview", "unscored": "70_details"}
SHOWN_KPIS = 3  # KPIs below target named on the front page's card (all of them on the landing page)
SEGMENTS = 5  # colours of a mix bar (style.css .seg0 … .seg4)


@dataclass
class Figures:
    """kpilib.cards' frames for one pack: cards, mixes, KPIs below target."""

    cards: pd.DataFrame
    mix: pd.DataFrame
    below: pd.DataFrame

    @classmethod
    def of(cls, wb: Workbench) -> Figures:
        return cls(figures_of.cards(wb), figures_of.card_mix(wb), figures_of.kpis_below_target(wb))


def words(lang: str) -> dict[str, str]:
    """The cards' fixed words in `lang`."""
    keys = ["people", "mean", "grades", "tiers", "bonus", "watch", "review", "kpis", "warnings", "documents",
            "downloads", "departments", "up_to_date", "kept"]
    return {k: word(f"card.{k}", lang) for k in keys}


def one(value: float) -> str:
    """A composite as shown: one decimal, rounded half up."""
    return f"{round_half_up_scalar(value, 1):.1f}"


def percent(value: float) -> str:
    return f"{round_half_up_scalar(100 * value, 1):.1f}%"


def _change(row, previous: str | None, lang: str) -> dict:
    if pd.isna(row.change):
        return {"text": sentence("card.no previous", lang), "cls": "muted"}
    shown = round_half_up_scalar(row.change, 1) + 0.0  # + 0.0: no "-0.0"
    arrow, cls = ("▲", "up") if shown > 0 else ("▼", "down") if shown < 0 else ("", "muted")
    return {"text": sentence("card.change", lang, previous=previous, change=f"{arrow}{shown:+.1f}"), "cls": cls}


def _bar(mix: pd.DataFrame, written=str) -> dict:
    """A mix as a bar's segments (zero-people parts left out of the bar, kept in the legend)."""
    total = int(mix["people"].sum())
    parts = [{"label": written(v), "people": int(n), "cls": f"seg{i % SEGMENTS}",
              "width": f"{100 * n / total:.2f}%" if total else "0%"} for i, (v, n) in enumerate(zip(mix["value"], mix["people"], strict=True))]
    return {"segments": [p for p in parts if p["people"]], "legend": parts}


def cards_view(wb: Workbench, documents: list[dict], at: str | None = None, figures: Figures | None = None) -> list[dict]:
    """One dict per card (company first) for `card.html.j2`. `at`: None for the period's
    front page (links into the department folders, small departments' scores left out),
    else the department whose landing page shows the cards (links from its folder)."""
    figures = figures or Figures.of(wb)
    held = {(d["department"], d["section"]): d for d in documents if not is_part(d)}  # parts: from their page
    lang, least = wb.lang, wb.config.scheme.privacy.min_cell
    small = set(figures.cards.loc[figures.cards["small"], "department"]) if at is None else set()  # the company's
    # list of KPIs names no attainment of a department under min_cell on the front page
    out = []
    for row in figures.cards.itertuples(index=False):
        dept = row.department
        prefix = "" if at == dept else f"../{dept}/" if at else f"{dept}/"

        def href(what: str, dept=dept, prefix=prefix) -> str | None:
            doc = held.get((dept, EXPLAINED[what]))
            page = next((p for p in (doc or {}).get("outputs", []) if p.endswith(".html")), None)
            return prefix + page.split("/", 1)[1] if page else None

        hidden = bool(row.small) and at is None
        mix = figures.mix[figures.mix["department"] == dept]
        below = figures.below[~figures.below["department"].isin(small)].sort_values("attainment", kind="stable") \
            if dept == COMPANY else figures.below[figures.below["department"] == dept]
        card = {"department": dept, "company": dept == COMPANY, "name": wb.department_name(dept),
                "href": prefix + "index.html" if any(d == dept for d, _ in held) and at != dept else None,
                "people": int(row.people), "small": sentence("card.small", lang, least=least) if hidden else "",
                "mean": None, "grades": None, "tiers": None, "bonus": None, "watch": None, "kpis": None}
        if not hidden and row.people:
            card["mean"] = {"text": one(row.mean), "href": href("mean"), "change": _change(row, wb.previous, lang)}
            card["grades"] = {"href": href("grades"), **_bar(mix[mix["part"] == "grade"])}
            card["tiers"] = {"href": href("tiers"), **_bar(mix[mix["part"] == "tier"])}
            if not pd.isna(row.bonus_paid):
                paid = mix[mix["part"] == "bonus"]
                text = sentence("card.paid not in full" if row.bonus_not_in_full else "card.paid", lang,
                                paid=int(row.bonus_paid), n=int(row.bonus_not_in_full))
                card["bonus"] = {"href": href("incentives"), "text": text, **_bar(paid, lambda m: f"{m:g}×")}
            if not pd.isna(row.watch_list):
                # the rule's people as section 60 counts them, then those of them sent to review
                card["watch"] = {"href": href("incentives"), "watch": int(row.watch_list + row.review),
                                 "review": int(row.review)}
            if row.kpis:
                names = [(f"{wb.department_name(d)} · " if dept == COMPANY else "") + n
                         for d, n in zip(below["department"], below["kpi_name"], strict=True)]
                listed = list(zip(names, map(percent, below["attainment"]), strict=True))
                card["kpis"] = {"href": href("kpis"),
                                "text": sentence("card.of kpis", lang, below=int(row.below_target), of=int(row.kpis)),
                                "names": listed if at else listed[:SHOWN_KPIS], "more": len(listed) > SHOWN_KPIS and not at}
        card["warnings"] = [{"text": sentence(f"card.{what}", lang, n=int(n)), "href": href(what)}
                            for what, n in (("unscored", row.unscored), ("borrowed", row.borrowed)) if n]
        out.append(card)
    return out
