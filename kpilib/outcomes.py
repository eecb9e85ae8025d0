"""Outcome measures (结果指标: sales amount, new customers — catalogue `outcome: true`)
ranked the way the source report outlines them: growth on an earlier period, each group's
share of the total, and a group's attainment as total over total.

Formulas (domain.md §2, §5):
- growth = (this period − earlier period) / earlier period, for rows present in both with
  an earlier value > 0 (环比 on the previous period, 同比 on the same period a year before);
- share of a group = Σ values of the group / Σ values of every group;
- attainment of a group = Σ actual / Σ target over the rows that have both (总对总), never
  the mean of the rows' ratios: 100 of 50 and 0 of 50 is 100 / 100 = 100%, not (200% + 0%) / 2.
Every function returns a tidy DataFrame with the columns its docstring lists; the ranking
rule is `kpilib.ranking.rank_by`. Checked by hand in tests/test_outcomes.py.
"""

from __future__ import annotations

import pandas as pd


def growth(now: pd.DataFrame, before: pd.DataFrame, keys: list[str], value: str = "actual") -> pd.DataFrame:
    """Growth of `value` per row of `keys` (e.g. employee_id, kpi) from `before` to `now`.

    Parameters
    ----------
    now, before : DataFrame
        `keys` and `value`, one row per key.
    keys : list of str
        The columns that match a row of `now` with its row of `before`.
    value : str
        The measured column.

    Returns
    -------
    DataFrame
        keys…, before, now, growth = (now − before) / before. Rows in both frames with a
        value in each only; growth is NaN where the earlier value is 0 or below.

    References
    ----------
    domain.md §5 (环比 / 同比); checked by hand in tests/test_outcomes.py.

    Examples
    --------
    >>> now = pd.DataFrame({"employee_id": ["e1", "e2", "e3"], "actual": [120.0, 90, 50]})
    >>> before = pd.DataFrame({"employee_id": ["e1", "e2", "e3"], "actual": [100.0, 100, 0]})
    >>> growth(now, before, ["employee_id"])
      employee_id  before    now  growth
    0          e1   100.0  120.0     0.2
    1          e2   100.0   90.0    -0.1
    2          e3     0.0   50.0     NaN
    """
    both = now[keys + [value]].merge(before[keys + [value]], on=keys, suffixes=("", "_before")).dropna()
    out = both.rename(columns={f"{value}_before": "before", value: "now"})[keys + ["before", "now"]]
    base = out["before"].where(out["before"] > 0)
    out["growth"] = (out["now"] - base) / base
    return out.reset_index(drop=True)


def shares(frame: pd.DataFrame, by: str, value: str = "actual", within: str | None = None) -> pd.DataFrame:
    """Each `by` group's share of the total of `value` (within each `within` group, e.g. kpi).

    Parameters
    ----------
    frame : DataFrame
        `by`, `value` and `within` when given; rows without a value are left out.
    by : str
        The groups whose shares are given.
    value : str
        The measured column.
    within : str, optional
        Shares add up to 1 within each of its groups (e.g. kpi).

    Returns
    -------
    DataFrame
        [within], by, people (rows with a value), total, share (NaN when the total is 0).

    References
    ----------
    domain.md §5; checked by hand in tests/test_outcomes.py.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["n", "n", "s"], "actual": [30.0, 10, 60]})
    >>> shares(df, "region")
      region  people  total  share
    0      n       2   40.0    0.4
    1      s       1   60.0    0.6
    """
    keys = ([within] if within else []) + [by]
    present = frame.dropna(subset=[value])
    out = present.groupby(keys, sort=True, observed=True).agg(people=(value, "size"), total=(value, "sum")).reset_index()
    whole = out.groupby(within)["total"].transform("sum") if within else out["total"].sum()
    out["share"] = out["total"] / pd.Series(whole, index=out.index).where(lambda t: t != 0)
    return out


def total_over_total(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Attainment of each `by` group as Σ actual / Σ target over its rows with both.

    Parameters
    ----------
    frame : DataFrame
        `by`, actual and target; rows without both are left out.
    by : list of str
        The groups.

    Returns
    -------
    DataFrame
        by…, people (rows with both), actual (Σ), target (Σ), attainment = Σ actual /
        Σ target (NaN when the summed target is 0 or below).

    References
    ----------
    domain.md §2 (总对总); checked by hand in tests/test_outcomes.py.

    Examples
    --------
    >>> df = pd.DataFrame({"region": ["n", "n", "s"], "actual": [30.0, 10, 60], "target": [20.0, 20, 50]})
    >>> total_over_total(df, ["region"])
      region  people  actual  target  attainment
    0      n       2    40.0    40.0         1.0
    1      s       1    60.0    50.0         1.2
    """
    both = frame.dropna(subset=["actual", "target"])
    out = both.groupby(by, sort=True, observed=True).agg(people=("actual", "size"), actual=("actual", "sum"),
                                                         target=("target", "sum")).reset_index()
    out["attainment"] = out["actual"] / out["target"].where(out["target"] > 0)
    return out.astype({"people": int, "actual": float, "target": float, "attainment": float})

