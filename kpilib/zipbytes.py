"""Zip files whose bytes depend only on what they hold: the department zips of a pack
(kpilib.pack.bundle) and the XLSX files the tool writes (an XLSX is a zip).

Members keep their order, every one dated 1980-01-01 00:00 (the earliest time a zip can
hold) with mode 0644, deflated at level 9. An XLSX also records when it was created and
last modified (`docProps/core.xml`, which openpyxl sets to the time of writing): both are
set to that same instant, so an unchanged rebuild writes the same bytes.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

EPOCH = (1980, 1, 1, 0, 0, 0)
STAMP = "1980-01-01T00:00:00Z"  # EPOCH as an XLSX core property (W3CDTF, UTC)
CORE = "docProps/core.xml"
_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def write_zip(path: Path | str, members: list[tuple[str, bytes]]) -> None:
    """`members` (name, bytes) into the zip `path`, in the order given, byte-for-byte reproducible."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the machine
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)


def settle_xlsx(path: Path | str) -> None:
    """Rewrite the XLSX `path` reproducibly: members dated EPOCH, created/modified set to STAMP."""
    with zipfile.ZipFile(path) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    members = [(n, _TIMES.sub(rb"\g<1>" + STAMP.encode() + rb"\g<3>", data) if n == CORE else data)
               for n, data in members]
    write_zip(path, members)
