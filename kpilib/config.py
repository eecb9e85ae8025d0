"""Parameters: the KPI catalogue and the scoring scheme, with client overlays.

`load_config(client=...)` reads `params/catalog.yaml` and `params/scheme.yaml`, merges
`params/clients/<client>/` over them key by key (mappings merge, anything else is
replaced), validates the result, and raises a `UserError` whose problems name the file,
the key and what was expected.

Every number is a `Number` (finite; `true`, `.nan`, `.inf` are refused) or a `Whole`, and
each YAML file is read with a size limit and its aliases' expansion bounded.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from kpilib.actionrules import Actions
from kpilib.formula import Formula, FormulaError, parse_formula
from kpilib.i18n import pick
from kpilib.modelcheck import validated
from kpilib.paramtypes import Number, Share, Weight, Whole, did_you_mean, one_of
from kpilib.problems import Problems, UserError
from kpilib.roles import DepartmentWeights, check_weights, computed_kpis
from kpilib.versions import DEFAULT, Layer, scheme_data, split_versions, starts
from kpilib.yamlfile import read_yaml

Unit = Literal["percent", "ratio", "count", "currency", "days", "hours", "minutes", "score"]
Aggregation = Literal["sum", "mean", "last", "first", "max", "min"]
RATER_TYPES = ("self", "supervisor", "cross_department", "peer", "customer")
PERCENT_RANGE = (0.0, 1.5)  # a percent is a fraction: 95.6% is 0.956, and 95.6 is a typo
Method = Literal["ratio", "thresholds"]
TIER_GROUPS = ("company", "department", "team", "region")  # tiers.within: a column of the scoring sheet, or company
TIE_BREAKS = ("quantitative", "qualitative", "supervisor_rating")  # numeric columns of the scoring sheet




CLIENT_NAME = re.compile(r"[A-Za-z0-9_-]+")


def client_dir(client: str, params_dir: Path | None = None) -> Path:
    """`params/clients/<client>/`: a client is a name (letters, digits, - and _), never a path,
    so an overlay (and the notebooks in it) can only come from the params folder."""
    if not CLIENT_NAME.fullmatch(client):
        raise UserError(f"--client {client!r}: a client is a folder name in params/clients/ "
                        "(letters, digits, - and _), not a path")
    return (params_dir or default_params_dir()) / "clients" / client


def default_params_dir() -> Path:
    """$KPIREPORT_PARAMS, else `params/` of the source checkout, else `./params`."""
    if os.environ.get("KPIREPORT_PARAMS"):
        return Path(os.environ["KPIREPORT_PARAMS"])
    here = Path(__file__).resolve().parent.parent / "params"
    return here if (here / "catalog.yaml").exists() else Path.cwd() / "params"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Names(_Model):
    zh: str
    en: str

    def __call__(self, lang: str) -> str:
        return pick((self.zh, self.en), lang)


class Thresholds(_Model):
    baseline: Number | None = None
    target: Number | None = None
    challenge: Number | None = None


class Measure(_Model):
    """A raw fact. `aggregation` says how months combine into a longer period."""

    name: Names
    unit: Unit = "count"
    aggregation: Aggregation = "sum"
    signed: bool = False  # negative values allowed
    range: tuple[Number, Number] | None = None  # plausible values; percent defaults to [0, 1.5]

    def plausible(self) -> tuple[float, float] | None:
        """The range a value must lie in: the declared `range`, else [0, 1.5] for a percent."""
        return self.range if self.range is not None else PERCENT_RANGE if self.unit == "percent" else None


class KPI(_Model):
    name: Names
    department: str | list[str]
    kind: Literal["quantitative", "qualitative"]
    formula: str | None = None
    unit: Unit = "percent"
    direction: Literal["higher", "lower", "band"] = "higher"
    band: Number | None = Field(default=None, gt=0)
    perspective: Literal["financial", "customer", "process", "learning"] | None = None
    role_layer: Literal["management", "execution", "support"] | None = None
    source: str | None = None
    owner: str | None = None
    frequency: Literal["monthly", "quarterly", "half-year", "yearly"] = "monthly"
    thresholds: Thresholds = Thresholds()
    cap: Number | None = Field(default=None, gt=0)  # attainment cap for this KPI
    target_aggregation: Literal["sum", "mean"] | None = None  # how finer targets combine
    attainment_method: Method | None = None  # overrides scoring.attainment.method for this KPI
    range: tuple[Number, Number] | None = None  # plausible targets; percent defaults to [0, 1.5]
    outcome: bool = False  # an additive outcome (sales, new customers): concentration is shown for it
    drives: list[str] = []  # leading → lagging: the quantitative KPIs this one moves (kpilib.leading)
    description: Names | None = None

    def plausible(self) -> tuple[float, float] | None:
        """The range a target must lie in: the declared `range`, else [0, 1.5] for a percent."""
        return self.range if self.range is not None else PERCENT_RANGE if self.unit == "percent" else None

    @model_validator(mode="after")
    def _shape(self) -> KPI:
        if self.kind == "quantitative" and not self.formula:
            raise ValueError("a quantitative KPI needs a formula")
        if self.kind == "qualitative" and self.formula:
            raise ValueError("a qualitative KPI has no formula (its value is the weighted rating)")
        if self.direction == "band" and self.band is None:
            raise ValueError("direction: band needs band (e.g. 0.05 for ±5%)")
        return self

    @property
    def departments(self) -> list[str]:
        return [self.department] if isinstance(self.department, str) else list(self.department)

    @property
    def targets_add_up(self) -> bool:
        """True when monthly targets add up to a quarter's (counts, money); else averaged."""
        if self.target_aggregation:
            return self.target_aggregation == "sum"
        return self.unit in ("count", "currency")


class Catalog(_Model):
    departments: dict[str, Names] = {}
    measures: dict[str, Measure] = {}
    kpis: dict[str, KPI]
    formulas: dict[str, Formula] = Field(default_factory=dict, exclude=True)
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    def quantitative(self) -> dict[str, KPI]:
        return {k: v for k, v in self.kpis.items() if v.kind == "quantitative"}

    def qualitative(self) -> dict[str, KPI]:
        return {k: v for k, v in self.kpis.items() if v.kind == "qualitative"}

    def department_name(self, dept: str, lang: str) -> str:
        names = self.departments.get(dept)
        return names(lang) if names else dept


class Rounding(_Model):
    """Decimals kept at each step, rounded half up (四舍五入) as Excel's ROUND."""

    mode: Literal["half_up"] = "half_up"
    line: Whole = Field(1, ge=0, le=6)
    subtotal: Whole = Field(1, ge=0, le=6)
    rating: Whole = Field(2, ge=0, le=6)
    final: Whole = Field(1, ge=0, le=6)


class Attainment(_Model):
    """How actual and target become an attainment (see `kpilib.scoring.attainment`).

    `method: ratio` divides (actual / target, or its inverse for lower-is-better);
    `method: thresholds` maps baseline → target → challenge piecewise-linearly onto
    floor → 100% → cap (门槛值 / 目标值 / 挑战值). `warn_above`: an attainment (before the
    cap) above this many times the target is reported as implausible."""

    method: Method = "ratio"
    cap: Number | None = Field(default=None, gt=0)
    floor: Number = Field(0.0, ge=0, le=1)
    lower: Literal["ratio", "linear"] = "ratio"  # ratio: target/actual; linear: 2 - actual/target
    warn_above: Number = Field(3.0, gt=0)


class Grade(Names):
    """A grade band: its lowest composite and its name in each language (`grade(lang)`)."""

    min: Number = Field(ge=0)


class Tiers(_Model):
    within: str = "department"  # a column of the scoring sheet (TIER_GROUPS), or "company"
    shares: dict[str, Share] = {"S": 0.05, "A": 0.15, "B": 0.60, "C": 0.15, "D": 0.05}
    tie_break: list[str] = ["quantitative", "supervisor_rating"]
    min_group: Whole = Field(5, ge=1)
    small_groups: Literal["guideline", "pool"] = "guideline"

    @field_validator("within")
    @classmethod
    def _within(cls, value: str) -> str:
        return one_of(value, TIER_GROUPS, "a column of the scoring sheet or company")

    @field_validator("tie_break")
    @classmethod
    def _tie_break(cls, value: list[str]) -> list[str]:
        return [one_of(key, TIE_BREAKS, "a numeric column of the scoring sheet") for key in value]

    @model_validator(mode="after")
    def _shares(self) -> Tiers:
        total = sum(self.shares.values())
        if abs(total - 1) > 1e-9:
            raise ValueError(f"tier shares must sum to 1, they sum to {total:g}")
        return self


class Scoring(_Model):
    quantitative_share: Share = 0.7
    attainment: Attainment = Attainment()
    rounding: Rounding = Rounding()
    raters: dict[str, Weight] = {"self": 0.2, "supervisor": 0.6, "cross_department": 0.2}
    grades: list[Grade] = [Grade(min=90, zh="优秀", en="Excellent"), Grade(min=80, zh="良好", en="Good"),
                           Grade(min=70, zh="合格", en="Pass"), Grade(min=0, zh="待改进", en="Needs improvement")]
    tiers: Tiers = Tiers()
    missing: Literal["reweight", "zero"] = "reweight"
    # fallback: a line without the person's own target uses the catalogue's (and says so loudly);
    # required: such a line is an error naming the person and the KPI
    targets: Literal["fallback", "required"] = "fallback"
    # role layer → "team": people of that layer without their own target are scored on their
    # team's aggregate (the whole department when they have no team), e.g. {management: team}
    role_layers: dict[Literal["management", "execution", "support"], Literal["team", "person"]] = {}
    calibrated_ratings: bool = False  # score ratings minus each supervisor's estimated leniency
    max_kpis: Whole = Field(5, ge=1)  # weighted quantitative KPIs per person above which `validate` warns
    # catalogued: every quantitative KPI the catalogue gives a department and its scheme does not
    # weight is monitored (computed, not scored); listed: only KPIs listed with weight 0
    monitored: Literal["catalogued", "listed"] = "catalogued"

    @model_validator(mode="after")
    def _check(self) -> Scoring:
        mins = [g.min for g in self.grades]
        if not mins or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("grades must be listed highest first with distinct min values")
        if sum(self.raters.values()) <= 0:
            raise ValueError("rater weights must have a positive sum")
        return self

    @field_validator("raters")
    @classmethod
    def _rater_types(cls, value: dict[str, float]) -> dict[str, float]:
        for rater in value:
            one_of(rater, RATER_TYPES, "a rater type")
        return value


class Gate(_Model):
    """A condition on a KPI's actual value for the person: at least `min`, or strictly
    `below`. A person the KPI is not measured for fails the gate."""

    kpi: str
    min: Number | None = None
    below: Number | None = None

    @model_validator(mode="after")
    def _one(self) -> Gate:
        if (self.min is None) == (self.below is None):
            raise ValueError("a gate needs exactly one of min (at least) or below (strictly below)")
        return self


class BonusBand(_Model):
    top: Number = Field(gt=0, le=1)  # rank share within the department (0.10 = top 10%)
    multiplier: Weight


class MeetsTarget(_Model):
    min: Number = Field(ge=0)  # composite that counts as meeting target
    multiplier: Weight


class Bonus(_Model):
    bands: list[BonusBand]
    meets_target: MeetsTarget
    full_payment: Gate | None = None  # without it, every bonus is paid in full


class Commission(_Model):
    kpi: str
    attainment: Number = Field(gt=0)  # attainment of `kpi` at or above which the multiplier applies
    multiplier: Weight


class Promotion(_Model):
    months: Whole = Field(ge=1)  # consecutive months, up to the period's last
    top: Number = Field(gt=0, le=1)  # rank share within the department
    complaints: Gate | None = None


class ReservePool(_Model):
    quarters: Whole = Field(ge=1)
    tiers: list[str]


class Breakthrough(_Model):
    kpi: str  # its actual for the period against the person's previous peak
    ratio: Number = Field(gt=0)


class WatchList(_Model):
    bottom: Number = Field(gt=0, le=1)  # rank share from the bottom of the department
    review_after: Whole = Field(ge=1)  # consecutive periods below the meets-target line → review


class Incentives(_Model):
    """Results applied (结果应用) of one department, from `scheme.yaml` `incentives.<department>`.

    Every rule is optional (absent: the rule does not apply) and every threshold of a rule
    that is present must be written in the YAML; only the gates are optional."""

    bonus: Bonus | None = None
    commission: Commission | None = None
    promotion: Promotion | None = None
    reserve_pool: ReservePool | None = None
    breakthrough: Breakthrough | None = None
    watch_list: WatchList | None = None

    def kpis(self) -> dict[str, str]:
        """The KPI ids the rules refer to, by key (`bonus.full_payment.kpi`: id)."""
        refs = {"bonus.full_payment": self.bonus and self.bonus.full_payment, "commission": self.commission,
                "promotion.complaints": self.promotion and self.promotion.complaints,
                "breakthrough": self.breakthrough}
        return {f"{key}.kpi": rule.kpi for key, rule in refs.items() if rule}

    def configured(self) -> list[str]:
        """The rules present, in the order of the fields (bonus, commission, ...)."""
        return [name for name in type(self).model_fields if getattr(self, name) is not None]


class Privacy(_Model):
    min_cell: Whole = Field(5, ge=1)  # company pages leave out groups of fewer people


class Pages(_Model):
    details_per_part: Whole = Field(500, ge=1)  # a larger department's score details: parts of whole teams (sections.parts)
    table_rows: Whole = Field(300, ge=1)  # a longer table shows its first rows and links the scoring sheet (paging)


class Scheme(_Model):
    scoring: Scoring = Scoring()
    privacy: Privacy = Privacy()
    pages: Pages = Pages()
    departments: dict[str, DepartmentWeights] = {}
    incentives: dict[str, Incentives] = {}  # department: its rules; absent: none
    actions: Actions = Actions()  # follow-up actions (kpilib.actionrules); absent: none


@dataclass
class Config:
    """Catalogue and the scheme in force; `schemes` holds every version by label ("default",
    then each `valid_from`), `version` the label of `scheme` (`kpilib.versions.in_force`)."""

    catalog: Catalog
    scheme: Scheme
    client: str | None = None
    files: list[Path] = field(default_factory=list)
    warnings: Problems = field(default_factory=Problems)
    version: str = DEFAULT
    schemes: dict[str, Scheme] = field(default_factory=dict)
    version_starts: list = field(default_factory=list)  # Spans at which a version starts, earliest first


def load_config(client: str | None = None, params_dir: Path | str | None = None) -> Config:
    """Load, merge and validate catalogue and scheme; raise `UserError` listing every problem."""
    root = Path(params_dir) if params_dir else default_params_dir()
    problems = Problems()
    if client:
        folder = client_dir(client, root)
        if not folder.is_dir():
            known = sorted(p.name for p in (root / "clients").glob("*") if p.is_dir())
            raise UserError(f"unknown client {client!r}: no folder {folder} "
                            f"(known: {', '.join(known) or 'none'}; create one with `kpireport new-client`)")
    files: list[Path] = []
    raw: dict[str, list[Layer]] = {"catalog": [], "scheme": []}
    labels: dict[str, str] = {}
    for stem in raw:
        layers = [root / f"{stem}.yaml"] + ([client_dir(client, root) / f"{stem}.yaml"] if client else [])
        for path in layers:
            if path.exists():
                data = read_yaml(path, problems)
                raw[stem].append(split_versions(data, path, problems) if stem == "scheme" else (data, []))
                files.append(path)
            elif path == layers[0]:
                problems.error(str(path), "the file must exist")
        labels[stem] = " + ".join(str(p) for p in layers if p.exists()) or str(layers[0])
    catalog = validated(Catalog, scheme_data(raw["catalog"], None, merge), labels["catalog"], problems)
    schemes = {DEFAULT: validated(Scheme, scheme_data(raw["scheme"], None, merge), labels["scheme"], problems)}
    begins = starts(raw["scheme"])
    for span in begins:
        schemes[span.label] = validated(Scheme, scheme_data(raw["scheme"], span, merge),
                                         f"{labels['scheme']} (version {span.label})", problems)
    problems.raise_if_errors("parameters")
    config = Config(catalog, schemes[DEFAULT], client, files, schemes=schemes, version_starts=begins)
    for label, scheme in schemes.items():
        found = Problems()
        version = Config(catalog, scheme, client, files, version=label)
        _cross_check(version, found)
        _check_incentives(version, found)
        problems.items += [p for p in found.items if p not in problems.items]
    problems.raise_if_errors("parameters")
    config.warnings = problems
    return config


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, anything else in `over` replaces, and a
    key set to null (`~`) in `over` is removed (how a client drops a KPI from a department)."""
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _cross_check(config: Config, problems: Problems) -> None:
    catalog = config.catalog
    cat_file = "catalog.yaml" if not config.client else f"catalog.yaml (client {config.client})"
    sch_file = _scheme_file(config)
    known = set(catalog.measures) if catalog.measures else None
    for kpi_id, kpi in catalog.quantitative().items():
        try:
            catalog.formulas[kpi_id] = parse_formula(kpi.formula, known)
        except FormulaError as exc:
            problems.error(cat_file, f"KPI {kpi_id}: {exc}", column=f"kpis.{kpi_id}.formula",
                           value=kpi.formula)
        for lagging in (k for k in kpi.drives if k not in catalog.quantitative()):
            problems.error(cat_file, "a quantitative KPI id from the catalogue" + did_you_mean(lagging, list(catalog.kpis)),
                           column=f"kpis.{kpi_id}.drives", value=lagging)
    check_weights(config, problems, sch_file)


def _scheme_file(config: Config) -> str:
    """How problems name the scheme: file, client and version."""
    name = "scheme.yaml" if not config.client else f"scheme.yaml (client {config.client})"
    return name if config.version == DEFAULT else f"{name} version {config.version}"


def _check_incentives(config: Config, problems: Problems) -> None:
    """Incentive rules name departments of the scheme, KPIs that department scores
    (quantitative: gates and amounts read their actual) and tiers of the scheme."""
    catalog, scheme = config.catalog, config.scheme
    sch_file = _scheme_file(config)
    for dept, rules in scheme.incentives.items():
        weights = scheme.departments.get(dept)
        if weights is None:
            problems.error(sch_file, f"a department of departments: ({', '.join(scheme.departments)})"
                           + did_you_mean(dept, list(scheme.departments)), column=f"incentives.{dept}", value=dept)
            continue
        for key, kpi_id in rules.kpis().items():
            column = f"incentives.{dept}.{key}"
            if kpi_id not in catalog.kpis:
                problems.error(sch_file, "a KPI id from the catalogue" + did_you_mean(kpi_id, list(catalog.kpis)),
                               column=column, value=kpi_id)
            elif kpi_id not in computed_kpis(config, dept):
                problems.error(sch_file, f"a quantitative KPI scored for {dept} or monitored there "
                               f"(departments.{dept}.quantitative: {', '.join(weights.quantitative)}); "
                               f"{kpi_id} is not, so it is measured for no one", column=column, value=kpi_id)
        pool = rules.reserve_pool
        for tier in pool.tiers if pool else []:
            if tier not in scheme.scoring.tiers.shares:
                problems.error(sch_file, f"a tier of scoring.tiers.shares ({', '.join(scheme.scoring.tiers.shares)})",
                               column=f"incentives.{dept}.reserve_pool.tiers", value=tier)
