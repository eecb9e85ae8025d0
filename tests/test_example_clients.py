"""The example clients of params/clients/ validate and score the sample; their composites
are recomputed here from the lines, with their own split (70/30 and 60/20/20)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from kpilib.config import load_config
from kpilib.scoring import score
from kpilib.workbench import load_inputs


def half_up(x: float, places: int = 1) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@pytest.fixture(scope="module", params=["marketing-scheme", "sales-ranking"])
def client(request):
    config, dataset = load_inputs(None, request.param)
    return request.param, config, score(dataset, config, "2026Q3")


def test_it_validates_and_scores_only_its_department(client):
    name, config, scored = client
    assert not config.warnings.errors
    dept = {"marketing-scheme": "marketing", "sales-ranking": "sales"}[name]
    assert list(config.scheme.departments) == [dept]
    assert set(scored.sheet["department"]) == {dept} and scored.sheet["composite"].notna().all()


def test_composites_follow_the_clients_split(client):
    name, config, scored = client
    share = {"marketing-scheme": 0.7, "sales-ranking": 0.6}[name]
    lines = scored.lines[~scored.lines["monitored"]]
    for row in scored.sheet.head(12).itertuples():
        own = lines[lines["employee_id"] == row.employee_id]
        quant = half_up(sum(own.loc[own["kind"] == "quantitative", "line_score"]))
        qual = half_up(sum(own.loc[own["kind"] == "qualitative", "line_score"]))
        assert (row.quantitative, row.qualitative) == (quant, qual)
        assert row.composite == half_up(share * quant + qual)


def test_the_marketing_roles_and_the_outline_weights():
    marketing = load_config("marketing-scheme").scheme.departments["marketing"]
    assert list(marketing.weights("quantitative").values()) == [20, 30, 25, 15, 10]  # the planning role
    assert "plan_completion" in marketing.weights("quantitative", "management")
    assert list(marketing.weights("qualitative").values()) == [9, 7.5, 6, 4.5, 3]  # 30/25/20/15/10 of 30
    sales = load_config("sales-ranking").scheme
    weights = sales.departments["sales"]
    assert sales.scoring.quantitative_share * sum(weights.quantitative.values()) == 60
    assert weights.qualitative == {"customer_satisfaction": 20, "collaboration": 10, "innovation": 10}
    rules = sales.incentives["sales"]
    assert rules.bonus.full_payment.min == 0.95 and rules.commission.attainment == 1.2
