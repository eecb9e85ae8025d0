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

from kpilib.rounding import round_half_up_scalar

LENIENCY_THRESHOLD = 0.5  # points on the 1–5 scale
DECIMALS = 2  # leniency and its interval are judged, and printed, to 2 decimals
MIN_RATEES = 3  # ratees a rater needs for an interval
UNKNOWN_IDS = frozenset({"", "nan", "none", "<na>"})  # blank ids, and how missing values print as text
LENIENCY_COLUMNS = ["rater_id", "n", "ratees", "mean", "basis", "leniency", "ci_low", "ci_high", "flag", "reason"]


def known_rater(ids: pd.Series) -> pd.Series:
    """True where a rater id names someone: not missing, blank, whitespace, "nan", "None" or "<NA>"."""
    text = ids.astype("string").str.strip()
    return (text.notna() & ~text.str.lower().isin(UNKNOWN_IDS)).fillna(False).astype(bool)


def _plain(ratings: pd.DataFrame) -> pd.DataFrame:
    """The rating columns as plain strings and a float score; unknown rater ids become None
    (`known_rater`), so grouping by rater leaves them out rather than pooling them."""
    cols = ["period", "employee_id", "rater_type", "rater_id", "criterion", "score"]
    out = ratings[[c for c in cols if c in ratings.columns]].copy()
    for c in ("period", "employee_id", "rater_type", "criterion"):
        if c in out.columns:
            out[c] = out[c].astype(str)
    if "rater_id" in out.columns:
        out["rater_id"] = out["rater_id"].astype(str).str.strip().where(known_rater(out["rater_id"]), None)
    out["score"] = out["score"].astype(float)
    return out


def leniency_flag(leniency: float, ci_low: float, ci_high: float, threshold: float = LENIENCY_THRESHOLD,
                  decimals: int = DECIMALS) -> str:
    """The rule the page prints, applied to the numbers as printed (rounded half up to
    `decimals`): 'lenient' when the interval lies above 0 (ci_low > 0) and leniency ≥
    `threshold`; 'severe' when it lies below 0 (ci_high < 0) and leniency ≤ −`threshold`;
    otherwise '' (also when there is no interval)."""
    est, low, high = (round_half_up_scalar(float(v), decimals) for v in (leniency, ci_low, ci_high))
    if low > 0 and est >= threshold:
        return "lenient"
    if high < 0 and est <= -threshold:
        return "severe"
    return ""


def _others(r: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Per rating, sums over the *other* raters' ratings in its `key` cell (n, Σx, Σy, Σx², Σxy):
    the cell's totals minus the rater's own."""
    sums = pd.DataFrame({"n": 1.0, "x": r["x"], "y": r["score"], "xx": r["x"] ** 2, "xy": r["x"] * r["score"]})
    cell = sums.groupby([r[k] for k in key]).transform("sum")
    own = sums.groupby([r[k] for k in [*key, "rater_id"]]).transform("sum")
    return cell - own


def _deviations(r: pd.DataFrame) -> pd.DataFrame:
    """Each rating's deviation from its reference (see rater_leniency) and the basis used."""
    same = _others(r, ["period", "employee_id", "criterion"])
    comp = _others(r, ["period", "criterion"])
    mean_x, mean_y = comp["x"] / comp["n"], comp["y"] / comp["n"]
    sxx = comp["xx"] - comp["n"] * mean_x**2
    sxy = comp["xy"] - comp["n"] * mean_x * mean_y
    slope = (sxy / sxx).where((comp["n"] >= 3) & (sxx > 1e-9), 0.0)
    comparable = (mean_y + slope * (r["x"] - mean_x)).where(comp["n"] > 0)
    same_ratee = (same["y"] / same["n"]).where(same["n"] > 0)
    reference = same_ratee.fillna(comparable)
    basis = np.where(same_ratee.notna(), "same_ratee", np.where(comparable.notna(), "comparable_ratees", ""))
    return r.assign(deviation=r["score"] - reference, basis=basis)


def rater_leniency(ratings: pd.DataFrame, rater_type: str = "supervisor", performance: pd.DataFrame | None = None,
                   min_ratings: int = 10, min_ratees: int = MIN_RATEES, level: float = 0.95,
                   threshold: float = LENIENCY_THRESHOLD) -> pd.DataFrame:
    """Leniency (+) or severity (−) of each rater of `rater_type`, judged against other
    raters *of the same type* only (self-ratings, inflated, are never the reference).

    Each rating i of rater j (ratee e, criterion c, period p) gets a reference:

    - same ratee, where other raters of the type rated (e, c, p): their mean score;
    - else comparable ratees (the usual case, one supervisor per ratee): what the other
      raters of the type gave, on the same criterion and period, to people of the same
      quantitative performance x, by a leave-one-rater-out least-squares line
      ref_i = ȳ₋ⱼ + b₋ⱼ (x_i − x̄₋ⱼ), b₋ⱼ = Sxy₋ⱼ / Sxx₋ⱼ over the other raters' ratings
      of the (criterion, period) cell (b = 0 with fewer than 3 of them, no spread in x,
      or no `performance`): a supervisor whose team performs better is expected to rate
      higher, and is lenient only beyond that;
    - none when no other rater of the type rated anyone on that criterion and period.

    Comparing across the whole input rather than within a department matters: in a
    department with two supervisors, one of them severe, the other would look lenient.

    d_i = score_i − ref_i. A rater's leniency is the mean over their ratees of each
    ratee's mean d (ratings of one ratee are not independent), with a t interval over
    ratees: L ± t(level, m − 1) · s / √m. This is the deviation-from-other-raters index of
    leniency (Saal, Downey & Lahey 1980, "Rating the ratings", Psychol. Bull. 88),
    adjusted for the ratees' quantitative performance like an analysis of covariance;
    tested against statsmodels OLS fitted on the other raters' ratings and a hand t interval.

    `performance` (optional): employee_id, period, performance (e.g. the quantitative
    score of that period); ratings of ratee-periods without one are left out. Without it
    the reference is the other raters' mean of the cell.
    Ratings with an unknown rater id (`known_rater`) are left out of every statistic (count
    them with `known_rater`).

    Columns: rater_id, n (ratings compared), ratees, mean (the rater's mean score), basis
    ('same_ratee', 'comparable_ratees' or 'both'), leniency, ci_low, ci_high, flag
    (`leniency_flag`: 'lenient', 'severe' or ''), reason ('' when judged,
    'no_comparison' when no other rater of the type rated comparable people, 'too_few'
    under `min_ratings` ratings or `min_ratees` ratees compared).
    """
    r = _plain(ratings)
    r = r[r["rater_type"] == rater_type].dropna(subset=["score"])
    r = r.dropna(subset=["rater_id"])
    if performance is None:
        r = r.assign(x=0.0)
    else:
        x = pd.DataFrame({"employee_id": performance["employee_id"].astype(str),
                          "period": performance["period"].astype(str), "x": performance["performance"].astype(float)})
        r = r.merge(x.dropna(), on=["employee_id", "period"])
    r = _deviations(r.reset_index(drop=True))
    rows = []
    for rater, g in r.groupby("rater_id"):
        compared = g.dropna(subset=["deviation"])
        per_ratee = compared.groupby("employee_id")["deviation"].mean()
        m = len(per_ratee)
        kinds = compared["basis"].unique()
        row = {"rater_id": rater, "n": len(compared), "ratees": m, "mean": g["score"].mean(),
               "basis": kinds[0] if len(kinds) == 1 else "both" if len(kinds) else "",
               "leniency": np.nan, "ci_low": np.nan, "ci_high": np.nan, "flag": "", "reason": ""}
        if not m:
            row["reason"] = "no_comparison"
        elif len(compared) < min_ratings or m < max(min_ratees, 2):
            row["reason"] = "too_few"
        else:
            mean, se = per_ratee.mean(), per_ratee.std(ddof=1) / np.sqrt(m)
            half = stats.t.ppf(0.5 + level / 2, m - 1) * se
            row.update(leniency=mean, ci_low=mean - half, ci_high=mean + half)
            row["flag"] = leniency_flag(mean, mean - half, mean + half, threshold)
        rows.append(row)
    return pd.DataFrame(rows, columns=LENIENCY_COLUMNS).sort_values("leniency", ascending=False, ignore_index=True)


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


def _rater_model(ratings: pd.DataFrame, rater_types: tuple[str, ...]):
    """The crossed ratee × rater model of `rater_effects`, fitted: (model, fit, rows)."""
    import statsmodels.api as sm

    r = _plain(ratings).dropna(subset=["score"])
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
    Shrout & Fleiss (1979), Psychol. Bull. 86:420 (the two-way random model); statsmodels MixedLM.
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
    Henderson (1975), best linear unbiased prediction; statsmodels MixedLM.random_effects.
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

    effects = rater_effects(dataset.ratings, rater_types=("supervisor",))
    adjusted = calibrated(dataset.ratings, effects)
    not_supervisor = adjusted["rater_type"].astype(str) != "supervisor"
    adjusted.loc[not_supervisor, "score"] = adjusted.loc[not_supervisor, "raw_score"]
    adjusted.loc[not_supervisor, "rater_effect"] = 0.0
    return replace(dataset, ratings=adjusted)
