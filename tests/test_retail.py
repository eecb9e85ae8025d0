"""The second bundled company, unlike the sample (tests/data/make_retail.py): Northwind
Retail, an English client with a warehouse of its own KPIs, two quarters of history, self +
supervisor ratings only, managers without targets and a department of 5. Every page must
be honest on it: no empty table, no heading with nothing under it, names not ids, and the
borrowed targets said out loud."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.config import load_config
from kpilib.data import load_dataset
from kpilib.messages import render
from kpilib.scoring import score
from tests.pages import bare_headings, empty_tables, words_present
from tests.test_cli import said
from tests.test_language import offenders

RETAIL = Path(__file__).parent / "data" / "retail" / "retail.xlsx"
runner = CliRunner()


@pytest.fixture(scope="module")
def retail():
    config = load_config("retail")
    return config, load_dataset(RETAIL, config)


def test_it_is_unlike_the_sample(retail):
    config, data = retail
    people = data.people()
    assert len(people) == 60 and len(data.months) == 6
    assert set(data.ratings["rater_type"].astype(str)) == {"self", "supervisor"}
    assert people["department"].value_counts()["marketing"] == 5
    assert "warehouse" not in load_config().catalog.departments  # the client's own department


def test_validate_warns_what_a_consultant_must_know(retail, tmp_path):
    report = tmp_path / "problems.csv"
    result = runner.invoke(app, ["validate", "--data", str(RETAIL), "--client", "retail", "--report", str(report)])
    assert result.exit_code == 0, said(result)
    text = report.read_text(encoding="utf-8-sig")
    assert "catalogue's default" in text and "separates nobody" in text


def test_thresholds_separate_the_pickers_and_managers_answer_for_their_team(retail):
    config, data = retail
    lines = score(data, config, "2026Q3").lines
    picking = lines[lines["kpi"] == "picking_accuracy"]
    assert picking["actual"].between(0.99, 1.0).all()
    assert picking["line_score"].max() - picking["line_score"].min() > 10  # ratio: < 1 point
    director = lines[(lines["employee_id"] == "R001") & (lines["kpi"] == "sales_amount")].iloc[0]
    source = render(director["target_source"], director["target_source_args"], "en")
    assert source.startswith("team of 18: sum of targets") and director["actual"] > 0


@pytest.fixture(scope="module", params=["en", "zh"])
def pack(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"retail-{request.param}")
    result = runner.invoke(app, ["pack", "--data", str(RETAIL), "--client", "retail", "--lang", request.param,
                                 "--out", str(out), "--jobs", "2"])
    assert result.exit_code == 0, said(result)
    return out / "2026Q3"


@pytest.mark.slow
def test_every_page_is_honest(pack):
    pages = sorted(pack.rglob("*.html"))
    assert len(pages) > 30
    for page in pages:
        assert not empty_tables(page), (page, empty_tables(page))
        assert not bare_headings(page), (page, bare_headings(page))
        assert not words_present(page, {"customer_service", "warehouse"}), page


@pytest.mark.slow
def test_every_page_speaks_its_language(pack, retail, request):
    config, data = retail
    lang = request.node.callspec.params["pack"]
    assert not (found := offenders(pack, lang, config, data)), f"words of the other language:\n{found}"


@pytest.mark.slow
def test_borrowed_targets_are_said_on_the_overview_and_the_index(pack):
    text = (pack / "warehouse" / "10_overview.html").read_text(encoding="utf-8")
    assert "Picking accuracy" in text or "拣货准确率" in text
    assert "catalogue's default target" in text or "默认目标" in text
    index = (pack / "index.html").read_text(encoding="utf-8")
    card = index[index.index('id="card-warehouse"'):]
    card = card[:card.index("</dl>")]  # the warehouse's card on the front page, its data warnings
    assert "⚠" in card and ("3 KPI(s) on the catalogue" in card or "3 个指标按默认目标计分" in card)
