"""Teams as assessed units (团队考核: the scoring template assesses 团队(销售部) as a whole).

An entity of `kind: team` in employees (interfaces.md §1) is scored like a person of its
department, with the department's weights, from its own rows of measures, targets and
ratings (keyed by its employee_id: the team's CRM totals, the team's target). It is kept
out of every personal ranking, tier and incentive (`scoring.roster` scores `kind: person`
only) and ranked among the teams (`rank`: 1 = best composite within its department, ties
sharing the lowest rank). Not to be confused with `kpilib.teams`, which scores a *manager*
on the aggregate of their team's people. Checked by hand in tests/test_team_units.py.
"""

from __future__ import annotations

import pandas as pd

from kpilib.config import Config
from kpilib.data import Dataset
from kpilib.kpis import MeasureCube
from kpilib.periods import Span
from kpilib.scoring import Scores, score
from kpilib.tiers import rank_within

KIND = "team"
UNIT_COLUMNS = ["period", "employee_id", "name", "department", "team", "region", "quantitative", "qualitative",
                "composite", "grade", "rank"]


def score_units(dataset: Dataset, config: Config, span: Span, cube: MeasureCube | None = None) -> Scores:
    """The scoring of the team entities for `span`: `sheet` (UNIT_COLUMNS: `team` is the
    team the entity stands for, its name when the column is blank; no tier), `lines` (as
    kpilib.scoring, one per team × KPI) and the warnings of that scoring (e.g. a team scored
    against the catalogue's default target). Empty frames when the data has no team entity.

    Parameters
    ----------
    dataset, config : the data and the parameters.
    span : Span
        The period.

    Returns
    -------
    Scores
        `sheet` with UNIT_COLUMNS (period, employee_id, name, department, team, region,
        quantitative, qualitative, composite, grade (its code, as kpilib.scoring), rank),
        `lines`, `tier_allocation`, `problems`.

    References
    ----------
    The scoring arithmetic of `kpilib.scoring`; team ranks checked by hand in
    tests/test_team_units.py.

    Examples
    --------
    The 21-person synthetic company has one team entity, T-sales-01:

    >>> from kpilib.synth import example_company
    >>> config, dataset = example_company(21, 3)
    >>> from kpilib.periods import parse_period
    >>> units = score_units(dataset, config, parse_period("2026Q3"))
    >>> units.sheet[["employee_id", "team", "rank"]]
      employee_id      team  rank
    0  T-sales-01  sales-01     1
    """
    if not (dataset.employees["kind"] == KIND).any():
        return Scores(span, pd.DataFrame(columns=UNIT_COLUMNS), pd.DataFrame(), pd.DataFrame())
    scored = score(dataset, config, span, kind=KIND, cube=cube)
    sheet = scored.sheet.copy()
    sheet["team"] = sheet["team"].astype(object).fillna("").where(lambda t: t != "", sheet["name"])
    sheet["rank"] = rank_within(sheet, "department")
    return Scores(span, sheet[UNIT_COLUMNS], scored.lines, scored.tier_allocation, scored.problems)
