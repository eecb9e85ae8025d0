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

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from kpilib.config import Config
from kpilib.data import Dataset
from kpilib.formula import evaluate
from kpilib.kpis import MeasureCube
from kpilib.rounding import round_half_up
from kpilib.scoring import (
    Scores,
    attainment_rules,
    composite_of,
    line_attainment,
    ratings_in,
    subtotal_of,
)

FLOWS = ("sum", "mean", "max", "min")
SCALED = ("sum", "mean")  # linear aggregates, whose bootstrap variance is biased by (k − 1)/k
BLOCK_CELLS = 10_000_000  # resamples × lines scored at once: a 28,000-person department's 200 resamples were 3.5 GB


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
    month = inside["period"].array.asi8 - span.start.ordinal
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices are masked below
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


def _tiled(frame: pd.DataFrame, resamples: int) -> pd.DataFrame:
    """`frame` repeated `resamples` times, resample-major, on a RangeIndex (text stays
    NumPy objects: cheap to build and to compare)."""
    return pd.DataFrame({c: pd.Series(np.tile(frame[c].to_numpy(), resamples),
                                      dtype=float if pd.api.types.is_numeric_dtype(frame[c]) else object)
                         for c in frame.columns})


def quantitative_scores(lines: pd.DataFrame, config: Config, cube: MeasureCube, span, panel: MonthPanel,
                        draws: np.ndarray) -> np.ndarray:
    """[R, L] line scores of the quantitative `lines` (scoring's lines of one period) over
    the drawn months; lines scored on a team, or without an actual, keep their score."""
    resamples = draws.shape[0]
    out = np.tile(lines["line_score"].to_numpy(float), (resamples, 1))
    redo = (lines["scored_on"] == "person").to_numpy() & lines["actual"].notna().to_numpy()
    aggregation = {k: v.aggregation for k, v in config.catalog.measures.items()}
    cache: dict[str, np.ndarray] = {}

    def measure(name: str) -> np.ndarray:
        if name not in cache:
            cache[name] = remeasured(MonthPanel(panel.people, [name], panel.values[:, [panel.measures.index(name)], :],
                                                panel.months), draws, cube.frame(span), aggregation)[name]
        return cache[name]

    for kpi, rows in lines[redo].groupby("kpi", sort=False):
        formula = config.catalog.formulas[kpi]
        person = panel.people.get_indexer(rows["employee_id"].astype(str))
        ids = rows["employee_id"].astype(str).to_numpy()
        frames: dict = {}

        def frame_for(at, formula=formula, person=person, ids=ids, frames=frames):
            if at not in frames:
                frames[at] = (pd.DataFrame({m: measure(m)[:, person].ravel() for m in formula.measures
                                            if m in panel.measures}) if at == span
                              else _tiled(cube.frame(at).reindex(ids), resamples))
            return frames[at]

        values, _ = evaluate(formula, frame_for, span, pd.RangeIndex(resamples * len(rows)))
        tiled = _tiled(rows[["target", "baseline", "challenge"]].astype(float), resamples)
        tiled["actual"] = values.to_numpy()
        att, _ = line_attainment(tiled, _tiled(attainment_rules(rows, config), resamples), config)
        weight = np.tile(rows["weight"].to_numpy(float), resamples)
        line = round_half_up(weight * att.to_numpy(), config.scheme.scoring.rounding.line)
        out[:, lines.index.get_indexer(rows.index)] = line.reshape(resamples, len(rows))
    return out


@dataclass
class RaterPanel:
    """The ratings feeding qualitative lines, coded for resampling.

    Per rating row: `rater` (code), `cell` (person × criterion × rater type), `score`.
    Per rater: `start` (the first rater code of its person × rater type group) and `size`
    (the group's raters; codes of a group are consecutive). Per cell: `line` (the
    qualitative line it feeds), `weight` (its rater type's) and `size` of its group."""

    rater: np.ndarray
    cell: np.ndarray
    score: np.ndarray
    start: np.ndarray
    size: np.ndarray
    cell_line: np.ndarray
    cell_weight: np.ndarray
    cell_size: np.ndarray


def rater_panel(ratings: pd.DataFrame, lines: pd.DataFrame, config: Config) -> RaterPanel:
    """Code the period's `ratings` that feed the qualitative `lines` (rater types of weight
    0 feed nothing); a rating without a rater_id counts as its own rater, the n-th of its
    person × criterion × type."""
    weights = config.scheme.scoring.raters
    r = pd.DataFrame({c: ratings[c].astype(str) for c in ("employee_id", "rater_type", "criterion")})
    r["rater"] = ratings["rater_id"].astype(object).where(ratings["rater_id"].notna(), "").astype(str)
    r["score"] = ratings["score"].to_numpy(float)
    r = r[r["rater_type"].map(weights).fillna(0).astype(float) > 0]
    keys = pd.MultiIndex.from_arrays([lines["employee_id"].astype(str), lines["kpi"].astype(str)])
    r["line"] = pd.Series(np.arange(len(lines)), index=keys).reindex(
        pd.MultiIndex.from_frame(r[["employee_id", "criterion"]])).to_numpy()
    r = r[r["line"].notna()]
    nth = "#" + r.groupby(["employee_id", "criterion", "rater_type"]).cumcount().astype(str)
    r["rater"] = r["rater"].where(r["rater"] != "", nth)
    r = r.sort_values(["employee_id", "rater_type", "rater"], kind="stable")
    rater = pd.factorize(r["employee_id"] + "|" + r["rater_type"] + "|" + r["rater"])[0]
    group = pd.factorize(r["employee_id"] + "|" + r["rater_type"])[0]
    group_of = np.zeros(rater.max() + 1 if len(r) else 0, dtype=int)
    group_of[rater] = group
    size = np.bincount(group_of)
    start = np.cumsum(size) - size
    cell = pd.factorize(r["employee_id"] + "|" + r["criterion"] + "|" + r["rater_type"])[0]
    first = pd.Series(np.arange(len(r))).groupby(cell).first().to_numpy()
    return RaterPanel(rater, cell, r["score"].to_numpy(float), start[group_of], size[group_of],
                      r["line"].to_numpy(int)[first], r["rater_type"].map(weights).to_numpy(float)[first],
                      size[group[first]])


def rater_draws(panel: RaterPanel, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """[R, raters] how often each rater is drawn: each person × type group redraws its n
    raters with replacement."""
    raters = len(panel.start)
    pos = panel.start + np.floor(rng.random((resamples, raters)) * panel.size).astype(int)
    flat = (np.arange(resamples)[:, None] * raters + pos).ravel()
    return np.bincount(flat, minlength=resamples * raters).reshape(resamples, raters).astype(float)


def _per(index: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    """[R, size] sums of [R, n] `weights` by `index` (n): weights × a sparse indicator."""
    indicator = sparse.csr_matrix((np.ones(len(index)), (index, np.arange(len(index)))), shape=(size, len(index)))
    return np.asarray((indicator @ np.asarray(weights, float).T).T)


def qualitative_scores(lines: pd.DataFrame, panel: RaterPanel, counts: np.ndarray, config: Config) -> np.ndarray:
    """[R, L] line scores of the qualitative `lines` with the raters drawn `counts` times:
    each type's mean over the drawn raters (deviation scaled by √(n/(n − 1))), the
    rater-weighted rating rounded to `rating` decimals, line = round(weight × rating / 5)."""
    rounding = config.scheme.scoring.rounding
    resamples, cells = counts.shape[0], len(panel.cell_line)
    out = np.tile(lines["line_score"].to_numpy(float), (resamples, 1))
    if not cells:
        return out
    drawn = counts[:, panel.rater]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = _per(panel.cell, drawn * panel.score, cells) / _per(panel.cell, drawn, cells)
        seen = np.bincount(panel.cell, panel.score, cells) / np.bincount(panel.cell, minlength=cells)
        scale = np.sqrt(panel.cell_size / np.maximum(panel.cell_size - 1, 1))
        mean = seen + scale * (mean - seen)
        present = ~np.isnan(mean)
        lines_n = len(lines)
        weighted = _per(panel.cell_line, np.where(present, mean * panel.cell_weight, 0.0), lines_n)
        weight = _per(panel.cell_line, present * panel.cell_weight, lines_n)
        rating = round_half_up(weighted / weight, rounding.rating)
    rated = np.unique(panel.cell_line)
    line = round_half_up(lines["weight"].to_numpy(float)[rated] * rating[:, rated] / 5, rounding.line)
    out[:, rated] = line
    return out


def _composites(lines: pd.DataFrame, scores: np.ndarray, people: pd.Index, config: Config) -> np.ndarray:
    """[R, P] composites from [R, L] line scores of `lines` (quantitative and qualitative; each
    person's own weights, which may be their role's)."""
    person = people.get_indexer(lines["employee_id"].astype(str))
    weight = lines["weight"].to_numpy(float)
    subtotal, kind_weight = {}, {}
    for kind in ("quantitative", "qualitative"):
        mine = (lines["kind"] == kind).to_numpy()
        s, who, w = scores[:, mine], person[mine], weight[mine]
        present = ~np.isnan(s)
        total = _per(who, np.nan_to_num(s), len(people))
        weights = kind_weight[kind] = np.bincount(who, w, len(people))
        present_w = _per(who, present * w, len(people))
        value = subtotal_of(total, np.broadcast_to(weights, total.shape), present_w, config)
        subtotal[kind] = np.where(np.bincount(who, minlength=len(people)) > 0, value, np.nan)
    return composite_of(subtotal["quantitative"], subtotal["qualitative"], kind_weight["qualitative"], config)


def replicate_composites(scores: Scores, dataset: Dataset, config: Config, resamples: int = 200, seed: int = 0,
                         identity: bool = False, cube: MeasureCube | None = None) -> np.ndarray:
    """[R, n] composites of the scoring sheet's n people (in its row order) in `resamples`
    seeded resamples of the period (NaN for people without a composite). `identity`: every
    month and rater drawn once instead, which gives the sheet's composites (a check).
    `cube`: the dataset's measures aggregated already (the scoring's), else aggregated here."""
    sheet, span = scores.sheet, scores.period
    out = np.full((resamples, len(sheet)), np.nan)
    rng = np.random.default_rng(seed)
    cube = cube or MeasureCube(dataset.measures, config.catalog)
    m = dataset.measures
    measures = m[(m["period"] >= span.start) & (m["period"] <= span.end)]
    rated = ratings_in(dataset.ratings, span)
    for dept, members in sheet.groupby("department", sort=True):
        lines = scores.lines[(scores.lines["department"] == dept) & ~scores.lines["monitored"]].reset_index(drop=True)
        people = pd.Index(members["employee_id"].astype(str).unique())
        quant = np.flatnonzero((lines["kind"] == "quantitative").to_numpy())
        qual = np.flatnonzero((lines["kind"] == "qualitative").to_numpy())
        months = month_panel(measures, span, people)
        raters = rater_panel(rated[rated["employee_id"].astype(str).isin(people)], lines.iloc[qual], config)
        if identity:
            draws = identity_month_draws(months.months, span.months_count, resamples)
            counts = np.ones((resamples, len(raters.start)))
        else:
            draws = month_draws(months.months, span.months_count, resamples, rng)
            counts = rater_draws(raters, resamples, rng)
        position = np.flatnonzero((sheet["department"] == dept).to_numpy())
        column = people.get_indexer(sheet["employee_id"].iloc[position].astype(str))
        step = max(1, BLOCK_CELLS // max(len(lines), 1))
        for block in (slice(r, r + step) for r in range(0, resamples, step)):  # the draws are made: same figures
            line_scores = np.empty((len(draws[block]), len(lines)))
            line_scores[:, quant] = quantitative_scores(lines.iloc[quant].reset_index(drop=True), config, cube, span,
                                                        months, draws[block])
            line_scores[:, qual] = qualitative_scores(lines.iloc[qual].reset_index(drop=True), raters, counts[block],
                                                      config)
            out[block, position] = _composites(lines, line_scores, people, config)[:, column]
    return np.where(sheet["composite"].notna().to_numpy(), out, np.nan)
