"""Calibration of the qualitative part: rater leniency and severity, self/supervisor gaps,
halo, central tendency, agreement (ICC) and a rater-effects model.

Raters disagree more with each other than performance differs (Scullen, Mount & Goff
2000), so the pack shows who rates high or low, and by how much, with intervals.
Every function takes the long `ratings` table of `kpilib.data.Dataset` (period,
employee_id, rater_type, rater_id, criterion, score) and returns a tidy DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

LENIENCY_THRESHOLD = 0.5  # points on the 1–5 scale


def _plain(ratings: pd.DataFrame) -> pd.DataFrame:
    cols = ["period", "employee_id", "rater_type", "rater_id", "criterion", "score"]
    out = ratings[[c for c in cols if c in ratings.columns]].copy()
    for c in ("period", "employee_id", "rater_type", "rater_id", "criterion"):
        if c in out.columns:
            out[c] = out[c].astype(str)
    out["score"] = out["score"].astype(float)
    return out


def rater_leniency(ratings: pd.DataFrame, rater_type: str = "supervisor", min_ratings: int = 10,
                   level: float = 0.95, threshold: float = LENIENCY_THRESHOLD) -> pd.DataFrame:
    """Leniency (+) or severity (−) of each rater of `rater_type`.

    For every rating, the deviation is score − mean score the same ratee got on the same
    criterion and period from their *other* raters (any type); a rater's leniency is the
    mean deviation, with a t interval. Also the plain difference from the grand mean.

    Columns: rater_id, n, mean, vs_grand_mean, leniency, ci_low, ci_high, flag
    ('lenient', 'severe' or ''; flagged when the interval excludes 0 and |leniency| ≥
    `threshold`). Raters with fewer than `min_ratings` comparable ratings are left out.
    """
    r = _plain(ratings)
    key = ["period", "employee_id", "criterion"]
    grand = r["score"].mean()
    sums = r.groupby(key)["score"].agg(["sum", "count"])
    mine = r[r["rater_type"] == rater_type].join(sums, on=key)
    others = mine["count"] - 1
    mine = mine.assign(deviation=mine["score"] - (mine["sum"] - mine["score"]) / others.where(others > 0))
    rows = []
    for rater, g in mine.groupby("rater_id"):
        d = g["deviation"].dropna()
        if len(d) < min_ratings:
            continue
        mean, se = d.mean(), d.std(ddof=1) / np.sqrt(len(d))
        half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * se if se > 0 else 0.0
        low, high = mean - half, mean + half
        flag = "lenient" if low > 0 and mean >= threshold else "severe" if high < 0 and mean <= -threshold else ""
        rows.append({"rater_id": rater, "n": len(d), "mean": g["score"].mean(), "vs_grand_mean": g["score"].mean() - grand,
                     "leniency": mean, "ci_low": low, "ci_high": high, "flag": flag})
    cols = ["rater_id", "n", "mean", "vs_grand_mean", "leniency", "ci_low", "ci_high", "flag"]
    return pd.DataFrame(rows, columns=cols).sort_values("leniency", ascending=False, ignore_index=True)


def self_supervisor_gap(ratings: pd.DataFrame, employees: pd.DataFrame | None = None,
                        by: str | None = None) -> pd.DataFrame:
    """Self rating minus supervisor rating per person (columns employee_id, self, supervisor,
    gap, n_criteria), or per group when `by` names an employees column (e.g. "team":
    columns by, people, mean_gap, share_overrating)."""
    r = _plain(ratings)
    wide = (r[r["rater_type"].isin(["self", "supervisor"])]
            .groupby(["employee_id", "period", "criterion", "rater_type"])["score"].mean().unstack("rater_type"))
    wide = wide.dropna(subset=[c for c in ("self", "supervisor") if c in wide.columns])
    if not {"self", "supervisor"} <= set(wide.columns) or wide.empty:
        return pd.DataFrame(columns=["employee_id", "self", "supervisor", "gap", "n_criteria"])
    grouped = wide.groupby("employee_id")
    person = grouped[["self", "supervisor"]].mean().assign(n_criteria=grouped.size())
    person["gap"] = person["self"] - person["supervisor"]
    person = person.reset_index()[["employee_id", "self", "supervisor", "gap", "n_criteria"]]
    if by is None:
        return person
    groups = person.merge(employees[["employee_id", by]], on="employee_id")
    return groups.groupby(by).agg(people=("gap", "size"), mean_gap=("gap", "mean"),
                                  share_overrating=("gap", lambda g: float((g > 0).mean()))).reset_index()


def rating_distribution(ratings: pd.DataFrame, rater_type: str = "supervisor",
                        target: dict[int, float] | None = None, min_ratings: int = 20) -> pd.DataFrame:
    """Share of each score (rounded to 1..5) per rater against a target curve, with a
    chi-square goodness-of-fit test (scipy.stats.chisquare) and the share of 3s (central
    tendency). Default target: 5/15/60/15/5% for scores 5..1, the forced distribution.

    Columns: rater_id, n, s1..s5 (shares), share_3, chi2, p_val.
    """
    target = target or {5: 0.05, 4: 0.15, 3: 0.60, 2: 0.15, 1: 0.05}
    r = _plain(ratings)
    r = r[r["rater_type"] == rater_type]
    r = r.assign(level=r["score"].round().clip(1, 5).astype(int))
    rows = []
    expected_share = np.array([target.get(k, 0.0) for k in range(1, 6)])
    for rater, g in r.groupby("rater_id"):
        if len(g) < min_ratings:
            continue
        counts = np.array([(g["level"] == k).sum() for k in range(1, 6)])
        chi2, p = stats.chisquare(counts, expected_share / expected_share.sum() * counts.sum())
        rows.append({"rater_id": rater, "n": len(g), **{f"s{k}": counts[k - 1] / len(g) for k in range(1, 6)},
                     "share_3": counts[2] / len(g), "chi2": chi2, "p_val": p})
    return pd.DataFrame(rows, columns=["rater_id", "n", "s1", "s2", "s3", "s4", "s5", "share_3", "chi2", "p_val"])


def halo(ratings: pd.DataFrame, rater_type: str = "supervisor", min_ratees: int = 5) -> pd.DataFrame:
    """Halo: mean correlation between criteria across one rater's ratees (high = the rater
    does not tell criteria apart). Columns: rater_id, ratees, criteria, halo."""
    r = _plain(ratings)
    r = r[r["rater_type"] == rater_type]
    rows = []
    for rater, g in r.groupby("rater_id"):
        wide = g.pivot_table(index=["employee_id", "period"], columns="criterion", values="score", aggfunc="mean")
        wide = wide.loc[:, wide.std() > 0]
        if len(wide) < min_ratees or wide.shape[1] < 2:
            continue
        corr = wide.corr().to_numpy()
        rows.append({"rater_id": rater, "ratees": len(wide), "criteria": wide.shape[1],
                     "halo": float(np.nanmean(corr[np.triu_indices_from(corr, k=1)]))})
    return pd.DataFrame(rows, columns=["rater_id", "ratees", "criteria", "halo"])


def icc(df: pd.DataFrame, target: str, rater: str, score: str) -> pd.DataFrame:
    """Intraclass correlations (Shrout & Fleiss 1979) via pingouin.intraclass_corr.

    Needs a complete design (every target rated by every rater). Columns: type (ICC1,
    ICC2, ICC3, ICC1k, ICC2k, ICC3k), description, icc, F, df1, df2, p_val, ci95_low,
    ci95_high.
    """
    import pingouin as pg

    out = pg.intraclass_corr(data=df, targets=target, raters=rater, ratings=score)
    kind = out["Type"].map(lambda t: ICC_NAMES.get(t, t))
    ci = out["CI95" if "CI95" in out.columns else "CI95%"].map(lambda c: (float(c[0]), float(c[1])))
    return pd.DataFrame({"type": kind, "description": kind.map(ICC_DESCRIPTIONS), "icc": out["ICC"].astype(float),
                         "F": out["F"], "df1": out["df1"], "df2": out["df2"], "p_val": out["pval"],
                         "ci95_low": ci.map(lambda c: c[0]), "ci95_high": ci.map(lambda c: c[1])}).reset_index(drop=True)


# pingouin ≥ 0.6 names the forms as McGraw & Wong; older versions as Shrout & Fleiss
ICC_NAMES = {"ICC(1,1)": "ICC1", "ICC(A,1)": "ICC2", "ICC(C,1)": "ICC3", "ICC(1,k)": "ICC1k",
             "ICC(A,k)": "ICC2k", "ICC(C,k)": "ICC3k"}
ICC_DESCRIPTIONS = {"ICC1": "single rater, absolute agreement, raters random per target",
                    "ICC2": "single random rater, absolute agreement", "ICC3": "single fixed rater, consistency",
                    "ICC1k": "mean of k raters, raters random per target", "ICC2k": "mean of k random raters, absolute",
                    "ICC3k": "mean of k fixed raters, consistency"}


def rater_effects(ratings: pd.DataFrame, rater_types: tuple[str, ...] = ("supervisor", "cross_department"),
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Crossed random effects for ratee and rater (statsmodels MixedLM, REML):

        score = μ + u_ratee + v_rater + e

    fitted on each rater's mean score per ratee and period (criteria averaged, which keeps
    the model small: ~5,000 rows for 300 people over 8 quarters) of the given rater types;
    self-ratings are left out by default (their inflation is `self_supervisor_gap`).

    Returns (variance, effects): variance has columns component (ratee, rater,
    residual), variance, share; effects has rater_id, effect (the BLUP v_rater: + lenient,
    − severe), n. `calibrated(ratings, effects)` subtracts the rater effect.
    """
    import statsmodels.api as sm

    r = _plain(ratings).dropna(subset=["score"])
    r = r[r["rater_type"].isin(rater_types) & (r["rater_id"] != "")]
    r = (r.groupby(["employee_id", "rater_id", "period"], as_index=False)["score"].mean()
         .rename(columns={"employee_id": "ratee", "rater_id": "rater"}).assign(one=1))
    model = sm.MixedLM.from_formula("score ~ 1", groups="one", data=r,
                                    vc_formula={"ratee": "0 + C(ratee)", "rater": "0 + C(rater)"}, re_formula="0")
    fit = model.fit(reml=True, method="lbfgs")
    names = model.exog_vc.names
    comps = dict(zip(names, np.asarray(fit.vcomp, dtype=float), strict=True))
    total = comps.get("ratee", 0) + comps.get("rater", 0) + fit.scale
    variance = pd.DataFrame({"component": ["ratee", "rater", "residual"],
                             "variance": [comps.get("ratee", 0.0), comps.get("rater", 0.0), fit.scale]})
    variance["share"] = variance["variance"] / total
    blups = fit.random_effects[1]
    rater_part = blups[[i for i in blups.index if i.startswith("rater[")]]
    ids = [i.split("[C(rater)[", 1)[1].rstrip("]") if "[C(rater)[" in i else i for i in rater_part.index]
    ids = [i[:-1] if i.endswith("]") else i for i in ids]
    effects = pd.DataFrame({"rater_id": ids, "effect": rater_part.to_numpy()})
    effects["n"] = effects["rater_id"].map(r["rater"].value_counts())
    return variance, effects.sort_values("effect", ascending=False, ignore_index=True)


def calibrated(ratings: pd.DataFrame, effects: pd.DataFrame, clip: bool = True) -> pd.DataFrame:
    """Ratings with the rater effect removed: score − effect (clipped to 1–5 by default).
    Adds columns raw_score and rater_effect."""
    out = ratings.copy()
    effect = out["rater_id"].astype(str).map(effects.set_index("rater_id")["effect"]).fillna(0.0)
    out["raw_score"] = out["score"]
    out["rater_effect"] = effect.to_numpy()
    adjusted = out["score"].astype(float) - effect.to_numpy()
    out["score"] = adjusted.clip(1, 5) if clip else adjusted
    return out


def calibrate_dataset(dataset):
    """A copy of `dataset` whose supervisor ratings have the supervisor's effect removed
    (`scoring.calibrated_ratings: true` in the scheme); the raw score is kept as raw_score."""
    from dataclasses import replace

    _, effects = rater_effects(dataset.ratings, rater_types=("supervisor",))
    adjusted = calibrated(dataset.ratings, effects)
    not_supervisor = adjusted["rater_type"].astype(str) != "supervisor"
    adjusted.loc[not_supervisor, "score"] = adjusted.loc[not_supervisor, "raw_score"]
    adjusted.loc[not_supervisor, "rater_effect"] = 0.0
    return replace(dataset, ratings=adjusted)
