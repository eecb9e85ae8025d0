"""Distribution (kpilib.pack.bundle): one zip per department with exactly its documents,
the same bytes for the same documents."""

from __future__ import annotations

import os
import zipfile

from kpilib.pack.bundle import write_bundles

ENTRIES = [
    {"department": "all", "section": "10_overview", "outputs": ["all/10_overview.html"]},
    {"department": "sales", "section": "10_overview", "outputs": ["sales/10_overview.html", "sales/10_overview.pdf"]},
    {"department": "sales", "section": "book", "outputs": ["sales/sales-2026Q3.pdf"]},
    {"department": "hr", "section": "10_overview", "outputs": ["hr/10_overview.html"]},
]


def _folder(root):
    for entry in ENTRIES:
        for name in entry["outputs"]:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(f"<p>{name}</p>", encoding="utf-8")
    (root / "sales" / "scores.xlsx").write_bytes(b"sheet")
    (root / "sales" / "notes.txt").write_text("not a document", encoding="utf-8")  # not listed: left out
    (root / "scores.csv").write_text("everyone", encoding="utf-8")
    return root


def test_each_department_gets_exactly_its_documents(tmp_path):
    folder = _folder(tmp_path)
    assert write_bundles(ENTRIES, folder) == ["sales.zip", "hr.zip"]
    with zipfile.ZipFile(folder / "sales.zip") as archive:
        assert archive.namelist() == ["sales/10_overview.html", "sales/10_overview.pdf", "sales/sales-2026Q3.pdf",
                                      "sales/scores.xlsx"]
        assert archive.read("sales/scores.xlsx") == b"sheet" and archive.testzip() is None
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    with zipfile.ZipFile(folder / "hr.zip") as archive:
        assert archive.namelist() == ["hr/10_overview.html"]
    assert not (folder / "all.zip").exists()


def test_the_same_documents_give_the_same_bytes(tmp_path):
    one, two = _folder(tmp_path / "one"), _folder(tmp_path / "two")
    for path in two.rglob("*"):
        os.utime(path, (1_900_000_000, 1_900_000_000))  # other times on disk
    (two / "sales" / "10_overview.html").chmod(0o600)
    write_bundles(ENTRIES, one)
    write_bundles(list(reversed(ENTRIES)), two)
    assert (one / "sales.zip").read_bytes() == (two / "sales.zip").read_bytes()
    assert (one / "hr.zip").read_bytes() == (two / "hr.zip").read_bytes()


def test_a_stale_document_stays_out_of_the_zip(tmp_path):
    folder = _folder(tmp_path)
    entries = [{**e, "stale": True} if e["section"] == "book" else e for e in ENTRIES]
    write_bundles(entries, folder)
    with zipfile.ZipFile(folder / "sales.zip") as archive:  # the book was built from other data
        assert "sales/sales-2026Q3.pdf" not in archive.namelist()


def test_an_xlsx_holds_no_time_of_writing(tmp_path):
    import time

    import pandas as pd

    from kpilib import export, zipbytes

    frame = pd.DataFrame({"employee_id": ["E0001", "E0002"], "composite": [81.25, 67.5]})
    export._write_xlsx(str(tmp_path / "a.xlsx"), {"scores": frame})
    time.sleep(2.1)  # past the 2-second resolution of zip times
    export._write_xlsx(str(tmp_path / "b.xlsx"), {"scores": frame})
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        core = archive.read("docProps/core.xml").decode()
        assert core.count(zipbytes.STAMP) == 2 and archive.testzip() is None
    assert pd.read_excel(tmp_path / "a.xlsx").equals(frame)  # still a workbook Excel opens
