"""Follow-up actions (跟进措施, domain.md §6): who needs what by when after a period's results.

`follow_up` applies the scheme's action rules (`scheme.yaml` `actions:`,
kpilib.actionrules) to the scored history and to the incentive decisions of the period
and returns one row per person and action:

period, employee_id, name, department, action (improvement_plan, interview, ...),
rule (what triggered it: below_standard, promotion, reserve_pool, watch_list:review, ...),
parameters (the rule's figures, `key=value; ...`, e.g. `periods=2; line=70`),
evidence (the person's figures: the composites of the run below the line, or the
incentive decision's evidence), due (ISO date: the period's last day + the rule's delay).

"Below standard" is a composite below the department's meets-target line
(kpilib.standard), never a rank; an incentive trigger takes the incentive rule's own
decision (kpilib.incentives), so the two can never disagree. Codes only: the words are
put on at the edge (kpilib.i18n.action_rule).
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd

from kpilib.actionrules import ActionRule, Actions, Delay
from kpilib.config import Incentives, Scheme
from kpilib.incentives import streak
from kpilib.periods import Span
from kpilib.standard import below_standard, meets_target_line

COLUMNS = ["period", "employee_id", "name", "department", "action", "rule", "parameters", "evidence", "due"]


def due_date(span: Span, delay: Delay) -> date:
    """The period's last day plus `delay`: days as such, hours rounded up to whole days
    (72 h → 3 days), months to the last day of the month that many months later
    (2026Q3, 3 months → 2026-12-31)."""
    last = span.end.end_time.date()
    if delay.months is not None:
        return (span.end + delay.months).end_time.date()
    return last + timedelta(days=delay.days if delay.days is not None else math.ceil(delay.hours / 24))


def below_runs(history: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Per person of the latest period: run (consecutive periods below the meets-target
    line up to the latest; a period the person is not scored in breaks it), line and
    evidence (`period composite` of each period of the run, oldest first).
    `history`: period, employee_id, department, composite; period labels of one grain."""
    frame = history.dropna(subset=["composite"]).assign(below=lambda f: below_standard(f, scheme))
    latest = frame[frame["period"] == frame["period"].max()]
    flags = frame.pivot_table(index="employee_id", columns="period", values="below", aggfunc="max").sort_index(axis=1)
    run = streak(flags).reindex(latest["employee_id"]).fillna(0).astype(int)
    composites = frame.pivot_table(index="employee_id", columns="period", values="composite", aggfunc="first")
    composites = composites.sort_index(axis=1)
    evidence = [("; ".join(f"{p} {c:g}" for p, c in composites.loc[e].iloc[len(composites.columns) - n:].items())
                 if n else "") for e, n in run.items()]
    line = latest.set_index("employee_id")["department"].map(lambda d: meets_target_line(scheme, d).value)
    return pd.DataFrame({"employee_id": run.index, "run": run.to_numpy(), "line": line.reindex(run.index).to_numpy(),
                         "evidence": evidence})


def _incentive_parameters(rules: Incentives, rule: str, outcome: str, line: float) -> str:
    """The figures of the incentive rule that selected the person (rules.<rule>)."""
    if rule == "promotion":
        gate = rules.promotion.complaints
        return (f"months={rules.promotion.months}; top={rules.promotion.top:.0%}"
                + (f"; gate={gate.kpi} {'≥' if gate.min is not None else '<'} "
                   f"{gate.min if gate.min is not None else gate.below:.2%}" if gate else ""))
    if rule == "reserve_pool":
        return f"quarters={rules.reserve_pool.quarters}; tiers={'/'.join(rules.reserve_pool.tiers)}"
    if outcome == "review":
        return f"periods={rules.watch_list.review_after}; line={line:g}"
    return f"bottom={rules.watch_list.bottom:.0%}"


def _triggered(rule: ActionRule, runs: pd.DataFrame, decisions: pd.DataFrame,
               scheme: Scheme) -> pd.DataFrame:
    """employee_id, rule, parameters, evidence of the people `rule` picks."""
    if rule.below_standard is not None:
        hit = runs[runs["run"] >= rule.below_standard]
        return pd.DataFrame({"employee_id": hit["employee_id"], "rule": "below_standard",
                             "parameters": [f"periods={rule.below_standard}; line={v:g}" for v in hit["line"]],
                             "evidence": hit["evidence"]})
    picked = decisions[(decisions["rule"] == rule.incentive) & decisions["selected"]]
    if rule.outcome is not None:
        picked = picked[picked["outcome"] == rule.outcome]
    rows = []
    for d in picked.itertuples():
        rules = scheme.incentives[d.department]
        line = meets_target_line(scheme, d.department).value
        code = f"{d.rule}:{d.outcome}" if d.rule == "watch_list" else d.rule
        rows.append({"employee_id": d.employee_id, "rule": code, "evidence": d.evidence,
                     "parameters": _incentive_parameters(rules, d.rule, d.outcome, line)})
    return pd.DataFrame(rows, columns=["employee_id", "rule", "parameters", "evidence"])


def follow_up(history: pd.DataFrame, decisions: pd.DataFrame, actions: Actions, scheme: Scheme,
              span: Span) -> pd.DataFrame:
    """The actions of `span` (columns: see the module), by action in the scheme's order,
    then department and employee_id. `history`: period, employee_id, name, department,
    composite over the periods up to `span` (its label the latest); `decisions`:
    employee_id, department, rule, outcome, evidence, selected of the period
    (sections.decisions)."""
    people = history[history["period"] == span.label].set_index("employee_id")
    runs = below_runs(history, scheme)
    decisions = decisions.assign(department=decisions["employee_id"].map(people["department"]))
    parts = []
    for order, (action, rule) in enumerate(actions.configured().items()):
        hit = _triggered(rule, runs, decisions, scheme)
        parts.append(hit.assign(action=action, order=order, due=due_date(span, rule.due).isoformat()))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*COLUMNS, "order"])
    out = out[out["employee_id"].isin(people.index)]
    out = out.assign(period=span.label, name=out["employee_id"].map(people["name"]),
                     department=out["employee_id"].map(people["department"]))
    return out.sort_values(["order", "department", "employee_id"])[COLUMNS].reset_index(drop=True)
