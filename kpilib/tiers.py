"""Forced distribution (分级评价): S/A/B/C/D by shares within a group, and ranks.

Tier sizes are apportioned by largest remainder (Hamilton): each tier gets
⌊n × share⌋, and the seats left go to the largest fractional parts. Equal fractional
parts are broken in favour of the tier nearest the middle of the list (B for S..D), then
the better tier: with 10 people and 5/15/60/15/5 the two spare seats go to A and C,
not to S and D.

People are ordered by composite, then the scheme's tie-break keys (`tiers.tie_break`,
higher first). People still tied on every key are never split across a boundary: the
whole tied block takes the tier of its first member, and the tier allocation table shows
the resulting over- and under-allocation. Groups smaller than `tiers.min_group` are
either pooled together (`small_groups: pool`) or tiered with a note that the curve is
only a guideline (`guideline`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Tiers


def apportion(n: int, shares: dict[str, float]) -> dict[str, int]:
    """Tier sizes for a group of `n` by largest remainder, ties to the middle tier.

    Parameters
    ----------
    n : int
        People in the group.
    shares : dict
        Tier → share, best tier first; the shares add up to 1.

    Returns
    -------
    dict
        Tier → size; the sizes add up to `n`.

    References
    ----------
    Hamilton's method (largest remainder), Balinski & Young (1982), "Fair representation";
    checked by hand in tests/test_tiers.py.

    Examples
    --------
    >>> apportion(10, {"S": 0.05, "A": 0.15, "B": 0.6, "C": 0.15, "D": 0.05})
    {'S': 0, 'A': 2, 'B': 6, 'C': 2, 'D': 0}
    """
    names = list(shares)
    quotas = np.array([n * shares[t] for t in names])
    sizes = np.floor(quotas + 1e-9).astype(int)
    remainders = np.round(quotas - sizes, 9)
    middle = (len(names) - 1) / 2
    order = sorted(range(len(names)), key=lambda i: (-remainders[i], abs(i - middle), i))
    for i in order[: n - int(sizes.sum())]:
        sizes[i] += 1
    return dict(zip(names, sizes.tolist(), strict=True))


def rank(values: pd.Series, ascending: bool = False, by: pd.Series | None = None) -> pd.Series:
    """Rank 1 = best (highest unless `ascending`), ties share the lowest rank, within `by`.
    The one ranking rule of the package (kpilib.ranking re-exports it).

    Parameters
    ----------
    values : Series
        The values ranked; missing values get no rank.
    ascending : bool
        True when lower is better.
    by : Series, optional
        Groups ranked separately (aligned with `values`).

    Returns
    -------
    Series
        Int64 ranks, aligned with `values` ("min" ties: 1, 1, 3).

    References
    ----------
    Standard competition ranking ("1224"), pandas.Series.rank(method="min").

    Examples
    --------
    >>> rank(pd.Series([90.0, 85, 90, 70])).tolist()
    [1, 3, 1, 4]
    """
    if by is None:
        return values.rank(method="min", ascending=ascending).astype("Int64")
    return values.groupby(by).rank(method="min", ascending=ascending).astype("Int64")


def rank_within(sheet: pd.DataFrame, by: str, value: str = "composite") -> pd.Series:
    """Rank 1 = best within each `by` group (the whole sheet when it has no such column).

    Parameters
    ----------
    sheet : DataFrame
        The scoring sheet (or any frame with `value`).
    by : str
        The grouping column.
    value : str
        The column ranked, highest first.

    Returns
    -------
    Series
        Int64 ranks aligned with `sheet` (`rank`).

    References
    ----------
    As `rank`.

    Examples
    --------
    >>> sheet = pd.DataFrame({"department": ["s", "s", "m"], "composite": [80.0, 90, 70]})
    >>> rank_within(sheet, "department").tolist()
    [2, 1, 1]
    """
    key = sheet[by] if by in sheet.columns else pd.Series("company", index=sheet.index)
    return rank(sheet[value], by=key)


def tier_groups(sheet: pd.DataFrame, tiers: Tiers) -> pd.Series:
    """The group each scored person is tiered in ('' without a composite): the
    `tiers.within` column (the whole company when the sheet has none), groups smaller than
    `tiers.min_group` pooled into one when `small_groups: pool`.

    Parameters
    ----------
    sheet : DataFrame
        composite and the `tiers.within` column.
    tiers : kpilib.config.Tiers
        The scheme's tier rules.

    Returns
    -------
    Series
        The group of each row of `sheet`.

    References
    ----------
    The scheme's rule (domain.md); checked in tests/test_tiers.py.

    Examples
    --------
    >>> sheet = pd.DataFrame({"department": ["s", "s", "m"], "composite": [80.0, 90, None]})
    >>> tier_groups(sheet, Tiers(shares={"A": 0.5, "B": 0.5}, min_group=1)).tolist()
    ['s', 's', '']
    """
    group = sheet[tiers.within].astype(str) if tiers.within in sheet.columns else pd.Series("company", index=sheet.index)
    scored = sheet["composite"].notna()
    sizes = group[scored].value_counts()
    small = sizes[sizes < tiers.min_group].index
    if tiers.small_groups == "pool" and len(small) > 1:
        group = group.where(~group.isin(small), "pooled: " + ", ".join(sorted(small)))
    return group.where(scored, "")


def assign_tiers(sheet: pd.DataFrame, tiers: Tiers) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tier every scored person.

    Parameters
    ----------
    sheet : DataFrame
        employee_id, composite, the tie-break columns and the `tiers.within` column
        (unless it is "company").
    tiers : kpilib.config.Tiers
        Shares, grouping, tie-break keys and the small-group rule.

    Returns
    -------
    tuple of DataFrame
        The sheet with tier, tier_group, tier_note; and the tier allocation, one row per
        group × tier: group, size, tier, share, expected (n × share), planned
        (`apportion`), allocated, difference.

    References
    ----------
    Hamilton's method (`apportion`); checked by hand in tests/test_tiers.py.

    Examples
    --------
    >>> sheet = pd.DataFrame({"employee_id": ["e1", "e2", "e3"], "department": "s", "composite": [80.0, 90, 70]})
    >>> tiered, tier_allocation = assign_tiers(sheet, Tiers(shares={"A": 0.34, "B": 0.66}, min_group=1))
    >>> tiered["tier"].tolist()
    ['B', 'A', 'B']
    >>> tier_allocation[["tier", "expected", "planned", "allocated"]]
      tier  expected  planned  allocated
    0    A      1.02        1          1
    1    B      1.98        2          2
    """
    out = sheet.reset_index(drop=True)
    out["tier"], out["tier_note"] = "", ""
    scored = out["composite"].notna()
    out["tier_group"] = tier_groups(out, tiers)
    out.loc[~scored, "tier_note"] = "no composite: not tiered"
    keys = ["composite", *[k for k in tiers.tie_break if k in out.columns]]
    tier_allocation = []
    for name, members in out[scored].groupby("tier_group", sort=True):
        ordered = members.sort_values(keys + ["employee_id"], ascending=[False] * len(keys) + [True],
                                      kind="stable", na_position="last")
        planned = apportion(len(ordered), tiers.shares)
        position_tier = np.repeat(list(planned), list(planned.values()))
        block = (ordered[keys].shift() != ordered[keys]).any(axis=1).cumsum().to_numpy()
        first_of_block = pd.Series(np.arange(len(ordered))).groupby(block).transform("min").to_numpy()
        assigned = position_tier[first_of_block]
        notes = np.where(assigned != position_tier, "tied across a tier boundary: placed with the tied block", "")
        block_size = pd.Series(block).map(pd.Series(block).value_counts()).to_numpy()
        notes = np.where((block_size > 1) & (notes == ""), "tied on every key with others", notes)
        if len(ordered) < tiers.min_group:
            notes = np.where(notes == "", f"group of {len(ordered)} is below {tiers.min_group}: "
                             "the curve is a guideline", notes)
        out.loc[ordered.index, "tier"] = assigned
        out.loc[ordered.index, "tier_note"] = notes
        counts = pd.Series(assigned).value_counts()
        for t, share in tiers.shares.items():
            tier_allocation.append({"group": name, "size": len(ordered), "tier": t, "share": share,
                                "expected": len(ordered) * share, "planned": planned[t],
                                "allocated": int(counts.get(t, 0)),
                                "difference": int(counts.get(t, 0)) - planned[t]})
    columns = ["group", "size", "tier", "share", "expected", "planned", "allocated", "difference"]
    return out, pd.DataFrame(tier_allocation, columns=columns)
