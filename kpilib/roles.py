"""Weights by department × role layer, monitored KPIs, and the checks on both.

Scheme shape (extends ../shared/spec/interfaces.md §2; every existing scheme stays valid):

    departments:
      marketing:
        quantitative: {campaign_effect: 20, ...}     # the department's weights: every role's default
        qualitative: {professionalism: 9, ...}
        roles:                                       # optional, per role layer of employees.csv
          management:
            quantitative: {plan_completion: 20, ...} # replaces the department's quantitative map
                                                     # for managers; qualitative absent: the department's

A person's weights are those of their `role_layer` when the department lists it (per kind:
a role that lists only `quantitative` keeps the department's `qualitative`), else the
department's. Monitored KPIs (`monitored=True` lines: actual, target and attainment
computed, no line score, never in a subtotal): a KPI listed with weight 0, and, with
`scoring.monitored: catalogued` (the default), every quantitative KPI the catalogue gives the
department (and the person's role layer, for a KPI with `role_layer`) that is not weighted
for the person. `scoring.max_kpis` (5, the source's 二八法则) bounds the weighted quantitative
KPIs of each role: more is a warning, not an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict

from kpilib.paramtypes import Weight, did_you_mean
from kpilib.problems import Problems

if TYPE_CHECKING:
    from kpilib.config import Config

ROLE_LAYERS = ("management", "execution", "support")
RoleLayer = Literal["management", "execution", "support"]
KINDS = ("quantitative", "qualitative")
WEIGHT_COLUMNS = ["department", "role_key", "kpi", "weight", "monitored"]


class RoleWeights(BaseModel):
    """One role layer's weights; a kind left out (None) is the department's."""

    model_config = ConfigDict(extra="forbid")
    quantitative: dict[str, Weight] | None = None
    qualitative: dict[str, Weight] | None = None


class DepartmentWeights(BaseModel):
    """A department's weights (KPI: weight) and, optionally, its role layers' own."""

    model_config = ConfigDict(extra="forbid")
    quantitative: dict[str, Weight] = {}
    qualitative: dict[str, Weight] = {}
    roles: dict[RoleLayer, RoleWeights] = {}

    def weights(self, kind: str, role: str = "") -> dict[str, float]:
        """The weights of `kind` for a person of role layer `role` ("" or unlisted: the department's)."""
        own = self.roles.get(role)  # type: ignore[call-overload]
        chosen = getattr(own, kind) if own is not None else None
        return dict(chosen if chosen is not None else getattr(self, kind))

    def role_keys(self) -> list[str]:
        """"" (the department's weights) and every role layer listed."""
        return [""] + list(self.roles)


def weight_table(config: Config, kind: str) -> pd.DataFrame:
    """Every (department, role_key, kpi) line a person gets (WEIGHT_COLUMNS): role_key is a
    role layer or "" for everyone else; monitored lines carry weight 0."""
    rows = []
    for dept, dw in config.scheme.departments.items():
        for role in ("",) + ROLE_LAYERS:
            weights = dw.weights(kind, role)
            rows += [(dept, role, kpi, float(w), w == 0) for kpi, w in weights.items()]
            rows += [(dept, role, kpi, 0.0, True) for kpi in catalogued_unweighted(config, dept, role, kind, weights)]
    return pd.DataFrame(rows, columns=WEIGHT_COLUMNS)


def catalogued_unweighted(config: Config, dept: str, role: str, kind: str, weights: dict[str, float]) -> list[str]:
    """Quantitative KPIs of the catalogue for `dept` (and `role`, when the KPI names a role
    layer) that `weights` leaves out: monitored under `scoring.monitored: catalogued`."""
    if kind != "quantitative" or config.scheme.scoring.monitored != "catalogued":
        return []
    return [k for k, kpi in config.catalog.quantitative().items()
            if dept in kpi.departments and k not in weights and kpi.role_layer in (None, role)]


def person_weights(people: pd.DataFrame, config: Config, kind: str) -> pd.DataFrame:
    """One row per person × line of `kind`: employee_id, name, department, kpi, weight, monitored."""
    role = people["role_layer"].astype(object) if "role_layer" in people else pd.Series("", index=people.index)
    key = role.where(role.isin(ROLE_LAYERS), "")
    table = weight_table(config, kind)
    return (people[["employee_id", "name", "department"]].assign(role_key=key)
            .merge(table, on=["department", "role_key"]).drop(columns="role_key"))


def check_weights(config: Config, problems: Problems, sch_file: str) -> None:
    """Each weight set (a department's, each role's) names catalogue KPIs of the right kind;
    quantitative weights summing to other than 100, a composite topping out elsewhere than 100,
    more than `max_kpis` weighted quantitative KPIs, and a role-layer KPI weighted for other
    roles are warnings."""
    scheme = config.scheme
    for dept, dw in scheme.departments.items():
        for role in dw.role_keys():
            where = f"departments.{dept}" + (f".roles.{role}" if role else "")
            who = dept + (f" ({role})" if role else "")
            sets = {kind: dw.weights(kind, role) for kind in KINDS}
            for kind, weights in sets.items():
                own = getattr(dw.roles[role], kind) is not None if role else True
                for kpi_id, w in weights.items() if own else ():
                    _check_kpi(config, problems, sch_file, f"{where}.{kind}.{kpi_id}", kpi_id, kind, role, w)
            _check_totals(scheme, problems, sch_file, where, who, sets)


def _check_kpi(config: Config, problems: Problems, sch_file: str, key: str, kpi_id: str, kind: str,
               role: str, weight: float) -> None:
    kpi = config.catalog.kpis.get(kpi_id)
    if kpi is None:
        problems.error(sch_file, "a KPI id from the catalogue" + did_you_mean(kpi_id, list(config.catalog.kpis)),
                       column=key, value=kpi_id)
    elif kpi.kind != kind:
        problems.error(sch_file, f"a {kind} KPI; {kpi_id} is {kpi.kind}", column=key)
    elif kpi.role_layer and weight > 0 and role != kpi.role_layer:
        problems.warn(sch_file, f"{kpi_id} is a {kpi.role_layer}-layer KPI (catalogue role_layer) but is weighted "
                      f"for {role or 'every role'}; list it under roles.{kpi.role_layer}", column=key)


def _check_totals(scheme, problems: Problems, sch_file: str, where: str, who: str,
                  sets: dict[str, dict[str, float]]) -> None:
    quant, qual = sets["quantitative"], sets["qualitative"]
    total = sum(quant.values())
    if quant and abs(total - 100) > 1e-9:
        problems.warn(sch_file, f"quantitative weights of {who} sum to {total:g}, not 100; used as given",
                      column=f"{where}.quantitative")
    full = scheme.scoring.quantitative_share * total + sum(qual.values())
    if quant and abs(full - 100) > 1e-9:
        problems.warn(sch_file, f"someone in {who} who meets every target exactly and is rated 5 on every "
                      f"criterion scores {full:g}, not 100 (share × quantitative weights + qualitative weights; "
                      "attainment above 100% can add more)", column=where)
    core = sum(1 for w in quant.values() if w > 0)
    if core > scheme.scoring.max_kpis:
        problems.warn(sch_file, f"{who} is scored on {core} quantitative KPIs, more than scoring.max_kpis "
                      f"({scheme.scoring.max_kpis}, the 80/20 rule: a few core KPIs per person)", column=f"{where}.quantitative")


def computed_kpis(config: Config, dept: str) -> set[str]:
    """The quantitative KPIs `dept` weights (> 0) for any role: incentive rules may name these,
    or the ones it monitors (their actual is computed too)."""
    dw = config.scheme.departments[dept]
    out: set[str] = set()
    for role in ("",) + ROLE_LAYERS:
        weights = dw.weights("quantitative", role)
        out |= set(weights) | set(catalogued_unweighted(config, dept, role, "quantitative", weights))
    return out
