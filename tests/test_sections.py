"""Section tables on the sample company: consistent with the scoring sheet and the library
they call, scoped to the department, and names-free at company level."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpilib import sections, stats, workbench
from kpilib.problems import UserError
from tests.conftest import SAMPLE

PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(folder))
        workbench._MEMO.clear()  # a scoring kept in memory by an earlier test would bypass the disk cache
        yield folder


@pytest.fixture(scope="module")
def sales(cache):
    return workbench.open_workbench(PERIOD, "sales", SAMPLE)


@pytest.fixture(scope="module")
def company(cache):
    return workbench.open_workbench(PERIOD, "all", SAMPLE)


def test_workbench_scores_the_history_and_caches_it(sales, cache, sample, config):
    from kpilib.messages import grade_names
    from kpilib.scoring import score

    assert sales.periods == ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert sales.previous == "2026Q2" and set(sales.sheet()["department"]) == {"sales"}
    direct = score(sample, config, "2026Q2").sheet.query("department == 'sales'").reset_index(drop=True)
    direct = direct.assign(grade=grade_names(direct["grade"], config, "zh"))  # scores hold grade codes; pages names
    pd.testing.assert_frame_equal(sales.sheet("2026Q2").drop(columns="team"), direct.drop(columns="team"))
    heads = direct["team"].fillna("") == ""  # no team: the head of department, named for the reports
    assert heads.any() and (sales.sheet("2026Q2")["team"][heads] == "部门直属").all()
    assert len(list((cache / "store").iterdir())) == 1
    workbench._MEMO.clear()
    again = workbench.open_workbench(PERIOD, "sales", SAMPLE)  # from the period store
    pd.testing.assert_frame_equal(again.history, sales.history)


def test_cache_key_follows_the_inputs(tmp_path, cache, config):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SAMPLE, data)
    first = workbench._key(data, config, PERIOD)
    with (data / "measures.csv").open("a", encoding="utf-8") as fh:
        fh.write("2026-09,E0001,sales,1\n")
    assert workbench._key(data, config, PERIOD) != first


def test_bad_arguments_are_explained(cache):
    with pytest.raises(UserError, match="not in the scheme"):
        workbench.open_workbench(PERIOD, "nowhere", SAMPLE)
    with pytest.raises(UserError, match="zh or en"):
        workbench.open_workbench(PERIOD, "sales", SAMPLE, lang="fr")
    with pytest.raises(UserError, match="no measures"):
        workbench.open_workbench("2023Q1", "sales", SAMPLE)
    with pytest.raises(UserError, match="no one in procurement is scored in 2026Q3"):
        workbench.open_workbench(PERIOD, "procurement", SAMPLE)  # in the scheme, empty in the sample


def test_headline_and_grades_add_up(sales):
    sheet = sales.sheet()
    head = sections.headline(sales)
    assert head["people"].sum() == len(sheet)
    weighted = (head["mean"] * head["people"]).sum() / head["people"].sum()
    assert weighted == pytest.approx(sheet["composite"].mean())
    assert "" not in set(head["team"])  # the head of department is a named row
    grades = sections.grade_counts(sales)
    assert grades.drop(columns="team").to_numpy().sum() == len(sheet)
    assert list(grades.columns[1:]) == ["优秀", "良好", "合格", "待改进"]


def test_scheme_table_shows_weights_and_thresholds_in_their_units(sales, config):
    table = sections.scheme_table(sales).set_index("kpi")
    weights = config.scheme.departments["sales"]
    assert table["weight"].sum() == sum(weights.quantitative.values()) + sum(weights.qualitative.values())
    assert table.loc["renewal_rate", "target"] == "85%"
    assert table.loc["sales_amount", "target"] == "1,600,000"


def test_concentration_is_the_library_statistic(sales):
    row = sections.concentration(sales).iloc[0]
    lines = sales.period_lines()
    amounts = lines[lines["kpi"] == "sales_amount"]["actual"].dropna()
    assert row["top_share"] == pytest.approx(stats.top_share(amounts, 0.2))
    assert row["gini"] == pytest.approx(stats.gini(amounts))
    assert 0.40 < row["top_share"] < 0.50  # the planted heavy tail (source report: 45%)


def test_performance_groups_split_each_department_20_60_20(company):
    sheet = company.sheet()
    bands = sections.common.performance_groups(sheet)
    shares = bands.groupby(sheet["department"]).value_counts(normalize=True).unstack()
    assert np.allclose(shares["top 20%"], 0.2, atol=0.03) and np.allclose(shares["bottom 20%"], 0.2, atol=0.03)


def test_ranking_table_and_movement(sales):
    table = sections.ranking_table(sales)
    assert table["rank"].is_monotonic_increasing and table.iloc[0]["composite"] == table["composite"].max()
    before = sales.sheet("2026Q2").set_index("employee_id")["rank"]
    row = table.dropna(subset=["previous_rank"]).iloc[5]
    assert row["previous_rank"] == before[row["employee_id"]]
    assert row["movement"] == row["previous_rank"] - row["rank"]


def test_movement_groups_by_hand():
    # 20 people: top 10% = ranks 1-2 (k = 2), middle 30–60% = ranks 7-12 (after k = 6, up to k = 12),
    # bottom 20% = ranks 17-20 (k = 4); ranks 3-6 and 13-16 are in no group
    sheet = pd.DataFrame({"department": "d", "composite": np.arange(20, 0, -1.0)})
    groups = sections.common.performance_groups(sheet, sections.common.MOVEMENT_GROUPS)
    assert list(groups[:2]) == ["top 10%"] * 2 and list(groups[6:12]) == ["middle 30–60%"] * 6
    assert list(groups[16:]) == ["bottom 20%"] * 4
    assert list(groups[2:6]) == [""] * 4 and list(groups[12:16]) == [""] * 4


def test_group_movement_against_pandas_ranks(sales):
    table = sections.group_movement(sales).set_index("performance_group")
    before = sales.sheet("2026Q2").set_index("employee_id")
    after = sales.sheet().set_index("employee_id")
    both = before.index.intersection(after.index)
    rb = before.loc[both, "composite"].rank(method="min", ascending=False)
    ra = after.loc[both, "composite"].rank(method="min", ascending=False)
    n = len(both)
    top = rb[rb <= np.floor(0.1 * n + 0.5)].index  # top 10%: no ties at this cut in the sample
    assert table.loc["top 10%", "people"] == len(top)
    assert table.loc["top 10%", "stayed"] == pytest.approx((ra[top] <= np.floor(0.1 * n + 0.5)).mean())
    assert table.loc["top 10%", "mean_abs_rank_change"] == pytest.approx((rb[top] - ra[top]).abs().mean())


def test_planted_supervisors_show_in_their_department(sales):
    flags = sections.rater_table(sales).set_index("rater_id")["flag"]
    assert flags.get("E0005") == "lenient" and flags.get("E0006") == "severe"


def test_score_details_explain_every_line(sales):
    details = sections.score_details(sales)
    lines = sales.period_lines()
    assert len(details) == (~lines["monitored"]).sum()  # monitored lines: sections.monitored_details
    sums = details.groupby("employee_id")["line_score"].sum()
    assert sums.index.isin(sales.sheet()["employee_id"]).all()


def test_company_tables_name_no_one(company, sample):
    people = sample.people()
    names = set(people["name"]) | set(people["employee_id"])
    calls = ["scheme_table", "headline", "grade_counts", "kpi_attainment", "concentration", "group_profile",
             "ranking_table", "rank_stability", "group_movement", "trend_frame", "person_trends", "outlook",
             "top_separators", "rater_table", "self_gap", "incentive_summary", "kpi_leaders", "most_improved",
             "score_details", "new_hire_ramp", "coaching", "top_cases", "rater_basis", "raters_not_judged",
             "incentive_counts", "region_comparison", "region_test"]
    for name in calls:
        frame = getattr(sections, name)(company)
        shown = set(frame.astype(str).to_numpy().ravel()) | {str(c) for c in frame.columns}
        assert not shown & names, name


def test_department_tables_show_only_its_people(sales, sample):
    people = sample.employees.set_index("employee_id")
    others = set(people.loc[people["department"] != "sales", "name"]) - set(people.loc[people["department"] == "sales", "name"])
    for name in ("ranking_table", "kpi_leaders", "most_improved", "outlook", "person_trends", "incentive_summary",
                 "decisions", "score_details", "rater_table", "raters_not_judged", "coaching", "top_cases"):
        frame = getattr(sections, name)(sales)
        assert not set(frame.astype(str).to_numpy().ravel()) & others, name


def test_performance_groups_by_hand():
    # 19 people: k = round_half_up(3.8) = 4 at each end; a tie at the top boundary stays on top
    scores = [100, 99, 98, 97, 97] + list(range(80, 66, -1))
    sheet = pd.DataFrame({"department": "d", "composite": [float(s) for s in scores]})
    bands = sections.common.performance_groups(sheet)
    assert list(bands[:5]) == ["top 20%"] * 5
    assert list(bands[-4:]) == ["bottom 20%"] * 4 and (bands == "middle 60%").sum() == 10


def test_coaching_names_the_bottom_group_and_their_weakest_kpis(sales):
    table = sections.coaching(sales, k=1)
    sheet = sales.sheet()
    bottom = set(sheet.loc[sections.common.performance_groups(sheet) == "bottom 20%", "name"])
    assert set(table["name"]) == bottom and table["rank"].is_monotonic_decreasing
    worst = table.iloc[0]
    person = sheet.set_index("name").loc[worst["name"], "employee_id"]
    lines = sales.period_lines().query("kind == 'quantitative'").dropna(subset=["attainment"])
    gap = lines["attainment"] - lines.groupby("kpi")["attainment"].transform("mean")
    weakest = lines.loc[gap[lines["employee_id"] == person].idxmin()]
    assert worst["kpis"].startswith(f"{sales.kpi_name(weakest['kpi'])} {weakest['attainment']:.0%}")
    assert set(sections.top_cases(sales)["name"]) == set(sheet.loc[sections.common.performance_groups(sheet) == "top 20%", "name"])


def test_drivers_sections_on_the_sample(sales, company):
    from kpilib import narrate_drivers

    shares = sections.composite_shares(sales)
    assert shares["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert list(shares["kpi_name"][:2]) == [sales.kpi_name("sales_amount"), sales.kpi_name("new_customers")]
    assert "kpi" not in shares.columns  # names, never ids, on a page
    sentence = narrate_drivers.composite_shares(sales, shares)
    assert f"{round(100 * shares['share'].iloc[0], 1):.1f}%" in sentence
    model = sections.scorecard_model(sales)
    assert model.refusal == "" and not model.supervisor  # a team has one supervisor in the sample
    assert model.variance["share"].sum() == pytest.approx(1.0)
    assert set(model.effects["factor"]) <= {"region", "tenure_band", "role_layer", "new_hire"}
    again = sections.scorecard_model(sales)
    pd.testing.assert_frame_equal(model.importance, again.importance)  # the bootstrap is seeded
    fits = sections.leading_links(sales)
    table = sections.link_table(sales, fits)
    assert set(table["lagging_name"]) == {sales.kpi_name("sales_amount"), sales.kpi_name("new_customers")}
    assert (table["ci_low"] > 0).all()  # the planted links, this month and next
    assert (sections.link_backtest(sales, fits)["gain"] > 0).all()
    top = sections.top_separators(company)
    assert top.loc[top["department"] == company.department_name("sales"), "share"].iloc[0] == pytest.approx(
        shares["share"].iloc[0])
    assert "department" in set(sections.scorecard_model(company).effects["factor"])


def test_the_mixed_model_refuses_a_small_department(tmp_path, monkeypatch):
    from kpilib import narrate_drivers
    from tests.test_retail import RETAIL

    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path))
    for lang in ("en", "zh"):
        wb = workbench.open_workbench(None, "marketing", RETAIL, "retail", lang)
        model = sections.scorecard_model(wb)
        assert model.refusal == "too_few_people" and model.effects.empty
        text = narrate_drivers.scorecard(wb, model)
        assert str(model.people) in text and "30" in text
    assert "marketing" not in text and "supervisor" not in text


def test_sections_name_no_kpi_or_measure_of_the_catalogue(config):
    """The sections take KPI ids from the scheme and catalogue (the complaints gate, the
    breakthrough KPI, outcome KPIs), never from their own code."""
    import re

    from tests.conftest import ROOT
    ids = set(config.catalog.kpis) | set(config.catalog.measures)
    for module in sorted((ROOT / "kpilib" / "sections").glob("*.py")):
        quoted = set(re.findall(r"[\"'](\w+)[\"']", module.read_text(encoding="utf-8")))
        assert not quoted & ids, (module.name, sorted(quoted & ids))


def test_a_trend_chart_of_many_teams_draws_the_largest(sales, monkeypatch):
    from kpilib import figures
    from kpilib.sections import trends

    teams = sales.sheet()["team"].value_counts()
    assert sections.trend_groups(sales) == len(teams) > 2
    monkeypatch.setattr(trends, "TREND_LINES", 2)
    frame = sections.trend_frame(sales)
    largest = sales.sheet().groupby("team").size().sort_index().sort_values(ascending=False, kind="stable")
    assert set(frame["team"]) == set(largest.index[:2])  # the most people this period; ties by name
    ax = figures.trend(sales)
    assert f"的 2 个团队，共 {len(teams)} 个" in ax.get_title() and len(ax.get_legend().get_texts()) == 2


def test_the_ranking_chart_says_what_its_bars_are(cache):
    import matplotlib.pyplot as plt

    from kpilib import figures

    def title(dept: str, lang: str, top: int = 15) -> str:
        wb = workbench.open_workbench(PERIOD, dept, SAMPLE, lang=lang)
        shown = figures.ranking(wb, top=top if top else len(wb.sheet())).get_title()
        plt.close("all")
        return shown

    assert title("all", "en") == "Mean composite by department"  # its bars are departments, however many
    assert title("sales", "en") == "Top 15 by composite"
    assert title("sales", "zh", top=0) == "综合分排名"  # everyone fits: no "top N" of fewer than N
