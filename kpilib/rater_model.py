"""The crossed ratee × rater model (评分者效应): where rating variance comes from, each
rater's effect, and ratings with it removed (`scoring.calibrated_ratings`).

score = μ + u_ratee + v_rater + e, fitted by REML (statsmodels MixedLM) on each rater's
mean score per ratee and period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.ratings import plain_ratings


def _rater_model(ratings: pd.DataFrame, rater_types: tuple[str, ...]):
    """The crossed ratee × rater model of `rater_effects`, fitted: (model, fit, rows)."""
    import statsmodels.api as sm

    r = plain_ratings(ratings).dropna(subset=["score"])
    r = r[r["rater_type"].isin(rater_types)].dropna(subset=["rater_id"])
    r = (r.groupby(["employee_id", "rater_id", "period"], as_index=False)["score"].mean()
         .rename(columns={"employee_id": "ratee", "rater_id": "rater"}).assign(one=1))
    model = sm.MixedLM.from_formula("score ~ 1", groups="one", data=r,
                                    vc_formula={"ratee": "0 + C(ratee)", "rater": "0 + C(rater)"}, re_formula="0")
    return model, model.fit(reml=True, method="lbfgs"), r


def rating_variance(ratings: pd.DataFrame, rater_types: tuple[str, ...] = ("supervisor", "cross_department"),
                    ) -> pd.DataFrame:
    """Where rating variance comes from: crossed random effects for ratee and rater
    (statsmodels MixedLM, REML),

        score = μ + u_ratee + v_rater + e,

    fitted on each rater's mean score per ratee and period (criteria averaged, which keeps
    the model small: ~5,000 rows for 300 people over 8 quarters) of the given rater types;
    self-ratings are left out by default (their inflation is `self_supervisor_gap`).

    Parameters
    ----------
    ratings : employee_id, rater_type, rater_id, period, score.
    rater_types : the rater types fitted.

    Returns
    -------
    DataFrame with columns component (ratee, rater, residual), variance, share (of the total).

    References
    ----------
    Shrout & Fleiss (1979), Psychol. Bull. 86:420 (the two-way random model); statsmodels MixedLM;
    tests/test_ratings.py (test_rater_effects_model: planted variances recovered).

    Examples
    --------
    Three supervisors rating the same eight people, x one point above y, z one below:

    >>> rng = np.random.default_rng(0)
    >>> ratings = pd.DataFrame([{"period": "2026Q3", "employee_id": f"e{i}", "rater_type": "supervisor",
    ...                          "rater_id": rater, "criterion": "c", "score": 3 + i % 3 - 1 + shift + rng.normal(0, 0.3)}
    ...                         for i in range(8) for rater, shift in (("x", 1), ("y", 0), ("z", -1))])
    >>> parts = rating_variance(ratings, rater_types=("supervisor",))
    >>> list(parts["component"]), round(float(parts["share"].sum()), 9)
    (['ratee', 'rater', 'residual'], 1.0)
    """
    model, fit, _ = _rater_model(ratings, rater_types)
    comps = dict(zip(model.exog_vc.names, np.asarray(fit.vcomp, dtype=float), strict=True))
    variance = pd.DataFrame({"component": ["ratee", "rater", "residual"],
                             "variance": [comps.get("ratee", 0.0), comps.get("rater", 0.0), fit.scale]})
    variance["share"] = variance["variance"] / variance["variance"].sum()
    return variance


def rater_effects(ratings: pd.DataFrame, rater_types: tuple[str, ...] = ("supervisor", "cross_department"),
                  ) -> pd.DataFrame:
    """Each rater's effect in the crossed ratee × rater model of `rating_variance`.

    Parameters
    ----------
    ratings, rater_types : as `rating_variance`.

    Returns
    -------
    DataFrame with columns rater_id, effect (the BLUP v_rater: + lenient, − severe), n
    (ratee-periods rated), most lenient first. `calibrated(ratings, effects)` subtracts it.

    References
    ----------
    Henderson (1975), best linear unbiased prediction; statsmodels MixedLM.random_effects;
    tests/test_ratings.py (test_rater_effects_model: planted lenient raters found).

    Examples
    --------
    Three supervisors rating the same eight people, x one point above y, z one below:

    >>> rng = np.random.default_rng(0)
    >>> ratings = pd.DataFrame([{"period": "2026Q3", "employee_id": f"e{i}", "rater_type": "supervisor",
    ...                          "rater_id": rater, "criterion": "c", "score": 3 + i % 3 - 1 + shift + rng.normal(0, 0.3)}
    ...                         for i in range(8) for rater, shift in (("x", 1), ("y", 0), ("z", -1))])
    >>> rater_effects(ratings, rater_types=("supervisor",)).round(1)
      rater_id  effect  n
    0        x     1.0  8
    1        y     0.0  8
    2        z    -1.0  8
    """
    _, fit, r = _rater_model(ratings, rater_types)
    blups = fit.random_effects[1]
    rater_part = blups[[i for i in blups.index if i.startswith("rater[")]]
    ids = [i.split("[C(rater)[", 1)[1].rstrip("]") if "[C(rater)[" in i else i for i in rater_part.index]
    ids = [i[:-1] if i.endswith("]") else i for i in ids]
    effects = pd.DataFrame({"rater_id": ids, "effect": rater_part.to_numpy()})
    effects["n"] = effects["rater_id"].map(r["rater"].value_counts())
    return effects.sort_values("effect", ascending=False, ignore_index=True)


def calibrated(ratings: pd.DataFrame, effects: pd.DataFrame, clip: bool = True) -> pd.DataFrame:
    """Ratings with the rater effect removed: score − effect (clipped to 1–5 by default).

    Parameters
    ----------
    ratings : DataFrame
        The ratings table (rater_id, score).
    effects : DataFrame
        rater_id, effect (`rater_effects`); raters without one are unchanged.
    clip : bool
        Keep the scores on the 1–5 scale.

    Returns
    -------
    DataFrame
        `ratings` with score adjusted, and raw_score, rater_effect.

    References
    ----------
    tests/test_ratings.py (test_rater_effects_model).

    Examples
    --------
    >>> ratings = pd.DataFrame({"rater_id": ["x", "y", "x"], "score": [4.5, 3.0, 1.2]})
    >>> calibrated(ratings, pd.DataFrame({"rater_id": ["x"], "effect": [0.5]}))
      rater_id  score  raw_score  rater_effect
    0        x    4.0        4.5           0.5
    1        y    3.0        3.0           0.0
    2        x    1.0        1.2           0.5
    """
    out = ratings.copy()
    effect = out["rater_id"].astype(str).map(effects.set_index("rater_id")["effect"]).fillna(0.0)
    out["raw_score"] = out["score"]
    out["rater_effect"] = effect.to_numpy()
    adjusted = out["score"].astype(float) - effect.to_numpy()
    out["score"] = adjusted.clip(1, 5) if clip else adjusted
    return out


def calibrate_dataset(dataset):
    """A copy of `dataset` whose supervisor ratings have the supervisor's effect removed
    (`scoring.calibrated_ratings: true` in the scheme); the raw score is kept as raw_score.

    Parameters
    ----------
    dataset : Dataset
        Only its ratings change.

    Returns
    -------
    Dataset
        Supervisor ratings minus their rater's effect (`rater_effects` over supervisors,
        `calibrated`); other rater types as they were, with rater_effect 0.

    References
    ----------
    tests/test_ratings.py (test_calibrated_scoring_moves_lenient_supervisors_ratees_down).

    Examples
    --------
    Three supervisors rating the same eight people, x one point above y, z one below:

    >>> rng = np.random.default_rng(0)
    >>> ratings = pd.DataFrame([{"period": "2026Q3", "employee_id": f"e{i}", "rater_type": "supervisor",
    ...                          "rater_id": rater, "criterion": "c", "score": 3 + i % 3 - 1 + shift + rng.normal(0, 0.3)}
    ...                         for i in range(8) for rater, shift in (("x", 1), ("y", 0), ("z", -1))])
    >>> from kpilib.data import Dataset
    >>> calibrated_set = calibrate_dataset(Dataset(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), ratings))
    >>> calibrated_set.ratings.groupby("rater_id")["score"].mean().round(1).tolist()
    [2.8, 2.8, 2.8]
    """
    from dataclasses import replace

    effects = rater_effects(dataset.ratings, rater_types=("supervisor",))
    adjusted = calibrated(dataset.ratings, effects)
    not_supervisor = adjusted["rater_type"].astype(str) != "supervisor"
    adjusted.loc[not_supervisor, "score"] = adjusted.loc[not_supervisor, "raw_score"]
    adjusted.loc[not_supervisor, "rater_effect"] = 0.0
    return replace(dataset, ratings=adjusted)
