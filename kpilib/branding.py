"""A client's look and defaults (`params/clients/<name>/branding.yaml`): company name,
primary colour, report language, logo and paper size.

It sits below the workbench and the pack because both read it: the workbench resolves a
notebook's language and company name from it, the notebooks give its colour to the charts
(`kpilib.plots.set_theme`), and the pack puts its name, logo, colour and paper on every page.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from kpilib.config import default_params_dir
from kpilib.problems import UserError

HOUSE_PRIMARY = "#1f4e79"
PAPERS = ("A4", "Letter")
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Branding:
    """A client's branding, or the house look when the client has none.

    `company`: the client's name as its readers know it (None: not given; pages then say
    "kpireport" in the header and 全公司 / "Whole company" for the company level, never the
    client's folder name). `logo`: a data URI, so pages stay offline. `paper`: the PDF page
    size (A4 or Letter)."""

    company: str | None = None
    primary: str = HOUSE_PRIMARY
    language: str = "zh"
    logo: str = ""
    paper: str = "A4"

    def __post_init__(self):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", self.primary):
            raise ValueError(f"colours.primary: expected a colour like {HOUSE_PRIMARY}, got {self.primary!r}")
        if self.language not in LANGUAGES:
            raise ValueError(f"language: expected zh or en, got {self.language!r}")
        if self.paper not in PAPERS:
            raise ValueError(f"paper: expected {' or '.join(PAPERS)}, got {self.paper!r}")

    def company_name(self, lang: str) -> str:
        """What the company level ("all") is called on a page: the client's name, else 全公司 / Whole company."""
        return self.company or ("全公司" if lang == "zh" else "Whole company")


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
    path = default_params_dir() / "clients" / (client or "") / "branding.yaml"
    return path if client and path.is_file() else None


def load_branding(client: str | None) -> Branding:
    """The client's `branding.yaml` (company, colours.primary, language, logo, paper), else the
    house look. A mistake in the file is a UserError naming the file and the key."""
    path = branding_file(client)
    if path is None:
        return Branding()
    folder = path.parent
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        colours = data.get("colours") or {}
        logo = ""
        if data.get("logo"):
            image = folder / str(data["logo"])
            kind = mimetypes.guess_type(image.name)[0]
            if not image.is_file() or not kind or not kind.startswith("image/"):
                raise ValueError(f"logo: expected an image file next to branding.yaml, got {data['logo']!r}")
            logo = f"data:{kind};base64," + base64.b64encode(image.read_bytes()).decode()
        return Branding(company=str(data["company"]) if data.get("company") else None,
                        primary=str(colours.get("primary") or HOUSE_PRIMARY),
                        language=str(data.get("language") or "zh"), logo=logo, paper=str(data.get("paper") or "A4"))
    except (yaml.YAMLError, ValueError, AttributeError) as exc:
        raise UserError(f"{path}: {exc}") from None
