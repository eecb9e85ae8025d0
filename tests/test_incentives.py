"""Results applied: each rule on a hand-made case, with its evidence; the rules per
department from scheme.yaml, checked against the catalogue; the section on the sample."""

import dataclasses
import shutil
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill as pm
import pytest

from kpilib import incentives as I
from kpilib import narrate, sections, workbench
from kpilib.config import Gate, Incentives, Promotion, load_config
from kpilib.messages import namer, readable
from kpilib.problems import UserError
from tests.conftest import SAMPLE

SALES = load_config().scheme.incentives["sales"]

def words(decisions: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Decisions with their evidence codes written in words (kpilib.messages.readable)."""
    return readable(decisions, lang)


def sheet(composites, department="sales"):
    return pd.DataFrame({"employee_id": [f"e{i:02d}" for i in range(len(composites))], "department": department,
                         "composite": composites})


def test_bonus_bands_and_full_payment_gate():
    s = sheet([99, 95, 90, 88, 85, 80, 78, 75, 72, 60])  # 10 people
    lines = pd.DataFrame({"employee_id": ["e00", "e01", "e09"], "kpi": "collection_on_time", "actual": [0.97, 0.90, 0.2]})
    out = I.bonus(s, lines, SALES.bonus).set_index("employee_id")
    assert out.loc["e00", "multiplier"] == 3 and out.loc["e00", "full_payment"]
    assert out.loc["e01", "multiplier"] == 2 and not out.loc["e01", "full_payment"]
    assert out.loc["e01", "outcome"] == "2×, not in full" and "90.00%" in words(out).loc["e01", "evidence"]
    catalog = load_config().catalog  # the evidence in words: share 2/10 = 20.0%, in the top 30% band, gate 90% < 95%
    assert readable(out, "en", namer(catalog, "en")).loc["e01", "evidence"] == (
        "rank share 20.0%: top 30% of department; On-time collection 90.00% (needs ≥ 95.00%)")
    assert readable(out, "zh", namer(catalog, "zh")).loc["e01", "evidence"] == "部门排名位于前 20.0%：部门前 30%；回款及时率 90.00%（要求 ≥ 95.00%）"
    assert out.loc["e03", "multiplier"] == 1 and out.loc["e09", "multiplier"] == 0
    # 0× is nothing to pay, in full or not: not selected, and no "not in full"
    assert out.loc["e09", "outcome"] == "0×" and not out.loc["e09", "selected"]
    assert out["selected"].sum() == 9


def test_an_unmeasured_gate_fails_and_says_so():
    s = sheet([99, 95, 90, 88, 85, 80, 78, 75, 72, 60])
    no_lines = pd.DataFrame({"employee_id": [], "kpi": [], "actual": []})
    out = I.bonus(s, no_lines, SALES.bonus).set_index("employee_id")
    assert not out["full_payment"].any()
    assert out.loc["e00", "outcome"] == "3×, not in full"
    assert "collection_on_time not measured (needs ≥ 95.00%)" in words(out).loc["e00", "evidence"]
    gate = Gate(kpi="complaint_rate", below=0.005)
    assert I.passes(pd.Series([0.001, 0.005, np.nan]), gate).tolist() == [True, False, False]
    months = pd.DataFrame([{"period": f"2026-{m:02d}", "employee_id": f"e{i:02d}", "department": "sales",
                            "composite": 90.0 - i} for m in range(1, 7) for i in range(5)])  # e00 on top
    rule = Promotion(months=6, top=0.2, complaints=gate)
    for complaints in (None, pd.Series({"other": 0.0})):
        out = I.promotion(months, complaints, rule).set_index("employee_id")
        assert out.loc["e00", "outcome"] == "not yet" and "complaint_rate not measured" in words(out).loc["e00", "evidence"]
    assert I.promotion(months, pd.Series({"e00": 0.001}), rule)["selected"].tolist() == [True] + [False] * 4


def test_a_bonus_without_gate_is_paid_in_full():
    rule = SALES.bonus.model_copy(update={"full_payment": None})
    out = I.bonus(sheet([99, 95, 90, 88, 85, 80, 78, 75, 72, 60]), pd.DataFrame({"employee_id": [], "kpi": [], "actual": []}), rule)
    assert out["full_payment"].all() and out["outcome"].tolist() == ["3×"] + ["2×"] * 2 + ["1×"] * 6 + ["0×"]
    assert "collection_on_time" not in " ".join(words(out)["evidence"])


def test_commission():
    lines = pd.DataFrame({"employee_id": ["a", "b"], "kpi": "sales_amount", "attainment": [1.25, 1.10]})
    out = I.commission(lines, SALES.commission).set_index("employee_id")
    assert out["outcome"].to_dict() == {"a": "3×", "b": "standard"} and out["selected"].tolist() == [True, False]


def test_promotion_needs_six_months_in_the_top_and_few_complaints():
    rows = []
    for m in range(1, 8):
        for i, c in enumerate([95, 90, 80, 70, 60, 50, 40, 30, 20, 10]):
            score = c if not (i == 1 and m == 3) else 5  # e01 drops out in month 3
            rows.append({"period": f"2026-{m:02d}", "employee_id": f"e{i:02d}", "department": "sales", "composite": score})
    rule = SALES.promotion.model_copy(update={"complaints": Gate(kpi="complaint_rate", below=0.005)})
    out = I.promotion(pd.DataFrame(rows), pd.Series({"e00": 0.001}), rule).set_index("employee_id")
    assert out.loc["e00", "outcome"] == "eligible" and "7 consecutive months" in words(out).loc["e00", "evidence"]
    assert out.loc["e01", "outcome"] == "not yet"
    high = I.promotion(pd.DataFrame(rows), pd.Series({"e00": 0.01}), rule).set_index("employee_id")
    assert high.loc["e00", "outcome"] == "not yet"
    assert I.promotion(pd.DataFrame(rows), None, SALES.promotion)["selected"].sum() == 1  # no gate: e00 only


def test_reserve_pool_breakthrough_watch_list():
    quarters = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    tiers = pd.DataFrame([{"period": q, "employee_id": e, "tier": t} for q in quarters
                          for e, t in (("a", "S"), ("b", "A" if q != "2026Q1" else "B"))])
    pool = I.reserve_pool(tiers, SALES.reserve_pool).set_index("employee_id")["outcome"]
    assert pool.to_dict() == {"a": "in pool", "b": "not yet"}
    history = pd.DataFrame([{"employee_id": "a", "period": q, "sales": v} for q, v in zip(quarters, [100, 120, 110, 190], strict=True)])
    assert I.breakthrough(history, "sales", SALES.breakthrough)["outcome"].tolist() == ["breakthrough"]
    rows = [{"period": q, "employee_id": f"e{i:02d}", "department": "sales", "composite": 90 - i - (50 if i == 3 and q >= "2026Q2" else 0)}
            for q in quarters for i in range(10)]
    watch = I.watch_list(pd.DataFrame(rows), SALES.watch_list, 70).set_index("employee_id")
    assert watch.loc["e03", "outcome"] == "review" and watch.loc["e09", "outcome"] == ""
    assert watch.index[watch["selected"]].tolist() == ["e03"]


def test_a_single_period_and_two_departments():
    # one quarter (a yearly report on two years of data has one): streaks of 1, groups kept apart
    rows = [{"period": "2025", "employee_id": f"{d}{i}", "department": d, "composite": 90.0 - i}
            for d in ("s", "m") for i in range(10)]
    watch = I.watch_list(pd.DataFrame(rows), SALES.watch_list, 70).set_index("employee_id")["outcome"]
    assert watch["s9"] == watch["m9"] == "observation" and watch["s8"] == ""
    months = pd.DataFrame(rows).assign(period="2025-12")
    promo = I.promotion(months, None, SALES.promotion).set_index("employee_id")
    assert "1 consecutive months in the top 20%" in words(promo).loc["s0", "evidence"]
    assert promo.loc["m1", "outcome"] == "not yet" and "1 consecutive" in words(promo).loc["m1", "evidence"]


# --- the rules in scheme.yaml ---------------------------------------------------------------

DOMAIN_6 = {  # domain.md §6, as params/scheme.yaml writes it
    "bonus": {"bands": [{"top": 0.10, "multiplier": 3}, {"top": 0.30, "multiplier": 2}],
              "meets_target": {"min": 70, "multiplier": 1},
              "full_payment": {"kpi": "collection_on_time", "min": 0.95, "below": None}},
    "commission": {"kpi": "sales_amount", "attainment": 1.20, "multiplier": 3},
    "promotion": {"months": 6, "top": 0.20, "complaints": None},
    "reserve_pool": {"quarters": 4, "tiers": ["S", "A"]},
    "breakthrough": {"kpi": "sales_amount", "ratio": 1.5},
    "watch_list": {"bottom": 0.10, "review_after": 2},
}


def test_the_default_rules_are_domain_section_6_for_sales_and_marketing():
    rules = load_config().scheme.incentives
    assert set(rules) == {"sales", "marketing"}
    assert rules["sales"].model_dump() == DOMAIN_6
    marketing = rules["marketing"].model_dump()
    assert marketing["bonus"] == {**DOMAIN_6["bonus"], "full_payment": None}  # marketing measures no collection
    assert marketing["commission"] is None and marketing["breakthrough"] == {"kpi": "media_exposure", "ratio": 1.5}
    assert all(marketing[r] == DOMAIN_6[r] for r in ("promotion", "reserve_pool", "watch_list"))


def test_no_incentive_rule_is_only_a_code_default():
    assert Incentives().configured() == []
    with pytest.raises(ValueError, match="ratio"):
        Incentives.model_validate({"breakthrough": {"kpi": "sales_amount"}})


def client_scheme(tmp_path, text):
    """load_config with a client scheme.yaml of `text` over a copy of the default parameters."""
    root = load_config().files[0].parent
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(root / name, tmp_path / name)
    (tmp_path / "clients" / "acme" / "scheme.yaml").write_text(text, encoding="utf-8")
    return load_config("acme", tmp_path)


def test_unknown_kpis_in_rules_are_errors_naming_file_and_key(tmp_path):
    text = ("incentives:\n  sales:\n    commission: {kpi: sales_amout}\n"
            "    bonus: {full_payment: {kpi: complaint_rate}}\n"
            "    reserve_pool: {tiers: [S, A+]}\n  warehose: {watch_list: {bottom: 0.1, review_after: 2}}\n")
    with pytest.raises(UserError) as err:
        client_scheme(tmp_path, text)
    found = [str(p) for p in err.value.problems.errors]
    assert any("scheme.yaml (client acme)" in e and "incentives.sales.commission.kpi" in e
               and "'sales_amout'" in e and "did you mean sales_amount?" in e for e in found), found
    assert any("incentives.sales.bonus.full_payment.kpi" in e and "scored for sales" in e for e in found), found
    assert any("incentives.sales.reserve_pool.tiers" in e and "'A+'" in e for e in found), found
    assert any("incentives.warehose" in e and "department" in e for e in found), found
    with pytest.raises(UserError) as err:  # a rule present without its thresholds
        client_scheme(tmp_path / "x", "incentives:\n  hr:\n    breakthrough: {kpi: hiring_fill_rate}\n")
    assert any("incentives.hr.breakthrough.ratio" in str(p) for p in err.value.problems.errors)


def test_a_client_drops_a_departments_rules(tmp_path):
    config = client_scheme(tmp_path, "incentives:\n  sales: ~\n  marketing: {commission: ~, bonus: {full_payment: ~}}\n")
    assert set(config.scheme.incentives) == {"marketing"}


# --- the section on the sample company --------------------------------------------------------

@pytest.fixture(scope="module")
def open_dept(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(tmp_path_factory.mktemp("cache")))
        workbench._MEMO.clear()
        yield lambda dept, lang="zh": workbench.open_workbench("2026Q3", dept, SAMPLE, lang=lang)


def test_sales_gets_multipliers_and_headlines_count_only_who_receives_something(open_dept):
    wb = open_dept("sales")
    summary = sections.incentive_summary(wb)
    bonus = I.bonus(wb.sheet(), wb.period_lines(), SALES.bonus)
    assert set(summary["bonus"]) >= {"3×", "2×", "1×"} and (summary["bonus"] == "0×").any()
    paid = int((bonus["multiplier"] > 0).sum())
    counts = sections.incentive_counts(wb).set_index("rule")["selected"]
    assert not summary.attrs and counts["bonus"] == paid < len(bonus)
    assert f"奖金倍数 {paid} 人" in narrate.incentives(wb, sections.incentive_counts(wb))
    notable = sections.decisions(wb, notable=True)
    assert not notable["outcome"].str.startswith("0×").any() and "selected" not in notable


def test_a_department_without_rules_gets_one_sentence_and_no_table(open_dept):
    for lang, sentence in (("zh", "人力资源部未配置激励规则"), ("en", "No incentive rules are configured for Human resources")):
        wb = open_dept("hr", lang)
        summary = sections.incentive_summary(wb)
        assert summary.empty and sections.decisions(wb).empty
        assert sections.incentive_counts(wb).empty
        text = narrate.incentives(wb, sections.incentive_counts(wb))
        end = "。" if lang == "zh" else ". "
        assert text.startswith(sentence) and text.endswith(end.strip()) and end not in text[:-1]  # one sentence
    company = sections.incentive_summary(open_dept("all"))
    assert company["department"].tolist() == ["销售部", "市场部"]
    assert company.set_index("department").loc["市场部", "commission"] is pd.NA  # not a rule of marketing


def test_the_notebook_of_a_department_without_rules_says_so_and_shows_no_table(tmp_path, monkeypatch):
    notebook = Path(__file__).resolve().parent.parent / "notebooks" / "60_incentives.ipynb"
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / notebook.name
    pm.execute_notebook(str(notebook), str(out), parameters={"period": "2026Q3", "department": "hr", "lang": "en"},
                        kernel_name="python3", progress_bar=False, cwd=str(notebook.parent))
    outputs = [o for c in nbformat.read(out, as_version=4).cells if c.cell_type == "code" for o in c.outputs]
    shown = [o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/html", "") for o in outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [s for s in shown if "No incentive rules are configured for Human resources" in s]
    assert not [s for s in shown if "<table" in s or "Summary" in s or "Evidence" in s]


def test_the_counts_the_sentence_quotes_are_shown_under_it(open_dept):
    """Notebook 60 shows sections.incentive_counts right under narrate.incentives, which quotes it."""
    import json

    wb = open_dept("sales", "en")
    counts = sections.incentive_counts(wb)
    text = narrate.incentives(wb, counts)
    assert all(f": {n}" in text for n in counts["selected"])
    cells = [c for c in json.loads((Path(__file__).parent.parent / "notebooks" / "60_incentives.ipynb").read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    said = next(i for i, c in enumerate(cells) if "narrate.incentives(" in "".join(c["source"]))
    assert "".join(cells[said + 1]["source"]).startswith("display.show(counts")


def test_decisions_are_made_once_per_workbench_and_a_replaced_workbench_makes_its_own(open_dept, monkeypatch):
    wb = open_dept("sales")
    made = []
    real = sections.incentives._decisions
    monkeypatch.setattr(sections.incentives, "_decisions", lambda w: made.append(w) or real(w))
    first = sections.decisions(wb)
    first["outcome"] = "changed by a caller"
    again = sections.decisions(wb, notable=True)
    assert len(made) == 1 and "changed by a caller" not in set(again["outcome"])
    expected = real(wb)
    assert again.equals(expected[expected["selected"]].drop(columns="selected").reset_index(drop=True))
    part = dataclasses.replace(wb, history=wb.history[wb.history["employee_id"] != wb.sheet()["employee_id"].iloc[0]])
    sections.decisions(part)
    assert len(made) == 2
