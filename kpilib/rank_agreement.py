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
    """Spearman footrule Σ|a − b| normalised by its maximum ⌊n²/2⌋ (0 same, 1 reversed).

    Parameters
    ----------
    rank_a, rank_b : array
        Two rankings of the same people, in the same order.

    Returns
    -------
    float
        In [0, 1]; 0 for fewer than two people.

    References
    ----------
    Diaconis & Graham (1977), JRSS B 39:262; tests/test_ranking.py (by hand: 8/18).

    Examples
    --------
    >>> footrule(np.array([1, 2, 3, 4]), np.array([4, 3, 2, 1]))
    1.0
    >>> footrule(np.array([1, 2, 3, 4]), np.array([2, 1, 3, 4]))
    0.25
    """
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
    """Average overlap (Webber et al. 2010, §3): the mean of the agreements A_1..A_k,
    A_d = |S[:d] ∩ T[:d]| / d.

    Parameters
    ----------
    list_a, list_b : list
        Two rankings, best first (evaluated to the depth of the shorter).

    Returns
    -------
    float
        In [0, 1]; NaN for an empty list.

    References
    ----------
    Webber, Moffat & Zobel (2010), ACM TOIS 28(4), Fig. 5 (0.312), reproduced in
    tests/test_ranking.py.

    Examples
    --------
    >>> round(average_overlap(list("abcdefg"), list("zcavwxy")), 3)
    0.312
    """
    agreements = _agreements(list_a, list_b)
    return float(np.mean(agreements)) if agreements else float("nan")


def rbo(list_a: list, list_b: list, p: float = 0.9) -> float:
    """Extrapolated rank-biased overlap of two rankings (best first), eq. 32 of Webber,
    Moffat & Zobel (2010), evaluated to the depth of the shorter list.

    Parameters
    ----------
    list_a, list_b : list
        Two rankings, best first.
    p : float
        Persistence (0.9: the top 10 carry ~86% of the weight).

    Returns
    -------
    float
        In [0, 1]; NaN for an empty list.

    References
    ----------
    Webber, Moffat & Zobel (2010), eq. 32; by hand in tests/test_ranking.py.

    Examples
    --------
    S = 1 2 3, T = 1 3 2: X = 1, 1, 3, so 0.9³ + (0.1/0.9)(0.9 + 0.405 + 0.729) = 0.955:

    >>> round(rbo([1, 2, 3], [1, 3, 2], 0.9), 3)
    0.955
    """
    agreements = _agreements(list_a, list_b)
    k = len(agreements)
    if k == 0:
        return float("nan")
    total = sum(a * p**d for d, a in enumerate(agreements, start=1))
    return float(agreements[-1] * p**k + (1 - p) / p * total)


def volatility(before: pd.Series, after: pd.Series, p: float = 0.9) -> pd.DataFrame:
    """How much the ranking changed between two periods (people in both; higher = better).

    Parameters
    ----------
    before, after : Series
        Scores indexed by employee_id.
    p : float
        RBO persistence.

    Returns
    -------
    DataFrame
        One row: n, kendall_tau_b, kendall_p, spearman_rho, spearman_p, footrule
        (normalised), rbo (extrapolated, persistence p), mean_abs_rank_change; only n
        with fewer than 3 people.

    References
    ----------
    scipy.stats.kendalltau / spearmanr; footrule and RBO as above; tests/test_ranking.py
    (test_volatility_against_scipy_and_hand).

    Examples
    --------
    >>> before = pd.Series([90, 85, 80, 75, 70, 65], index=list("abcdef"))
    >>> after = pd.Series([88, 70, 86, 60, 75, 61], index=list("abcdef"))
    >>> volatility(before, after)[["n", "footrule", "mean_abs_rank_change"]].round(4)
       n  footrule  mean_abs_rank_change
    0  6    0.4444                1.3333
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
