"""Zip files whose bytes depend only on what they hold: the department zips of a pack
(kpilib.pack.bundle) and the XLSX files the tool writes (an XLSX is a zip).

Members keep their order, every one dated 1980-01-01 00:00 (the earliest time a zip can
hold) with mode 0644, deflated at level 9. An XLSX (kpilib.xlsx) dates its members the same
way and records that instant as when it was created and last modified (`STAMP`), so an
unchanged rebuild writes the same bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)
STAMP = "1980-01-01T00:00:00Z"  # EPOCH as an XLSX core property (W3CDTF, UTC)


def member(name: str) -> zipfile.ZipInfo:
    """A zip member `name` dated EPOCH, mode 0644, deflated, made on unix whatever the machine."""
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def write_zip(path: Path | str, members: list[tuple[str, bytes]]) -> None:
    """`members` (name, bytes) into the zip `path`, in the order given, byte-for-byte reproducible."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            archive.writestr(member(name), data, compresslevel=9)
