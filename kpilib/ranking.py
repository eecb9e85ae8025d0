"""Rankings and how they move (排名与变动): ranks per KPI and group, the top k, movement
between two periods, stability by band, the most improved.

Ranks: 1 = best, ties share the lowest rank (`min`), lower-is-better KPIs ascending.
How much a whole ranking changed is `kpilib.rank_agreement` (Kendall, Spearman, footrule,
RBO); tier transitions and mobility are `kpilib.transitions`.
Every function returns a DataFrame with the columns its docstring lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.tiers import rank  # noqa: F401 - the ranking rule, re-exported for analysts


def kpi_ranks(values: pd.DataFrame, directions: dict[str, str], people: pd.DataFrame | None = None,
              by: str | None = None) -> pd.DataFrame:
    """Rank everyone on each KPI; lower-is-better KPIs rank ascending.

    Parameters
    ----------
    values : DataFrame
        employee_id, kpi, actual (missing actuals are not ranked).
    directions : dict
        kpi → "higher" or "lower".
    people : DataFrame, optional
        employee_id and the `by` column.
    by : str, optional
        A column of `people` (e.g. region or department): ranks within that group.

    Returns
    -------
    DataFrame
        employee_id, kpi, actual, [by], rank, n (people ranked), percentile (0 = best, 1 = last).

    References
    ----------
    Standard competition ranking (`min` ties); tests/test_ranking.py (test_rank_min_and_direction).

    Examples
    --------
    >>> values = pd.DataFrame({"employee_id": list("abc"), "kpi": "response_time", "actual": [2.5, 1.5, 2.5]})
    >>> kpi_ranks(values, {"response_time": "lower"})
      employee_id            kpi  actual  rank  n  percentile
    0           b  response_time     1.5     1  3         0.0
    1           a  response_time     2.5     2  3         0.5
    2           c  response_time     2.5     2  3         0.5
    """
    frame = values.dropna(subset=["actual"])[["employee_id", "kpi", "actual"]].copy()
    if by:
        frame = frame.merge(people[["employee_id", by]], on="employee_id", how="left")
    keys = ["kpi"] + ([by] if by else [])
    ascending = frame["kpi"].map(lambda k: directions.get(k) == "lower")
    score = frame["actual"].where(~ascending, -frame["actual"])  # rank high-is-good uniformly
    frame["rank"] = score.groupby([frame[k] for k in keys]).rank(method="min", ascending=False).astype("Int64")
    frame["n"] = frame.groupby(keys)["actual"].transform("size")
    frame["percentile"] = (frame["rank"].astype(float) - 1) / (frame["n"] - 1).where(frame["n"] > 1, 1)
    return frame.sort_values(keys + ["rank", "employee_id"], ignore_index=True)


def rank_by(frame: pd.DataFrame, value: str, tie_break: list[str] | tuple[str, ...] = (), ascending: bool = False,
            by: str | None = None) -> pd.Series:
    """Rank 1 = best on `value` (highest unless `ascending`), rows equal on `value` ordered by
    the `tie_break` columns (higher first, a missing key last: the scheme's `tiers.tie_break`),
    rows equal on every key sharing the lowest rank (`min`), within `by`. Missing values get
    no rank.

    Parameters
    ----------
    frame : DataFrame
        The `value` column, the `tie_break` columns present, the `by` column.
    value : str
        The column ranked.
    tie_break : list of str
        Columns breaking ties on `value`, higher first (absent columns are skipped).
    ascending : bool
        True when lower `value` is better.
    by : str, optional
        Groups ranked separately.

    Returns
    -------
    Series
        Int64 ranks aligned with `frame` (<NA> where `value` is missing).

    References
    ----------
    Standard competition ranking with tie-break keys; tests/test_ranking.py and
    tests/test_tiers.py (the scheme's `tiers.tie_break`).

    Examples
    --------
    >>> frame = pd.DataFrame({"v": [5.0, 5, 3], "key": [1.0, 2, 9]})
    >>> rank_by(frame, "v", ["key"]).tolist()
    [2, 1, 3]
    >>> rank_by(frame.assign(key=[1.0, 1, 3]), "v", ["key"]).tolist()
    [1, 1, 3]
    """
    keys = [value, *[c for c in tie_break if c in frame.columns and c != value]]
    signs = [1.0 if ascending else -1.0] + [-1.0] * (len(keys) - 1)  # sort ascending on signed keys
    signed = pd.DataFrame({c: s * pd.to_numeric(frame[c], errors="coerce") for c, s in zip(keys, signs, strict=True)},
                          index=frame.index).fillna(np.inf)  # a missing key sorts last
    signed["_group"] = frame[by].astype(str) if by else ""
    ordered = signed.sort_values(["_group", *keys], kind="stable")
    new_block = (ordered[["_group", *keys]] != ordered[["_group", *keys]].shift()).any(axis=1)
    position = ordered.groupby("_group").cumcount() + 1
    out = position.where(new_block).ffill().astype("Int64").reindex(frame.index)
    return out.where(frame[value].notna())


def top_k(frame: pd.DataFrame, value: str, k: int = 10, by: str | None = None, ascending: bool = False,
          tie_break: list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """The best `k` rows by `value` (within `by`), with a `rank` column (`rank_by`: ties on
    `value` broken by the `tie_break` columns); rows still tied at the cut are all kept.

    Parameters
    ----------
    frame : DataFrame
        The rows ranked.
    value : str
        The column ranked.
    k : int
        Places kept.
    by, ascending, tie_break : as `rank_by`.

    Returns
    -------
    DataFrame
        `frame`'s columns and rank, rows with rank ≤ k, sorted by [by,] rank.

    References
    ----------
    tests/test_ranking.py (test_top_k_keeps_ties_at_the_cut).

    Examples
    --------
    >>> frame = pd.DataFrame({"employee_id": list("abcd"), "sales": [10, 9, 9, 8]})
    >>> top_k(frame, "sales", 2)
      employee_id  sales  rank
    0           a     10     1
    1           b      9     2
    2           c      9     2
    """
    out = frame.copy()
    out["rank"] = rank_by(out, value, tie_break, ascending, by)
    keys = ([by] if by else []) + ["rank"]
    return out[out["rank"] <= k].sort_values(keys, ignore_index=True)


def movement(before: pd.Series, after: pd.Series, k: int = 10) -> pd.DataFrame:
    """Rank movement between two periods; `before`/`after` are scores indexed by employee_id
    (higher = better). People in both periods only.

    Parameters
    ----------
    before, after : Series
        Scores indexed by employee_id.
    k : int
        The top places watched (entered / left).

    Returns
    -------
    DataFrame
        employee_id, rank_before, rank_after, change (rank_before − rank_after; + = moved
        up), entered_top_k, left_top_k; sorted by rank_after.

    References
    ----------
    tests/test_ranking.py (test_movement_most_improved).

    Examples
    --------
    >>> movement(pd.Series([3.0, 2, 1], index=list("abc")), pd.Series([1.0, 2, 3], index=list("abc")), k=1)
      employee_id  rank_before  rank_after  change  entered_top_k  left_top_k
    0           c            3           1       2           True       False
    1           b            2           2       0          False       False
    2           a            1           3      -2          False        True
    """
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    out = pd.DataFrame({"rank_before": rank(both["before"]), "rank_after": rank(both["after"])})
    out["change"] = (out["rank_before"] - out["rank_after"]).astype("Int64")
    out["entered_top_k"] = (out["rank_after"] <= k) & (out["rank_before"] > k)
    out["left_top_k"] = (out["rank_before"] <= k) & (out["rank_after"] > k)
    out.index.name = "employee_id"
    return out.reset_index().sort_values("rank_after", ignore_index=True)


def most_improved(before: pd.Series, after: pd.Series, n: int = 10) -> pd.DataFrame:
    """The `n` people whose score rose most.

    Parameters
    ----------
    before, after : Series
        Scores indexed by employee_id; people in both only.
    n : int
        People listed.

    Returns
    -------
    DataFrame
        employee_id, before, after, gain (after − before), rank_change (+ = moved up);
        sorted by gain, then rank_change.

    References
    ----------
    tests/test_ranking.py (test_movement_most_improved).

    Examples
    --------
    >>> most_improved(pd.Series([3.0, 2, 1], index=list("abc")), pd.Series([3.0, 2, 5], index=list("abc")), n=1)
      employee_id  before  after  gain  rank_change
    0           c     1.0    5.0   4.0            2
    """
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    both["gain"] = both["after"] - both["before"]
    both["rank_change"] = (rank(both["before"]) - rank(both["after"])).astype("Int64")
    both.index.name = "employee_id"
    return both.sort_values(["gain", "rank_change"], ascending=False).head(n).reset_index()
