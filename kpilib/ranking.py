"""Rankings and how they move (排名与变动): ranks per KPI and group, movement between two
periods, rank volatility, tier transitions and mobility, stability by band.

Formulas and references:
- ranks: 1 = best, ties share the lowest rank (`min`), lower-is-better KPIs ascending;
- Kendall tau-b and Spearman rho: scipy.stats.kendalltau / spearmanr;
- Spearman footrule normalised by its maximum ⌊n²/2⌋ (Diaconis & Graham 1977):
  F = Σ|r₁ − r₂| / ⌊n²/2⌋, 0 = same order, 1 = reversed;
- rank-biased overlap, extrapolated (Webber, Moffat & Zobel 2010, eq. 32):
  RBO_ext = X_k/k · p^k + (1 − p)/p · Σ_{d=1..k} X_d/d · p^d, X_d = |S[:d] ∩ T[:d]|;
- Shorrocks (1978) mobility index of a k×k transition matrix P: (k − trace P)/(k − 1).
Every function returns a DataFrame with the columns its docstring lists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

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


def footrule(rank_a: np.ndarray, rank_b: np.ndarray) -> float:
    """Spearman footrule Σ|a − b| normalised by its maximum ⌊n²/2⌋ (0 same, 1 reversed)."""
    n = len(rank_a)
    return float(np.abs(np.asarray(rank_a) - np.asarray(rank_b)).sum() / (n * n // 2)) if n > 1 else 0.0


def _agreements(list_a: list, list_b: list) -> list[float]:
    """A_d = |S[:d] ∩ T[:d]| / d for d = 1..k (k the shorter length)."""
    seen_a, seen_b, overlap, out = set(), set(), 0, []
    for d, (a, b) in enumerate(zip(list_a, list_b, strict=False), start=1):  # to the shorter depth
        overlap += 1 if a == b else (a in seen_b) + (b in seen_a)
        seen_a.add(a)
        seen_b.add(b)
        out.append(overlap / d)
    return out


def average_overlap(list_a: list, list_b: list) -> float:
    """Average overlap (Webber et al. 2010, §3): the mean of the agreements A_1..A_k."""
    agreements = _agreements(list_a, list_b)
    return float(np.mean(agreements)) if agreements else float("nan")


def rbo(list_a: list, list_b: list, p: float = 0.9) -> float:
    """Extrapolated rank-biased overlap of two rankings (best first), eq. 32 of Webber,
    Moffat & Zobel (2010), evaluated to the depth of the shorter list."""
    agreements = _agreements(list_a, list_b)
    k = len(agreements)
    if k == 0:
        return float("nan")
    total = sum(a * p**d for d, a in enumerate(agreements, start=1))
    return float(agreements[-1] * p**k + (1 - p) / p * total)


def volatility(before: pd.Series, after: pd.Series, p: float = 0.9) -> pd.DataFrame:
    """How much the ranking changed between two periods (people in both; higher = better).

    One row: n, kendall_tau_b, kendall_p, spearman_rho, spearman_p, footrule (normalised),
    rbo (extrapolated, persistence p), mean_abs_rank_change.
    """
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    n = len(both)
    if n < 3:
        return pd.DataFrame([{"n": n}])
    tau = stats.kendalltau(both["before"], both["after"], variant="b")
    rho = stats.spearmanr(both["before"], both["after"])
    r_before, r_after = rank(both["before"]), rank(both["after"])
    order_before = both["before"].sort_values(ascending=False, kind="stable").index.tolist()
    order_after = both["after"].sort_values(ascending=False, kind="stable").index.tolist()
    return pd.DataFrame([{
        "n": n, "kendall_tau_b": tau.statistic, "kendall_p": tau.pvalue,
        "spearman_rho": rho.statistic, "spearman_p": rho.pvalue,
        "footrule": footrule(r_before.to_numpy(float), r_after.to_numpy(float)),
        "rbo": rbo(order_before, order_after, p),
        "mean_abs_rank_change": float((r_before - r_after).abs().mean()),
    }])


def _pairs(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """People tiered in both periods: columns before, after."""
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    return both[(both["before"] != "") & (both["after"] != "")]


def transition_counts(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """People per tier before (rows, index named `before`) × tier after (columns): the
    counts behind `transitions`."""
    both = _pairs(before, after)
    counts = pd.crosstab(both["before"], both["after"]).reindex(index=order, columns=order, fill_value=0)
    counts.index.name, counts.columns.name = "before", "after"
    return counts


def transitions(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """Tier transition matrix for a heatmap: rows the tier before (index `before`), columns
    the tier after, values the share of the row's people (rows sum to 1; NaN for a tier
    nobody held). `mobility` sums it up in one row.

    Examples
    --------
    >>> transitions(pd.Series(["A", "A", "B"]), pd.Series(["A", "B", "B"]), ["A", "B"])  # doctest: +NORMALIZE_WHITESPACE
    after     A    B
    before
    A       0.5  0.5
    B       0.0  1.0
    """
    counts = transition_counts(before, after, order)
    return counts.div(counts.sum(axis=1).where(counts.sum(axis=1) > 0), axis=0)


def mobility(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """How much people moved between tiers from one period to the next.

    Parameters
    ----------
    before, after : each person's tier (indexed by employee_id; '' for not tiered).
    order : the tiers, best first.

    Returns
    -------
    DataFrame, one row: n (tiered in both periods), stayed (share in the same tier), moved_up,
    moved_down (shares), shorrocks (over the tiers held before; see `shorrocks`).

    References
    ----------
    Shorrocks (1978), "The measurement of mobility", Econometrica 46:1013.

    Examples
    --------
    >>> mobility(pd.Series(["A", "A", "B"]), pd.Series(["A", "B", "B"]), ["A", "B"])
       n    stayed  moved_up  moved_down  shorrocks
    0  3  0.666667       0.0    0.333333        0.5
    """
    both = _pairs(before, after)
    n = len(both)
    place = {t: i for i, t in enumerate(order)}
    step = both["after"].map(place) - both["before"].map(place)
    shares = transitions(before, after, order)
    held = shares.dropna(how="all").index
    return pd.DataFrame([{"n": n, "stayed": float((step == 0).mean()) if n else np.nan,
                          "moved_up": float((step < 0).mean()) if n else np.nan,
                          "moved_down": float((step > 0).mean()) if n else np.nan,
                          "shorrocks": shorrocks(shares.loc[held, held]) if n else np.nan}])


def shorrocks(matrix: pd.DataFrame | np.ndarray) -> float:
    """Shorrocks mobility index (k − trace P)/(k − 1) of a square k×k transition matrix:
    0 when nobody changes tier, k/(k − 1) when everybody does."""
    p = np.asarray(matrix, dtype=float)
    k = p.shape[0]
    return float((k - np.trace(p)) / (k - 1)) if k >= 2 else float("nan")


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
