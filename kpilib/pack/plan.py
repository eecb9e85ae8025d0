"""Plan a pack: which section notebooks run for which departments, with which parameters.

Sections are the numbered notebooks of `notebooks/` (`10_overview.ipynb`, ...); a client
may add or replace sections in `params/clients/<name>/notebooks/`. A notebook's metadata
`kpireport.levels` says whether it runs per department, at company level ("all"), or both.
Each document gets a key: the sha256 of everything that decides its bytes (parameters,
input files, parameter files, the notebook, kpilib's source), so an unchanged document
can be skipped.

A notebook whose metadata says `kpireport.parts: teams` (70_details) also runs once per
part of a large department (kpilib.sections.parts): a document with the parameter `part`,
written next to the department's page (`sales/70_details-03.html`), which links it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pandas as pd

from kpilib.origin import client_dir, default_notebooks_dir, source_digest
from kpilib.problems import UserError
from kpilib.sections.parts import part_file
from kpilib.workbench import COMPANY

LEVELS = ("department", "company")
BOOK = "book"  # the section name of a department's bound PDF (kpilib.pack.book)


@dataclass
class Document:
    """One section of one department for one period, and where its outputs go (relative to the period folder)."""

    period: str
    department: str
    section: str
    notebook: Path
    parameters: dict
    formats: tuple[str, ...]
    key: str = ""
    inputs: dict[str, str] = field(default_factory=dict)  # input file → sha256
    notebook_sha256: str = ""
    env: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the department as readers know it (titles, footers); set by the pack
    company: str = ""  # the client's company name for the footer; set by the pack
    shown: dict[str, str] = field(default_factory=dict)  # data_dir and notebook as the manifest names them

    @property
    def part(self) -> int | None:
        """The part of the department's pages this document is (kpilib.sections.parts), else None."""
        return self.parameters.get("part")

    @property
    def stem(self) -> str:
        name = self.section if self.part is None else part_file(self.section, self.part).removesuffix(".html")
        return f"{self.department}/{name}"

    def outputs(self) -> list[str]:
        return [f"{self.stem}.{fmt}" for fmt in self.formats]

    @property
    def page(self) -> str:
        """The rendered HTML: an output, or a file set aside in `.pages/` while its PDF is
        printed when only PDF is asked."""
        return f"{self.stem}.html" if "html" in self.formats else f".pages/{self.stem}.html"

    @property
    def executed(self) -> str:
        """The executed notebook, kept in `.pages/`: the department book is bound from it
        (kpilib.pack.book), and an analyst can open it."""
        return f".pages/{self.stem}.ipynb"

    def files(self) -> list[str]:
        """Everything the document leaves in the period folder."""
        return [*self.outputs(), self.executed]


def is_part(entry: dict) -> bool:
    """Whether a manifest entry is a part of a department's pages (kpilib.sections.parts):
    linked from its department's page, never from the index, a landing page or a card."""
    return entry.get("parameters", {}).get("part") is not None


def sections_available(client: str | None = None, notebooks_dir: Path | None = None) -> dict[str, Path]:
    """Section name → notebook, the client's notebooks overriding or adding to the defaults."""
    found = {p.stem: p for p in sorted((notebooks_dir or default_notebooks_dir()).glob("[0-9]*.ipynb"))}
    if client:
        extra = client_dir(client) / "notebooks"
        found.update({p.stem: p for p in sorted(extra.glob("[0-9]*.ipynb"))})
    return dict(sorted(found.items()))


def sections_chosen(sections: list[str] | None, client: str | None = None,
                    notebooks_dir: Path | None = None) -> dict[str, Path]:
    """The notebooks of `sections` (names or their words: 10_overview or overview; None:
    every one available), section name → notebook; a UserError naming the unknown ones."""
    available = sections_available(client, notebooks_dir)
    if not sections:
        return available
    unknown = [s for s in sections if not any(s == name or name.split("_", 1)[-1] == s for name in available)]
    if unknown:
        raise UserError(f"--sections: unknown {', '.join(unknown)} (known: {', '.join(available)})")
    return {n: p for n, p in available.items() if n in sections or n.split("_", 1)[-1] in sections}


def _meta(notebook: Path) -> dict:
    return nbformat.read(notebook, as_version=4).metadata.get("kpireport", {})


def levels_of(notebook: Path) -> tuple[str, ...]:
    levels = tuple(_meta(notebook).get("levels", LEVELS))
    return tuple(level for level in levels if level in LEVELS) or LEVELS


def _parts_of(notebook: Path, department: str, parts: pd.DataFrame | None) -> list[int | None]:
    """The documents of a department's section: its page (None) and, for a notebook with
    `kpireport.parts: teams`, each part of `parts` (kpilib.sections.detail_parts) of the department."""
    if parts is None or parts.empty or _meta(notebook).get("parts") != "teams":
        return [None]
    return [None, *sorted(int(p) for p in parts.loc[parts["department"] == department, "part"].unique())]


def plan(period: str, departments: list[str], *, client: str | None, data_dir: Path | str, lang: str,
         formats: tuple[str, ...], inputs: dict[str, str], params: dict[str, str],
         sections: list[str] | None = None, notebooks_dir: Path | None = None,
         parts: pd.DataFrame | None = None) -> list[Document]:
    """Every document of the pack: each wanted section for the company ("all") and for each
    department its notebook supports, and for a notebook in parts one document per part of
    `parts` (kpilib.sections.detail_parts: department, part). `inputs` and `params` are
    file → sha256 maps."""
    available = sections_chosen(sections, client, notebooks_dir)
    source = source_digest()
    docs = []
    for name, notebook in available.items():
        levels = levels_of(notebook)
        targets = ([COMPANY] if "company" in levels else []) + (departments if "department" in levels else [])
        notebook_sha = hashlib.sha256(notebook.read_bytes()).hexdigest()
        for dept in targets:
            for part in _parts_of(notebook, dept, parts) if dept != COMPANY else [None]:
                parameters = {"period": period, "department": dept, "data_dir": str(data_dir),
                              "client": client, "lang": lang, **({} if part is None else {"part": part})}
                digest = hashlib.sha256(json.dumps({
                    "parameters": parameters, "inputs": inputs, "params": params, "formats": formats,
                    "notebook": notebook_sha, "kpilib": source,
                }, sort_keys=True).encode()).hexdigest()
                docs.append(Document(period, dept, name, notebook, parameters, formats, digest, inputs, notebook_sha))
    return docs
