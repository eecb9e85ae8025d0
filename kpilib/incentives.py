"""Results applied (结果应用): bonus multipliers, commission, promotion eligibility,
reserve-cadre pool, breakthroughs, watch list and review. Thresholds come from
`scheme.yaml` (`incentives:`), defaults from domain.md §6.

Every function returns one row per person the rule looked at: employee_id, rule,
outcome, evidence (the figures that decided it), so HR can check each decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Incentives
from kpilib.ranking import rank

COLUMNS = ["employee_id", "rule", "outcome", "evidence"]


def _share(sheet: pd.DataFrame, by: str | list[str] = "department") -> pd.Series:
    """Rank position as a share of the group (0 < share ≤ 1; 0.1 = within the top 10%)."""
    keys = [sheet[k] for k in ([by] if isinstance(by, str) else by)]
    n = sheet.groupby(keys)["composite"].transform("count")
    return rank(sheet["composite"], by=keys).astype(float) / n


def bonus(sheet: pd.DataFrame, lines: pd.DataFrame, rules: Incentives) -> pd.DataFrame:
    """Bonus multiplier by rank band within department (top 10% 3×, 11–30% 2×, others who
    meet target 1×, else 0), paid in full only when the full-payment KPI (on-time
    collection) reaches its minimum where it is measured. Adds multiplier, full_payment."""
    scored = sheet.dropna(subset=["composite"]).copy()
    scored["share"] = _share(scored)
    multiplier = np.where(scored["composite"] >= rules.meets_target_min, rules.meets_target_multiplier, 0.0)
    band_text = np.where(multiplier > 0, f"meets target (composite ≥ {rules.meets_target_min:g})", "below target")
    for top, mult in sorted(rules.bonus_bands, reverse=True):
        inside = (scored["share"] <= top + 1e-12).to_numpy()
        multiplier = np.where(inside, mult, multiplier)
        band_text = np.where(inside, f"top {top:.0%} of department", band_text)
    gate = lines[lines["kpi"] == rules.full_payment_kpi].set_index("employee_id")["actual"]
    actual = scored["employee_id"].map(gate)
    full = actual.isna() | (actual >= rules.full_payment_min)
    evidence = [f"rank share {s:.1%}: {b}; {rules.full_payment_kpi} " + ("not measured" if np.isnan(a) else f"{a:.1%}")
                for s, b, a in zip(scored["share"], band_text, actual.to_numpy(float), strict=True)]
    out = pd.DataFrame({"employee_id": scored["employee_id"].to_numpy(), "rule": "bonus",
                        "outcome": [f"{m:g}×" + ("" if f else ", not in full") for m, f in zip(multiplier, full, strict=True)],
                        "evidence": evidence, "multiplier": multiplier, "full_payment": full.to_numpy()})
    return out


def commission(lines: pd.DataFrame, rules: Incentives) -> pd.DataFrame:
    """Commission multiplier when the commission KPI's attainment reaches the threshold (3× at ≥ 120%)."""
    kpi = lines[(lines["kpi"] == rules.commission_kpi) & lines["attainment"].notna()]
    hit = kpi["attainment"] >= rules.commission_attainment
    return pd.DataFrame({"employee_id": kpi["employee_id"].to_numpy(), "rule": "commission",
                         "outcome": np.where(hit, f"{rules.commission_multiplier:g}×", "standard"),
                         "evidence": [f"{rules.commission_kpi} attainment {a:.1%} (threshold {rules.commission_attainment:.0%})"
                                      for a in kpi["attainment"]]})


def _streak(flags: pd.DataFrame) -> pd.Series:
    """Length of the run of True ending at the last period (flags: index person, columns periods in order)."""
    run = pd.Series(0, index=flags.index)
    for col in flags.columns:
        run = (run + 1).where(flags[col].fillna(False).astype(bool), 0)
    return run


def promotion(monthly: pd.DataFrame, complaints: pd.Series | None, rules: Incentives) -> pd.DataFrame:
    """Eligible for supervisor: in the top 20% of the department for 6 consecutive months
    up to the latest, and complaint rate below 0.5% where it is measured.

    `monthly`: period, employee_id, department, composite (one scoring per month);
    `complaints`: complaint rate by employee_id over the same months (or None)."""
    frame = monthly.dropna(subset=["composite"]).copy()
    frame["top"] = _share(frame, ["period", "department"]) <= rules.promotion_top_share
    flags = frame.pivot_table(index="employee_id", columns="period", values="top", aggfunc="max").sort_index(axis=1)
    run = _streak(flags)
    rate = complaints.reindex(run.index) if complaints is not None else pd.Series(np.nan, index=run.index)
    ok_complaints = rate.isna() | (rate < rules.promotion_complaint_max)
    eligible = (run >= rules.promotion_months) & ok_complaints
    evidence = [f"{r} consecutive months in the top {rules.promotion_top_share:.0%}; complaint rate "
                + ("not measured" if np.isnan(c) else f"{c:.2%}") for r, c in zip(run, rate.to_numpy(float), strict=True)]
    return pd.DataFrame({"employee_id": run.index, "rule": "promotion",
                         "outcome": np.where(eligible, "eligible", "not yet"), "evidence": evidence})


def reserve_pool(quarterly: pd.DataFrame, rules: Incentives) -> pd.DataFrame:
    """Reserve-cadre pool: tier S or A in each of the last 4 consecutive quarters.
    `quarterly`: period, employee_id, tier."""
    flags = quarterly.assign(good=quarterly["tier"].isin(rules.reserve_tiers)).pivot_table(
        index="employee_id", columns="period", values="good", aggfunc="max").sort_index(axis=1)
    run = _streak(flags)
    return pd.DataFrame({"employee_id": run.index, "rule": "reserve pool",
                         "outcome": np.where(run >= rules.reserve_quarters, "in pool", "not yet"),
                         "evidence": [f"{r} consecutive quarters in tier {'/'.join(rules.reserve_tiers)}" for r in run]})


def breakthrough(history: pd.DataFrame, value: str, rules: Incentives) -> pd.DataFrame:
    """Breakthrough: the latest period's value above 150% of the person's previous peak.
    `history`: employee_id, period, value (e.g. quarterly sales)."""
    wide = history.pivot_table(index="employee_id", columns="period", values=value, aggfunc="sum").sort_index(axis=1)
    if wide.shape[1] < 2:
        return pd.DataFrame(columns=COLUMNS)
    latest, peak = wide.iloc[:, -1], wide.iloc[:, :-1].max(axis=1)
    hit = latest > rules.breakthrough_ratio * peak
    return pd.DataFrame({"employee_id": wide.index, "rule": "breakthrough",
                         "outcome": np.where(hit, "breakthrough", ""),
                         "evidence": [f"{wide.columns[-1]}: {a:,.0f} vs previous peak {b:,.0f}" for a, b in zip(latest, peak, strict=True)]})


def watch_list(quarterly: pd.DataFrame, rules: Incentives) -> pd.DataFrame:
    """Bottom 10% of the department in the latest quarter → 3-month observation; in the
    bottom 10% for 2 consecutive quarters → transfer or exit review.
    `quarterly`: period, employee_id, department, composite."""
    frame = quarterly.dropna(subset=["composite"]).copy()
    group = frame.groupby(["period", "department"])["composite"]
    frame["bottom"] = group.rank(method="max", ascending=True) / group.transform("count") <= rules.watch_bottom_share
    flags = frame.pivot_table(index="employee_id", columns="period", values="bottom", aggfunc="max").sort_index(axis=1)
    run = _streak(flags)
    outcome = np.where(run >= rules.review_after, "review", np.where(run >= 1, "observation", ""))
    return pd.DataFrame({"employee_id": run.index, "rule": "watch list", "outcome": outcome,
                         "evidence": [f"{r} consecutive quarter(s) in the bottom {rules.watch_bottom_share:.0%}" for r in run]})
