"""The command line verbs of interfaces.md §3."""


from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.problems import UserError

runner = CliRunner()


def said(result) -> str:
    """What the user sees: output, plus the explanation `main()` prints for a UserError."""
    return result.output + (str(result.exception) if isinstance(result.exception, UserError) else "")


def test_catalog_lists_and_filters():
    result = runner.invoke(app, ["catalog", "--department", "customer_service", "--format", "markdown"])
    assert result.exit_code == 0
    assert "| resolution_rate | 问题解决率 |" in result.output and "sales_amount" not in result.output
    result = runner.invoke(app, ["catalog", "--department", "nope"])
    assert result.exit_code == 1


def test_new_client_scaffold(tmp_path, monkeypatch):
    monkeypatch.setenv("KPIREPORT_PARAMS", str(tmp_path))
    assert runner.invoke(app, ["new-client", "acme"]).exit_code == 0
    assert (tmp_path / "clients" / "acme" / "scheme.yaml").exists()
    assert runner.invoke(app, ["new-client", "acme"]).exit_code == 1  # exists: nothing changed
    assert runner.invoke(app, ["new-client", "bad name!"]).exit_code == 1


def test_unknown_client_is_explained():
    result = runner.invoke(app, ["validate", "--client", "nobody"])
    assert result.exit_code == 1 and "unknown client" in said(result)


def test_bad_period_is_explained(tmp_path):
    result = runner.invoke(app, ["scores", "--period", "2025Q9", "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and "YYYYQn" in said(result)
    result = runner.invoke(app, ["scores", "--period", "2024Q3", "--out", str(tmp_path / "s.csv")])
    assert result.exit_code == 1 and "no measures" in said(result)


def test_scores_refuses_unknown_suffix(tmp_path):
    result = runner.invoke(app, ["scores", "--out", str(tmp_path / "s.txt")])
    assert result.exit_code == 1 and ".csv or .xlsx" in said(result)
    assert not (tmp_path / "s.txt").exists()


def test_formula_injection_is_neutralised():
    import pandas as pd

    from kpilib.export import neutralise
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "王伟"], "score": [1, 2, -3, 4, 5]})
    out = neutralise(frame)
    assert out["name"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "王伟"]
    assert out["score"].tolist() == [1, 2, -3, 4, 5]
    wide = neutralise(pd.DataFrame({"＝SUM(A1)": pd.Categorical(["＋1", "－2"]), "ok": ["＠x", "甲"]}, index=["=a", "b"]))
    assert list(wide.columns) == ["'＝SUM(A1)", "ok"] and list(wide.index) == ["'=a", "b"]
    assert wide["'＝SUM(A1)"].tolist() == ["'＋1", "'－2"]
    assert wide["ok"].tolist() == ["'＠x", "甲"]


def test_demo_data_small(tmp_path):
    result = runner.invoke(app, ["demo-data", "--out", str(tmp_path), "--employees", "40", "--months", "6"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["validate", "--data", str(tmp_path)]).exit_code == 0


def test_scores_with_calibrated_ratings(tmp_path, monkeypatch):
    import shutil

    import pandas as pd

    from kpilib.config import load_config
    root = load_config().files[0].parent
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(root / name, tmp_path / name)
    (tmp_path / "clients" / "calib").mkdir(parents=True)
    (tmp_path / "clients" / "calib" / "scheme.yaml").write_text("scoring:\n  calibrated_ratings: true\n", encoding="utf-8")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(tmp_path))
    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["scores", "--client", "calib", "--out", str(out)])
    assert result.exit_code == 0, said(result)
    assert len(pd.read_csv(out, encoding="utf-8-sig")) > 250


def test_scores_for_some_departments(tmp_path):
    import pandas as pd

    out = tmp_path / "s.csv"
    result = runner.invoke(app, ["scores", "--departments", "sales,hr", "--out", str(out)])
    assert result.exit_code == 0, said(result)
    assert set(pd.read_csv(out, encoding="utf-8-sig")["department"]) == {"sales", "hr"}
    result = runner.invoke(app, ["scores", "--departments", "salse", "--out", str(out)])
    assert result.exit_code == 1 and "salse" in said(result)


def test_no_file_the_tool_writes_holds_a_formula(tmp_path, monkeypatch):
    """Formula text in a name, a region (tier groups within regions), a team and a bad data cell:
    scores.csv, every sheet of scores.xlsx and the validate report hold it as inert text."""
    import csv
    import shutil

    import pandas as pd
    from openpyxl import load_workbook

    from kpilib.config import load_config
    from kpilib.export import _TRIGGERS
    from tests.conftest import SAMPLE

    link, sum_ = '=HYPERLINK("http://x","y")', "＝1+1"
    root = load_config().files[0].parent
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(root / name, tmp_path / name)
    (tmp_path / "clients" / "byregion").mkdir(parents=True)
    (tmp_path / "clients" / "byregion" / "scheme.yaml").write_text("scoring:\n  tiers:\n    within: region\n",
                                                                   encoding="utf-8")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(tmp_path))
    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    people = pd.read_csv(data / "employees.csv", dtype=str, keep_default_na=False)
    people.loc[0, "name"] = link
    people["region"] = people["region"].replace({"华东": link, "华北": sum_})
    people["team"] = people["team"].replace({"sales-01": sum_, "sales-02": link})
    people.to_csv(data / "employees.csv", index=False)
    for out in ("s.csv", "s.xlsx"):
        result = runner.invoke(app, ["scores", "--client", "byregion", "--data", str(data), "--out", str(tmp_path / out)])
        assert result.exit_code == 0, said(result)
    measures = pd.read_csv(data / "measures.csv", dtype=str, keep_default_na=False)
    measures.loc[3, "value"] = link
    measures.to_csv(data / "measures.csv", index=False)
    result = runner.invoke(app, ["validate", "--data", str(data), "--report", str(tmp_path / "r.csv")])
    assert result.exit_code == 1

    book = load_workbook(tmp_path / "s.xlsx")
    seen = set()
    for sheet in book.worksheets:
        for cell in (c for row in sheet.iter_rows() for c in row if c.value is not None):
            assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
            assert not (isinstance(cell.value, str) and cell.value.startswith(_TRIGGERS)), cell.value
            seen.add((sheet.title, cell.value))
    for title in ("scores", "tier_allocation"):  # name, team, region; region groups
        assert {(title, "'" + link), (title, "'" + sum_)} <= seen, title
    assert ("lines", "'" + link) in seen
    for out in ("s.csv", "r.csv"):
        with (tmp_path / out).open(encoding="utf-8-sig", newline="") as fh:
            cells = [c for row in csv.reader(fh) for c in row]
        text = [c for c in cells if c and not _number(c)]
        assert not [c for c in text if c.startswith(_TRIGGERS)], out
        assert "'" + link in cells, out


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_wrong_lang_or_section_is_told_before_anything_is_scored(tmp_path, monkeypatch):
    from kpilib.pack import build

    monkeypatch.setattr(build, "build_pack", lambda *a, **k: (_ for _ in ()).throw(AssertionError("scored")))
    result = runner.invoke(app, ["pack", "--lang", "fr", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "--lang: expected zh or en, got 'fr'" in said(result)
    result = runner.invoke(app, ["pack", "--sections", "overview,foo", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "--sections: unknown foo (known: 10_overview" in said(result)
    assert not any(tmp_path.iterdir())
