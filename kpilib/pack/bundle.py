"""Distribution: one zip per department with exactly its documents, for HR to send to that
department's manager.

`<period>/<department>.zip` holds the department's outputs listed in the manifest (HTML,
PDF, its book, whether built by this run or kept from the previous pack) and its own
scoring sheet `<department>/scores.xlsx`, under their paths in the period folder; nothing
of another department and nothing of the company level. The bytes are deterministic: members
in name order, every one dated 1980-01-01 00:00 with mode 0644, deflated, so the same
documents give the same zip (its sha256 can be checked by the recipient).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from kpilib.workbench import COMPANY

EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold


def members(entries: list[dict], department: str, folder: Path) -> list[str]:
    """The files of `department` in `folder` (relative paths, sorted): its documents' outputs, its scoring
    sheet and its follow-up actions."""
    names = {p for e in entries if e["department"] == department for p in e.get("outputs", [])}
    names |= {f"{department}/scores.xlsx", f"{department}/actions.csv"}
    return sorted(n for n in names if (folder / n).is_file())


def write_zip(path: Path, folder: Path, names: list[str]) -> None:
    """`names` (relative to `folder`) into the zip `path`, byte-for-byte reproducible."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the machine
            info.external_attr = 0o100644 << 16
            archive.writestr(info, (folder / name).read_bytes(), compresslevel=9)


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
