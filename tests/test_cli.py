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

    from kpilib.sheets import neutralise
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "王伟"], "score": [1, 2, -3, 4, 5]})
    out = neutralise(frame)
    assert out["name"].tolist() == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)", "王伟"]
    assert out["score"].tolist() == [1, 2, -3, 4, 5]


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
