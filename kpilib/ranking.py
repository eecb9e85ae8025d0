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

BANDS = {"top 10%": (0.0, 0.10), "middle 30–60%": (0.30, 0.60), "bottom 20%": (0.80, 1.0)}


def kpi_ranks(values: pd.DataFrame, directions: dict[str, str], people: pd.DataFrame | None = None,
              by: str | None = None) -> pd.DataFrame:
    """Rank everyone on each KPI (`values`: employee_id, kpi, actual).

    Lower-is-better KPIs rank ascending. With `by` (a column of `people`, e.g. region or
    department) ranks are within that group. Columns: employee_id, kpi, actual, [by],
    rank, n (people ranked), percentile (0 = best, 1 = last).
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
    no rank. Example: values 5, 5, 3 with keys 1, 2, 9 rank 2, 1, 3; with equal keys 1, 1, 3."""
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
    `value` broken by the `tie_break` columns); rows still tied at the cut are all kept."""
    out = frame.copy()
    out["rank"] = rank_by(out, value, tie_break, ascending, by)
    keys = ([by] if by else []) + ["rank"]
    return out[out["rank"] <= k].sort_values(keys, ignore_index=True)


def movement(before: pd.Series, after: pd.Series, k: int = 10) -> pd.DataFrame:
    """Rank movement between two periods; `before`/`after` are scores indexed by employee_id
    (higher = better). People in both periods only.

    Columns: employee_id, rank_before, rank_after, change (rank_before − rank_after; + =
    moved up), entered_top_k, left_top_k.
    """
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    out = pd.DataFrame({"rank_before": rank(both["before"]), "rank_after": rank(both["after"])})
    out["change"] = (out["rank_before"] - out["rank_after"]).astype("Int64")
    out["entered_top_k"] = (out["rank_after"] <= k) & (out["rank_before"] > k)
    out["left_top_k"] = (out["rank_before"] <= k) & (out["rank_after"] > k)
    out.index.name = "employee_id"
    return out.reset_index().sort_values("rank_after", ignore_index=True)


def band_stability(before: pd.Series, after: pd.Series, bands: dict[str, tuple[float, float]] = BANDS) -> pd.DataFrame:
    """Stability of the head, the middle and the tail: for people whose percentile rank
    before falls in each band, the mean absolute rank change and the share still in the
    band after. Columns: band, n, mean_abs_rank_change, stayed."""
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    n = len(both)
    rb, ra = rank(both["before"]).astype(float), rank(both["after"]).astype(float)
    pb, pa = (rb - 1) / max(n - 1, 1), (ra - 1) / max(n - 1, 1)
    rows = []
    for name, (low, high) in bands.items():
        inside = (pb >= low) & (pb <= high)
        stayed = ((pa >= low) & (pa <= high))[inside]
        rows.append({"band": name, "n": int(inside.sum()),
                     "mean_abs_rank_change": float((rb - ra).abs()[inside].mean()) if inside.any() else np.nan,
                     "stayed": float(stayed.mean()) if inside.any() else np.nan})
    return pd.DataFrame(rows)


def most_improved(before: pd.Series, after: pd.Series, n: int = 10) -> pd.DataFrame:
    """The `n` people whose score rose most. Columns: employee_id, before, after, gain, rank_change."""
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    both["gain"] = both["after"] - both["before"]
    both["rank_change"] = (rank(both["before"]) - rank(both["after"])).astype("Int64")
    both.index.name = "employee_id"
    return both.sort_values(["gain", "rank_change"], ascending=False).head(n).reset_index()
