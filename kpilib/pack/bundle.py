"""Distribution: one zip per department with exactly its documents, for HR to send to that
department's manager.

`<period>/<department>.zip` holds the department's outputs listed in the manifest (HTML,
PDF, its book, whether built by this run or kept from the previous pack, but none marked
stale: built from other data than this run's) and its own
scoring sheet `<department>/scores.xlsx`, under their paths in the period folder; nothing
of another department and nothing of the company level. The bytes are deterministic
(kpilib.zipbytes: members in name order, all dated 1980-01-01 00:00), and so are those of
the scoring sheet inside, so the same documents give the same zip (its sha256 can be
checked by the recipient).
"""

from __future__ import annotations

from pathlib import Path

from kpilib import zipbytes
from kpilib.workbench import COMPANY


def members(entries: list[dict], department: str, folder: Path) -> list[str]:
    """The files of `department` in `folder` (relative paths, sorted): its current documents' outputs
    (none of a stale one), its scoring sheet and its follow-up actions."""
    names = {p for e in entries if e["department"] == department and not e.get("stale") for p in e.get("outputs", [])}
    names |= {f"{department}/scores.xlsx", f"{department}/actions.csv"}
    return sorted(n for n in names if (folder / n).is_file())


def write_zip(path: Path, folder: Path, names: list[str]) -> None:
    """`names` (relative to `folder`) into the zip `path`, byte-for-byte reproducible."""
    zipbytes.write_zip(path, [(name, (folder / name).read_bytes()) for name in names])


def write_bundles(entries: list[dict], folder: Path) -> list[str]:
    """`<department>.zip` in `folder` for every department with documents; returns their names."""
    written = []
    for department in dict.fromkeys(e["department"] for e in entries):
        if department == COMPANY:
            continue
        names = members(entries, department, folder)
        if names:
            write_zip(folder / f"{department}.zip", folder, names)
            written.append(f"{department}.zip")
    return written
