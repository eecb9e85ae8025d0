"""Tier transitions between two periods (分级迁移): the transition matrix and mobility.

Shorrocks (1978) mobility index of a k×k transition matrix P: (k − trace P)/(k − 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _pairs(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """People tiered in both periods: columns before, after."""
    both = pd.DataFrame({"before": before, "after": after}).dropna()
    return both[(both["before"] != "") & (both["after"] != "")]


def transition_counts(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """People per tier before (rows, index named `before`) × tier after (columns): the
    counts behind `transitions`.

    Parameters
    ----------
    before, after : Series
        Each person's tier (indexed by employee_id; '' for not tiered).
    order : list of str
        The tiers, best first.

    Returns
    -------
    DataFrame
        Counts, rows `before` and columns `after` in `order`.

    References
    ----------
    A cross-tabulation; tests/test_ranking.py (test_shorrocks_hand_example).

    Examples
    --------
    >>> transition_counts(pd.Series(["A", "A", "B"]), pd.Series(["A", "B", "B"]), ["A", "B"])  # doctest: +NORMALIZE_WHITESPACE
    after   A  B
    before
    A       1  1
    B       0  1
    """
    both = _pairs(before, after)
    counts = pd.crosstab(both["before"], both["after"]).reindex(index=order, columns=order, fill_value=0)
    counts.index.name, counts.columns.name = "before", "after"
    return counts


def transitions(before: pd.Series, after: pd.Series, order: list[str]) -> pd.DataFrame:
    """Tier transition matrix for a heatmap: rows the tier before (index `before`), columns
    the tier after, values the share of the row's people (rows sum to 1; NaN for a tier
    nobody held). `mobility` sums it up in one row.

    Parameters
    ----------
    before, after : Series
        Each person's tier (indexed by employee_id; '' for not tiered).
    order : list of str
        The tiers, best first.

    Returns
    -------
    DataFrame
        Row shares, rows `before` and columns `after` in `order`.

    References
    ----------
    Shorrocks (1978); tests/test_ranking.py (test_shorrocks_hand_example).

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
    0 when nobody changes tier, k/(k − 1) when everybody does.

    Parameters
    ----------
    matrix : DataFrame or ndarray
        Row-stochastic k×k transition matrix.

    Returns
    -------
    float
        NaN for k < 2.

    References
    ----------
    Shorrocks (1978), "The measurement of mobility", Econometrica 46:1013;
    tests/test_ranking.py (test_shorrocks_hand_example).

    Examples
    --------
    >>> shorrocks(np.array([[0.8, 0.2], [0.3, 0.7]]))
    0.5
    """
    p = np.asarray(matrix, dtype=float)
    k = p.shape[0]
    return float((k - np.trace(p)) / (k - 1)) if k >= 2 else float("nan")
