"""Rank and tier uncertainty (排名与分级的不确定性): how sure is a rank, how sure a tier.

A league table's ranks are estimates (Goldstein & Spiegelhalter 1996, "League tables and
their limitations", JRSS A 159:385–443). From the resampled scorings of the period
(`kpilib.resampling`: months and raters redrawn, re-scored by the scoring arithmetic) we
draw plausible composites and count ranks and tiers over the draws:

1. deviations d_ri = c*_ri − c_i of each resample from the observed composite c_i, their
   variance s_i²; a person's few months make s_i² itself noisy, so it is moderated toward
   the department's mean s̄² (Smyth 2004, *Stat. Appl. Genet. Mol. Biol.* 3:3, eq. 8):
   σ̃_i² = (ν s_i² + ν₀ s̄²) / (ν + ν₀), ν = months − 1, ν₀ = 4, and the deviations are
   rescaled to it (standard normal ones for a person whose resamples never moved); in a
   department where no resample moved anyone (one month, one rater per type) the
   uncertainty is unknown and left blank, never shown as certainty;
2. the observed composites over-spread the true ones (the noise adds to them), so each
   draw is shrunk toward the department mean m (empirical Bayes; Laird & Louis 1989,
   *J. Educ. Stat.* 14:29–46): τ² = max(var(c) − mean σ̃², 0), B_i = τ² / (τ² + σ̃_i²),
   θ_ri = m + B_i (c_i − m) + √B_i · d̃_ri (no shrinking in departments under 3 people);
3. ranks within the department (1 best) and tiers within the tier group (the apportioned
   tier sizes, `kpilib.tiers`) of every draw.

`rank_low`–`rank_high` is the 90% interval of a person's rank over the draws (5% and 95%
quantiles); `tier_probability` the share of draws in which they keep the tier they were
given. On simulated departments with known true scores the 90% intervals cover the true
rank 85–95% of the time and the tier probabilities are calibrated (tests/test_uncertainty.py).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from kpilib.config import Config, Tiers
from kpilib.data import Dataset
from kpilib.kpis import MeasureCube
from kpilib.resampling import replicate_composites
from kpilib.scoring import Scores
from kpilib.tiers import apportion, tier_groups

RESAMPLES = 200
LEVEL = 0.90
UNCLEAR = 0.7  # a tier kept in fewer draws than this is "not clear"
PRIOR_DF = 4  # ν₀ of the moderated variance
COLUMNS = ["employee_id", "rank_low", "rank_high", "tier_probability"]


def composite_draws(composite: np.ndarray, replicates: np.ndarray, groups: np.ndarray, months: int,
                    seed: int = 0) -> np.ndarray:
    """[R, n] plausible composites (steps 1–2 of the module docstring).

    Parameters
    ----------
    composite : observed composites (NaN: not scored).
    replicates : [R, n] resampled composites (`kpilib.resampling.replicate_composites`).
    groups : the department of each person (shrinkage toward its mean).
    months : months in the period (ν = months − 1).
    seed : seeds the normal deviations of people whose resamples never moved.

    Returns
    -------
    ndarray
        [R, n] plausible composites; NaN columns for people without a composite and for
        departments where no resample moved anyone (unknown, not certain).

    References
    ----------
    Smyth (2004) eq. 8; Laird & Louis (1989); shrinkage checked by hand in
    tests/test_uncertainty.py (test_shrinkage_by_hand).

    Examples
    --------
    Two people whose resamples never move: nothing to redraw, so unknown (NaN).

    >>> composite_draws(np.array([80.0, 90.0]), np.array([[80.0, 90.0]]), np.array(["x", "x"]), 3)
    array([[nan, nan]])

    Two people (no shrinking under 3): σ̃² = (2·s² + 4·s̄²)/6 = 1 for both, deviations kept.

    >>> composite_draws(np.array([80.0, 90.0]), np.array([[81.0, 89.0], [79.0, 91.0]]), np.array(["x", "x"]), 3)
    array([[81., 89.],
           [79., 91.]])
    """
    rng = np.random.default_rng(seed)
    deviation = replicates - composite
    s2 = np.nanmean(deviation**2, axis=0) if len(replicates) else np.zeros(len(composite))
    out = np.full(replicates.shape, np.nan)
    nu = max(months - 1, 0)
    for group in pd.unique(groups):
        mine = (groups == group) & ~np.isnan(composite)
        if not mine.any():
            continue
        c, d, s = composite[mine], deviation[:, mine], s2[mine]
        if not s.mean() > 0:  # nothing could be redrawn (one month, one rater per type): unknown, not certain
            continue
        moderated = (nu * s + PRIOR_DF * s.mean()) / (nu + PRIOR_DF)
        with np.errstate(divide="ignore", invalid="ignore"):
            d = np.where(s > 0, d * np.sqrt(moderated / s), rng.standard_normal(d.shape) * np.sqrt(moderated))
        if mine.sum() < 3:
            out[:, mine] = c + d
            continue
        m, tau2 = c.mean(), max(c.var(ddof=1) - moderated.mean(), 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(tau2 + moderated > 0, tau2 / (tau2 + moderated), 1.0)
        out[:, mine] = m + b * (c - m) + np.sqrt(b) * d
    return out


def _ranks(draws: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """[R, n] rank of each draw within its group (1 = best, ties share the lowest rank)."""
    out = np.full(draws.shape, np.nan)
    for group in pd.unique(groups):
        mine = (groups == group) & ~np.isnan(draws).any(axis=0)
        if mine.any():
            out[:, mine] = rankdata(-draws[:, mine], method="min", axis=1)
    return out


def rank_intervals(sheet: pd.DataFrame, draws: np.ndarray, level: float = LEVEL) -> pd.DataFrame:
    """The `level` interval of each person's rank within their department over the draws.

    Parameters
    ----------
    sheet : scoring sheet (employee_id, department), n rows.
    draws : [R, n] plausible composites (`composite_draws`).
    level : coverage of the interval (0.9: the 5% and 95% quantiles).

    Returns
    -------
    DataFrame with columns employee_id, rank_low (best plausible rank), rank_high (worst);
    <NA> for people without a composite.

    References
    ----------
    Goldstein & Spiegelhalter (1996); checked by hand in tests/test_uncertainty.py
    (test_rank_interval_and_tier_probability_by_hand).

    Examples
    --------
    >>> sheet = pd.DataFrame({"employee_id": ["a", "b", "c"], "department": "x"})
    >>> draws = np.array([[3.0, 2.0, 1.0], [2.0, 3.0, 1.0]])
    >>> rank_intervals(sheet, draws)
      employee_id  rank_low  rank_high
    0           a         1          2
    1           b         1          2
    2           c         3          3
    """
    ranks = _ranks(draws, sheet["department"].astype(str).to_numpy())
    tail = (1 - level) / 2
    scored = ~np.isnan(ranks).any(axis=0)
    low, high = np.full(len(sheet), np.nan), np.full(len(sheet), np.nan)
    if scored.any():
        low[scored] = np.quantile(ranks[:, scored], tail, axis=0, method="inverted_cdf")
        high[scored] = np.quantile(ranks[:, scored], 1 - tail, axis=0, method="inverted_cdf")
    return pd.DataFrame({"employee_id": sheet["employee_id"].to_numpy(),
                         "rank_low": pd.array(np.where(scored, low, np.nan), dtype="Int64"),
                         "rank_high": pd.array(np.where(scored, high, np.nan), dtype="Int64")})


def tier_probabilities(sheet: pd.DataFrame, draws: np.ndarray, tiers: Tiers) -> pd.DataFrame:
    """How often each person lands in each tier over the draws (the tier sizes of their tier
    group apportioned as `kpilib.tiers.apportion`, tiers by rank within the group).

    Parameters
    ----------
    sheet : scoring sheet (employee_id, composite, the `tiers.within` column), n rows.
    draws : [R, n] plausible composites (`composite_draws`).
    tiers : the scheme's tier rules.

    Returns
    -------
    DataFrame, one row per scored person × tier: employee_id, tier, probability (each
    person's probabilities sum to 1).

    References
    ----------
    Goldstein & Spiegelhalter (1996); calibration checked on simulated departments in
    tests/test_uncertainty.py (test_tier_probabilities_are_calibrated).

    Examples
    --------
    >>> from kpilib.config import Tiers
    >>> rules = Tiers(shares={"A": 0.5, "B": 0.5}, within="company", min_group=1)
    >>> sheet = pd.DataFrame({"employee_id": ["a", "b"], "composite": [2.0, 1.0]})
    >>> draws = np.array([[2.0, 1.0], [2.0, 1.0], [2.0, 1.0], [1.0, 2.0]])
    >>> tier_probabilities(sheet, draws, rules)
      employee_id tier  probability
    0           a    A         0.75
    1           a    B         0.25
    2           b    A         0.25
    3           b    B         0.75
    """
    groups = tier_groups(sheet, tiers).to_numpy()
    ranks = _ranks(draws, groups)
    names = list(tiers.shares)
    frames = []
    for group in pd.unique(groups[groups != ""]):
        mine = np.flatnonzero((groups == group) & ~np.isnan(ranks).any(axis=0))
        sizes = apportion(len(mine), tiers.shares)
        position = np.repeat(np.arange(len(names)), list(sizes.values()))
        tier = position[ranks[:, mine].astype(int) - 1]  # [R, m]
        share = np.stack([(tier == t).mean(axis=0) for t in range(len(names))], axis=1)  # [m, tiers]
        frames.append(pd.DataFrame({"employee_id": np.repeat(sheet["employee_id"].to_numpy()[mine], len(names)),
                                    "tier": np.tile(names, len(mine)), "probability": share.ravel()}))
    if not frames:
        return pd.DataFrame({"employee_id": pd.Series(dtype=object), "tier": pd.Series(dtype=object),
                             "probability": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


def uncertainty(scores: Scores, dataset: Dataset, config: Config, resamples: int = RESAMPLES,
                seed: int = 0, cube: MeasureCube | None = None) -> pd.DataFrame:
    """Rank interval and tier probabilities of everyone on the scoring sheet.

    Parameters
    ----------
    scores : the period's scoring (`kpilib.scoring.score`).
    dataset, config : what it was scored from.
    resamples : resamples of the period; seed : the random seed (same seed, same figures).

    Returns
    -------
    DataFrame, one row per person × tier: employee_id, tier, probability, rank_low,
    rank_high (repeated on each tier's row), assigned (the tier is the person's);
    `sheet_columns` turns it into the sheet's rank_low, rank_high, tier_probability.

    References
    ----------
    Goldstein & Spiegelhalter (1996); Laird & Louis (1989); Hall & Miller (2009),
    "Using the bootstrap to quantify the authority of an empirical ranking", Ann. Stat. 37.

    Examples
    --------
    A 21-person synthetic company (`kpilib.synth`) over one quarter:

    >>> from kpilib.scoring import score
    >>> from kpilib.synth import example_company
    >>> config, dataset = example_company(21, 3)
    >>> scores = score(dataset, config, "2026Q3")
    >>> odds = uncertainty(scores, dataset, config, resamples=20)
    >>> list(odds.columns)
    ['employee_id', 'tier', 'probability', 'rank_low', 'rank_high', 'assigned']
    >>> bool(odds.groupby("employee_id")["probability"].sum().round(9).eq(1).all())
    True
    """
    sheet = scores.sheet
    replicates = replicate_composites(scores, dataset, config, resamples, seed, cube=cube)
    draws = composite_draws(sheet["composite"].to_numpy(float), replicates,
                            sheet["department"].astype(str).to_numpy(), scores.period.months_count, seed)
    odds = tier_probabilities(sheet, draws, config.scheme.scoring.tiers)
    odds = odds.merge(rank_intervals(sheet, draws), on="employee_id", how="left")
    given = sheet.set_index("employee_id")["tier"]
    odds["assigned"] = odds["tier"] == odds["employee_id"].map(given)
    return odds[["employee_id", "tier", "probability", "rank_low", "rank_high", "assigned"]]


def sheet_columns(odds: pd.DataFrame) -> pd.DataFrame:
    """One row per person from `uncertainty`'s table.

    Parameters
    ----------
    odds : DataFrame
        `uncertainty`'s table (employee_id, tier, probability, rank_low, rank_high, assigned).

    Returns
    -------
    DataFrame
        employee_id, rank_low, rank_high, tier_probability (the probability of the tier
        the person was given).

    References
    ----------
    A selection, no arithmetic; the sample's columns are checked in tests/test_uncertainty.py.

    Examples
    --------
    >>> odds = pd.DataFrame({"employee_id": ["a", "a"], "tier": ["A", "B"], "probability": [0.75, 0.25],
    ...                      "rank_low": [1, 1], "rank_high": [2, 2], "assigned": [True, False]})
    >>> sheet_columns(odds)
      employee_id  rank_low  rank_high  tier_probability
    0           a         1          2              0.75
    """
    mine = odds[odds["assigned"]]
    return mine.rename(columns={"probability": "tier_probability"})[COLUMNS].reset_index(drop=True)


def with_uncertainty(scores: Scores, dataset: Dataset, config: Config, resamples: int = RESAMPLES,
                     seed: int = 0, cube: MeasureCube | None = None) -> Scores:
    """The scoring with rank_low, rank_high and tier_probability on its sheet (after rank)
    and `uncertainty`'s table as `tier_odds`; unchanged when `resamples` is 0.

    Parameters
    ----------
    scores : Scores
        The period's scoring (`kpilib.scoring.score`).
    dataset, config : what it was scored from.
    resamples : int
        Resamples of the period (0: no uncertainty).
    seed : int
        The random seed (same seed, same figures).

    Returns
    -------
    Scores
        `scores` with sheet columns rank_low, rank_high, tier_probability after rank, and
        `tier_odds` = `uncertainty`'s table.

    References
    ----------
    As `uncertainty`; tests/test_uncertainty.py (test_sample_sheet_columns_are_seeded_and_sensible).

    Examples
    --------
    >>> from kpilib.scoring import score
    >>> from kpilib.synth import example_company
    >>> config, dataset = example_company(21, 3)
    >>> scores = score(dataset, config, "2026Q3")
    >>> sheet = with_uncertainty(scores, dataset, config, resamples=20).sheet
    >>> list(sheet.columns[list(sheet.columns).index("rank"):][:4])
    ['rank', 'rank_low', 'rank_high', 'tier_probability']
    >>> with_uncertainty(scores, dataset, config, resamples=0) is scores
    True
    """
    if resamples <= 0 or scores.sheet.empty:
        return scores
    odds = uncertainty(scores, dataset, config, resamples, seed, cube)
    sheet = scores.sheet.merge(sheet_columns(odds), on="employee_id", how="left")
    at = list(sheet.columns).index("rank") + 1
    order = [*sheet.columns[:at], *COLUMNS[1:], *[c for c in sheet.columns[at:] if c not in COLUMNS]]
    return replace(scores, sheet=sheet[order], tier_odds=odds)
