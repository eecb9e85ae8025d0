"""Managers scored on their team's aggregate (`scoring.role_layers: {management: team}`).

A director or team lead often has no personal target: their result is their team's. For
people of a role layer the scheme maps to `team`, each quantitative line that has no
target of the person's own is recomputed on the aggregate of their team (everyone in the
same department and team, themselves included; the whole department when they have no
team): measures are aggregated per member over the period first, then summed across
members (averaged for `mean` measures), and the KPI formula applies to the totals, so a
team's rate is a ratio of team sums. The target is the members' targets added up (counts
and amounts) or averaged (rates), leaving out other team-scored managers without a target
of their own; `target_source` says how many members had their own, and `scored_on` is
"team" on such lines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Catalog, Config
from kpilib.kpis import MeasureCube, kpi_values
from kpilib.messages import args_text
from kpilib.periods import Span
from kpilib.targets import LEVELS, resolve_targets

PREFIX = "team-of:"  # the aggregate entity of a manager


class TeamCube:
    """A `MeasureCube` over team aggregates: one row per manager's team (`PREFIX` + id)."""

    def __init__(self, cube: MeasureCube, members: pd.DataFrame, catalog: Catalog):
        self.cube, self.members = cube, members  # members: columns member, entity
        self.how = {k: ("mean" if v.aggregation == "mean" else v.aggregation if v.aggregation in ("max", "min")
                        else "sum") for k, v in catalog.measures.items()}

    def frame(self, span: Span) -> pd.DataFrame:
        per_member = self.cube.frame(span)
        joined = self.members.join(per_member, on="member")
        if per_member.columns.empty:
            return pd.DataFrame(index=pd.Index([], name="employee_id", dtype="str"))
        grouped = joined.groupby("entity")
        parts = {c: (grouped[c].sum(min_count=1) if self.how.get(c, "sum") == "sum" else grouped[c].agg(self.how[c]))
                 for c in per_member.columns}
        return pd.DataFrame(parts)


def membership(people: pd.DataFrame, managers: pd.Series) -> pd.DataFrame:
    """Every member of each manager's team (themselves included), or of their department
    when their team is blank.

    Parameters
    ----------
    people : DataFrame
        The roster: employee_id, department, team ("" when none).
    managers : Series
        employee_ids of the team-scored managers.

    Returns
    -------
    DataFrame
        manager, member, entity (`PREFIX` + manager: the team aggregate's id).

    References
    ----------
    The rule of the module docstring; checked by hand in tests/test_scoring.py
    (test_managers_without_targets_are_scored_on_their_team).

    Examples
    --------
    >>> people = pd.DataFrame({"employee_id": ["M", "A", "D", "B"], "department": ["s", "s", "s", "s"],
    ...                        "team": ["t1", "t1", "", "t2"]})
    >>> membership(people, pd.Series(["M", "D"]))
      manager member     entity
    0       M      M  team-of:M
    1       M      A  team-of:M
    2       D      M  team-of:D
    3       D      A  team-of:D
    4       D      D  team-of:D
    5       D      B  team-of:D
    """
    rows = []
    for manager in managers:
        me = people.loc[people["employee_id"] == manager].iloc[0]
        same = people["department"] == me["department"]
        if me["team"]:
            same &= people["team"] == me["team"]
        for member in people.loc[same, "employee_id"]:
            rows.append((manager, member, PREFIX + manager))
    return pd.DataFrame(rows, columns=["manager", "member", "entity"])


def team_lines(lines: pd.DataFrame, people: pd.DataFrame, targets: pd.DataFrame, config: Config, span: Span,
               cube: MeasureCube, months_employed: pd.Series, explain: bool = True) -> pd.DataFrame:
    """`lines` with the lines of team-scored managers recomputed on their team's aggregate
    (actual, reason, inputs (blank without `explain`), target levels, target_source); other
    lines unchanged.

    Parameters
    ----------
    lines : DataFrame
        The period's quantitative lines (employee_id, kpi, actual, reason, inputs, the target
        levels, target_source, scored_on), as `kpilib.scoring` builds them.
    people : DataFrame
        The roster (employee_id, department, team, role_layer).
    targets : DataFrame
        The targets table.
    config, span : the scheme and the period.
    cube : MeasureCube
        The people's measures.
    months_employed : Series
        Months employed in the period per employee_id (prorated default targets).

    Returns
    -------
    DataFrame
        `lines`, the same columns; team-scored lines have scored_on "team" and a
        target_source `team_sum` | `team_mean` {n, own} ("team of n: sum of targets (k own)"),
        `catalogue_team_sum` | `catalogue_team_mean` {n} or `none`.

    References
    ----------
    Team actual = formula of team sums; checked by hand in tests/test_scoring.py
    (test_managers_without_targets_are_scored_on_their_team: (3+2+1) M / (3+3) M).

    Examples
    --------
    `kpilib.scoring.score` calls it when the scheme maps a role layer to "team"; a
    21-person synthetic company, its management scored on the team:

    >>> from kpilib.synth import example_company
    >>> config, dataset = example_company(21, 3)
    >>> from kpilib.scoring import score
    >>> scheme = config.scheme.model_copy(deep=True)
    >>> scheme.scoring.role_layers = {"management": "team"}
    >>> lines = score(dataset, type(config)(config.catalog, scheme), "2026Q3").lines
    >>> team = lines[lines["scored_on"] == "team"]
    >>> team.loc[team["employee_id"] == "E0002", ["target_source", "target_source_args"]].iloc[0].tolist()
    ['catalogue_team_mean', '{"n":4}']
    >>> sorted(lines.loc[lines["scored_on"] == "team", "employee_id"].unique())[:3]
    ['E0001', 'E0002', 'E0007']
    """
    layers = [layer for layer, how in config.scheme.scoring.role_layers.items() if how == "team"]
    managers = people.loc[people["role_layer"].isin(layers), "employee_id"]
    own = lines["target_source"].astype(str).str.startswith("targets")
    need = lines["employee_id"].isin(managers) & ~own
    if not need.any():
        return lines
    catalog = config.catalog
    members = membership(people, pd.Series(lines.loc[need, "employee_id"].unique()))
    team_cube = TeamCube(cube, members[["member", "entity"]], catalog)
    wanted = lines.loc[need, ["employee_id", "kpi"]].assign(entity=lambda f: PREFIX + f["employee_id"])
    entities = wanted.groupby("kpi", sort=False)["entity"].unique().to_dict()
    values = kpi_values(team_cube, catalog, span, list(entities), entities, explain)
    values = values.rename(columns={"employee_id": "entity"}).drop(columns="period")
    aggregate = wanted.merge(values, on=["entity", "kpi"], how="left").merge(
        _team_targets(wanted, members, targets, catalog, span, months_employed, set(managers)),
        on=["entity", "kpi"], how="left")
    out = lines.copy()
    index = out.index[need]
    keyed = aggregate.set_index(["employee_id", "kpi"])
    at = pd.MultiIndex.from_frame(out.loc[need, ["employee_id", "kpi"]])
    for col in ("actual", "reason", "inputs", *LEVELS, "target_source", "target_source_args"):
        out.loc[index, col] = keyed[col].reindex(at).to_numpy()
    out["actual"] = out["actual"].astype(float)
    out.loc[index, "scored_on"] = "team"
    return out


def _team_targets(wanted: pd.DataFrame, members: pd.DataFrame, targets: pd.DataFrame, catalog: Catalog, span: Span,
                  months_employed: pd.Series, managers: set[str]) -> pd.DataFrame:
    """Per (entity, kpi): the members' targets added up or averaged, and where they came from.
    Team-scored managers without a target of their own add nothing (their team's targets
    already hold their result), unless the team has no one else."""
    pairs = members.merge(wanted[["entity", "kpi"]], on="entity")
    resolved = resolve_targets(targets, catalog, span, pairs.rename(columns={"member": "employee_id"}), months_employed)
    resolved["entity"] = pairs["entity"].to_numpy()
    resolved["own"] = resolved["target_source"].astype(str).str.startswith("targets")
    resolved["counted"] = resolved["own"] | ~resolved["employee_id"].isin(managers)
    rows = []
    for (entity, kpi), everyone in resolved.groupby(["entity", "kpi"], sort=False):
        group = everyone[everyone["counted"]] if everyone["counted"].any() else everyone
        adds = catalog.kpis[kpi].targets_add_up
        levels = [group[lv].sum(min_count=1) if adds else group[lv].mean() for lv in LEVELS]
        n, own = len(group), int(group["own"].sum())
        how = "sum" if adds else "mean"
        code, args = (f"team_{how}", {"n": n, "own": own}) if own else (f"catalogue_team_{how}", {"n": n})
        if np.isnan(levels[0]):
            code, args = "none", {}
        rows.append((entity, kpi, *levels, code, args_text(args)))
    return pd.DataFrame(rows, columns=["entity", "kpi", *LEVELS, "target_source", "target_source_args"])
