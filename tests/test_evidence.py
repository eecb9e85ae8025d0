"""Section 70's appeal evidence on the worked example of domain.md §3 with remarks written
in its data: the chain written out step by step, each rater's score and note, each KPI's
source, the remarks of measures and targets (CSV and XLSX), monitored lines apart."""

from __future__ import annotations

import pandas as pd
import pytest

from kpilib import display, sections, store, workbench
from kpilib.data import load_dataset
from tests.test_worked_example import build

NOTES = {"target": "大客户合同延期到下季度", "measure": "9月系统故障，回款延迟", "rating": "跨部门项目配合积极"}


def _with_notes(folder):
    """The worked example's files with a note on a target, a measure and a supervisor rating."""
    targets = pd.read_csv(folder / "targets.csv", dtype=str)
    targets["note"] = ""
    targets.loc[targets["kpi"] == "sales_amount", "note"] = NOTES["target"]  # all three months: said once
    targets.to_csv(folder / "targets.csv", index=False)
    measures = pd.read_csv(folder / "measures.csv", dtype=str)
    measures["note"] = ""
    measures.loc[(measures["measure"] == "collected_on_time") & (measures["period"] == "2025-09"), "note"] = NOTES["measure"]
    measures.to_csv(folder / "measures.csv", index=False)
    ratings = pd.read_csv(folder / "ratings.csv", dtype=str)
    ratings["note"] = ""
    ratings.loc[(ratings["rater_type"] == "supervisor") & (ratings["criterion"] == "collaboration"), "note"] = NOTES["rating"]
    ratings.to_csv(folder / "ratings.csv", index=False)
    return folder


def _of_t1(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of T1, the team the worked example scores."""
    return frame[frame["employee_id"] == "T1"]


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = _with_notes(build(tmp_path_factory.mktemp("example")))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield {lang: workbench.open_workbench("2025Q3", "sales", folder, lang=lang) for lang in ("zh", "en")}, folder


def test_the_chain_is_written_out_with_the_schemes_rounding(example):
    wbs, _ = example
    steps = _of_t1(sections.chain_steps(wbs["en"])).set_index("step")
    assert steps["value"].to_dict() == {"quantitative subtotal": "85.2", "weighted": "59.64",
                                        "qualitative subtotal": "24.5", "composite": "84.1"}
    assert steps.loc["weighted", "calculation"] == "85.2 × 70% (not rounded)"
    assert steps.loc["composite", "calculation"] == "59.64 + 24.5 = 84.14, to 1 decimal(s)"
    assert steps.loc["quantitative subtotal", "calculation"] == "sum of 5 line scores 85.2, to 1 decimal(s)"
    zh = _of_t1(sections.chain_steps(wbs["zh"])).set_index("step")
    assert zh.loc["composite", "calculation"] == "59.64 + 24.5 = 84.14，保留 1 位小数"


def test_each_rater_with_score_note_and_rubric(example):
    wbs, _ = example
    table = _of_t1(sections.rating_evidence(wbs["zh"]))
    assert len(table) == 4 * 3 + 2  # 4 criteria × self, supervisor, one cross rater; two have a second
    collab = table[table["kpi_name"] == "跨部门协作"]
    assert list(collab["rater_type"]) == ["self", "supervisor", "cross_department", "cross_department"]
    assert list(collab["rater_name"]) == ["销售一组", "王经理", "", ""]  # colleagues rate anonymously
    assert list(collab["score"]) == [3, 5, 4, 5]
    assert collab.set_index("rater_type").loc["supervisor", "note"] == NOTES["rating"]
    rubric = table.set_index("kpi_name")["rubric"]
    assert rubric["客户满意度"].iloc[0] == "5分: ≥95%; 3分: 90–95%; 1分: <90%"
    assert rubric["创新提案"].iloc[0] == "指标库未写评分标准"


def test_each_line_names_its_source_and_remarks(example):
    wbs, _ = example
    details = _of_t1(sections.score_details(wbs["zh"])).set_index("kpi_name")
    assert details.loc["销售额达成率", "source"] == "CRM系统（财务部）"
    assert details.loc["回款及时率", "source"] == "财务报表（财务部）"
    assert details.loc["销售额达成率", "note"] == NOTES["target"]
    assert details.loc["回款及时率", "note"] == NOTES["measure"]
    assert details.loc["新客户开发数", "note"] == ""
    english = _of_t1(sections.score_details(wbs["en"])).set_index("kpi_name")
    assert english.loc["Sales target attainment", "source"] == "CRM (Finance)"


def test_notes_are_read_from_a_workbook_too(example, tmp_path, config):
    _, folder = example
    book = tmp_path / "example.xlsx"
    with pd.ExcelWriter(book) as xl:
        for name in ("employees", "measures", "targets", "ratings"):
            pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False).to_excel(xl, sheet_name=name, index=False)
    data = load_dataset(book, config)
    assert NOTES["target"] in set(data.targets["note"])
    assert NOTES["measure"] in set(data.measures["note"].astype(str))
    assert NOTES["rating"] in set(data.ratings["note"].astype(str))
    assert not [p for p in data.warnings.items if "note" in str(p.column)]  # a known column


def test_the_card_shows_every_part_in_the_reports_language(example):
    wbs, _ = example
    wb = wbs["zh"]
    html = display.cards(sections.score_details(wb), "zh", parts=[
        ("chain", sections.chain_steps(wb)), ("ratings by rater", sections.rating_evidence(wb))]).data
    for text in ("综合分计算过程", "定性评分明细（各评分人）", "59.64", NOTES["rating"], NOTES["target"], "上级", "备注"):
        assert text in html, text
    for code in ("supervisor", "cross_department", "quantitative subtotal"):
        assert code not in html, code


def test_monitored_lines_are_listed_apart_and_never_scored(example, monkeypatch):
    """Sales KPIs of the catalogue that the scheme does not weight (sales cycle, ...) are
    monitored lines: they leave the score details and the chain, and are listed with their
    actual and no score."""
    wb = example[0]["zh"]
    lines = wb.period_lines()
    watched = set(lines.loc[lines["monitored"], "kpi"].map(wb.kpi_name))  # scoring has ids; pages look names up
    assert "销售周期" in watched
    assert not watched & set(sections.score_details(wb)["kpi_name"])
    assert len(_of_t1(sections.score_details(wb))) == 9
    assert _of_t1(sections.monitored_details(wb)).empty  # nothing measured for them: nothing listed
    lines = wb.lines.copy()
    cycle = (lines["employee_id"] == "T1") & (lines["kpi"] == "sales_cycle") & (lines["period"] == "2025Q3")
    lines.loc[cycle, "actual"] = 42.0
    monkeypatch.setattr(wb, "line_scores", store.Lines.held(lines))
    monitored = _of_t1(sections.monitored_details(wb))
    assert list(monitored["kpi_name"]) == ["销售周期"] and "line_score" not in monitored.columns
    assert _of_t1(sections.chain_steps(wb)).set_index("step").loc["composite", "value"] == "84.1"
