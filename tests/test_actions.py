"""Follow-up actions (domain.md §6): each trigger on a hand-made history with its due date
counted by hand; "below standard" is the meets-target line, never a rank; the section on
the sample (names on a department page, counts only on the company's) and on Retail."""

from datetime import date

import pandas as pd
import pytest

from kpilib import actions as A
from kpilib import incentives as I
from kpilib import narrate, workbench
from kpilib.actionrules import Delay
from kpilib.config import load_config
from kpilib.i18n import action_rule
from kpilib.messages import readable
from kpilib.periods import parse_period
from kpilib.problems import UserError
from kpilib.sections.followup import action_list, follow_up_actions
from kpilib.standard import meets_target_line
from tests.conftest import SAMPLE
from tests.test_retail import RETAIL

CONFIG = load_config()
SCHEME = CONFIG.scheme
Q3 = parse_period("2026Q3")
QUARTERS = ["2026Q1", "2026Q2", "2026Q3"]
NO_DECISIONS = pd.DataFrame(columns=["employee_id", "rule", "outcome", "evidence", "selected"])

def words(decisions: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Decisions with their evidence codes written in words (kpilib.messages.readable)."""
    return readable(decisions, lang)


def history(composites: dict[str, list[float | None]], department: str = "sales") -> pd.DataFrame:
    """One row per person and quarter of QUARTERS (None: not scored that quarter)."""
    return pd.DataFrame([{"period": q, "employee_id": e, "name": e.upper(), "department": department, "composite": c}
                         for e, values in composites.items() for q, c in zip(QUARTERS, values, strict=True)
                         if c is not None])


def follow(composites, decisions=NO_DECISIONS, department="sales") -> pd.DataFrame:
    return A.follow_up(history(composites, department), decisions, SCHEME.actions, SCHEME, Q3)


def test_two_periods_below_standard_give_a_plan_one_gives_an_interview_only():
    out = follow({"a": [80, 65, 69.9], "b": [60, 75, 50], "c": [60, 50, 70], "d": [None, 60, 61], "e": [55, None, 55]})
    got = {(r.employee_id, r.action): r for r in out.itertuples()}
    assert set(got) == {("a", "improvement_plan"), ("a", "interview"), ("d", "improvement_plan"), ("d", "interview"),
                        ("b", "interview"), ("e", "interview")}  # c at exactly 70 meets the line; e's run is broken
    plan = got[("a", "improvement_plan")]
    assert (plan.rule, plan.parameters, plan.evidence) == ("below_standard", "periods=2; line=70", "2026Q2 65; 2026Q3 69.9")
    assert plan.due == "2026-12-31" and got[("a", "interview")].due == "2026-10-03"  # 3 months; 72 h = 3 days
    assert got[("b", "interview")].evidence == "2026Q3 50" and plan.name == "A" and plan.period == "2026Q3"
    assert out["action"].tolist()[:2] == ["improvement_plan", "improvement_plan"]  # the scheme's order


def test_no_one_below_standard_means_no_action_and_the_columns_stay():
    out = follow({"a": [90, 80, 71]})
    assert out.empty and list(out.columns) == A.COLUMNS


def test_reserve_pool_promotion_and_transfer_reviews_follow_the_incentive_decisions():
    decisions = pd.DataFrame([
        {"employee_id": "p", "rule": "reserve_pool", "outcome": "in pool", "evidence": "4 consecutive", "selected": True},
        {"employee_id": "q", "rule": "reserve_pool", "outcome": "not yet", "evidence": "3 consecutive", "selected": False},
        {"employee_id": "q", "rule": "promotion", "outcome": "eligible", "evidence": "6 months", "selected": True},
        {"employee_id": "r", "rule": "watch_list", "outcome": "review", "evidence": "2 below", "selected": True},
        {"employee_id": "s", "rule": "watch_list", "outcome": "observation", "evidence": "bottom", "selected": True},
    ])
    out = follow({"p": [95, 96, 97], "q": [90, 91, 92], "r": [75, 75, 75], "s": [72, 72, 72]}, decisions)
    got = out.set_index(["employee_id", "action"])
    assert sorted(got.index) == [("p", "reserve_pool_nomination"), ("q", "promotion_review"), ("r", "transfer_review")]
    assert got.loc[("p", "reserve_pool_nomination"), "parameters"] == "quarters=4; tiers=S/A"
    assert got.loc[("q", "promotion_review"), "parameters"] == "months=6; top=20%"
    review = got.loc[("r", "transfer_review")]
    assert (review["rule"], review["parameters"]) == ("watch_list:review", "periods=2; line=70")
    assert set(out["due"]) == {"2026-10-30"}  # 30 September + 30 days


@pytest.mark.parametrize(("period", "delay", "due"), [
    ("2026Q1", {"months": 3}, date(2026, 6, 30)),     # to the month's last day, not 30 June by luck
    ("2026-01", {"months": 1}, date(2026, 2, 28)),
    ("2026Q4", {"months": 3}, date(2027, 3, 31)),
    ("2026H1", {"hours": 72}, date(2026, 7, 3)),
    ("2026-02", {"hours": 25}, date(2026, 3, 2)),     # rounded up to 2 days
    ("2026", {"days": 0}, date(2026, 12, 31)),
])
def test_due_dates(period, delay, due):
    assert A.due_date(parse_period(period), Delay(**delay)) == due


def test_the_meets_target_line_is_the_bonus_line_else_the_lowest_passing_grade(tmp_path):
    assert meets_target_line(SCHEME, "sales").value == 70 and meets_target_line(SCHEME, "sales").source.endswith(
        "bonus.meets_target.min")
    assert meets_target_line(SCHEME, "hr").value == 70 and meets_target_line(SCHEME, "hr").source == "scoring.grades[2].min"
    client = tmp_path / "clients" / "x"
    client.mkdir(parents=True)
    for name in ("catalog.yaml", "scheme.yaml"):
        (tmp_path / name).write_bytes((CONFIG.files[0].parent / name).read_bytes())
    (client / "scheme.yaml").write_text(
        "scoring:\n  grades: [{min: 85, zh: 优, en: A}, {min: 60, zh: 及格, en: Pass}, {min: 0, zh: 差, en: Fail}]\n"
        "incentives:\n  sales: {bonus: {meets_target: {min: 75, multiplier: 1}}}\n", encoding="utf-8")
    scheme = load_config("x", tmp_path).scheme
    assert meets_target_line(scheme, "sales").value == 75 and meets_target_line(scheme, "hr").value == 60
    out = A.follow_up(history({"a": [80, 74, 74]}), NO_DECISIONS, scheme.actions, scheme, Q3)
    assert set(out["action"]) == {"improvement_plan", "interview"}  # 74 < 75 in sales
    out = A.follow_up(history({"a": [80, 61, 59]}, "hr"), NO_DECISIONS, scheme.actions, scheme, Q3)
    assert set(out["action"]) == {"interview"}  # 61 meets hr's 60


def test_the_watch_list_reviews_people_below_standard_twice_not_the_bottom_10_percent_twice():
    rule = SCHEME.incentives["sales"].watch_list
    rows = [{"period": q, "employee_id": f"e{i}", "department": "sales",
             "composite": (95 - i if i < 9 else 75)} for q in QUARTERS[1:] for i in range(10)]
    watch = I.watch_list(pd.DataFrame(rows), rule, 70).set_index("employee_id")
    assert watch.loc["e9", "outcome"] == "observation"  # bottom 10% twice, but 75 meets the line: no review
    assert "2 consecutive" not in words(watch).loc["e9", "evidence"] and "in the bottom 10% this period" in words(watch).loc["e9", "evidence"]
    low = [{**r, "composite": r["composite"] - 30} for r in rows]  # everyone below 70 twice
    watch = I.watch_list(pd.DataFrame(low), rule, 70)
    assert (watch["outcome"] == "review").all()  # whatever the rank
    assert "2 consecutive period(s) below the meets-target line 70" in words(watch)["evidence"].iloc[0]


@pytest.mark.parametrize(("yaml", "key"), [
    ("actions: {interview: {below_standard: 1, incentive: promotion, due: {days: 3}}}", "actions.interview"),
    ("actions: {interview: {below_standard: 1, due: {days: 3, hours: 72}}}", "actions.interview.due"),
    ("actions: {transfer_review: {incentive: watch_list, outcome: exit, due: {days: 3}}}", "actions.transfer_review"),
    ("actions: {interveiw: {below_standard: 1, due: {days: 3}}}", "actions.interveiw"),
])
def test_a_wrong_action_rule_is_an_error_naming_the_key(tmp_path, yaml, key):
    client = tmp_path / "clients" / "x"
    client.mkdir(parents=True)
    for name in ("catalog.yaml", "scheme.yaml"):
        (tmp_path / name).write_bytes((CONFIG.files[0].parent / name).read_bytes())
    (client / "scheme.yaml").write_text(yaml + "\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_config("x", tmp_path)
    assert key in str(err.value)


def test_the_words_of_a_trigger_in_both_languages():
    zh = action_rule("below_standard", "periods=2; line=70", "2026Q2 65; 2026Q3 69.9", "zh")
    assert zh == "综合分已连续 2 期低于达标线 70（2026Q2 65、2026Q3 69.9；规则：连续 2 期）"
    en = action_rule("watch_list:review", "periods=2; line=70", "x", "en")
    assert en == "watch list: composite below the meets-target line of 70 for 2 periods running"
    assert action_rule("promotion", "months=6; top=20%", "", "zh") == "连续 6 个月位于部门前 20%，符合晋升条件"


# --- the section on the sample and on Retail ------------------------------------------------

@pytest.fixture(scope="module")
def open_wb(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield lambda dept, lang="zh", **kw: workbench.open_workbench(kw.pop("period", "2026Q3"), dept,
                                                                     kw.pop("data", SAMPLE), lang=lang, **kw)


def _runs_by_hand(wb, employee_id: str) -> int:
    """Consecutive periods below 70 up to the latest, read straight off the scored history."""
    own = wb.history[wb.history["employee_id"] == employee_id].set_index("period")["composite"]
    run = 0
    for period in reversed(wb.periods):
        if period not in own.index or not own[period] < 70:
            break
        run += 1
    return run


def test_sales_actions_match_the_history_read_by_hand(open_wb):
    wb = open_wb("sales")
    table = follow_up_actions(wb)
    runs = {e: _runs_by_hand(wb, e) for e in wb.sheet()["employee_id"]}
    plans = set(table.loc[table["action"] == "improvement_plan", "employee_id"])
    interviews = set(table.loc[table["action"] == "interview", "employee_id"])
    assert plans == {e for e, r in runs.items() if r >= 2} and interviews == {e for e, r in runs.items() if r >= 1}
    assert plans and set(table["department"]) == {"sales"}
    reviews = set(table.loc[table["action"] == "transfer_review", "employee_id"])
    assert reviews == plans  # both are "below standard twice" under the default scheme
    shown = action_list(wb)
    assert list(shown.columns) == ["name", "action", "rule", "due"] and len(shown) == len(table)
    assert not shown["rule"].str.contains("below_standard|periods=|line=").any()
    text = narrate.actions(wb, table)
    assert f"改进计划 {len(plans)} 人" in text and "不是排名靠后" in text


def test_the_company_page_counts_and_names_no_one(open_wb):
    wb = open_wb("all", "en")
    counts = action_list(wb)
    table = follow_up_actions(wb)
    assert "name" not in counts and "employee_id" not in counts
    sales = counts.set_index("department").loc["Sales"]
    assert sales["improvement_plan"] == int(((table["department"] == "sales") & (table["action"] == "improvement_plan")).sum())
    assert (counts["people"] >= SCHEME.privacy.min_cell).all()
    assert "Follow-up actions this period" in narrate.actions(wb, table)


def test_retail_two_quarters(open_wb):
    wb = open_wb("sales", "en", client="retail", data=RETAIL)
    assert len(wb.periods) == 2
    table = follow_up_actions(wb)
    assert not (table["action"] == "reserve_pool_nomination").any()  # 4 quarters needed, 2 exist
    runs = {e: _runs_by_hand(wb, e) for e in wb.sheet()["employee_id"]}
    assert set(table.loc[table["action"] == "improvement_plan", "employee_id"]) == {e for e, r in runs.items() if r == 2}
    said = narrate.actions(wb, table)
    assert "Reserve-pool nomination needs 4 periods running, there are 2: none can arise yet." in said
    for dept in ("all", "marketing", "warehouse"):
        page = open_wb(dept, "en", client="retail", data=RETAIL)
        text = narrate.actions(page, follow_up_actions(page))
        assert text and not any("\u4e00" <= ch <= "\u9fff" for ch in text)
    warehouse = open_wb("warehouse", "zh", client="retail", data=RETAIL)  # no reserve pool rule there
    assert "后备干部提名" not in narrate.actions(warehouse, follow_up_actions(warehouse))


def test_a_promotion_review_names_the_complaints_gate():
    from kpilib.config import Gate

    scheme = SCHEME.model_copy(deep=True)
    scheme.incentives["sales"].promotion.complaints = Gate(kpi="complaint_rate", below=0.005)
    decisions = pd.DataFrame([{"employee_id": "q", "rule": "promotion", "outcome": "eligible", "evidence": "",
                               "selected": True}])
    out = A.follow_up(history({"q": [90, 91, 92]}), decisions, scheme.actions, scheme, Q3)
    assert out["parameters"].tolist() == ["months=6; top=20%; gate=complaint_rate < 0.50%"]
    assert action_rule("promotion", out["parameters"].iloc[0], "", "en").startswith("in the department's top 20% for 6")
