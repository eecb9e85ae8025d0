"""Score details in parts (kpilib.sections.parts): a large department's details on pages of
whole teams, planned as documents of their own (kpilib.pack.plan), linked from the
department's page; no page of a large company's pack above ~5 MB."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpilib import display_parts, sections, workbench
from kpilib.config import Pages
from kpilib.pack import carry
from kpilib.pack.plan import plan
from kpilib.problems import UserError
from kpilib.sections.parts import pack_teams
from tests.conftest import SAMPLE

PERIOD = "2026Q3"
LIMIT = 20  # people per part in these tests (the sample's sales has 84 people in teams of ~10)


def limited(wb: workbench.Workbench, limit: int = LIMIT) -> workbench.Workbench:
    """`wb` with `pages.details_per_part: limit` in its scheme."""
    scheme = wb.config.scheme.model_copy(update={"pages": Pages(details_per_part=limit)})
    return dataclasses.replace(wb, config=dataclasses.replace(wb.config, scheme=scheme))


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KPIREPORT_CACHE", str(folder))
        workbench._MEMO.clear()
        yield folder


@pytest.fixture(scope="module")
def sales(cache):
    return limited(workbench.open_workbench(PERIOD, "sales", SAMPLE, lang="en"))


@pytest.fixture(scope="module")
def company(cache):
    return limited(workbench.open_workbench(PERIOD, "all", SAMPLE, lang="en"))


def test_teams_fill_parts_in_order_by_hand():
    # limit 8: 3+5 = 8 fits; 4 starts part 2 (12 > 8); 9 is a part alone (above the limit); 2 a fourth
    sizes = pd.Series([3, 5, 4, 9, 2], index=["a", "b", "c", "d", "e"])
    assert pack_teams(sizes, 8).tolist() == [1, 1, 2, 3, 4]
    assert pack_teams(sizes, 100).tolist() == [1] * 5


def test_a_large_department_is_split_into_parts_of_whole_teams(sales):
    sheet = sales.sheet()
    parts = sections.detail_parts(sales)
    teams = sheet["team"].value_counts()
    assert len(parts) == len(teams) and set(parts["team"]) == set(teams.index)  # every team once
    assert (parts.set_index("team")["people"] == teams.reindex(parts["team"]).to_numpy()).all()
    assert parts["team"].iloc[0] == "reports to the head"  # the head first, then teams by name
    assert parts["team"].iloc[1:].tolist() == sorted(parts["team"].iloc[1:])
    per_part = parts.groupby("part")["people"].sum()
    alone = parts.groupby("part")["team"].count() == 1
    assert ((per_part <= LIMIT) | alone).all() and per_part.sum() == len(sheet)
    assert parts["part"].tolist() == sorted(parts["part"]) and per_part.index.tolist() == list(range(1, len(per_part) + 1))
    # one more team would have fitted in no part: greedy, so consecutive parts overflow
    firsts = parts.groupby("part")["people"].first()
    assert ((per_part.iloc[:-1].to_numpy() + firsts.iloc[1:].to_numpy()) > LIMIT).all()


def test_within_the_limit_a_department_is_one_page(cache):
    wb = workbench.open_workbench(PERIOD, "sales", SAMPLE, lang="en")  # default: 500 people per part
    assert sections.detail_parts(wb).empty and sections.part_list(wb, "70_details").empty
    assert sections.part_view(wb, None) is wb
    with pytest.raises(UserError, match="part 1: sales has no such part"):
        sections.part_view(wb, 1)


def test_company_level_lists_every_large_department(company):
    parts = sections.detail_parts(company)
    sizes = company.sheet()["department"].value_counts()
    assert set(parts["department"]) == set(sizes[sizes > LIMIT].index)
    assert sections.part_list(company, "70_details").empty and sections.part_view(company, None) is company


def test_each_part_shows_only_its_people_with_the_departments_ranks(sales):
    parts = sections.detail_parts(sales)
    assert sections.part_view(sales, None) is None  # the department's page lists the parts instead
    sheet = sales.sheet().set_index("employee_id")
    seen = []
    for part, teams in parts.groupby("part")["team"]:
        view = sections.part_view(sales, part)
        people = set(sheet.index[sheet["team"].isin(teams)])
        assert set(view.sheet()["employee_id"]) == people
        details = sections.score_details(view)
        assert set(details["employee_id"]) == people
        ranks = details.drop_duplicates("employee_id").set_index("employee_id")["rank"]
        assert (ranks == sheet.loc[ranks.index, "rank"]).all()  # the department's ranks, not the part's
        assert set(sections.chain_steps(view)["employee_id"]) == people
        assert set(sections.rating_evidence(view)["employee_id"]) <= people
        seen += sorted(people)
    assert sorted(seen) == sorted(sheet.index)  # every person in exactly one part
    with pytest.raises(UserError, match=f"parts: 1–{parts['part'].max()}"):
        sections.part_view(sales, parts["part"].max() + 1)


def test_the_department_page_lists_its_parts(sales):
    listed = sections.part_list(sales, "70_details")
    parts = sections.detail_parts(sales)
    assert listed.columns.tolist() == ["part", "teams", "people", "href"]
    assert listed["href"].tolist() == [f"70_details-{p:02d}.html" for p in listed["part"]]
    assert listed["people"].tolist() == parts.groupby("part")["people"].sum().tolist()
    first = parts[parts["part"] == 1]["team"]
    assert listed["teams"].iloc[0] == (first.iloc[0] if len(first) == 1 else f"{first.iloc[0]} – {first.iloc[-1]}")


def test_the_pages_say_what_they_hold_in_both_languages(sales):
    listed = sections.part_list(sales, "70_details")
    total = int(listed["people"].sum())
    en = display_parts.contents(listed, None, "en", back="70_details.html").data
    assert f"The score details of the department's {total} people come in {len(listed)} parts" in en
    assert en.count("<a href=") == len(listed) and '<a href="70_details-01.html">1</a>' in en
    zh = display_parts.contents(listed, None, "zh", back="70_details.html").data
    assert f"本部门 {total} 人的评分明细按团队分为 {len(listed)} 个部分" in zh and "<th>部分</th>" in zh
    words = re.sub(r"<[^>]+>|sales-\d+|reports to the head", "", zh)  # the en workbench's team names are data
    assert not re.search(r"[A-Za-z]{3,}", words)  # no English words
    last = listed.iloc[-1]
    page = display_parts.contents(listed, int(last["part"]), "en", back="70_details.html").data
    assert f"Part {last['part']} of {len(listed)}: teams {last['teams']}, {last['people']} people." in page
    assert '<a href="70_details.html">Back to all parts</a>' in page
    assert display_parts.contents(listed.iloc[:0], None, "en", back="70_details.html") is None  # one page


def _plan(parts: pd.DataFrame | None):
    return plan(PERIOD, ["sales", "marketing"], client=None, data_dir=SAMPLE, lang="zh", formats=("html",),
                inputs={}, params={}, sections=["details", "overview"], parts=parts)


def test_the_plan_adds_one_document_per_part(sales):
    parts = sections.detail_parts(sales)
    docs = _plan(parts)
    details = [d for d in docs if d.section == "70_details"]
    n = parts["part"].max()
    assert [d.stem for d in details] == ["sales/70_details"] + [f"sales/70_details-{p:02d}" for p in range(1, n + 1)] \
        + ["marketing/70_details"]
    assert [d.part for d in details] == [None, *range(1, n + 1), None]
    assert len({d.key for d in docs}) == len(docs)  # each part a document of its own
    overview = [d.stem for d in docs if d.section == "10_overview"]
    assert overview == ["all/10_overview", "sales/10_overview", "marketing/10_overview"]  # not in parts
    assert [d.stem for d in _plan(None) if d.section == "70_details"] == ["sales/70_details", "marketing/70_details"]


def test_a_partial_run_keeps_every_part_it_did_not_rebuild(tmp_path: Path):
    def entry(dept, part=None):
        stem = f"{dept}/70_details" + (f"-{part:02d}" if part else "")
        (tmp_path / stem).parent.mkdir(exist_ok=True)
        (tmp_path / f"{stem}.html").write_text("page")
        return {"department": dept, "section": "70_details", "outputs": [f"{stem}.html"],
                "parameters": {"department": dept, **({"part": part} if part else {})}, "inputs": {}}
    previous = [entry("sales"), entry("sales", 1), entry("sales", 2), entry("marketing")]
    merged = carry.merge([entry("marketing")], previous, tmp_path, {})
    assert sorted(e["outputs"][0] for e in merged) == [
        "marketing/70_details.html", "sales/70_details-01.html", "sales/70_details-02.html", "sales/70_details.html"]


@pytest.mark.slow
def test_no_page_of_a_large_company_grows_with_it(tmp_path, monkeypatch):
    """2,000 people with limits a tenth of the defaults (50 people per part, 30 rows per
    table), so every page here stands for a page of a 20,000-person pack at the defaults:
    parts a tenth of 5 MB, every person's card in exactly one part, linked from the
    department's page; tables cut to 30 rows."""
    from typer.testing import CliRunner

    from kpilib.cli import app
    from tests.conftest import ROOT
    from tests.test_cli import said

    runner = CliRunner()
    params = tmp_path / "params"
    shutil.copytree(ROOT / "params", params, ignore=shutil.ignore_patterns("clients"))
    (params / "clients" / "big").mkdir(parents=True)
    (params / "clients" / "big" / "scheme.yaml").write_text("pages: {details_per_part: 50, table_rows: 30}\n")
    monkeypatch.setenv("KPIREPORT_PARAMS", str(params))
    monkeypatch.setenv("KPIREPORT_CACHE", str(tmp_path / "cache"))
    data, out = tmp_path / "data", tmp_path / "r"
    assert runner.invoke(app, ["demo-data", "--out", str(data), "--employees", "2000"]).exit_code == 0
    result = runner.invoke(app, ["pack", "--data", str(data), "--client", "big", "--out", str(out), "--lang", "en",
                                 "--departments", "sales,customer_service,all", "--sections", "rankings,details"])
    assert result.exit_code == 0, said(result)
    period = out / "2026Q3"
    docs = json.loads((period / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert {d["status"] for d in docs} == {"ok"}
    scored = pd.read_csv(period / "scores.csv", dtype={"employee_id": str})
    for dept in ("sales", "customer_service"):
        people = scored.loc[scored["department"] == dept, "employee_id"]
        parts = sorted(d["parameters"]["part"] for d in docs if d["department"] == dept and "part" in d["parameters"])
        assert len(parts) >= len(people) / 50 and parts == list(range(1, len(parts) + 1))
        page = (period / dept / "70_details.html").read_text(encoding="utf-8")
        assert [f"70_details-{p:02d}.html" for p in parts] == re.findall(r'href="(70_details-\d+\.html)"', page)
        assert 'class="card-filter"' not in page and f"department's {len(people):,} people" in page  # the list, no cards
        cards = []
        for p in parts:
            part = period / dept / f"70_details-{p:02d}.html"
            assert part.stat().st_size < 5 * 2**20 / 10, part
            text = part.read_text(encoding="utf-8")
            assert 'href="70_details.html"' in text and f"Part {p} of {len(parts)}" in text
            cards += re.findall(r"<h3[^>]*>\d+\. [^<]*\((\w+)\)", text)
        assert sorted(cards) == sorted(people)  # everyone once
    for page in period.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 5 * 2**20, page
        for table in re.findall(r"<tbody>(.*?)</tbody>", text, re.S):
            assert table.count("<tr") <= 30 or page.name.startswith("70_details"), page  # cards are paged by part
    for front in (period / "index.html", period / "sales" / "index.html"):  # the index, the landing page
        assert "70_details-01" not in front.read_text(encoding="utf-8")  # parts: linked from their department's page
