"""How much a ranking changed between two periods (排名波动): rank correlations, footrule,
rank-biased overlap.

Formulas and references:
- Kendall tau-b and Spearman rho: scipy.stats.kendalltau / spearmanr;
- Spearman footrule normalised by its maximum ⌊n²/2⌋ (Diaconis & Graham 1977):
  F = Σ|r₁ − r₂| / ⌊n²/2⌋, 0 = same order, 1 = reversed;
- rank-biased overlap, extrapolated (Webber, Moffat & Zobel 2010, eq. 32):
  RBO_ext = X_k/k · p^k + (1 − p)/p · Σ_{d=1..k} X_d/d · p^d, X_d = |S[:d] ∩ T[:d]|.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpilib.tiers import rank


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
