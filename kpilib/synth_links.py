"""Leading → lagging links planted in the sample company's monthly measures.

For each catalogue link (`drives:`) inside a department, the leading KPI's numerator measure
gets a person-month shock s_t ~ N(0, SHOCK²) on the log scale (a busy month), and the
lagging KPI's numerator moves with it: log y_t += sign · (NOW · s_t + NEXT · s_{t−1}), where
s is the leading KPI's own planted shock (so visits → new customers → sales chains) and
sign is −1 when exactly one of the two is "lower is better" (slow answers, lower CSAT).
Counts stay whole; score sums stay on their 1–5 or 0–100 scale.
"""

from __future__ import annotations

import numpy as np

from kpilib.config import Config

SHOCK = 0.25  # sd of a leading KPI's monthly log shock
NOW, NEXT = 0.8, 0.4  # how much of the leading shock reaches the lagging KPI this month and next
PERFORMANCE = 0.2  # log-scale sensitivity of a drawn leading count to performance z


def plant_links(dept: str, values: dict[str, np.ndarray], config: Config, rng: np.random.Generator,
                z: np.ndarray) -> None:
    """Apply the department's links to `values` (measure → people × months array) in place;
    a leading KPI with no measures yet (one the scheme does not score) is drawn first: a
    count around its catalogue target, moving a little with performance `z`."""
    catalog = config.catalog
    pairs = [(k, g) for k, kpi in catalog.kpis.items() for g in kpi.drives
             if dept in kpi.departments and dept in catalog.kpis[g].departments]
    shocks: dict[str, np.ndarray] = {}
    for lead, lag in _ordered(pairs):
        name = catalog.formulas[lead].measures[0]
        if name not in values:
            values[name] = rng.poisson((catalog.kpis[lead].thresholds.target or 1.0) * np.exp(PERFORMANCE * z)).astype(float)
        shape = values[name].shape
        if lead not in shocks:
            shocks[lead] = rng.normal(0, SHOCK, shape)
            _apply(values, catalog, lead, shocks[lead])
        before = np.concatenate([np.zeros((shape[0], 1)), shocks[lead][:, :-1]], axis=1)
        sign = -1.0 if (catalog.kpis[lead].direction == "lower") != (catalog.kpis[lag].direction == "lower") else 1.0
        moved = sign * (NOW * shocks[lead] + NEXT * before)
        shocks[lag] = shocks.get(lag, 0) + moved
        _apply(values, catalog, lag, moved)


def _ordered(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Links whose leading KPI is not itself lagging first, so shocks travel down a chain."""
    lagging = {g for _, g in pairs}
    return sorted(pairs, key=lambda p: p[0] in lagging)


def _apply(values: dict[str, np.ndarray], catalog, kpi_id: str, shock: np.ndarray) -> None:
    measures = catalog.formulas[kpi_id].measures
    name = measures[0]  # the numerator (or the measure itself)
    moved = values[name] * np.exp(shock)
    unit = catalog.measures[name].unit
    if unit == "count":
        moved = np.rint(moved)
    elif unit == "score" and len(measures) > 1:  # a sum of scores over responses stays on the scale
        responses = values[measures[1]]
        top = 5.0 if np.nanmedian(values[name] / np.maximum(responses, 1)) <= 5 else 100.0
        moved = np.clip(np.round(moved, 2), responses, top * responses)
    else:
        moved = np.round(moved, 2)
    values[name] = moved
