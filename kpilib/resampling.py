"""Resampled scorings of one period: the noise behind rank and tier uncertainty.

Each resample redraws, for every person scored:

- the **months** of the period, with replacement, among the k months in which the person
  has measures: flows (`sum`, `mean`, `max`, `min` measures) are aggregated again over
  the drawn months; states at the period's edges (`first`, `last`) keep their value. The
  deviation of a summed or averaged measure from its observed aggregate is scaled by
  √(k/(k − 1)), which removes the bootstrap's (k − 1)/k bias of a mean's variance
  (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, §5.2 and problem 5.9);
- the **raters** of each rater type (all of a rater's criteria together), with
  replacement among that person's n raters of the type; the deviation of the type's mean
  score is scaled by √(n/(n − 1)) likewise.

The resampled measures then go through the real scoring arithmetic: the KPI formula
(`kpilib.formula.evaluate`), `scoring.attainment`, the line rounding, `scoring.subtotal_of`
and `scoring.composite_of`. Lines scored on a team's aggregate and lines without a value
keep their observed score. With identity draws (every month and every rater once) the
composites are the scoring sheet's exactly (tests/test_resampling.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpilib.config import Config
from kpilib.data import Dataset
from kpilib.formula import evaluate, lag_spans
from kpilib.kpis import MeasureCube
from kpilib.rounding import round_half_up
from kpilib.scoring import Scores, attainment, composite_of, ratings_in, subtotal_of

FLOWS = ("sum", "mean", "max", "min")
SCALED = ("sum", "mean")  # linear aggregates, whose bootstrap variance is biased by (k − 1)/k


@dataclass
class MonthPanel:
    """Monthly measures of the people resampled: `values[p, m, j]` is measure m of person p
    in their j-th present month (NaN when absent); `months[p]` how many months they have."""

    people: pd.Index
    measures: list[str]
    values: np.ndarray
    months: np.ndarray


def month_panel(measures: pd.DataFrame, span, people: pd.Index) -> MonthPanel:
    """The panel of `people`'s monthly measures inside `span` (months with no measure left out)."""
    inside = measures[(measures["period"] >= span.start) & (measures["period"] <= span.end)
                      & measures["employee_id"].isin(people)]
    names = sorted(inside["measure"].astype(str).unique())
    k = span.months_count
    values = np.full((len(people), len(names), k), np.nan)
    person = people.get_indexer(inside["employee_id"].astype(str))
    column = pd.Index(names).get_indexer(inside["measure"].astype(str))
    month = np.array([(p - span.start).n for p in inside["period"]], dtype=int)
    values[person, column, month] = inside["value"].to_numpy(float)
    present = ~np.isnan(values).all(axis=1)  # [P, k]
    order = np.argsort(~present, axis=1, kind="stable")  # present months first
    packed = np.take_along_axis(values, order[:, None, :], axis=2)
    return MonthPanel(people, names, packed, present.sum(axis=1))


def month_draws(months: np.ndarray, slots: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """[R, P, slots] positions of the drawn months (uniform among each person's `months`),
    −1 in the slots beyond a person's months."""
    k = months[None, :, None]
    drawn = np.floor(rng.random((resamples, len(months), slots)) * np.maximum(k, 1)).astype(int)
    return np.where(np.arange(slots)[None, None, :] < k, drawn, -1)


def identity_month_draws(months: np.ndarray, slots: int, resamples: int = 1) -> np.ndarray:
    """Every present month once: the draws that reproduce the observed period."""
    position = np.broadcast_to(np.arange(slots), (resamples, len(months), slots))
    return np.where(position < months[None, :, None], position, -1)


def _aggregate(drawn: np.ndarray, how: str) -> np.ndarray:
    """Aggregate [R, P, slots] over the slots, NaN where nothing was drawn."""
    empty = np.isnan(drawn).all(axis=2)
    filled = {"sum": np.nan_to_num(drawn).sum(axis=2)}.get(how)
    if filled is None:
        reduce = {"mean": np.nanmean, "max": np.nanmax, "min": np.nanmin}[how]
        with np.errstate(invalid="ignore"), np.testing.suppress_warnings() as quiet:
            quiet.filter(RuntimeWarning)
            filled = reduce(np.where(empty[..., None], 0.0, drawn), axis=2)
    return np.where(empty, np.nan, filled)


def remeasured(panel: MonthPanel, draws: np.ndarray, observed: pd.DataFrame,
               aggregation: dict[str, str]) -> dict[str, np.ndarray]:
    """Each measure aggregated over the drawn months: {measure: [R, P]}; `observed` is the
    period's aggregate per person (MeasureCube.frame), kept for first/last measures."""
    observed = observed.reindex(panel.people)
    scale = np.sqrt(panel.months / np.maximum(panel.months - 1, 1))
    out = {}
    for m, name in enumerate(panel.measures):
        how = aggregation.get(name, "sum")
        seen = observed[name].to_numpy(float) if name in observed.columns else np.full(len(panel.people), np.nan)
        if how not in FLOWS:
            out[name] = np.broadcast_to(seen, draws.shape[:2]).copy()
            continue
        drawn = np.take_along_axis(np.broadcast_to(panel.values[:, m, :], draws.shape), np.maximum(draws, 0), axis=2)
        value = _aggregate(np.where(draws >= 0, drawn, np.nan), how)
        out[name] = seen + scale * (value - seen) if how in SCALED else value
    return out
