"""What a partial pack keeps of the previous one (kpilib.pack.carry): a rebuilt document keeps
none of its previous outputs, whatever their format; what stays stale is named with its fix."""

from __future__ import annotations

from pathlib import Path

from kpilib.pack import carry
from kpilib.pack.plan import Document

INPUTS = {"measures.csv": "new"}


def _doc(department: str, section: str, formats: tuple[str, ...]) -> Document:
    return Document("2026Q3", department, section, Path("x.ipynb"), {}, formats, "key", INPUTS, "nb")


def test_a_rebuilt_document_drops_its_other_formats(tmp_path):
    for name in ["sales/70_details.html", "sales/70_details.pdf", ".pages/sales/70_details.ipynb"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("old scores", encoding="utf-8")
    doc = _doc("sales", "70_details", ("html",))
    carry.clear(doc, tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # the old PDF described the old data
    (tmp_path / "sales/70_details.html").write_text("new scores", encoding="utf-8")
    previous = [{"department": "sales", "section": "70_details", "inputs": {"measures.csv": "old"},
                 "outputs": ["sales/70_details.html", "sales/70_details.pdf"]}]
    built = [{"department": "sales", "section": "70_details", "inputs": INPUTS, "outputs": ["sales/70_details.html"]}]
    assert carry.merge(built, previous, tmp_path, INPUTS) == built  # nothing kept, nothing flagged


def test_stale_documents_name_the_option_that_rebuilds_them(tmp_path):
    (tmp_path / "sales").mkdir()
    for name in ["sales-2026Q3.pdf", "20_rankings.html"]:
        (tmp_path / "sales" / name).write_text("old", encoding="utf-8")
    previous = [{"department": "sales", "section": "book", "inputs": {}, "outputs": ["sales/sales-2026Q3.pdf"]}]
    entries = carry.merge([], previous, tmp_path, INPUTS)
    assert entries[0]["stale"] and entries[0]["kept"] == ["sales/sales-2026Q3.pdf"]
    docs = [_doc("sales", "10_overview", ("html",))]
    assert carry.rerun(entries, docs, ("html",), ["sales"]) == ["pdf"]  # not "without --departments"
    ranks = carry.merge([], [{"department": "sales", "section": "20_rankings", "inputs": {},
                              "outputs": ["sales/20_rankings.html"]}], tmp_path, INPUTS)
    assert carry.rerun(ranks, docs, ("html",), ["sales"]) == ["sections"]
    assert carry.rerun(ranks, [_doc("hr", "20_rankings", ("html",))], ("html",), ["sales", "hr"]) == ["departments"]
    assert carry.rerun(ranks, docs, ("html",), ["hr"]) == ["prune"]
    assert carry.rerun(carry.merge([], previous, tmp_path, {}), docs, ("html",), ["sales"]) == []  # same data
