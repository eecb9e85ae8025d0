"""Sentences of the drivers section (50), from its tables: the catalogue's `drivers` group
(kpilib/messages.yaml), filled with numbers as the tables show them."""

from __future__ import annotations

import pandas as pd

from kpilib import mixed
from kpilib.analytics import BOOTSTRAP
from kpilib.i18n import entry, pick, word
from kpilib.leading import LinkFits
from kpilib.rounding import round_half_up_scalar
from kpilib.sections.drivers import ScorecardModel
from kpilib.workbench import Workbench


def say(wb: Workbench, key: str, **values) -> str:
    """The message `key` (catalogue group `drivers`) in the page's language, filled with `values`."""
    return pick(entry("drivers", key), wb.lang).format(**values)


def _pct(share: float) -> str:
    """A share as the tables show it: percent, one decimal, half up."""
    return f"{round_half_up_scalar(100 * share, 1):.1f}%"


def composite_shares(wb: Workbench, table: pd.DataFrame) -> str:
    """The two lines that separate people most (department) or what the company table holds."""
    if wb.company:
        return say(wb, "shares_company")
    lines = table[table["kpi_name"] != word("other", wb.lang)]
    if len(lines) < 2:
        return say(wb, "shares_none")
    a, b = lines.iloc[0], lines.iloc[1]
    return say(wb, "shares", a=a["kpi_name"], b=b["kpi_name"], sa=_pct(a["share"]), sb=_pct(b["share"]))


def scorecard(wb: Workbench, model: ScorecardModel) -> str:
    """Why the model is not fitted, or what its effects mean and which factors were left out."""
    if model.refusal:
        return say(wb, model.refusal, n=model.people, need=mixed.MIN_PEOPLE, teams=mixed.MIN_TEAMS,
                   have=model.teams, level=model.least)
    parts = [say(wb, "association"), say(wb, "supervisor_apart" if model.supervisor else "supervisor_with_team")]
    left = model.factors.loc[~model.factors["used"], "factor"]
    if len(left):
        names = say(wb, "separator").join(word(f, wb.lang) for f in left)
        parts.append(say(wb, "left_out", level=model.least, names=names))
    return " ".join(parts)


def scorecard_variance(wb: Workbench, model: ScorecardModel) -> str:
    """Team, factors and residual shares of the composite's variance, as the table shows them."""
    if model.refusal:
        return ""
    share = model.variance.set_index("component")["share"]
    numbers = {k: _pct(v) for k, v in share.items()}
    return say(wb, "variance_supervisor" if model.supervisor else "variance", **numbers)


def scorecard_importance(wb: Workbench, model: ScorecardModel) -> str:
    """How the factors' LMG and its intervals were computed."""
    return "" if model.refusal else say(wb, "importance", n=BOOTSTRAP)


def links(wb: Workbench, fits: LinkFits) -> str:
    """How to read the leading → lagging table, or why there is none."""
    if fits.links.empty:
        return say(wb, "no_links")
    if fits.coefficients.empty:
        return say(wb, "links_short")
    return say(wb, "links")
