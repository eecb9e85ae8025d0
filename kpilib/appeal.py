"""The appeal chain (申诉核对): how each person's line scores become the composite, step by
step, with the scheme's rounding at each step, so that a reader can redo the sum by hand.

Per person (scoring.py's formulas, recomputed here from the line scores alone):

- quantitative_sum = Σ quantitative line scores present; quantitative_weight = Σ weights,
  quantitative_present = Σ weights of the lines that have a score;
- quantitative = round(quantitative_sum, subtotal), or with `missing: reweight` and a line
  missing round(quantitative_sum × quantitative_weight / quantitative_present, subtotal);
- weighted = quantitative × quantitative_share (exact: no rounding at this step);
- qualitative likewise from the qualitative lines;
- composite = round(weighted + qualitative, final); with `missing: reweight` and no
  qualitative score at all, round(quantitative × (share + qualitative_weight / 100), final).

Monitored lines (`monitored == True`: computed and shown, never scored) are left out.
Checked against the scoring sheet for every person of the sample and of Northwind Retail,
and against domain.md §3 (85.2 → 59.64 → 24.5 → 84.1) in tests/test_appeal.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Scoring
from kpilib.rounding import round_half_up

KINDS = ("quantitative", "qualitative")
CHAIN_COLUMNS = ["employee_id"] + [f"{kind}_{part}" for kind in KINDS for part in ("lines", "sum", "weight", "present")] \
    + ["quantitative", "share", "weighted", "qualitative", "reweighted", "composite"]


def scored(lines: pd.DataFrame) -> pd.DataFrame:
    """The lines that carry weight: every line but the monitored ones.

    Parameters
    ----------
    lines : DataFrame
        Score lines (LINE_COLUMNS), with a `monitored` column when some lines are monitored.

    Returns
    -------
    DataFrame
        The rows of `lines` whose `monitored` is not True (all of them without the column).

    References
    ----------
    domain.md (monitored KPIs carry no weight); tests/test_appeal.py.

    Examples
    --------
    >>> lines = pd.DataFrame({"kpi": ["sales", "visits"], "monitored": [False, True]})
    >>> scored(lines)["kpi"].tolist()
    ['sales']
    """
    monitored = lines.get("monitored")
    return lines if monitored is None else lines[~monitored.fillna(False).astype(bool)]


def chain(lines: pd.DataFrame, scoring: Scoring) -> pd.DataFrame:
    """The appeal chain: every step from the line scores to the composite, per person.

    Parameters
    ----------
    lines : DataFrame
        LINE_COLUMNS of one period (employee_id, kind, weight, line_score, [monitored]).
    scoring : kpilib.config.Scoring
        The quantitative share, the rounding and the missing-score rule.

    Returns
    -------
    DataFrame
        One row per person, CHAIN_COLUMNS: `<kind>_lines` (lines with a score), `_sum`,
        `_weight`, `_present` (weight of the lines with a score), quantitative,
        share, weighted = quantitative × share, qualitative, reweighted (True where the
        composite took the no-qualitative-score path), composite (formulas: module docstring).

    References
    ----------
    The scoring rules of domain.md; tests/test_appeal.py checks the chain ends on the
    scoring sheet's composite for every person.

    Examples
    --------
    >>> lines = pd.DataFrame({"employee_id": "e1", "kind": ["quantitative", "quantitative", "qualitative"],
    ...                       "weight": [40.0, 30, 30], "line_score": [36.0, 24.5, 25.0]})
    >>> chain(lines, Scoring())[["quantitative", "weighted", "qualitative", "composite"]]
       quantitative  weighted  qualitative  composite
    0          60.5     42.35         25.0       67.4
    """
    lines = scored(lines)
    present = lines["line_score"].notna()
    parts = lines.assign(score=lines["line_score"].where(present, 0.0), present_w=lines["weight"].where(present, 0.0),
                         counted=present)
    agg = parts.groupby(["employee_id", "kind"]).agg(lines=("counted", "sum"), sum=("score", "sum"),
                                                     weight=("weight", "sum"), present=("present_w", "sum"))
    wide = agg.unstack("kind").reindex(columns=KINDS, level="kind")
    wide.columns = [f"{kind}_{part}" for part, kind in wide.columns]
    out = wide.reindex(columns=CHAIN_COLUMNS[1:9]).reset_index()
    for kind in KINDS:
        out[f"{kind}_lines"] = out[f"{kind}_lines"].fillna(0).astype(int)
        out[kind] = _subtotal(out, kind, scoring)
    out["share"] = scoring.quantitative_share
    out["weighted"] = out["quantitative"] * out["share"]
    qualitative_weight = out["qualitative_weight"].fillna(0.0)
    out["reweighted"] = (scoring.missing == "reweight") & out["qualitative"].isna()
    total = np.where(out["reweighted"], out["quantitative"] * (out["share"] + qualitative_weight / 100),
                     out["weighted"] + out["qualitative"])
    out["composite"] = round_half_up(np.asarray(total, float), scoring.rounding.final)
    return out[CHAIN_COLUMNS]


def _subtotal(out: pd.DataFrame, kind: str, scoring: Scoring) -> pd.Series:
    """round(Σ line scores [× weight / present weight], subtotal); NaN without lines of `kind`,
    and with `missing: reweight` when none of them has a score."""
    total, weight, present = out[f"{kind}_sum"], out[f"{kind}_weight"], out[f"{kind}_present"]
    if scoring.missing == "reweight":
        with np.errstate(divide="ignore", invalid="ignore"):
            total = pd.Series(np.where(present > 0, total * weight / present, np.nan), index=out.index)
    return round_half_up(total.astype(float), scoring.rounding.subtotal)


def decimals(value: float, most: int = 6) -> int:
    """The decimals a number needs to be written exactly, at most `most`.

    Parameters
    ----------
    value : float
        The number written.
    most : int
        The largest number of decimals returned.

    Returns
    -------
    int
        The fewest decimals d with |round(value, d) − value| < 1e-9.

    References
    ----------
    A definition; tests/test_appeal.py.

    Examples
    --------
    >>> decimals(0.7), decimals(0.65), decimals(1 / 3)
    (1, 2, 6)
    """
    for places in range(most + 1):
        if abs(round(value, places) - value) < 1e-9:
            return places
    return most
