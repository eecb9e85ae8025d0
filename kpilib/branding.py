"""A client's look and defaults (`params/clients/<name>/branding.yaml`): company name,
primary colour, report language, logo and paper size.

It sits below the workbench and the pack because both read it: the workbench resolves a
notebook's language and company name from it, the notebooks give its colour to the charts
(`kpilib.plots.set_theme`), and the pack puts its name, logo, colour and paper on every page.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from kpilib.config import client_dir
from kpilib.i18n import use_client_words, word
from kpilib.problems import Problems, UserError
from kpilib.yamlfile import read_yaml

HOUSE_PRIMARY = "#1f4e79"
PAPERS = ("A4", "Letter")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Branding:
    """A client's branding, or the house look when the client has none.

    `company`: the client's name as its readers know it (None: not given; pages then say
    "kpireport" in the header and 全公司 / "Whole company" for the company level, never the
    client's folder name). `logo`: a data URI, so pages stay offline. `paper`: the PDF page
    size (A4 or Letter). `currency`: the symbol written before amounts of a currency unit
    (¥, $, €; empty: amounts without a symbol)."""

    company: str | None = None
    primary: str = HOUSE_PRIMARY
    language: str = "zh"
    logo: str = ""
    paper: str = "A4"
    currency: str = ""

    def __post_init__(self):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.primary):
            raise ValueError(f"colours.primary: expected a colour like {HOUSE_PRIMARY}, got {self.primary!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language: expected zh or en, got {self.language!r}")
        if self.paper not in PAPERS:
            raise ValueError(f"paper: expected {' or '.join(PAPERS)}, got {self.paper!r}")

    def company_name(self, lang: str) -> str:
        """What the company level ("all") is called on a page: the client's name, else 全公司 / Whole company."""
        return self.company or word("whole company", lang)


def report_language(lang: str | None, branding: Branding, label: str = "lang") -> str:
    """The language of a report: `lang` when given, else the client's branding language (zh
    when the client has none). The one place this is decided, for the CLI's --lang and the
    notebooks' `lang` parameter (`open_workbench`)."""
    lang = lang or branding.language
    if lang not in LANGUAGES:
        raise UserError(f"{label}: expected zh or en, got {lang!r}")
    return lang


def branding_file(client: str | None) -> Path | None:
    """`params/clients/<client>/branding.yaml` when the client has one."""
    if not client:
        return None
    path = client_dir(client) / "branding.yaml"
    return path if path.is_file() else None


def words_file(client: str | None) -> Path | None:
    """`params/clients/<client>/messages.yaml` (the client's words, kpilib.i18n) when it has one."""
    if not client:
        return None
    path = client_dir(client) / "messages.yaml"
    return path if path.is_file() else None


def load_branding(client: str | None) -> Branding:
    """The client's `branding.yaml` (company, colours.primary, language, logo, paper, currency), else the
    house look. A mistake in the file is a UserError naming the file and the key. The
    client's words (`messages.yaml` beside it, kpilib.i18n.use_client_words) are taken too."""
    use_client_words(words_file(client))
    path = branding_file(client)
    if path is None:
        return Branding()
    problems = Problems()
    data = read_yaml(path, problems)
    problems.raise_if_errors(str(path))
    try:
        colours = data.get("colours") or {}
        logo = _logo(path.parent, data["logo"]) if data.get("logo") else ""
        return Branding(company=str(data["company"]) if data.get("company") else None,
                        primary=str(colours.get("primary") or HOUSE_PRIMARY),
                        language=str(data.get("language") or "zh"), logo=logo, paper=str(data.get("paper") or "A4"),
                        currency=str(data.get("currency") or ""))
    except (ValueError, AttributeError) as exc:
        raise UserError(f"{path}: {exc}") from None


MAX_LOGO_BYTES = 2_000_000
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif",
                    b"RIFF": "image/webp"}


def _logo(folder: Path, name: object) -> str:
    """The logo as a data URI: a file inside the client's folder, an image by its content
    (PNG, JPEG, GIF, WebP or SVG), at most MAX_LOGO_BYTES."""
    image = (folder / str(name)).resolve()
    if not image.is_relative_to(folder.resolve()) or not image.is_file():
        raise ValueError(f"logo: expected an image file inside {folder}, got {name!r}")
    if image.stat().st_size > MAX_LOGO_BYTES:
        raise ValueError(f"logo: {name} is {image.stat().st_size:,} bytes; at most {MAX_LOGO_BYTES:,}")
    content = image.read_bytes()
    kind = next((k for sig, k in IMAGE_SIGNATURES.items() if content.startswith(sig)), None)
    if kind is None and b"<svg" in content[:2048].lower():
        kind = "image/svg+xml"
    if kind is None:
        raise ValueError(f"logo: {name} is not a PNG, JPEG, GIF, WebP or SVG image")
    return f"data:{kind};base64," + base64.b64encode(content).decode()
