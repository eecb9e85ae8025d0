"""kpilib.cards (the front page's figures) by hand on a small frame and against the sample's
scoring sheet as `kpireport scores` writes it; the front page and landing pages built from them."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpilib import cards, sections, workbench
from kpilib.branding import Branding
from kpilib.cli import app
from kpilib.pack.index import index_html, landing_html
from tests.pages import bare_headings, empty_tables

PERIOD = "2026Q3"
LINE_COLUMNS = ["department", "employee_id", "kpi", "kind", "monitored", "actual", "attainment", "target_source"]


def test_card_figures_by_hand():
    sheet = pd.DataFrame({"department": ["a", "a", "a", "b", "b"], "composite": [80.0, 70.0, None, 90.0, 60.0]})
    previous = pd.DataFrame({"department": ["a", "a"], "composite": [75.0, 65.0]})
    lines = pd.DataFrame([
        ("a", "p1", "k1", "quantitative", False, 12.0, 1.2, "catalogue"),  # borrowed: a's k1
        ("a", "p2", "k1", "quantitative", False, 9.0, 0.9, "targets 2026Q3"),  # k1: mean 1.05, not below
        ("a", "p1", "k2", "quantitative", False, 8.0, 0.8, "targets 2026Q3"),
        ("a", "p2", "k2", "quantitative", False, 9.0, 0.9, "targets 2026Q3"),  # k2: mean 0.85, below
        ("a", "p1", "k3", "quantitative", True, 5.0, 0.5, "catalogue"),  # monitored: neither counted nor borrowed
        ("a", "p1", "q1", "qualitative", False, None, None, ""),  # a rating has no attainment
        ("a", "p2", "k4", "quantitative", False, None, None, "catalogue"),  # no actual: not scored, not borrowed
        ("b", "p4", "k1", "quantitative", False, 10.0, 1.0, "targets 2026Q3"),  # exactly at target: not below
        ("b", "p4", "k5", "quantitative", False, 9.9, 0.99, "targets 2026Q3"),
    ], columns=LINE_COLUMNS)
    out = cards.card_figures(sheet, previous, lines, ["a", "b"], min_cell=3).set_index("department")
    assert list(out.index) == ["all", "a", "b"]
    # company: 4 people scored, one not; mean (80 + 70 + 90 + 60) / 4 = 75, previous (75 + 65) / 2 = 70
    assert out.loc["all", ["people", "unscored", "kpis", "below_target", "borrowed"]].tolist() == [4, 1, 4, 2, 1]
    assert (out.loc["all", "mean"], out.loc["all", "previous"], out.loc["all", "change"]) == (75.0, 70.0, 5.0)
    assert out.loc["a", ["people", "unscored", "kpis", "below_target", "borrowed"]].tolist() == [2, 1, 2, 1, 1]
    assert (out.loc["a", "mean"], out.loc["a", "previous"], out.loc["a", "change"]) == (75.0, 70.0, 5.0)
    assert out.loc["b", ["people", "unscored", "kpis", "below_target", "borrowed"]].tolist() == [2, 0, 2, 1, 0]
    assert out.loc["b", "mean"] == 75.0 and math.isnan(out.loc["b", "previous"]) and math.isnan(out.loc["b", "change"])
    assert out["small"].tolist() == [False, True, True]  # fewer than 3 scored; the company never


@pytest.fixture(scope="module")
def company():
    return workbench.open_workbench(PERIOD, "all", lang="en")


def test_cards_match_the_scoring_sheet_and_the_decisions(company, tmp_path):
    sheet_file = tmp_path / "scores.csv"
    assert CliRunner().invoke(app, ["scores", "--period", PERIOD, "--lang", "en", "--resamples", "0", "--out", str(sheet_file)]).exit_code == 0
    sheet = pd.read_csv(sheet_file, encoding="utf-8-sig")
    names = {company.department_name(d): d for d in company.departments()}
    sheet["department"] = sheet["department"].map(lambda d: names.get(d, d))
    expected = sheet.groupby("department")["composite"].agg(["count", "mean"])
    got = cards.cards(company).set_index("department")
    assert list(got.index) == ["all", *company.departments()]
    for dept, row in expected.iterrows():
        assert got.loc[dept, "people"] == row["count"] and got.loc[dept, "mean"] == pytest.approx(row["mean"], abs=1e-9)
    assert got.loc["all", "people"] == len(sheet) and got.loc["all", "mean"] == pytest.approx(sheet["composite"].mean())
    before = company.sheet(company.previous).groupby("department")["composite"].mean()
    assert got.loc["sales", "change"] == pytest.approx(expected.loc["sales", "mean"] - before["sales"])
    # the incentive counts: the outcomes section 60 shows, counted from their words
    decided = sections.decisions(company).merge(sheet[["employee_id", "department"]], on="employee_id")
    bonus = decided[decided["rule"] == "bonus"]
    watch = decided[decided["rule"] == "watch_list"]
    for dept in company.departments():
        def mine(frame: pd.DataFrame, dept: str = dept) -> pd.DataFrame:
            return frame[frame["department"] == dept]

        if dept in set(bonus["department"]):
            paid = mine(bonus)[~mine(bonus)["outcome"].str.startswith("0×")]
            assert got.loc[dept, "bonus_paid"] == len(paid)
            assert got.loc[dept, "bonus_not_in_full"] == paid["outcome"].str.endswith("not in full").sum()
        else:
            assert pd.isna(got.loc[dept, "bonus_paid"])
        if dept in set(watch["department"]):
            assert got.loc[dept, "watch_list"] == (mine(watch)["outcome"] == "observation").sum()
            assert got.loc[dept, "review"] == (mine(watch)["outcome"] == "review").sum()
    assert got.loc["all", "review"] == (watch["outcome"] == "review").sum()
    # KPIs below target: section 10's table of mean attainment, monitored KPIs left out
    table = sections.kpi_attainment(company)
    sales = table[table["department"] == company.department_name("sales")].set_index("kpi_name")["attainment"]
    lines = company.period_lines().query("department == 'sales' and kind == 'quantitative'")
    lines = lines.assign(kpi_name=lines["kpi"].map(company.kpi_name))  # scoring keeps codes; names are the page's
    scored, monitored = set(lines.query("not monitored")["kpi_name"]), set(lines.query("monitored")["kpi_name"])
    below = kpis_below(company, "sales")
    assert got.loc["sales", "kpis"] == len(scored) and got.loc["sales", "below_target"] == len(below)
    assert {k for k in scored - monitored if sales[k] < 1} == below - monitored  # KPIs no one is only monitored on
    assert got.loc["sales", "borrowed"] == len(sections.borrowed_targets(company).query("department == 'Sales'"))


def kpis_below(wb, dept: str) -> set[str]:
    table = cards.kpis_below_target(wb)
    return set(table.loc[table["department"] == dept, "kpi_name"])


def test_card_mix_adds_up_to_the_people_scored(company):
    mix, figures = cards.card_mix(company), cards.cards(company).set_index("department")
    for (dept, part), people in mix.groupby(["department", "part"])["people"].sum().items():
        assert people == (figures.loc[dept, "bonus_paid"] if part == "bonus" else figures.loc[dept, "people"])


def documents_for(wb) -> list[dict]:
    return [{"period": PERIOD, "department": d, "section": s, "status": "ok", "outputs": [f"{d}/{s}.html"]}
            for d in ["all", *wb.departments()] for s in ("10_overview", "30_rankings", "60_incentives", "70_details")
            if not (d == "all" and s == "70_details")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_front_page_and_landing_page(lang):
    wb = workbench.open_workbench(PERIOD, "all", lang=lang)
    docs = documents_for(wb)
    page = index_html(wb, docs, Branding())
    assert page.count('class="kcard') == len(wb.departments()) + 1
    assert all(f'href="{d}/index.html"' in page for d in wb.departments())
    assert 'href="sales/60_incentives.html"' in page and 'href="all/10_overview.html"' in page
    text = re.sub(r"<style>.*?</style>|<script>.*?</script>|<[^>]+>", " ", page, flags=re.S)
    if lang == "en":
        assert not re.search(r"[\u4e00-\u9fff]", text)  # the sample's names are Chinese; the index shows none
        assert "people scored 82" in " ".join(text.split())
    else:
        assert not re.search(r"\b(all|sales|supervisor|watch_list)\b", text)
    landing = landing_html(wb, "sales", docs, Branding())
    assert 'href="../sales/70_details.html"' in landing and 'href="../index.html"' in landing
    assert 'href="scores.xlsx"' in landing and landing.count('class="kcard') == 1
    for shown in (page, landing):
        assert not empty_tables(shown) and not bare_headings(shown)


def test_the_cards_watch_list_is_the_people_section_60_counts(company):
    from kpilib.pack.front import cards_view

    counted = sections.incentive_counts(company).set_index("rule")["selected"]
    review = (sections.decisions(company)["outcome"] == "review").sum()
    card = next(c for c in cards_view(company, documents_for(company)) if c["company"])
    assert card["watch"] == {"href": card["watch"]["href"], "watch": counted["watch_list"], "review": review}
    assert 0 < review < counted["watch_list"]  # the sample has both: the review is a part of the watch list
