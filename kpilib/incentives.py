"""Results applied (结果应用): bonus multipliers, commission, promotion eligibility,
reserve-cadre pool, breakthroughs, watch list (observation) and review. Each function takes its rule
of one department from `scheme.yaml` (`incentives.<department>.<rule>`, kpilib.config);
a department without a rule gets no outcome for it.

Every function returns one row per person the rule looked at: employee_id, rule (the
rule's key: bonus, commission, promotion, reserve_pool, breakthrough, watch_list),
outcome (a code: "3×", "3×, not in full", eligible, not yet, in pool, standard,
observation, review, breakthrough), evidence (a code of the figures that decided it) with
its parameters in evidence_args (JSON: the figures, unrounded), and selected (True when the
rule gives the person something or puts them on the watch list), so HR can check each
decision. `kpilib.messages.render` writes the evidence in words (kpilib/messages.yaml
`codes`), e.g. "rank share 14.6%: top 30% of department; collection_on_time 90.00% (needs ≥ 95.00%)".
A gate on a KPI that is not measured for a person fails, and the evidence says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Bonus, Breakthrough, Commission, Gate, Promotion, ReservePool, WatchList
from kpilib.messages import args_text
from kpilib.ranking import rank

COLUMNS = ["employee_id", "rule", "outcome", "evidence", "evidence_args", "selected"]


def _share(sheet: pd.DataFrame, by: str | list[str] = "department") -> pd.Series:
    """Rank position as a share of the group (0 < share ≤ 1; 0.1 = within the top 10%)."""
    keys = [sheet[k] for k in ([by] if isinstance(by, str) else by)]
    n = sheet.groupby(keys)["composite"].transform("count")
    return rank(sheet["composite"], by=keys).astype(float) / n


def passes(actual: pd.Series, gate: Gate) -> pd.Series:
    """True where the gate's KPI is measured and meets it (≥ min, or < below); missing fails.

    Parameters
    ----------
    actual : Series
        The gate KPI's actual per person (NaN: not measured).
    gate : Gate
        kpi, and min or below.

    Returns
    -------
    Series of bool, aligned with `actual`.

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_an_unmeasured_gate_fails_and_says_so).

    Examples
    --------
    >>> from kpilib.config import Gate
    >>> passes(pd.Series([0.96, 0.90, np.nan]), Gate(kpi="collection_rate", min=0.95)).tolist()
    [True, False, False]
    """
    return actual.ge(gate.min) if gate.min is not None else actual.lt(gate.below)


def _gate(actual: float, gate: Gate) -> tuple[str, dict]:
    """The evidence of a gate: its KPI, what it needs and what the person has."""
    need = ("need.min", {"value": gate.min}) if gate.min is not None else ("need.below", {"value": gate.below})
    if np.isnan(actual):
        return "gate.unmeasured", {"kpi": gate.kpi, "need": need}
    return "gate.measured", {"kpi": gate.kpi, "actual": float(actual), "need": need}


def bonus(sheet: pd.DataFrame, lines: pd.DataFrame, rule: Bonus) -> pd.DataFrame:
    """Bonus multiplier by rank band within department (e.g. top 10% 3×, 11–30% 2×, others
    who meet target 1×, else 0), paid in full only when the full-payment gate (e.g. on-time
    collection ≥ 95%) passes; a person the gate's KPI is not measured for is not paid in
    full.

    Parameters
    ----------
    sheet : DataFrame
        employee_id, department, composite (people without a composite are not looked at).
    lines : DataFrame
        employee_id, kpi, actual (the gate's KPI).
    rule : Bonus
        The department's bands, meets-target line and full-payment gate.

    Returns
    -------
    DataFrame
        COLUMNS (employee_id, rule, outcome, evidence, evidence_args, selected) plus multiplier and
        full_payment (the gate passed, or there is no gate).

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_bonus_bands_and_full_payment_gate).

    Examples
    --------
    Ten people: the best is the top 10% (3×), the next two the top 30% (2×).

    >>> from kpilib.config import Bonus
    >>> rule = Bonus(bands=[{"top": 0.1, "multiplier": 3}, {"top": 0.3, "multiplier": 2}],
    ...              meets_target={"min": 70, "multiplier": 1})
    >>> sheet = pd.DataFrame({"employee_id": list("abcdefghij"), "department": "sales",
    ...                       "composite": [95.0, 90, 85, 80, 75, 72, 70, 65, 60, 50]})
    >>> bonus(sheet, pd.DataFrame(columns=["employee_id", "kpi", "actual"]), rule)["multiplier"].tolist()
    [3.0, 2.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]
    """
    scored = sheet.dropna(subset=["composite"]).copy()
    scored["share"] = _share(scored)
    meets = rule.meets_target
    multiplier = np.where(scored["composite"] >= meets.min, meets.multiplier, 0.0)
    band_of = [("band.meets", {"min": meets.min}) if m > 0 else ("band.below", {}) for m in multiplier]
    for band in sorted(rule.bands, key=lambda b: b.top, reverse=True):
        inside = (scored["share"] <= band.top + 1e-12).to_numpy()
        multiplier = np.where(inside, band.multiplier, multiplier)
        band_of = [("band.top", {"top": band.top}) if i else b for i, b in zip(inside, band_of, strict=True)]
    gate = rule.full_payment
    if gate:
        actual = scored["employee_id"].map(lines[lines["kpi"] == gate.kpi].set_index("employee_id")["actual"])
        full = passes(actual, gate).to_numpy()
        gates = [[_gate(a, gate)] for a in actual.to_numpy(float)]
    else:
        full, gates = np.full(len(scored), True), [[]] * len(scored)
    outcome = [f"{m:g}×" + ("" if f or m == 0 else ", not in full") for m, f in zip(multiplier, full, strict=True)]
    return pd.DataFrame({"employee_id": scored["employee_id"].to_numpy(), "rule": "bonus", "outcome": outcome,
                         "evidence": "bonus",
                         "evidence_args": [args_text({"share": float(s), "band": b, "gate": g})
                                           for s, b, g in zip(scored["share"], band_of, gates, strict=True)],
                         "selected": multiplier > 0, "multiplier": multiplier, "full_payment": full})


def commission(lines: pd.DataFrame, rule: Commission) -> pd.DataFrame:
    """Commission multiplier when the KPI's attainment reaches the threshold (e.g. 3× at ≥ 120%).
    `lines`: employee_id, kpi, attainment; people without an attainment are not looked at.

    Parameters
    ----------
    lines : DataFrame
        employee_id, kpi, attainment.
    rule : Commission
        kpi, attainment threshold, multiplier.

    Returns
    -------
    DataFrame
        COLUMNS; outcome "3×" (the multiplier) or "standard".

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_commission).

    Examples
    --------
    >>> from kpilib.config import Commission
    >>> lines = pd.DataFrame({"employee_id": ["a", "b", "c"], "kpi": "sales_amount", "attainment": [1.25, 1.1, np.nan]})
    >>> commission(lines, Commission(kpi="sales_amount", attainment=1.2, multiplier=3))[["employee_id", "outcome"]]
      employee_id   outcome
    0           a        3×
    1           b  standard
    """
    kpi = lines[(lines["kpi"] == rule.kpi) & lines["attainment"].notna()]
    hit = (kpi["attainment"] >= rule.attainment).to_numpy()
    return pd.DataFrame({"employee_id": kpi["employee_id"].to_numpy(), "rule": "commission",
                         "outcome": np.where(hit, f"{rule.multiplier:g}×", "standard"),
                         "evidence": "commission",
                         "evidence_args": [args_text({"kpi": rule.kpi, "attainment": float(a), "threshold": rule.attainment})
                                           for a in kpi["attainment"]], "selected": hit})


def streak(flags: pd.DataFrame) -> pd.Series:
    """Length of the run of True ending at the last period.

    Parameters
    ----------
    flags : DataFrame
        Index person, columns periods in order; bool (missing counts as False).

    Returns
    -------
    Series
        The run length per person (0 when the last period is False).

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_reserve_pool_breakthrough_watch_list).

    Examples
    --------
    >>> flags = pd.DataFrame({"q1": [True, True], "q2": [False, True], "q3": [True, True]}, index=["a", "b"])
    >>> streak(flags).tolist()
    [1, 3]
    """
    run = pd.Series(0, index=flags.index)
    for col in flags.columns:
        run = (run + 1).where(flags[col].fillna(False).astype(bool), 0)
    return run


def promotion(monthly: pd.DataFrame, complaints: pd.Series | None, rule: Promotion) -> pd.DataFrame:
    """Eligible for supervisor: in the top share of the department (e.g. 20%) for the
    rule's consecutive months (e.g. 6) up to the latest, and, with a complaints gate, the
    complaint KPI measured and below its limit (e.g. < 0.5%).

    `monthly`: period, employee_id, department, composite (one scoring per month);
    `complaints`: the complaint KPI's actual by employee_id (None: measured for no one).

    Parameters
    ----------
    monthly : DataFrame
        period, employee_id, department, composite.
    complaints : Series or None
        The complaint KPI's actual by employee_id.
    rule : Promotion
        months, top, complaints gate.

    Returns
    -------
    DataFrame
        COLUMNS; outcome "eligible" or "not yet".

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_promotion_needs_six_months_in_the_top_and_few_complaints).

    Examples
    --------
    Two months, a always first of two (top 50%):

    >>> from kpilib.config import Promotion
    >>> monthly = pd.DataFrame({"period": ["2026-08", "2026-08", "2026-09", "2026-09"], "employee_id": list("abab"),
    ...                         "department": "sales", "composite": [90.0, 80, 91, 70]})
    >>> promotion(monthly, None, Promotion(months=2, top=0.5))[["employee_id", "outcome"]]
      employee_id   outcome
    0           a  eligible
    1           b   not yet
    """
    frame = monthly.dropna(subset=["composite"]).copy()
    frame["top"] = _share(frame, ["period", "department"]) <= rule.top
    flags = frame.pivot_table(index="employee_id", columns="period", values="top", aggfunc="max").sort_index(axis=1)
    run = streak(flags)
    eligible = run >= rule.months
    gates = [[]] * len(run)
    gate = rule.complaints
    if gate:
        rate = (complaints if complaints is not None else pd.Series(dtype=float)).reindex(run.index)
        eligible &= passes(rate, gate)
        gates = [[_gate(c, gate)] for c in rate.to_numpy(float)]
    return pd.DataFrame({"employee_id": run.index, "rule": "promotion",
                         "outcome": np.where(eligible, "eligible", "not yet"), "evidence": "promotion",
                         "evidence_args": [args_text({"months": int(r), "top": rule.top, "gate": g})
                                           for r, g in zip(run, gates, strict=True)],
                         "selected": eligible.to_numpy()})


def reserve_pool(quarterly: pd.DataFrame, rule: ReservePool) -> pd.DataFrame:
    """Reserve-cadre pool: one of the rule's tiers (e.g. S or A) in each of the last
    consecutive quarters (e.g. 4).

    Parameters
    ----------
    quarterly : DataFrame
        period, employee_id, tier.
    rule : ReservePool
        quarters, tiers.

    Returns
    -------
    DataFrame
        COLUMNS; outcome "in pool" or "not yet".

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_reserve_pool_breakthrough_watch_list).

    Examples
    --------
    >>> from kpilib.config import ReservePool
    >>> quarterly = pd.DataFrame({"period": ["2026Q2", "2026Q2", "2026Q3", "2026Q3"], "employee_id": list("abab"),
    ...                           "tier": ["A", "S", "S", "B"]})
    >>> reserve_pool(quarterly, ReservePool(quarters=2, tiers=["S", "A"]))[["employee_id", "outcome"]]
      employee_id  outcome
    0           a  in pool
    1           b  not yet
    """
    flags = quarterly.assign(good=quarterly["tier"].isin(rule.tiers)).pivot_table(
        index="employee_id", columns="period", values="good", aggfunc="max").sort_index(axis=1)
    run = streak(flags)
    hit = (run >= rule.quarters).to_numpy()
    return pd.DataFrame({"employee_id": run.index, "rule": "reserve_pool",
                         "outcome": np.where(hit, "in pool", "not yet"),
                         "evidence": "reserve_pool",
                         "evidence_args": [args_text({"quarters": int(r), "tiers": "/".join(rule.tiers)}) for r in run],
                         "selected": hit})


def breakthrough(history: pd.DataFrame, value: str, rule: Breakthrough) -> pd.DataFrame:
    """Breakthrough: the latest period's value above the rule's ratio (e.g. 150%) of the
    person's previous peak.

    Parameters
    ----------
    history : DataFrame
        employee_id, period, the `value` column (e.g. quarterly sales).
    value : str
        The column compared.
    rule : Breakthrough
        ratio (e.g. 1.5).

    Returns
    -------
    DataFrame
        COLUMNS; empty with fewer than two periods.

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_reserve_pool_breakthrough_watch_list).

    Examples
    --------
    >>> from kpilib.config import Breakthrough
    >>> history = pd.DataFrame({"employee_id": list("aabb"), "period": ["2026Q2", "2026Q3"] * 2,
    ...                         "sales": [100.0, 160, 100, 140]})
    >>> breakthrough(history, "sales", Breakthrough(kpi="sales_amount", ratio=1.5))[["employee_id", "selected"]]
      employee_id  selected
    0           a      True
    1           b     False
    """
    wide = history.pivot_table(index="employee_id", columns="period", values=value, aggfunc="sum").sort_index(axis=1)
    if wide.shape[1] < 2:
        return pd.DataFrame(columns=COLUMNS)
    latest, peak = wide.iloc[:, -1], wide.iloc[:, :-1].max(axis=1)
    hit = (latest > rule.ratio * peak).to_numpy()
    return pd.DataFrame({"employee_id": wide.index, "rule": "breakthrough",
                         "outcome": np.where(hit, "breakthrough", ""),
                         "evidence": "breakthrough",
                         "evidence_args": [args_text({"period": str(wide.columns[-1]), "latest": float(a), "peak": float(b)})
                                           for a, b in zip(latest, peak, strict=True)], "selected": hit})


def watch_list(quarterly: pd.DataFrame, rule: WatchList, line: float) -> pd.DataFrame:
    """Watch list (domain.md §6): in the bottom share of the department (e.g. 10%) in the
    latest period → 3-month observation; below the meets-target line (`line`, the composite
    of kpilib.standard.meets_target_line, e.g. 70) in each of the rule's last consecutive
    periods (e.g. 2) → transfer or exit review, whatever the rank: "2 consecutive failures"
    means below standard twice, not bottom 10% twice. A person without a composite in a
    period breaks both runs.

    Parameters
    ----------
    quarterly : DataFrame
        period, employee_id, department, composite.
    rule : WatchList
        bottom, review_after.
    line : float
        The meets-target composite.

    Returns
    -------
    DataFrame
        COLUMNS; outcome "review", "observation" or "".

    References
    ----------
    domain.md §6 (the scheme's rule); checked by hand in tests/test_incentives.py (test_reserve_pool_breakthrough_watch_list).

    Examples
    --------
    >>> from kpilib.config import WatchList
    >>> quarterly = pd.DataFrame({"period": ["2026Q2"] * 3 + ["2026Q3"] * 3, "employee_id": list("abcabc"),
    ...                           "department": "sales", "composite": [90.0, 65, 75, 92, 60, 68]})
    >>> watch_list(quarterly, WatchList(bottom=0.34, review_after=2), 70)["outcome"].tolist()
    ['', 'review', '']
    """
    frame = quarterly.dropna(subset=["composite"]).copy()
    group = frame.groupby(["period", "department"])["composite"]
    frame["bottom"] = group.rank(method="max", ascending=True) / group.transform("count") <= rule.bottom
    frame["below"] = frame["composite"] < line
    wide = frame.pivot_table(index="employee_id", columns="period", values=["bottom", "below"], aggfunc="max")
    wide = wide.reindex(columns=pd.MultiIndex.from_product([["bottom", "below"], sorted(frame["period"].unique())]))
    last = wide.columns.get_level_values(1).max() if len(wide.columns) else None
    bottom = wide[("bottom", last)].fillna(False).astype(bool) if last else pd.Series(False, index=wide.index)
    run = streak(wide["below"])
    outcome = np.where(run >= rule.review_after, "review", np.where(bottom, "observation", ""))
    return pd.DataFrame({"employee_id": wide.index, "rule": "watch_list", "outcome": outcome,
                         "evidence": np.where(bottom.to_numpy(), "watch.in", "watch.out"),
                         "evidence_args": [args_text({"bottom": rule.bottom, "run": int(r), "line": float(line),
                                                      "review_after": rule.review_after}) for r in run],
                         "selected": outcome != ""})
