"""Report words and number formats (kpilib.i18n, kpilib.display) and the sentences of
kpilib.narrate, checked against numbers computed by hand from the same frames."""

from __future__ import annotations

import pandas as pd
import pytest

from kpilib import display, i18n, narrate, narrate_drivers, sections, stats, workbench
from kpilib.sections.performance import REGION_LEAST
from tests.conftest import SAMPLE


def test_labels_words_and_duplicates():
    frame = pd.DataFrame({"kpi": ["a"], "kpi_name": ["销售额"], "trend": ["increasing"], "name": ["new"],
                          "bonus": ["3×, not in full"], "at_risk": [True]})
    zh = i18n.labelled(frame, "zh")
    assert list(zh.columns) == ["指标代码", "指标", "趋势", "姓名", "奖金倍数", "风险"]
    assert zh.iloc[0].tolist() == ["a", "销售额", "上升", "new", "3×，未足额发放", "是"]  # a name is data, not a word
    en = i18n.labelled(frame, "en")
    assert en.iloc[0].tolist() == ["a", "销售额", "increasing", "new", "3×, not in full", "yes"]
    clash = i18n.labelled(pd.DataFrame({"size": [1], "people": [2]}), "zh")
    assert list(clash.columns) == ["人数 (size)", "人数 (people)"]  # never two columns of one name


def test_formats_by_what_a_number_is():
    table = pd.DataFrame({"attainment": [1.0345], "p_val": [0.00004], "gini": [0.1245], "composite": [84.25],
                          "rank": [3], "name": ["<b>x</b>"]})
    html = display.show(table, "en").to_html()
    # half up as Excel, even where the binary value sits on the half: 84.25 → 84.3, 0.1245 → 0.125
    for text in ("103.5%", "&lt;0.001", "0.125", "84.3", ">3<", "&lt;b&gt;x&lt;/b&gt;"):
        assert text in html, text
    assert display.show(table, "en").to_html() == html  # same table, same bytes
    plain = display.table_html(table, "zh")
    assert "达成率" in plain and "103.5%" in plain


@pytest.fixture(scope="module")
def sales(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        yield workbench.open_workbench("2026Q3", "sales", SAMPLE)


def test_overview_sentence_matches_the_sheet(sales):
    sheet, before = sales.sheet(), sales.sheet("2026Q2")
    mean, prev = sheet["composite"].mean(), before["composite"].mean()
    text = narrate.overview(sales, sections.headline(sales))
    excellent = int((sheet["grade"] == "优秀").sum())
    assert f"共 {len(sheet)} 人" in text and f"平均综合分 {mean:.1f}" in text
    assert f"上期 {prev:.1f}，{mean - prev:+.1f}" in text and f"优秀 {excellent} 人" in text


def test_sentences_quote_their_tables(sales):
    conc = sections.concentration(sales)
    assert f"{conc['top_share'].iloc[0]:.1%}" in narrate.concentration(sales, conc)
    test = sections.region_test(sales)
    text = narrate.regions(sales, test)
    assert f"H = {test['H'].iloc[0]:.1f}" in text and ("无显著差异" in text) == (test["p_val"].iloc[0] >= 0.05)
    one = stats.compare_groups(  # 9 people in one region, 1 in another
        pd.DataFrame({"region": ["华东"] * 9 + ["华南"], "composite": range(10)}), "composite", "region",
        min_size=REGION_LEAST)
    assert one["groups"].iloc[0] == 1 and narrate.regions(sales, one) == \
        "各区域综合分未做差异检验：有 3 人及以上的区域不足两个。"  # no "H = nan"
    ranking = sections.ranking_table(sales)
    assert narrate.leaders(sales, ranking).startswith(f"排名前列：{ranking['name'].iloc[0]}")
    leniency = sections.rater_table(sales).set_index("rater_id")
    lenient = leniency.loc["E0005"]  # 梁鹏, planted lenient: the sentence prints the table's numbers
    shown = [display._format(c, set())(lenient[c]) for c in ("leniency", "ci_low", "ci_high")]
    assert f"梁鹏（偏宽，{shown[0]}，区间 {shown[1]} 至 {shown[2]}）" in narrate.raters(
        sales, leniency, sections.rater_basis(sales), sections.raters_not_judged(sales))
    shares = sections.composite_shares(sales)
    shown = [display._format("share", display.PERCENT)(v) for v in shares["share"].iloc[:2]]
    assert f"分别占综合分方差的 {shown[0]} 和 {shown[1]}" in narrate_drivers.composite_shares(sales, shares)
    model = sections.scorecard_model(sales)
    text = narrate_drivers.scorecard_variance(sales, model)
    assert all(display._format("share", display.PERCENT)(v) in text for v in model.variance["share"])


def test_markdown_escapes_html_from_data():
    assert display.markdown("**E1** <script>alert(1)</script> & co").data == "**E1** &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"


def test_sentences_round_scores_half_up():
    assert narrate._score(84.25) == "84.3" and narrate._score(0.05, "+") == "+0.1" and f"{84.25:.1f}" == "84.2"
