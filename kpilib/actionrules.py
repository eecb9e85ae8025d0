"""Follow-up action rules (跟进措施) of the scheme: `scheme.yaml` `actions.<action>`.

Each action (improvement_plan, interview, reserve_pool_nomination, promotion_review,
transfer_review) is optional; an absent one is never proposed. A rule names what
triggers it, exactly one of
- `below_standard: N`: the composite below the department's meets-target line
  (kpilib.standard) in each of the last N periods up to the report's;
- `incentive: <rule>` (promotion, reserve_pool, watch_list) with an optional `outcome`
  (watch_list: observation or review): the incentive rule selects the person;
and `due`: the delay after the period's last day, in `days`, `hours` (rounded up to
whole days) or `months` (to the last day of the month that many months later).
Every value is written in the YAML: there are no code defaults (kpilib.actions applies them).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kpilib.paramtypes import Whole

ACTIONS = ("improvement_plan", "interview", "reserve_pool_nomination", "promotion_review", "transfer_review")
OUTCOMES = {"promotion": ("eligible",), "reserve_pool": ("in pool",), "watch_list": ("observation", "review")}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Delay(_Model):
    """How long after the period's last day an action is due: one of days, hours, months."""

    days: Whole | None = Field(default=None, ge=0)
    hours: Whole | None = Field(default=None, ge=0)
    months: Whole | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> Delay:
        if sum(v is not None for v in (self.days, self.hours, self.months)) != 1:
            raise ValueError("a delay needs exactly one of days, hours or months")
        return self


class ActionRule(_Model):
    below_standard: Whole | None = Field(default=None, ge=1)  # consecutive periods below the line
    incentive: Literal["promotion", "reserve_pool", "watch_list"] | None = None
    outcome: str | None = None  # of the incentive rule; None: any outcome that selects the person
    due: Delay

    @model_validator(mode="after")
    def _trigger(self) -> ActionRule:
        if (self.below_standard is None) == (self.incentive is None):
            raise ValueError("an action needs exactly one trigger: below_standard (periods) or incentive (a rule)")
        if self.outcome is not None:
            allowed = OUTCOMES.get(self.incentive or "", ())
            if self.outcome not in allowed:
                raise ValueError(f"outcome of {self.incentive or 'below_standard'}: one of "
                                 f"({', '.join(allowed) or 'none'}), not {self.outcome!r}")
        return self


class Actions(_Model):
    """The follow-up actions the scheme proposes, in this order on the page."""

    improvement_plan: ActionRule | None = None
    interview: ActionRule | None = None
    reserve_pool_nomination: ActionRule | None = None
    promotion_review: ActionRule | None = None
    transfer_review: ActionRule | None = None

    def configured(self) -> dict[str, ActionRule]:
        return {name: getattr(self, name) for name in ACTIONS if getattr(self, name) is not None}
