"""The one-command pack (interfaces.md §3–4): documents, index, manifest, privacy, offline
pages, up-to-date documents skipped, failures recorded, nothing half-written."""

from __future__ import annotations

import errno
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.problems import UserError
from tests.conftest import ROOT, SAMPLE
from tests.test_cli import said

runner = CliRunner()
SECTIONS = "overview,rankings,details"


def build(out: Path, *extra: str):
    return runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales,all", "--sections", SECTIONS,
                               "--jobs", "2", *extra])


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = build(out)
    assert result.exit_code == 0, said(result)
    return out / "2026Q3"


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_documents_index_and_manifest(pack):
    docs = manifest_of(pack)["documents"]
    assert {(d["department"], d["section"]) for d in docs} == {
        ("all", "10_overview"), ("all", "30_rankings"),
        ("sales", "10_overview"), ("sales", "30_rankings"), ("sales", "70_details")}
    for d in docs:
        assert d["status"] == "ok" and d["seconds"] > 0 and d["period"] == "2026Q3"
        assert d["parameters"]["department"] == d["department"] and len(d["key"]) == 64
        assert "measures.csv" in d["inputs"] and len(d["notebook_sha256"]) == 64
        assert (pack / d["outputs"][0]).exists()
    index = (pack / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{d["outputs"][0]}"' in index for d in docs)
    assert "measures.csv" in manifest_of(pack)["inputs"] and (pack / "scores.xlsx").exists()
    stages = manifest_of(pack)["stages"]  # where the pack's time went
    assert list(stages) == ["score", "analytics", "notebooks", "sheets", "front"] and min(stages.values()) >= 0
    assert sum(stages.values()) <= manifest_of(pack)["seconds"] + 0.001 * len(stages)  # each rounded to ms
    assert 'href="2026Q3/index.html"' in (pack.parent / "index.html").read_text(encoding="utf-8")  # every period


def test_pages_are_offline_and_chinese(pack):
    for page in pack.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), page
        assert "<script src" not in text
    overview = (pack / "sales" / "10_overview.html").read_text(encoding="utf-8")
    assert "销售部 · 2026Q3 · 概览与考核规则" in overview and 'src="data:image/png;base64' in overview
    assert "papermill notebooks" not in overview  # the analyst-only intro is not in the report


def test_a_department_pack_shows_only_its_people(pack, sample):
    people = sample.people()
    sales = set(people.loc[people["department"] == "sales", "name"])
    others = set(people.loc[people["department"] != "sales", "name"]) - sales
    text = "".join(p.read_text(encoding="utf-8") for p in (pack / "sales").glob("*.html"))
    assert sales & set(re.findall(r"[\u4e00-\u9fff]{2,3}", text))
    assert not [n for n in others if f">{n}<" in text]
    company = "".join(p.read_text(encoding="utf-8") for p in (pack / "all").glob("*.html"))
    assert not [n for n in set(people["name"]) if f">{n}<" in company]


def test_a_rerun_with_nothing_changed_writes_nothing(pack):
    def times() -> dict[Path, int]:  # the lock file aside: the check holds the lock, writing its pid
        return {p: p.stat().st_mtime_ns for p in pack.parent.rglob("*") if p.name != ".kpireport.lock"}

    before = times()
    again = build(pack.parent)
    assert again.exit_code == 0, said(again)
    assert "5 up to date, nothing changed since the last pack" in " ".join(again.output.split())
    assert times() == before


def test_up_to_date_documents_are_skipped(pack, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(pack.parent, out)  # elsewhere: the pack is checked document by document
    again = build(out)
    assert again.exit_code == 0 and "5 up to date" in again.output
    assert {d["status"] for d in manifest_of(out / "2026Q3")["documents"]} == {"skipped"}
    for sheet in ("scores.xlsx", "sales/scores.xlsx", "actions.csv"):  # same scoring: copied, not written again
        assert (out / "2026Q3" / sheet).stat().st_mtime_ns == (pack / sheet).stat().st_mtime_ns, sheet
    forced = build(out, "--force")
    assert {d["status"] for d in manifest_of(out / "2026Q3")["documents"]} == {"ok"} and forced.exit_code == 0
    for page in pack.rglob("*.html"):  # rebuilt from the same inputs: the same bytes
        assert (out / "2026Q3" / page.relative_to(pack)).read_bytes() == page.read_bytes(), page.name
    sheets_and_zips = [*pack.rglob("*.xlsx"), *pack.glob("*.zip")]
    assert any(p.suffix == ".zip" for p in sheets_and_zips) and any(p.suffix == ".xlsx" for p in sheets_and_zips)
    for built in sheets_and_zips:  # scoring sheets and department zips too (no time of writing inside)
        assert (out / "2026Q3" / built.relative_to(pack)).read_bytes() == built.read_bytes(), built.name


def files_of(period: Path) -> dict[str, bytes]:
    return {str(p.relative_to(period)): p.read_bytes() for p in period.rglob("*") if p.is_file()}


def test_a_partial_pack_adds_and_prune_removes(pack, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(pack.parent, out)
    period = out / "2026Q3"
    before, entries = files_of(period), manifest_of(period)["documents"]
    one = ["pack", "--out", str(out), "--departments", "sales", "--sections", "overview", "--force"]
    result = runner.invoke(app, one)
    said_flat = " ".join(result.output.split())  # rich wraps long paths at the console's width
    assert result.exit_code == 0 and "1 built, 0 up to date, 0 failed, 4 kept from the previous pack" in said_flat
    after = files_of(period)
    rebuilt = {"sales/10_overview.html", ".pages/sales/10_overview.ipynb", "index.html", "manifest.json", "scores.xlsx", "scores.csv", "sales/scores.xlsx",
               "sales.zip", "sales/index.html", "all/index.html"}  # the zip holds sales/scores.xlsx; landing pages list what was kept
    assert set(after) == set(before) | {"scores.previous.xlsx", "changes.csv", "changes.html"}  # a rebuild: restatement
    assert [name for name, data in before.items() if name not in rebuilt and after[name] != data] == []  # byte-identical
    docs = {(d["department"], d["section"]): d for d in manifest_of(period)["documents"]}
    assert set(docs) == {(d["department"], d["section"]) for d in entries}
    assert docs[("sales", "10_overview")]["status"] == "ok" and not docs[("sales", "10_overview")].get("kept")
    for old in entries:  # carried over as they were, with what was kept
        if (old["department"], old["section"]) != ("sales", "10_overview"):
            assert docs[(old["department"], old["section"])] == {**old, "kept": old["outputs"]}
    index = (period / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{p}"' in index for d in docs.values() for p in d["outputs"])
    assert runner.invoke(app, [*one, "--prune"]).exit_code == 0
    assert {n for n in files_of(period) if n.endswith(".html")} == {"index.html", "changes.html", "sales/10_overview.html",
                                                                     "sales/index.html"}
    assert [(d["department"], d["section"]) for d in manifest_of(period)["documents"]] == [("sales", "10_overview")]
    assert 'href="sales/30_rankings.html"' not in (period / "index.html").read_text(encoding="utf-8")


def test_help_explains_prune():
    text = re.sub(r"[\s│]+", " ", runner.invoke(app, ["pack", "--help"], terminal_width=200).output)
    assert "--prune" in text and "keeps every other one" in text


def test_bad_options_are_explained(tmp_path):
    for args, expected in ((["--format", "docx"], "--format"), (["--departments", "nowhere"], "unknown nowhere"),
                           (["--departments", "Sales"], "unknown Sales (did you mean sales?)"),
                           (["--sections", "astrology"], "unknown astrology"),
                           (["--departments", "procurement"], "no one in procurement"),
                           (["--period", "2031Q1"], "no measures")):
        result = runner.invoke(app, ["pack", "--out", str(tmp_path), *args])
        assert result.exit_code == 1 and expected in said(result), args
    assert not any(tmp_path.iterdir()) or not (tmp_path / "2026Q3").exists()


def test_a_failing_notebook_is_recorded_and_the_rest_are_built(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("clients"))
    folder = params / "clients" / "broken" / "notebooks"
    folder.mkdir(parents=True)
    nb = nbformat.read(ROOT / "notebooks" / "10_overview.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('the sky fell')"))
    nbformat.write(nb, folder / "80_broken.ipynb")
    nb.cells[-1] = nbformat.v4.new_code_cell("import os\nos._exit(3)")  # the kernel dies
    nbformat.write(nb, folder / "05_crash.ipynb")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    result = runner.invoke(app, ["pack", "--client", "broken", "--out", str(tmp_path / "r"), "--departments", "sales",
                                 "--sections", "crash,overview,broken,rankings", "--jobs", "1"])
    assert result.exit_code == 1
    docs = {d["section"]: d for d in manifest_of(tmp_path / "r" / "2026Q3")["documents"]}
    assert docs["10_overview"]["status"] == "ok" and docs["80_broken"]["status"] == "failed"
    assert docs["05_crash"]["status"] == "failed" and docs["30_rankings"]["status"] == "ok"  # a new kernel took over
    assert "ValueError: the sky fell" in docs["80_broken"]["error"]
    page = (tmp_path / "r" / "2026Q3" / "sales" / "80_broken.html").read_text(encoding="utf-8")
    assert "error-banner" in page and "the sky fell" in page
    assert (tmp_path / "r" / "2026Q3" / "sales" / "80_broken.failed.ipynb").exists()
    for kept in ["sales/80_broken.failed.ipynb", ".pages/sales/10_overview.ipynb"]:  # the data folder as the manifest names it
        parameters = next(c.source for c in nbformat.read(tmp_path / "r" / "2026Q3" / kept, as_version=4).cells
                          if "injected-parameters" in c.metadata.get("tags", []))
        assert f'data_dir = "{docs["10_overview"]["parameters"]["data_dir"]}"' in parameters and str(ROOT) not in parameters


def test_a_full_disk_is_explained_and_leaves_the_previous_pack(pack, tmp_path, monkeypatch):
    out = tmp_path / "reports"
    shutil.copytree(pack.parent, out)
    before = files_of(out / "2026Q3")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("kpilib.pack.assemble.write_bundles", full)  # the sheets are copied: same scoring
    result = build(out, "--force")
    assert result.exit_code == 1 and isinstance(result.exception, UserError)
    assert f"cannot write to {out}: no space left on device" in " ".join(said(result).split())
    assert files_of(out / "2026Q3") == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".2026Q3")] == []


def test_a_read_only_output_folder_is_explained(tmp_path, monkeypatch):
    def denied(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("kpilib.pack.guard._open_lock", denied)
    result = build(tmp_path / "r")
    assert result.exit_code == 1 and isinstance(result.exception, UserError)
    assert f"cannot write to {tmp_path / 'r'}: permission denied" in " ".join(said(result).split())


def test_the_manifest_names_no_machine_paths(pack):
    from kpilib.pack.index import portable

    text = (pack / "manifest.json").read_text(encoding="utf-8")
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', text)
    assert not [s for s in strings if s.startswith("/")] and str(ROOT) not in text and str(pack.parent) not in text
    body = manifest_of(pack)
    assert {"scheme.yaml", "catalog.yaml"} <= set(body["parameters"])
    assert {d["notebook"] for d in body["documents"]} >= {"notebooks/10_overview.ipynb", "notebooks/30_rankings.ipynb"}
    assert {d["parameters"]["data_dir"] for d in body["documents"]} == {"sample"}  # the data lies outside reports/..
    project = pack.parent.parent
    assert portable(project / "data" / "sample", project, origin=project / "reports" / "2026Q3") == "../../data/sample"


def test_scoring_sheets_hold_only_the_departments_built(pack, sample):
    import pandas as pd

    people = sample.people()
    sales = set(people.loc[people["department"] == "sales", "employee_id"])
    period = pd.read_csv(pack / "scores.csv", encoding="utf-8-sig")
    assert set(period["department"]) == {"sales"} and set(period["employee_id"]) <= sales
    own = pd.read_excel(pack / "sales" / "scores.xlsx", sheet_name=None)
    assert set(own["scores"]["employee_id"]) == set(period["employee_id"])
    assert set(own["lines"]["department"]) == {"sales"} and set(own["tier_allocation"]["group"]) == {"sales"}
    others = set(people["employee_id"]) - sales
    warnings = own["warnings"].to_string()
    assert len(own["warnings"]) and not [e for e in others if e in warnings] and "customer_service" not in warnings
    assert not (pack / "all" / "scores.xlsx").exists() and manifest_of(pack)["sheets"] == [
        "scores.xlsx", "scores.csv", "sales/scores.xlsx", "actions.csv", "sales/actions.csv"]


def test_the_follow_up_actions_of_the_departments_built(pack, sample):
    import pandas as pd

    from kpilib.actions import COLUMNS

    period = pd.read_csv(pack / "actions.csv", encoding="utf-8-sig", dtype=str)
    own = pd.read_csv(pack / "sales" / "actions.csv", encoding="utf-8-sig", dtype=str)
    assert list(period.columns) == COLUMNS and set(period["department"]) == {"sales"}
    assert period.equals(own) and {"improvement_plan", "interview"} <= set(own["action"])
    assert (own["period"] == "2026Q3").all() and not (pack / "all" / "actions.csv").exists()


def test_a_dotted_section_name_keeps_its_name(tmp_path, monkeypatch):
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("clients"))
    folder = params / "clients" / "dotted" / "notebooks"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "10_overview.ipynb", folder / "80_v1.2.ipynb")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    monkeypatch.setattr("kpilib.pack.render.to_pdf", lambda html, pdf, timeout=120: Path(pdf).write_bytes(b"%PDF-1.4"))
    out = tmp_path / "r"
    result = runner.invoke(app, ["pack", "--client", "dotted", "--out", str(out), "--departments", "sales",
                                 "--sections", "v1.2", "--format", "html,pdf", "--jobs", "1"])
    assert result.exit_code == 0, said(result)
    docs = {d["section"]: d for d in manifest_of(out / "2026Q3")["documents"]}
    assert docs["80_v1.2"]["outputs"] == ["sales/80_v1.2.html", "sales/80_v1.2.pdf"]
    assert {p.name for p in (out / "2026Q3" / "sales").iterdir()} == {
        "80_v1.2.html", "80_v1.2.pdf", "sales-2026Q3.pdf", "scores.xlsx", "actions.csv", "index.html"}
    links = re.findall(r'href="([^"]+)"', (out / "2026Q3" / "index.html").read_text(encoding="utf-8"))
    assert "sales/80_v1.2.pdf" in links and all((out / "2026Q3" / link).exists() for link in links)
    landing = re.findall(r'href="([^"]+)"', (out / "2026Q3" / "sales" / "index.html").read_text(encoding="utf-8"))
    assert "../sales/sales-2026Q3.pdf" in landing and all((out / "2026Q3" / "sales" / link).exists() for link in landing)


def test_no_pickle_under_the_output_folder_or_in_the_cache_is_ever_loaded(tmp_path, monkeypatch):
    """A crafted pickle (its load would create `marker`) at the old cache's name, in the old
    `<out>/.cache`, in the period folder and in the cache folder: never loaded; the scoring
    goes to the period store (Parquet) and the old cache files are swept."""
    import pickle

    from kpilib import store, workbench
    from kpilib.config import load_config

    marker = tmp_path / "marker"

    class Crafted:
        def __reduce__(self):
            return open, (str(marker), "w")

    cache = tmp_path / "cache"
    monkeypatch.setenv("KPIREPORT_CACHE", str(cache))
    monkeypatch.setattr(workbench, "_MEMO", {})
    key = workbench._key(SAMPLE, load_config(), '2026Q3')
    out = tmp_path / "r"
    for folder in (out / ".cache", out / "2026Q3" / ".cache", out / "2026Q3", cache):
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{key}.pkl").write_bytes(pickle.dumps(Crafted()))
    result = runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales", "--sections", "overview",
                                 "--jobs", "1"])
    assert result.exit_code == 0, said(result)
    assert not marker.exists()
    assert (store.store_dir(key) / "meta.json").exists() and not list(cache.glob("*.pkl"))
    assert not (out / ".cache").exists() and not list(out.rglob("*.pkl"))  # old cache swept; the old period replaced


def test_leftovers_of_killed_runs_are_swept(tmp_path):
    from kpilib.pack import guard

    out = tmp_path / "r"
    for name in (".2026Q3-abcd_123", ".2026Q3-abcd_123-previous", ".2026-09-zz9y8x7w-previous", ".2026Q3-mine",
                 ".git", "2026Q3"):
        (out / name).mkdir(parents=True)
        (out / name / "manifest.json").write_text(name)
    (out / "index.html.tmp").write_text("half")
    handled = guard.sweep(out)
    assert sorted(handled) == [".2026-09-zz9y8x7w-previous", ".2026Q3-abcd_123", ".2026Q3-abcd_123-previous",
                               "index.html.tmp"]
    assert sorted(p.name for p in out.iterdir()) == [".2026Q3-mine", ".git", "2026-09", "2026Q3"]
    assert (out / "2026-09" / "manifest.json").read_text() == ".2026-09-zz9y8x7w-previous"  # put back, not lost
    assert (out / "2026Q3" / "manifest.json").read_text() == "2026Q3"


@pytest.mark.slow
def test_pdf_is_printed_with_chinese_and_bound_per_department(tmp_path):
    import subprocess

    args = ["pack", "--out", str(tmp_path), "--departments", "sales", "--sections", "overview,rankings",
            "--format", "pdf"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, said(result)
    folder = tmp_path / "2026Q3" / "sales"

    def text(pdf):
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    assert "销售部" in text(folder / "10_overview.pdf") and "考核规则与权重" in text(folder / "10_overview.pdf")
    assert not (folder / "10_overview.html").exists()  # only PDF was asked
    book = text(folder / "sales-2026Q3.pdf")
    assert book.index("概览与考核规则") < book.index("综合排名")  # both sections, in order
    docs = {d["section"]: d for d in manifest_of(tmp_path / "2026Q3")["documents"]}
    assert docs["book"]["outputs"] == ["sales/sales-2026Q3.pdf"] and docs["book"]["status"] == "ok"
    assert 'href="sales/sales-2026Q3.pdf"' in (tmp_path / "2026Q3" / "index.html").read_text(encoding="utf-8")
    before = files_of(tmp_path / "2026Q3")
    again = runner.invoke(app, args)  # nothing changed: sections and book neither printed nor copied
    assert "3 up to date, nothing changed since the last pack" in " ".join(again.output.split())
    assert files_of(tmp_path / "2026Q3") == before
    overview = ["--sections", "overview", "--force"]
    assert runner.invoke(app, [*args[:-4], "--format", "html", *overview]).exit_code == 0  # HTML only
    after = files_of(tmp_path / "2026Q3")
    assert "sales/10_overview.pdf" not in after  # the rebuilt section keeps no PDF of its previous build
    assert after["sales/30_rankings.pdf"] == before["sales/30_rankings.pdf"]  # not rebuilt: kept
    docs = {d["section"]: d for d in manifest_of(tmp_path / "2026Q3")["documents"]}
    assert docs["10_overview"]["outputs"] == ["sales/10_overview.html"] and "kept" not in docs["10_overview"]
    assert docs["book"]["kept"] == docs["book"]["outputs"]
    assert runner.invoke(app, [*args[:-4], "--format", "pdf", *overview]).exit_code == 0  # the book is bound again
    docs = {d["section"]: d for d in manifest_of(tmp_path / "2026Q3")["documents"]}
    assert docs["book"]["status"] == "ok" and "kept" not in docs["book"]
    book = text(folder / "sales-2026Q3.pdf")
    assert book.index("概览与考核规则") < book.index("综合排名")  # from every current page, the kept one too


def ideograph_sizes(pdf: Path) -> dict[str, float]:
    """Font size (pt) of each run of CJK characters in `pdf` (run → smallest size seen).

    Chromium embeds Noto CJK as Type 3 fonts, for which `pdftotext -bbox` gives every word the
    same box height whatever its size, so word heights (yMax − yMin) say nothing here. The
    widths do: an ideograph (and CJK punctuation) advances exactly 1 em, so a run's width
    divided by its length is its font size, to a hundredth of a point."""
    import subprocess

    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    sizes: dict[str, float] = {}
    for x0, x1, run in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">'
                                  r"([\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]+)</word>", xml):
        sizes[run] = min(sizes.get(run, 99.0), (float(x1) - float(x0)) / len(run))
    return sizes


def page_sizes(pdf: Path) -> set[str]:
    import subprocess

    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True, check=True)
    return set(re.findall(r"size:\s+([\d.]+ x [\d.]+) pts", info.stdout))


@pytest.mark.slow
def test_pdf_is_sized_for_paper(tmp_path, monkeypatch):
    """A4 by default, Letter when the client says so; sentences ≥ 10 pt and tables ≥ 8.5 pt on
    paper (the widest table, the score details, turns landscape rather than shrinking)."""
    out = tmp_path / "a4"
    result = runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales", "--sections", "overview,details",
                                 "--format", "pdf"])
    assert result.exit_code == 0, said(result)
    book = out / "2026Q3" / "sales" / "sales-2026Q3.pdf"
    assert page_sizes(book) == {"594.96 x 841.92", "841.92 x 594.96"}  # A4, the details landscape
    sizes = ideograph_sizes(book)
    assert min(sizes.values()) >= 8.5 - 0.05, sorted(sizes.items(), key=lambda kv: kv[1])[:5]  # tables, footers
    assert sizes["人参与考核，平均综合分"] >= 10 - 0.05  # the overview's opening sentence
    assert sizes["指标"] >= 8.5 - 0.05 and sizes["客户续约率"] >= 8.5 - 0.05  # a table heading and a cell
    client = client_overlay(tmp_path, monkeypatch, "company: Northwind Ltd\npaper: Letter\n")
    out = tmp_path / "letter"
    result = runner.invoke(app, ["pack", "--client", client, "--out", str(out), "--departments", "sales",
                                 "--sections", "overview", "--format", "pdf"])
    assert result.exit_code == 0, said(result)
    assert page_sizes(out / "2026Q3" / "sales" / "10_overview.pdf") == {"612 x 792"}


@pytest.mark.slow
def test_index_screenshot_in_a_browser(pack, tmp_path):
    import subprocess

    import numpy as np
    from PIL import Image

    from kpilib.pack.render import chromium

    shot = tmp_path / "index.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                    "--window-size=1200,900", f"--screenshot={shot}", (pack / "index.html").as_uri()],
                   capture_output=True, timeout=120, check=True)
    image = Image.open(shot).convert("L")
    assert image.size == (1200, 900) and len(np.unique(np.asarray(image))) > 20  # text and colour, not blank


def test_client_branding(tmp_path, monkeypatch):
    from kpilib.branding import load_branding
    from kpilib.pack.render import masthead, stylesheet
    from kpilib.problems import UserError

    monkeypatch.setenv("KPIREPORT_PARAMS", str(tmp_path))
    assert runner.invoke(app, ["new-client", "acme"]).exit_code == 0
    brand = load_branding("acme")
    assert brand.company == "acme" and brand.primary == "#1f4e79" and "--accent:#1f4e79" in stylesheet(brand)
    assert brand.language == "zh" and (tmp_path / "clients" / "acme" / "notebooks" / "README.md").exists()
    folder = tmp_path / "clients" / "acme"
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "branding.yaml").write_text("company: 某某集团\nlanguage: en\nlogo: logo.png\n", encoding="utf-8")
    brand = load_branding("acme")
    assert brand.language == "en" and brand.logo.startswith("data:image/png;base64,") and "某某集团" in masthead(brand)
    (folder / "branding.yaml").write_text("company: 某某集团\ncolours: {primary: red}\n", encoding="utf-8")
    with pytest.raises(UserError, match="branding.yaml.*colours.primary"):
        load_branding("acme")
    (folder / "branding.yaml").write_text("language: en\n", encoding="utf-8")  # no company: never the folder's name
    brand = load_branding("acme")
    assert brand.company is None and brand.company_name("en") == "Whole company" and "acme" not in masthead(brand)
    (folder / "branding.yaml").write_text("paper: A3\n", encoding="utf-8")
    with pytest.raises(UserError, match="paper: expected A4 or Letter"):
        load_branding("acme")
    (folder / "branding.yaml").write_text("logo: missing.png\n", encoding="utf-8")
    with pytest.raises(UserError, match="logo: expected an image file"):
        load_branding("acme")


def client_overlay(tmp_path: Path, monkeypatch, branding: str, name: str = "nw-client") -> str:
    """A copy of params/ with a client `name` whose branding.yaml is `branding` and whose R&D
    department is called "Product engineering" (its id, rnd, is not its name)."""
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("clients"))
    folder = params / "clients" / name
    folder.mkdir(parents=True)
    (folder / "catalog.yaml").write_text("departments:\n  rnd: {zh: 产品工程部, en: Product engineering}\n",
                                         encoding="utf-8")
    (folder / "branding.yaml").write_text(branding, encoding="utf-8")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    return name


def test_pages_name_departments_and_the_company_never_ids(tmp_path, monkeypatch):
    client = client_overlay(tmp_path, monkeypatch, "company: Northwind Ltd\nlanguage: en\n")
    out = tmp_path / "r"
    result = runner.invoke(app, ["pack", "--client", client, "--out", str(out), "--departments", "rnd,all",
                                 "--sections", "overview", "--jobs", "1"])
    assert result.exit_code == 0, said(result)
    pages = [out / "index.html", *(out / "2026Q3").rglob("*.html")]
    assert len(pages) == 6  # the periods, the period's front page, two landing pages, two sections
    for page in pages:
        text = page.read_text(encoding="utf-8")
        shown = " ".join(re.sub(r"<[^>]+>", " ", part) for part in re.findall(
            r"<title>.*?</title>|<h[1-3][^>]*>.*?</h[1-3]>|<header.*?</header>|<footer.*?</footer>|<th>.*?</th>",
            text, re.S))
        assert "Northwind Ltd" in shown, page
        assert not re.search(r"\b(rnd|all|nw-client|kpireport)\b", shown), (page, shown)
        assert "Northwind Ltd · Northwind Ltd" not in text, page  # the company's own pages name it once
    assert "Product engineering · 2026Q3" in (out / "2026Q3" / "rnd" / "10_overview.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_tiny_company_builds_every_section(tmp_path):
    # 30 people: departments of 2–10, where models and tests have too little to work with
    assert runner.invoke(app, ["demo-data", "--out", str(tmp_path / "data"), "--employees", "30"]).exit_code == 0
    result = runner.invoke(app, ["pack", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, said(result)
    assert {d["status"] for d in manifest_of(tmp_path / "r" / "2026Q3")["documents"]} == {"ok"}


@pytest.mark.slow
@pytest.mark.parametrize("period", ["2026-09", "2026H1", "2025"])
def test_every_section_builds_for_months_halves_and_years(period, tmp_path):
    # a year on 24 months of data has no earlier year: no movement, no trend, streaks of one
    result = runner.invoke(app, ["pack", "--period", period, "--out", str(tmp_path), "--departments", "sales,all"])
    assert result.exit_code == 0, said(result)
    assert {d["status"] for d in manifest_of(tmp_path / period)["documents"]} == {"ok"}


@pytest.mark.slow
def test_tables_sort_and_cards_filter_in_a_browser(pack, tmp_path):
    """Click a heading twice and type a name, in headless Chromium, and read the DOM back."""
    import subprocess

    from kpilib.pack.render import chromium

    probe = """<script>
    var t = document.querySelectorAll('table.kpi-table')[0], ths = t.tHead.rows[t.tHead.rows.length - 1].cells, k = -1;
    for (var i = 0; i < ths.length; i++) { if (ths[i].textContent.trim() === '综合分') k = i; }
    ths[k].click(); var low = t.tBodies[0].rows[0].cells[k].textContent;
    ths[k].click(); var high = t.tBodies[0].rows[0].cells[k].textContent;
    document.body.setAttribute('data-sorted', low + '|' + high);
    </script></body>"""
    finder = """<script>
    var box = document.querySelector('input.card-filter'); box.value = 'NAME'; box.dispatchEvent(new Event('input'));
    var shown = Array.prototype.filter.call(document.querySelectorAll('div.card'), function (c) {
      return c.style.display !== 'none'; }).length;
    document.body.setAttribute('data-shown', String(shown));
    </script></body>"""
    ranking = (pack / "sales" / "30_rankings.html").read_text(encoding="utf-8")
    details = (pack / "sales" / "70_details.html").read_text(encoding="utf-8")
    best = re.search(r'<h3>1\. ([^（]+)（(E\d+)）', details)
    pages = {"sort": ranking.replace("</body>", probe, 1), "find": details.replace("</body>", finder.replace("NAME", best.group(2)), 1)}
    seen = {}
    for name, text in pages.items():
        page = tmp_path / f"{name}.html"
        page.write_text(text, encoding="utf-8")
        dom = subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}",
                              "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
        seen[name] = re.search(r'data-(?:sorted|shown)="([^"]*)"', dom).group(1)
    low, high = map(float, seen["sort"].split("|"))
    assert low < high and seen["find"] == "1"


def test_a_partial_pack_on_changed_data_marks_what_it_kept_as_out_of_date(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sample", data)
    out = tmp_path / "reports"
    common = ["pack", "--data", str(data), "--out", str(out), "--sections", "overview", "--jobs", "2"]
    assert runner.invoke(app, [*common, "--departments", "sales,all"]).exit_code == 0
    measures = (data / "measures.csv").read_text(encoding="utf-8").splitlines()
    measures[1] = measures[1].rsplit(",", 1)[0] + ",1"  # one value changes
    (data / "measures.csv").write_text("\n".join(measures) + "\n", encoding="utf-8")
    assert runner.invoke(app, [*common, "--departments", "sales"]).exit_code == 0
    docs = {d["department"]: d for d in manifest_of(out / "2026Q3")["documents"]}
    assert docs["all"].get("stale") is True and not docs["sales"].get("stale")
    index = (out / "2026Q3" / "index.html").read_text(encoding="utf-8")
    assert index.count("⚠") >= 2 and "请不带 --departments 重新生成" in index  # the mark and the note (zh by default)
    assert "--sections" not in index  # not given: not what rebuilds them
    assert '✓</span> <span class="f">⚠' not in index  # out of date is not also ticked as up to date
    assert "kept from an earlier build" not in index and "沿用较早一次生成的文件" in index  # hover text in zh


def test_a_partial_run_in_another_language_is_refused_and_changes_nothing(pack, tmp_path):
    out = tmp_path / "reports"
    shutil.copytree(pack.parent, out)
    before = files_of(out / "2026Q3")
    result = runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales", "--sections", "overview",
                                 "--lang", "en"])
    message = " ".join(said(result).split())
    assert result.exit_code == 1 and "--lang en: the 2026Q3 pack holds 4 documents in zh" in message
    assert "add --prune" in message and files_of(out / "2026Q3") == before
    pruned = runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales", "--sections", "overview",
                                 "--lang", "en", "--prune"])
    assert pruned.exit_code == 0, said(pruned)
    assert [d["parameters"]["lang"] for d in manifest_of(out / "2026Q3")["documents"]] == ["en"]
