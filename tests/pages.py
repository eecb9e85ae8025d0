"""Checks of rendered pages that a reader would notice: an empty table, a heading with
nothing under it, a code word where a name belongs. Used by the pack tests on both
bundled companies."""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

HEADINGS = ("h1", "h2", "h3", "h4")


def _soup(page: Path | str) -> BeautifulSoup:
    text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    soup = BeautifulSoup(text, "html.parser")
    for hidden in soup.select("script, style, .anchor-link"):
        hidden.decompose()
    return soup


def empty_tables(page: Path | str) -> list[str]:
    """Tables with a header but no data cell: their first header cells, one string per table."""
    found = []
    for table in _soup(page).find_all("table"):
        if not table.find("td"):
            found.append(" | ".join(th.get_text(strip=True) for th in table.find_all("th")[:4]))
    return found


def bare_headings(page: Path | str) -> list[str]:
    """Headings followed by nothing (no text, table or image) before the next heading of the
    same or a higher level, or the end of the page's main part."""
    soup = _soup(page)
    root = soup.find("main") or soup.body or soup
    events: list[tuple[int, str]] = []  # (level, heading text) for headings, (0, "") for content

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if child.strip():
                    events.append((0, ""))
            elif isinstance(child, Tag):
                if child.name in HEADINGS:
                    events.append((int(child.name[1]), child.get_text(" ", strip=True)))
                elif child.name in ("img", "svg") or (child.name == "table" and child.find("td")):
                    events.append((0, ""))
                elif child.name != "table":
                    walk(child)

    walk(root)
    bare = []
    for i, (level, text) in enumerate(events):
        if not level:
            continue
        following = events[i + 1:]
        content = next((j for j, (lv, _) in enumerate(following) if lv == 0), None)
        closer = next((j for j, (lv, _) in enumerate(following) if 0 < lv <= level), None)
        if content is None or (closer is not None and closer < content):
            bare.append(text)
    return bare


def visible_text(page: Path | str) -> str:
    return _soup(page).get_text(" ", strip=True)


def words_present(page: Path | str, words: set[str]) -> set[str]:
    """Which of `words` (ids, codes) appear as whole words in the page's visible text, title included."""
    text = visible_text(page)
    return {w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)}
