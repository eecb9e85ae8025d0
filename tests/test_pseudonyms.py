"""Pseudonymised packs (kpilib.pseudonyms): stable keyed pseudonyms, the same scores, a key
that stays outside the pack, `reveal` for the key holder, and no real name or id in any
file a pseudonymised pack writes."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.problems import UserError
from kpilib.pseudonyms import KEY_ENV, Pseudonymiser, load_key, pseudonymise
from kpilib.scoring import score
from kpilib.workbench import resolve_period
from tests.conftest import SAMPLE
from tests.test_cli import said

KEY = b"0123456789abcdef-test-key"
runner = CliRunner()


def test_a_pseudonym_is_the_keyed_hmac_and_stable():
    p = Pseudonymiser(KEY)
    expected = "P" + hmac.new(KEY, b"E0001", hashlib.sha256).hexdigest()[:12].upper()
    assert p.pseudonym("E0001") == expected == Pseudonymiser(KEY).pseudonym("E0001")
    assert Pseudonymiser(KEY + b"x").pseudonym("E0001") != expected
    assert KEY.hex() not in repr(p) and KEY.decode() not in repr(p)


def test_the_key_is_required_long_enough_and_outside_the_pack(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(UserError, match="--key-file PATH or set KPIREPORT_PSEUDONYM_KEY"):
        load_key(None)
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(UserError, match="5 bytes; use at least 16"):
        load_key(None)
    monkeypatch.setenv(KEY_ENV, KEY.decode())
    assert load_key(None).key == KEY
    inside = tmp_path / "reports" / "key"
    inside.parent.mkdir()
    inside.write_bytes(KEY + b"\n")
    with pytest.raises(UserError, match="inside --out"):
        load_key(inside, tmp_path / "reports")
    assert load_key(inside, tmp_path / "elsewhere").key == KEY
    monkeypatch.delenv(KEY_ENV)
    result = runner.invoke(app, ["pack", "--pseudonymise", "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and "need a key" in said(result) and not (tmp_path / "r").exists()


def test_pseudonymised_data_scores_the_same(config, sample):
    p = Pseudonymiser(KEY)
    span = resolve_period(sample.months, "2026Q3")
    real = score(sample, config, span).sheet.set_index("employee_id")
    masked = score(pseudonymise(sample, p), config, span).sheet.set_index("employee_id")
    assert len(masked) == len(real) and set(masked.index).isdisjoint(real.index)
    back = masked.rename(index={p.pseudonym(i): i for i in real.index}).loc[real.index]
    for col in ("quantitative", "qualitative", "composite", "grade", "department"):
        assert back[col].tolist() == real[col].tolist(), col
    assert (masked["name"] == masked.index).all()


def test_reveal_maps_pseudonyms_back(tmp_path):
    key = tmp_path / "key"
    key.write_bytes(KEY)
    p = Pseudonymiser(KEY)
    result = runner.invoke(app, ["reveal", p.pseudonym("E0002"), p.pseudonym("E0001"), "--key-file", str(key),
                                 "--out", str(tmp_path / "who.csv")])
    assert result.exit_code == 0, said(result)
    who = pd.read_csv(tmp_path / "who.csv", dtype=str, encoding="utf-8-sig")
    people = pd.read_csv(SAMPLE / "employees.csv", dtype=str).set_index("employee_id")
    assert who["employee_id"].tolist() == ["E0002", "E0001"]
    assert who["name"].tolist() == people.loc[["E0002", "E0001"], "name"].tolist()
    wrong = runner.invoke(app, ["reveal", "PNOTAPSEUDONYM", "--key-file", str(key)])
    assert wrong.exit_code == 1 and "PNOTAPSEUDONYM" in said(wrong)


def test_reveal_reads_only_the_people_and_takes_any_case(tmp_path):
    key = tmp_path / "key"
    key.write_bytes(KEY)
    retail = Path(__file__).parent / "data" / "retail"  # not the default client's catalogue: no --client needed
    first = pd.read_excel(retail / "retail.xlsx", sheet_name="employees", dtype=str).iloc[0]
    result = runner.invoke(app, ["reveal", Pseudonymiser(KEY).pseudonym(first["employee_id"]).lower(),
                                 "--data", str(retail / "retail.xlsx"), "--key-file", str(key), "--out", str(tmp_path / "who.csv")])
    assert result.exit_code == 0, said(result)
    who = pd.read_csv(tmp_path / "who.csv", dtype=str, encoding="utf-8-sig")
    assert who[["employee_id", "name", "department"]].values.tolist() == [
        [first["employee_id"], first["name"], first["department"]]]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "employees.csv").write_text("id,name\nE1,A\n", encoding="utf-8")
    bad = runner.invoke(app, ["reveal", "--data", str(tmp_path / "bad"), "--key-file", str(key)])
    assert bad.exit_code == 1 and "employees.csv" in said(bad) and "employee_id" in said(bad)


def _texts(path: Path, data: bytes) -> list[str]:
    """The text of one written file: PDF via pdftotext, XLSX cells via openpyxl, zip members each."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        return [" ".join(book.sheetnames)] + [" ".join(str(v) for row in sheet.iter_rows(values_only=True)
                                                       for v in row if v is not None) for sheet in book.worksheets]
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [t for name in archive.namelist() for t in [name, *_texts(Path(name), archive.read(name))]]
    return [data.decode("utf-8-sig")]


def _hits(out: Path) -> tuple[list[tuple[str, str]], list[Path]]:
    """Every real name or employee id of the sample (ids as whole tokens) in the files under `out`."""
    people = pd.read_csv(SAMPLE / "employees.csv", dtype=str, keep_default_na=False)
    people = people[people["kind"].isin(["", "person"])]
    ids = re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(map(re.escape, people["employee_id"])) + r")(?![A-Za-z0-9])")
    names = re.compile("|".join(map(re.escape, sorted(people["name"], key=len, reverse=True))))
    files = [f for f in out.rglob("*") if f.is_file() and f.name != ".kpireport.lock"]
    return [(f.relative_to(out).as_posix(), m.group()) for f in files for text in _texts(f, f.read_bytes())
            for m in [*ids.finditer(text), *names.finditer(text)]], files


@pytest.mark.slow
def test_a_pseudonymised_pack_keeps_nothing_of_a_pack_with_names(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    key = tmp_path / "key"
    key.write_bytes(KEY)
    out = tmp_path / "reports"
    args = ["pack", "--out", str(out), "--departments", "sales", "--jobs", "1", "--sections"]
    assert runner.invoke(app, [*args, "rankings"]).exit_code == 0
    assert _hits(out)[0]  # names, as it should be
    result = runner.invoke(app, [*args, "overview", "--pseudonymise", "--key-file", str(key)])
    assert result.exit_code == 0, said(result)
    hits, files = _hits(out / "2026Q3")
    assert hits == [] and not (out / "2026Q3" / "sales" / "30_rankings.html").exists()
    assert not (out / "2026Q3" / "changes.csv").exists()  # nothing compared with the pack with names


@pytest.mark.slow
def test_a_pseudonymised_pack_shows_no_name_or_id(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    key = tmp_path / "key"
    key.write_bytes(KEY)
    out = tmp_path / "reports"
    result = runner.invoke(app, ["pack", "--out", str(out), "--departments", "sales,all", "--format", "html,pdf",
                                 "--pseudonymise", "--key-file", str(key), "--jobs", "1"])
    assert result.exit_code == 0, said(result)
    hits, files = _hits(out)
    assert {".html", ".pdf", ".csv", ".xlsx", ".json", ".zip"} <= {f.suffix for f in files}
    assert hits == []
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pseudonyms"] == Pseudonymiser(KEY).fingerprint and KEY.decode() not in json.dumps(manifest)
    sheet = pd.read_csv(out / "2026Q3" / "scores.csv", dtype=str, encoding="utf-8-sig")
    assert sheet["employee_id"].str.fullmatch(r"P[0-9A-F]{12}").all()
    assert len(files) > 20
