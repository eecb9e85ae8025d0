"""Results applied (结果应用): bonus multipliers, commission, promotion eligibility,
reserve-cadre pool, breakthroughs, watch list (observation) and review. Each function takes its rule
of one department from `scheme.yaml` (`incentives.<department>.<rule>`, kpilib.config);
a department without a rule gets no outcome for it.

Every function returns one row per person the rule looked at: employee_id, rule (the
rule's key: bonus, commission, promotion, reserve_pool, breakthrough, watch_list),
outcome, evidence (the figures that decided it) and selected (True when the rule gives
the person something or puts them on the watch list), so HR can check each decision.
A gate on a KPI that is not measured for a person fails, and the evidence says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Bonus, Breakthrough, Commission, Gate, Promotion, ReservePool, WatchList
from kpilib.ranking import rank

COLUMNS = ["employee_id", "rule", "outcome", "evidence", "selected"]


def _share(sheet: pd.DataFrame, by: str | list[str] = "department") -> pd.Series:
    """Rank position as a share of the group (0 < share ≤ 1; 0.1 = within the top 10%)."""
    keys = [sheet[k] for k in ([by] if isinstance(by, str) else by)]
    n = sheet.groupby(keys)["composite"].transform("count")
    return rank(sheet["composite"], by=keys).astype(float) / n


def passes(actual: pd.Series, gate: Gate) -> pd.Series:
    """True where the gate's KPI is measured and meets it (≥ min, or < below); missing fails."""
    return actual.ge(gate.min) if gate.min is not None else actual.lt(gate.below)


def _gate_text(actual: float, gate: Gate) -> str:
    need = f"≥ {gate.min:.2%}" if gate.min is not None else f"< {gate.below:.2%}"
    found = "not measured" if np.isnan(actual) else f"{actual:.2%}"
    return f"{gate.kpi} {found} (needs {need})"


def bonus(sheet: pd.DataFrame, lines: pd.DataFrame, rule: Bonus) -> pd.DataFrame:
    """Bonus multiplier by rank band within department (e.g. top 10% 3×, 11–30% 2×, others
    who meet target 1×, else 0), paid in full only when the full-payment gate (e.g. on-time
    collection ≥ 95%) passes; a person the gate's KPI is not measured for is not paid in
    full. `sheet`: employee_id, department, composite; `lines`: employee_id, kpi, actual.
    Adds multiplier, full_payment (the gate passed, or there is no gate)."""
    scored = sheet.dropna(subset=["composite"]).copy()
    scored["share"] = _share(scored)
    meets = rule.meets_target
    multiplier = np.where(scored["composite"] >= meets.min, meets.multiplier, 0.0)
    band_text = np.where(multiplier > 0, f"meets target (composite ≥ {meets.min:g})", "below target")
    for band in sorted(rule.bands, key=lambda b: b.top, reverse=True):
        inside = (scored["share"] <= band.top + 1e-12).to_numpy()
        multiplier = np.where(inside, band.multiplier, multiplier)
        band_text = np.where(inside, f"top {band.top:.0%} of department", band_text)
    gate = rule.full_payment
    if gate:
        actual = scored["employee_id"].map(lines[lines["kpi"] == gate.kpi].set_index("employee_id")["actual"])
        full = passes(actual, gate).to_numpy()
        gate_text = [f"; {_gate_text(a, gate)}" for a in actual.to_numpy(float)]
    else:
        full, gate_text = np.full(len(scored), True), [""] * len(scored)
    outcome = [f"{m:g}×" + ("" if f or m == 0 else ", not in full") for m, f in zip(multiplier, full, strict=True)]
    return pd.DataFrame({"employee_id": scored["employee_id"].to_numpy(), "rule": "bonus", "outcome": outcome,
                         "evidence": [f"rank share {s:.1%}: {b}{g}"
                                      for s, b, g in zip(scored["share"], band_text, gate_text, strict=True)],
                         "selected": multiplier > 0, "multiplier": multiplier, "full_payment": full})


def commission(lines: pd.DataFrame, rule: Commission) -> pd.DataFrame:
    """Commission multiplier when the KPI's attainment reaches the threshold (e.g. 3× at ≥ 120%).
    `lines`: employee_id, kpi, attainment; people without an attainment are not looked at."""
    kpi = lines[(lines["kpi"] == rule.kpi) & lines["attainment"].notna()]
    hit = (kpi["attainment"] >= rule.attainment).to_numpy()
    return pd.DataFrame({"employee_id": kpi["employee_id"].to_numpy(), "rule": "commission",
                         "outcome": np.where(hit, f"{rule.multiplier:g}×", "standard"),
                         "evidence": [f"{rule.kpi} attainment {a:.1%} (threshold {rule.attainment:.0%})"
                                      for a in kpi["attainment"]], "selected": hit})


def streak(flags: pd.DataFrame) -> pd.Series:
    """Length of the run of True ending at the last period (flags: index person, columns periods in order)."""
    run = pd.Series(0, index=flags.index)
    for col in flags.columns:
        run = (run + 1).where(flags[col].fillna(False).astype(bool), 0)
    return run


def promotion(monthly: pd.DataFrame, complaints: pd.Series | None, rule: Promotion) -> pd.DataFrame:
    """Eligible for supervisor: in the top share of the department (e.g. 20%) for the
    rule's consecutive months (e.g. 6) up to the latest, and, with a complaints gate, the
    complaint KPI measured and below its limit (e.g. < 0.5%).

    `monthly`: period, employee_id, department, composite (one scoring per month);
    `complaints`: the complaint KPI's actual by employee_id (None: measured for no one)."""
    frame = monthly.dropna(subset=["composite"]).copy()
    frame["top"] = _share(frame, ["period", "department"]) <= rule.top
    flags = frame.pivot_table(index="employee_id", columns="period", values="top", aggfunc="max").sort_index(axis=1)
    run = streak(flags)
    eligible = run >= rule.months
    evidence = [f"{r} consecutive months in the top {rule.top:.0%}" for r in run]
    gate = rule.complaints
    if gate:
        rate = (complaints if complaints is not None else pd.Series(dtype=float)).reindex(run.index)
        eligible &= passes(rate, gate)
        evidence = [f"{e}; {_gate_text(c, gate)}" for e, c in zip(evidence, rate.to_numpy(float), strict=True)]
    return pd.DataFrame({"employee_id": run.index, "rule": "promotion",
                         "outcome": np.where(eligible, "eligible", "not yet"), "evidence": evidence,
                         "selected": eligible.to_numpy()})


def reserve_pool(quarterly: pd.DataFrame, rule: ReservePool) -> pd.DataFrame:
    """Reserve-cadre pool: one of the rule's tiers (e.g. S or A) in each of the last
    consecutive quarters (e.g. 4). `quarterly`: period, employee_id, tier."""
    flags = quarterly.assign(good=quarterly["tier"].isin(rule.tiers)).pivot_table(
        index="employee_id", columns="period", values="good", aggfunc="max").sort_index(axis=1)
    run = streak(flags)
    hit = (run >= rule.quarters).to_numpy()
    return pd.DataFrame({"employee_id": run.index, "rule": "reserve_pool",
                         "outcome": np.where(hit, "in pool", "not yet"),
                         "evidence": [f"{r} consecutive quarters in tier {'/'.join(rule.tiers)}" for r in run],
                         "selected": hit})


def breakthrough(history: pd.DataFrame, value: str, rule: Breakthrough) -> pd.DataFrame:
    """Breakthrough: the latest period's value above the rule's ratio (e.g. 150%) of the
    person's previous peak. `history`: employee_id, period, value (e.g. quarterly sales)."""
    wide = history.pivot_table(index="employee_id", columns="period", values=value, aggfunc="sum").sort_index(axis=1)
    if wide.shape[1] < 2:
        return pd.DataFrame(columns=COLUMNS)
    latest, peak = wide.iloc[:, -1], wide.iloc[:, :-1].max(axis=1)
    hit = (latest > rule.ratio * peak).to_numpy()
    return pd.DataFrame({"employee_id": wide.index, "rule": "breakthrough",
                         "outcome": np.where(hit, "breakthrough", ""),
                         "evidence": [f"{wide.columns[-1]}: {a:,.0f} vs previous peak {b:,.0f}"
                                      for a, b in zip(latest, peak, strict=True)], "selected": hit})


def watch_list(quarterly: pd.DataFrame, rule: WatchList, line: float) -> pd.DataFrame:
    """Watch list (domain.md §6): in the bottom share of the department (e.g. 10%) in the
    latest period → 3-month observation; below the meets-target line (`line`, the composite
    of kpilib.standard.meets_target_line, e.g. 70) in each of the rule's last consecutive
    periods (e.g. 2) → transfer or exit review, whatever the rank: "2 consecutive failures"
    means below standard twice, not bottom 10% twice. A person without a composite in a
    period breaks both runs. `quarterly`: period, employee_id, department, composite."""
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
                         "evidence": [f"{'in' if b else 'not in'} the bottom {rule.bottom:.0%} this period; "
                                      f"{r} consecutive period(s) below the meets-target line {line:g} "
                                      f"(review after {rule.review_after})" for b, r in zip(bottom, run, strict=True)],
                         "selected": outcome != ""})
