"""Patterns in the ratings (评分模式): self versus supervisor, the spread of a rater's
scores against the forced distribution (central tendency), halo, and agreement (ICC).

Every function takes the long `ratings` table of `kpilib.data.Dataset` (period,
employee_id, rater_type, rater_id, criterion, score) and returns a tidy DataFrame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpilib.ratings import plain_ratings


def self_supervisor_gap(ratings: pd.DataFrame, employees: pd.DataFrame | None = None,
                        by: str | None = None) -> pd.DataFrame:
    """Self rating minus supervisor rating per person (columns employee_id, self, supervisor,
    gap, n_criteria), or per group when `by` names an employees column (e.g. "team":
    columns by, people, mean_gap, share_overrating).

    Parameters
    ----------
    ratings : DataFrame
        The ratings table.
    employees : DataFrame, optional
        employee_id and the `by` column.
    by : str, optional
        Group people by this column.

    Returns
    -------
    DataFrame
        Per person: employee_id, self, supervisor, gap (self − supervisor), n_criteria;
        per group: by, people, mean_gap, share_overrating (share with gap > 0).

    References
    ----------
    Harris & Schaubroeck (1988), Personnel Psychology 41 (self ratings run higher);
    tests/test_ratings.py (test_self_ratings_run_higher_than_supervisors).

    Examples
    --------
    >>> ratings = pd.DataFrame({"period": "2026Q3", "employee_id": ["a", "a", "b", "b"], "criterion": "c",
    ...                         "rater_type": ["self", "supervisor"] * 2, "rater_id": ["a", "S", "b", "S"],
    ...                         "score": [5, 3, 3, 4]})
    >>> self_supervisor_gap(ratings)
      employee_id  self  supervisor  gap  n_criteria
    0           a   5.0         3.0  2.0           1
    1           b   3.0         4.0 -1.0           1
    """
    r = plain_ratings(ratings)
    wide = (r[r["rater_type"].isin(["self", "supervisor"])]
            .groupby(["employee_id", "period", "criterion", "rater_type"])["score"].mean().unstack("rater_type"))
    wide = wide.dropna(subset=[c for c in ("self", "supervisor") if c in wide.columns])
    if not {"self", "supervisor"} <= set(wide.columns) or wide.empty:
        return pd.DataFrame(columns=["employee_id", "self", "supervisor", "gap", "n_criteria"])
    grouped = wide.groupby("employee_id")
    person = grouped[["self", "supervisor"]].mean().assign(n_criteria=grouped.size()).rename_axis(columns=None)
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

    Parameters
    ----------
    ratings : DataFrame
        The ratings table.
    rater_type : str
        The raters looked at.
    target : dict, optional
        score → share (the forced distribution when None).
    min_ratings : int
        Raters with fewer ratings are left out.

    Returns
    -------
    DataFrame
        rater_id, n, s1..s5 (shares), share_3, chi2, p_val.

    References
    ----------
    Pearson's chi-square goodness of fit (scipy.stats.chisquare);
    tests/test_ratings.py (test_distribution_halo_central_tendency).

    Examples
    --------
    Twenty ratings, all 3s: against 5/15/60/15/5%, E = 1, 3, 12, 3, 1 and chi² = 1 + 3 + 64/12 + 3 + 1 = 13.33:

    >>> ratings = pd.DataFrame({"employee_id": [f"e{i}" for i in range(20)], "rater_type": "supervisor",
    ...                         "rater_id": "S", "score": 3.0})
    >>> rating_distribution(ratings)[["rater_id", "n", "share_3", "chi2"]].round(2)
      rater_id   n  share_3   chi2
    0        S  20      1.0  13.33
    """
    target = target or {5: 0.05, 4: 0.15, 3: 0.60, 2: 0.15, 1: 0.05}
    r = plain_ratings(ratings)
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
    does not tell criteria apart).

    Parameters
    ----------
    ratings : DataFrame
        The ratings table.
    rater_type : str
        The raters looked at.
    min_ratees : int
        Raters with fewer ratee-periods are left out.

    Returns
    -------
    DataFrame
        rater_id, ratees, criteria, halo (mean Pearson correlation over criterion pairs).

    References
    ----------
    Cooper (1981), "Ubiquitous halo", Psychol. Bull. 90:218;
    tests/test_ratings.py (test_distribution_halo_central_tendency).

    Examples
    --------
    A rater who gives every criterion the same score has halo 1:

    >>> ratings = pd.DataFrame([{"period": "2026Q3", "employee_id": f"e{i}", "rater_type": "supervisor",
    ...                          "rater_id": "S", "criterion": c, "score": 1 + i} for i in range(5) for c in "xy"])
    >>> halo(ratings)
      rater_id  ratees  criteria  halo
    0        S       5         2   1.0
    """
    r = plain_ratings(ratings)
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

    Parameters
    ----------
    df : DataFrame
        Long table; a complete design (every target rated by every rater).
    target, rater, score : str
        Its columns.

    Returns
    -------
    DataFrame
        type (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k), description, icc, F, df1, df2, p_val,
        ci95_low, ci95_high.

    References
    ----------
    Shrout & Fleiss (1979), Psychol. Bull. 86:420; their Table 4 reproduced in
    tests/test_ratings.py (test_icc_matches_shrout_fleiss).

    Examples
    --------
    Two judges on four targets; by hand BMS = 2 · 9.25 / 3 = 6.167, EMS = 0.5 / 3 = 0.167,
    ICC3 = (BMS − EMS) / (BMS + EMS) = 0.947:

    >>> df = pd.DataFrame({"target": [1, 2, 3, 4] * 2, "judge": ["a"] * 4 + ["b"] * 4,
    ...                    "score": [1, 2, 4, 5, 2, 2, 5, 5]})
    >>> icc(df, "target", "judge", "score")[["type", "icc"]].round(3)
        type    icc
    0   ICC1  0.922
    1   ICC2  0.923
    2   ICC3  0.947
    3  ICC1k  0.959
    4  ICC2k  0.960
    5  ICC3k  0.973
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
