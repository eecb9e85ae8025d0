"""Section 10's rulebook (sections.rulebook): every rule of the scheme in force said in a
sentence with its numbers, both languages; perspective weights by hand; monitored KPIs
listed without a score."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from kpilib import sections, workbench
from kpilib.config import load_config
from tests.conftest import SAMPLE

PERIOD = "2026Q3"
RETAIL = Path(__file__).parent / "data" / "retail" / "retail.xlsx"


@pytest.fixture(scope="module")
def wbs(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield {(dept, lang): workbench.open_workbench(PERIOD, dept, SAMPLE, lang=lang)
               for dept in ("sales", "all") for lang in ("zh", "en")}


def test_every_rule_with_its_numbers(wbs):
    zh = sections.rule_sentences(wbs["sales", "zh"]).set_index("topic")["rule_text"]
    assert "综合分 = 定量分 × 70% + 定性分" in zh["综合分"]
    assert "自评 × 20% + 上级 × 60% + 跨部门 × 20%" in zh["评分人权重"]
    assert "每项得分保留 1 位小数，评分 2 位，小计 1 位，综合分 1 位" in zh["舍入"]
    assert zh["等级"] == "等级：优秀 ≥ 90、良好 80–89.9、合格 70–79.9、待改进 < 70。"
    assert "S 5%、A 15%、B 60%、C 15%、D 5%" in zh["强制分布"] and "部门内" in zh["强制分布"]
    assert "定量分、上级评分" in zh["同分处理"] and "不足 5 人" in zh["小组规则"]
    assert "最高 150%" in zh["达成率"]
    assert "综合分可高于 100（本方案最高 124.5）" in zh["综合分"]  # 0.7 × 90 × 1.5 + 30
    en = sections.rule_sentences(wbs["sales", "en"]).set_index("topic")["rule_text"]
    assert en["Grades"] == "Grades: Excellent ≥ 90, Good 80–89.9, Pass 70–79.9, Needs improvement < 70."
    assert "quantitative × 70%" in en["Composite"] and "self × 20%" in en["Rater weights"]
    for text in zh:
        assert not any(code in text for code in ("supervisor", "cross_department", "quantitative", "None"))


def test_the_rules_follow_the_scheme_in_force(wbs):
    """Another composite split, rater weights and a scheme version: the sentences follow."""
    wb = wbs["sales", "en"]
    scoring = wb.config.scheme.scoring.model_copy(update={"quantitative_share": 0.6, "raters": {"supervisor": 1.0}})
    config = dataclasses.replace(wb.config, scheme=wb.config.scheme.model_copy(update={"scoring": scoring}))
    config.version = "2026Q2"  # what the schemes branch adds to Config
    table = sections.rule_sentences(dataclasses.replace(wb, config=config)).set_index("topic")["rule_text"]
    assert table.iloc[0] == "Scheme version: 2026Q2."
    assert "quantitative × 60%" in table["Composite"] and table["Rater weights"].startswith("Rating = supervisor × 100%;")
    assert "Scheme version" not in set(sections.rule_sentences(wb)["topic"])  # no version: no row


def test_incentive_rules_with_their_thresholds(wbs):
    table = sections.incentive_rules(wbs["sales", "zh"])
    said = table.set_index("rule")["rule_text"]
    assert said["bonus"] == ("奖金：部门排名前 10% 3×、前 30% 2×；其余综合分 ≥ 70 者 1× 基本奖金，其他人无奖金；"
                             "回款及时率 ≥ 95% 才足额发放。")
    assert "120%" in said["commission"] and "3×" in said["commission"]
    assert "连续 6 个月" in said["promotion"] and "前 20%" in said["promotion"]
    assert "S/A" in said["reserve_pool"] and "1.5 倍" in said["breakthrough"] and "后 10%" in said["watch_list"]
    company = sections.incentive_rules(wbs["all", "zh"])
    assert "客户服务部未配置激励规则。" in set(company["rule_text"])


def test_perspective_weights_by_hand(wbs):
    """Sales: quantitative 30 + 15 + 10 financial, 20 + 15 customer (× 0.7); qualitative 10
    customer, 5 process, 10 + 5 learning; total 0.7 × 90 + 30 = 93."""
    table = sections.perspective_weights(wbs["all", "en"]).set_index("department")
    sales = table.loc["sales"]
    assert sales["financial"] == pytest.approx(0.7 * 55 / 93) and sales["customer"] == pytest.approx(34.5 / 93)
    assert sales["process"] == pytest.approx(5 / 93) and sales["learning"] == pytest.approx(15 / 93)
    assert np.allclose(table.sum(axis=1), 1)
    assert table.loc["customer_service", "financial"] == 0
    notes = sections.perspective_notes(wbs["all", "zh"], sections.perspective_weights(wbs["all", "zh"]))
    assert "客户服务部的财务视角权重为 0%" in notes
    assert "Customer service gives 0% weight to the financial" in sections.perspective_notes(wbs["all", "en"], table.reset_index())
    shown = sections.perspective_table(wbs["all", "zh"], table.reset_index())
    assert "销售部" in set(shown["department"])


def test_monitored_kpis_are_listed_never_scored(wbs):
    """Sales KPIs of the catalogue the scheme does not weight are listed with the people
    measured and their mean actual, and no weight or score."""
    wb = wbs["sales", "zh"]
    lines = wb.period_lines()
    watched = lines[lines["monitored"] & (lines["department"] == "sales")].dropna(subset=["actual"])
    table = sections.monitored_kpis(wb).set_index("kpi_name")
    assert set(table.index) == set(watched["kpi"].map(wb.kpi_name)) and "销售周期" in table.index
    cycle = watched[watched["kpi"] == "sales_cycle"]
    assert table.loc["销售周期", "people"] == cycle["employee_id"].nunique()
    assert set(table["kind"]) == {"monitored"} and not {"weight", "line_score"} & set(table.columns)


def test_northwind_rulebook(tmp_path):
    config = load_config("retail")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path))
        workbench._MEMO.clear()
        wb = workbench.open_workbench(PERIOD, "all", RETAIL, client="retail", lang="en")
    assert len(sections.rule_sentences(wb)) >= 10
    weights = sections.perspective_weights(wb)
    assert set(weights["department"]) == set(wb.departments()) and np.allclose(weights.iloc[:, 1:].sum(axis=1), 1)
    assert config.scheme.departments.keys() >= set(weights["department"])
