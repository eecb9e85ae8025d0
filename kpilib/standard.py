"""The meets-target line (达标线) of a department: the composite below which a person is
"below standard". domain.md §6: "2 consecutive failures" means below this line twice,
not in the bottom 10% twice; the bottom share is a rank, the line an absolute score.

The line is the department's bonus `meets_target.min` (the composite that earns the 1×
bonus, `incentives.<department>.bonus`) when it has a bonus rule; else the lower edge of
the lowest passing grade band (the `min` of the grade above the last: 合格 ≥ 70 in the
default scheme, so 待改进 is below standard). With a single grade band no one is below.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kpilib.config import Scheme


@dataclass(frozen=True)
class Line:
    """The meets-target line and the scheme key it comes from."""

    value: float
    source: str  # e.g. incentives.sales.bonus.meets_target.min, scoring.grades[2].min


def meets_target_line(scheme: Scheme, department: str) -> Line:
    """The composite a person of `department` needs to be at standard (see the module)."""
    rules = scheme.incentives.get(department)
    if rules is not None and rules.bonus is not None:
        return Line(float(rules.bonus.meets_target.min), f"incentives.{department}.bonus.meets_target.min")
    grades = scheme.scoring.grades
    if len(grades) < 2:
        return Line(0.0, "scoring.grades")
    return Line(float(grades[-2].min), f"scoring.grades[{len(grades) - 2}].min")


def below_standard(sheet: pd.DataFrame, scheme: Scheme) -> pd.Series:
    """True where a row's composite is below its department's line (`sheet`: department,
    composite); a person without a composite is not below standard (not scored)."""
    line = sheet["department"].map(lambda d: meets_target_line(scheme, d).value).astype(float)
    return sheet["composite"].astype(float).lt(line)
