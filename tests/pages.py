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


# Words of the other language (issue 11): a Chinese page shows no code words, an English
# page no Chinese but the data's own.
FILE_NAME = re.compile(r"[\w.-]+\.(?:html|pdf|xlsx|csv|parquet|yaml|json|ipynb|zip|png|svg)\b", re.I)
ASCII_WORD = re.compile(r"(?<![A-Za-z0-9_.@/\u0370-\u03ff-])[a-z][A-Za-z0-9_]*(?:[-.][a-z][A-Za-z0-9_]*)*(?![A-Za-z0-9_@/-])")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff01-\uff60]+")  # ideographs, CJK and full-width punctuation
UNITS_AND_BRANDS = frozenset({"kg", "km", "h", "pdf", "html", "xlsx", "csv", "zip", "kpireport",
                              "p"})  # p 值: the statistics symbol, as Chinese texts write it (p = 0.205)


def _visible(page: Path | str, data: re.Pattern | None = None) -> str:
    """What a reader sees: the text (the title included) and the alt, placeholder and title
    attributes, without what the page's style hides (warnings on stderr) and file names
    (links to documents), and without the data's own words (`data_values`) when given."""
    soup = _soup(page)
    for hidden in soup.select(".output_stderr"):
        hidden.decompose()
    shown = [soup.get_text(" ", strip=True)]
    shown += [str(node[a]) for a in ("alt", "placeholder", "title") for node in soup.select(f"[{a}]")]
    text = FILE_NAME.sub(" ", " ".join(shown))
    return data.sub(" ", text) if data else text


def code_words(page: Path | str, data: re.Pattern | None = None) -> set[str]:
    """Lowercase ASCII words in what a reader sees of a Chinese page (`_visible`), but for
    units, brands and symbols (`UNITS_AND_BRANDS`) and the data's own words (`data`: an
    English company's names, teams and regions)."""
    return set(ASCII_WORD.findall(_visible(page, data))) - UNITS_AND_BRANDS


def data_values(config, data) -> re.Pattern:
    """The data's own words, which a page shows as they are in either language: employees' names,
    regions, teams and positions, notes, and catalogue names that have no English (their
    `en` written in Chinese). One pattern, longest first, so a name inside a note goes with it."""
    values = {str(v) for column in ("name", "region", "team", "position") for v in data.employees[column].dropna()}
    values |= {str(v) for table in (data.measures, data.targets, data.ratings) if "note" in table
               for v in table["note"].dropna().unique()}
    catalog = config.catalog
    names = [*catalog.departments.values(), *(k.name for k in catalog.kpis.values()),
             *(m.name for m in catalog.measures.values())]
    values |= {n.en for n in names if CJK.search(n.en)}
    alternatives = "|".join(map(re.escape, sorted((v for v in values if v), key=len, reverse=True)))
    return re.compile(rf"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])")  # North, not North|wind


def chinese_words(page: Path | str, data: re.Pattern) -> set[str]:
    """Runs of Chinese characters in the visible text of an English page once the data's own
    words (`data_values`) are taken out."""
    return set(CJK.findall(_visible(page, data)))


def other_language(pack: Path, lang: str, data: re.Pattern, allowed: frozenset[str] = frozenset()) -> dict[str, set[str]]:
    """Every HTML page under `pack` → its words of the other language (`code_words` on a
    Chinese page, `chinese_words` on an English one) not in `allowed`; pages with none left out."""
    found = {}
    for page in sorted(pack.rglob("*.html")):
        words = (code_words(page, data) if lang == "zh" else chinese_words(page, data)) - allowed
        if words:
            found[str(page.relative_to(pack))] = words
    return found
