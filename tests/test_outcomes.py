"""The source outline's rankings (section 30): TOP-N per outcome measure, growth, shares and
team attainment as total over total, checked against hand computations on a tiny company."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from kpilib import narrate, outcomes, ranking, workbench
from kpilib.sections import rankings as R
from tests.conftest import write_tables


def test_growth_by_hand():
    now = pd.DataFrame({"id": ["a", "b", "c", "d"], "actual": [300.0, 300, 150, 90]})
    before = pd.DataFrame({"id": ["a", "b", "c", "e"], "actual": [150.0, 300, 0, 10]})
    out = outcomes.growth(now, before, ["id"]).set_index("id")
    assert list(out.index) == ["a", "b", "c"]  # d and e are not in both periods
    assert out.loc["a", "growth"] == pytest.approx(1.0)  # (300 − 150) / 150
    assert out.loc["b", "growth"] == 0.0 and pd.isna(out.loc["c", "growth"])  # no base to grow from


def test_shares_by_hand():
    frame = pd.DataFrame({"kpi": ["s"] * 4 + ["n"] * 2, "region": ["N", "N", "S", "S", "N", "S"],
                          "actual": [300.0, 300, 150, 90, 0, 0]})
    out = outcomes.shares(frame, "region", within="kpi").set_index(["kpi", "region"])
    assert out.loc[("s", "N"), "total"] == 600 and out.loc[("s", "N"), "share"] == pytest.approx(600 / 840)
    assert out.loc[("s", "S"), "share"] == pytest.approx(240 / 840) and out.loc[("s", "S"), "people"] == 2
    assert out.loc[("n", "N"), "share"] != out.loc[("n", "N"), "share"]  # a total of 0: no share (NaN)


def test_total_over_total_is_not_a_mean_of_ratios():
    frame = pd.DataFrame({"team": ["t1", "t1", "t2", "t2", "t2"], "actual": [300.0, 300, 150, 90, 80],
                          "target": [300.0, 300, 300, 100, None]})
    out = outcomes.total_over_total(frame, ["team"]).set_index("team")
    assert out.loc["t1", "attainment"] == pytest.approx(1.0)
    assert out.loc["t2", "attainment"] == pytest.approx(240 / 400)  # not (0.5 + 0.9) / 2 = 0.7
    assert out.loc["t2", "people"] == 2 and out.loc["t2", "actual"] == 240  # the row without a target is left out


def test_rank_by_breaks_ties_with_the_keys_then_shares_the_rank():
    frame = pd.DataFrame({"v": [5.0, 5, 3, 5, None], "q": [1.0, 2, 9, 1, 0], "s": [3.0, 3, 3, 3, 0]})
    assert ranking.rank_by(frame, "v", ["q", "s"]).tolist() == [2, 1, 4, 2, pd.NA]
    assert ranking.rank_by(frame, "v").tolist() == [1, 1, 4, 1, pd.NA]
    assert ranking.rank_by(frame, "v", ascending=True).tolist() == [2, 2, 1, 2, pd.NA]
    top = ranking.top_k(frame, "v", 2, tie_break=["q", "s"])
    assert top["rank"].tolist() == [1, 2, 2]  # both tied at place 2 are kept


MONTHS = pd.period_range("2025-07", "2026-09", freq="M")
# quarterly sales per person: 2025Q3 30 each, 2026Q2 150/300/150/0, 2026Q3 300/300/150/90
MONTHLY_SALES = {"2025Q3": [10, 10, 10, 10], "2026Q2": [50, 100, 50, 0], "2026Q3": [100, 100, 50, 30]}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    people = [("A1", "N", "t1"), ("A2", "N", "t1"), ("A3", "S", "t2"), ("A4", "S", "t2")]
    employees = [{"employee_id": e, "name": f"Name {e}", "department": "sales", "region": r, "team": t,
                  "hire_date": "2020-01-01"} for e, r, t in people]
    measures = []
    for month in MONTHS:
        quarter = f"{month.year}Q{month.quarter}"
        for i, (e, _, _) in enumerate(people):
            measures.append({"period": str(month), "employee_id": e, "measure": "sales",
                             "value": MONTHLY_SALES.get(quarter, [10] * 4)[i]})
            measures.append({"period": str(month), "employee_id": e, "measure": "new_customers",
                             "value": 2 if e == "A2" else 1})
    targets = [{"period": "2026Q3", "employee_id": e, "kpi": "sales_amount", "target": t}
               for e, t in zip(["A1", "A2", "A3", "A4"], [300, 300, 300, 100], strict=True)]
    targets += [{"period": "2026Q3", "employee_id": e, "kpi": "new_customers", "target": 6} for e, _, _ in people]
    ratings = [{"period": "2026Q3", "employee_id": e, "rater_type": "supervisor", "criterion": "collaboration",
                "score": s} for e, s in zip(["A1", "A2", "A3", "A4"], [5, 4, 4, 3], strict=True)]
    write_tables(folder, employees=employees, measures=measures, targets=targets, ratings=ratings)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield {lang: workbench.open_workbench("2026Q3", "sales", folder, lang=lang) for lang in ("en", "zh")}


def test_outcome_top_by_hand_with_the_schemes_tie_rule(tiny):
    wb = tiny["en"]
    sheet = wb.sheet().set_index("name")["quantitative"]
    assert sheet["Name A2"] > sheet["Name A1"]  # same sales, A2 has twice the new customers
    top = R.outcome_top(wb)
    sales = top[top["kpi_name"] == "Sales"]
    assert sales["name"].tolist() == ["Name A2", "Name A1", "Name A3", "Name A4"]  # 300 = 300: quantitative decides
    assert sales["rank"].tolist() == [1, 2, 3, 4] and sales["actual"].tolist() == ["300", "300", "150", "90"]
    assert sales["share"].tolist() == pytest.approx([300 / 840, 300 / 840, 150 / 840, 90 / 840])
    assert R.outcome_top(wb, k=1)["name"].tolist() == ["Name A2", "Name A2"]  # sales and new customers


def test_growth_previous_and_year_by_hand(tiny):
    wb = tiny["en"]
    qoq = R.outcome_growth(wb, "previous")
    sales = qoq[qoq["kpi_name"] == "Sales"].set_index("name")
    assert sales.loc["Name A1", "growth"] == pytest.approx(1.0)  # (300 − 150) / 150
    assert sales.loc["Name A2", "growth"] == 0.0 and sales.loc["Name A3", "growth"] == 0.0
    assert "Name A4" not in sales.index  # 0 in 2026Q2: no base
    assert sales["rank"].tolist() == [1, 2, 3] and list(sales.index[1:]) == ["Name A2", "Name A3"]  # tie: quantitative
    yoy = R.outcome_growth(wb, "year")
    sales = yoy[yoy["kpi_name"] == "Sales"].set_index("name")
    assert sales["growth"].to_dict() == pytest.approx({"Name A2": 9.0, "Name A1": 9.0, "Name A3": 4.0, "Name A4": 2.0})
    assert "2025Q3" in narrate.growth_rule(wb, "year") and narrate.growth_gaps(wb) == ""


def test_region_shares_and_team_attainment_by_hand(tiny):
    wb = tiny["en"]
    shares = R.region_shares(wb).query("kpi_name == 'Sales'").set_index("region")
    assert shares.loc["N", "total"] == "600" and shares.loc["N", "share"] == pytest.approx(600 / 840)
    assert shares.loc["S", "share"] == pytest.approx(240 / 840) and shares["rank"].tolist() == [1, 2]
    teams = R.team_attainment(wb).set_index(["kpi_name", "team"])
    assert teams.loc[("Sales", "t1"), "attainment"] == pytest.approx(600 / 600)
    assert teams.loc[("Sales", "t2"), "attainment"] == pytest.approx(240 / 400)  # not (150/300 + 90/100) / 2
    assert teams.loc[("New customers", "t1"), "attainment"] == pytest.approx((3 + 6) / 12)


def test_criteria_ranked_with_the_tie_rule(tiny):
    table = R.criterion_top(tiny["en"])
    assert table["name"].tolist() == ["Name A1", "Name A2", "Name A3", "Name A4"]  # A2, A3 tied at 4: quantitative
    assert table["rank"].tolist() == [1, 2, 3, 4] and table["rating"].tolist() == [5, 4, 4, 3]


def test_each_ranking_has_its_rule_in_both_languages(tiny):
    for key in ("outcome_top", "criterion_top", "region_shares", "team_attainment", "team_units"):
        zh, en = (narrate.ranking_rule(tiny[lang], key) for lang in ("zh", "en"))
        assert zh.startswith("规则：") and en.startswith("Rule: ") and "{" not in zh + en
        assert not any("\u4e00" <= c <= "\u9fff" for c in en)
        assert "quantitative" not in zh and "supervisor" not in zh
    assert "定量分、上级评分" in narrate.ranking_rule(tiny["zh"], "outcome_top")


def test_a_short_history_says_what_growth_it_cannot_give(tiny, tmp_path):
    wb = tiny["zh"]
    short = dataclasses.replace(wb, periods=["2026Q2", "2026Q3"])
    assert R.outcome_growth(short, "year").empty and not R.outcome_growth(short, "previous").empty
    assert narrate.growth_gaps(short) == "2025Q3 不在本报告的历史数据中（现有 2026Q2 至 2026Q3），无法计算同比增长率。"
