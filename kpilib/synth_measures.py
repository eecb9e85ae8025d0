"""Raw monthly measures and targets for the sample company, derived from KPI formulas.

Each quantitative KPI of a department gets measures whose KPI value sits around the
catalogue target and moves with the person's performance z. The recipe follows the
formula's shape: a single measure, a ratio a / b, 1 − a / b, (a − b) / b, (a − b) / c ×
100, a + b, 1 − abs(a − b) / b; growth KPIs (yoy) emerge from the monthly series.
"""

from __future__ import annotations

import ast

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from kpilib.config import KPI, Config
from kpilib.synth_links import plant_links

DRIVER = (0.9, 0.3, 1.6)  # sensitivity to z, spread on a log scale, spread on a logit scale
OTHER = (0.3, 0.05, 0.2)
SALES_GROWTH = 1.004  # company-wide monthly growth of sales


class _Department:
    """Measures of one department being generated: measure → (people, months) array."""

    def __init__(self, people, z, employed, config: Config, volumes: dict[str, float], rng):
        self.people, self.z, self.employed, self.rng = people, z, employed, rng
        self.catalog, self.volumes = config.catalog, volumes
        self.values: dict[str, np.ndarray] = {}
        self.shape = z.shape

    def quality(self, driver: bool) -> tuple[np.ndarray, float, float]:
        s, c_log, c_logit = DRIVER if driver else OTHER
        own = self.rng.normal(0, 1, (self.shape[0], 1))
        return s * self.z + np.sqrt(1 - s * s) * own, c_log, c_logit

    def volume(self, measure: str) -> np.ndarray:
        unit = self.catalog.measures[measure].unit
        base = self.volumes.get(measure, 100_000 if unit == "currency" else 40)
        mean = base * self.people["volume"].to_numpy()[:, None] * self.rng.lognormal(0, 0.1, self.shape)
        if unit == "currency":
            return np.round(mean, 2)
        return self.rng.poisson(mean).astype(float)

    def from_rate(self, num: str, den: np.ndarray, rate: np.ndarray) -> np.ndarray:
        unit = self.catalog.measures[num].unit
        if unit == "count" and np.all(rate <= 1):
            return self.rng.binomial(den.astype(np.int64), np.clip(rate, 0, 1)).astype(float)
        return np.round(den * rate, 0 if unit == "count" else 2)

    def rate(self, kpi: KPI, q: np.ndarray, c_log: float, c_logit: float, target: float) -> np.ndarray:
        sign = -1.0 if kpi.direction == "lower" else 1.0
        if kpi.direction == "band":
            return 1 + self.rng.normal(0, 0.04, self.shape) * np.exp(-0.5 * q)
        if kpi.unit == "percent" and 0.5 <= target < 1:
            return expit(logit(target) + sign * c_logit * q + self.rng.normal(0, 0.15, self.shape))
        if kpi.unit == "score":  # a bounded 1–5 or 0–100 scale: narrower, and kept on the scale
            top = 5.0 if target <= 5 else 100.0
            return np.clip(target * np.exp(sign * c_log * 0.5 * q + self.rng.normal(0, 0.02, self.shape)), 1, top)
        return target * np.exp(sign * c_log * q + self.rng.normal(0, 0.05, self.shape))

    def kpi(self, kpi_id: str, kpi: KPI, driver: bool) -> None:
        self.driver = driver
        tree = ast.parse(kpi.formula, mode="eval").body
        q, c_log, c_logit = self.quality(driver)
        target = kpi.thresholds.target or 1.0
        per_month = 3 if kpi.frequency == "quarterly" else 1
        nodes = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in self.catalog.measures),
                       key=lambda n: n.col_offset)
        names = list(dict.fromkeys(n.id for n in nodes))  # in the order they are written
        if isinstance(tree, ast.Name):
            self.single(kpi_id, kpi, tree.id, q, c_log, c_logit, target / per_month)
        elif isinstance(tree, ast.Call):
            return  # growth (yoy/qoq) emerges from the monthly series
        elif _is_ratio(tree):
            self.ratio(kpi, tree.left.id, tree.right.id, self.rate(kpi, q, c_log, c_logit, target))
        elif isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Add):
            for name in names:
                mean = target / per_month / len(names) * np.exp(c_log * q)
                count = self.rng.poisson(mean).astype(float) if driver else np.rint(mean + self.rng.uniform(-0.5, 0.5, self.shape))
                self.values.setdefault(name, count)
        elif isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.Sub) and _is_ratio(tree.right):
            a, b = tree.right.left.id, tree.right.right.id  # 1 - a / b: a keep-rate such as retention
            churn = (1 - target) / per_month * np.exp(-c_logit * q)
            self.values.setdefault(b, self.volume(b))
            self.values.setdefault(a, self.from_rate(a, self.values[b], churn))
        elif "abs" in ast.unparse(tree):
            a, b = names  # 1 - abs(a - b) / b: accuracy
            self.values.setdefault(b, self.volume(b))
            error = (1 - target) * 1.25 * np.exp(-c_log * 4 * q) * self.rng.normal(0, 1, self.shape)
            self.values.setdefault(a, np.round(self.values[b] * (1 + error), 2))
        elif len(names) == 3:  # (promoters - detractors) / responses * 100
            p, d, n = names
            self.values.setdefault(n, self.volume(n))
            prom = expit(logit(0.5) + c_logit * q)
            self.values.setdefault(p, self.rng.binomial(self.values[n].astype(np.int64), prom).astype(float))
            rest = self.values[n] - self.values[p]
            self.values.setdefault(d, self.rng.binomial(rest.astype(np.int64), 0.2).astype(float))
        elif len(names) == 2:  # (a - b) / b: lift over a baseline
            a, b = names
            self.values.setdefault(b, self.volume(b))
            self.values.setdefault(a, np.round(self.values[b] * (1 + target * np.exp(c_log * q)), 2))

    def single(self, kpi_id, kpi, measure, q, c_log, c_logit, target) -> None:
        if measure in self.values:
            return
        aggregation = self.catalog.measures[measure].aggregation
        if aggregation in ("mean", "last", "first"):  # a level such as OEE
            self.values[measure] = np.round(expit(logit(target) + c_logit * q), 4)
            return
        sign = -1.0 if kpi.direction == "lower" else 1.0
        mean = target * np.exp(sign * c_log * q)
        if kpi_id == "sales_amount":
            growth = SALES_GROWTH ** np.arange(self.shape[1])[None, :]
            mean = mean * self.people["territory"].to_numpy()[:, None] * growth
        if kpi.unit == "currency":
            self.values[measure] = np.round(mean * self.rng.lognormal(0, 0.15, self.shape), 2)
        elif self.driver:
            self.values[measure] = self.rng.poisson(mean).astype(float)
        else:  # a steady count: no Poisson noise, so minor KPIs stay minor
            self.values[measure] = np.rint(mean)

    def ratio(self, kpi: KPI, a: str, b: str, rate: np.ndarray) -> None:
        if a not in self.values and b not in self.values:
            self.values[b] = self.volume(b)
        if b in self.values and a not in self.values:
            self.values[a] = self.from_rate(a, self.values[b], rate)
        elif a in self.values and b not in self.values:
            den = self.values[a] / rate
            self.values[b] = np.maximum(np.round(den, 0 if self.catalog.measures[b].unit == "count" else 2), 1)


def _is_ratio(node: ast.AST) -> bool:
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
            and isinstance(node.left, ast.Name) and isinstance(node.right, ast.Name))


def department_measures(dept: str, people: pd.DataFrame, z: np.ndarray, employed: np.ndarray,
                        config: Config, volumes: dict[str, float], drivers: list[str],
                        rng, links_rng) -> dict[str, np.ndarray]:
    """Measures (name → people × months array) of one department; `drivers` carry its variance.
    The catalogue's leading → lagging links are planted with `links_rng` (kpilib.synth_links),
    which also draws the leading KPIs the scheme does not score (customer visits)."""
    gen = _Department(people, z, employed, config, volumes, rng)
    scored = config.scheme.departments[dept].quantitative if dept in config.scheme.departments else {}
    kpis = {k: v for k, v in config.catalog.quantitative().items()
            if dept in v.departments and not (v.drives and k not in scored)}
    # single-measure KPIs first, so ratios over them (sales_cost_ratio = expenses / sales) follow them
    order = sorted(kpis, key=lambda k: (not isinstance(ast.parse(kpis[k].formula, mode="eval").body, ast.Name),
                                        k not in drivers))
    for kpi_id in order:
        gen.kpi(kpi_id, kpis[kpi_id], kpi_id in drivers)
    plant_links(dept, gen.values, config, links_rng, z)
    return gen.values


def to_codes(values: dict[str, np.ndarray], measure_codes: dict[str, int], people: np.ndarray,
             employed: np.ndarray) -> tuple[np.ndarray, ...]:
    """(month, person, measure, value) arrays where the person was employed, ordered by
    person, month, measure code; `people` maps local rows to global person codes."""
    names = sorted(values, key=measure_codes.get)
    person, month = np.nonzero(employed)
    k = len(names)
    cells = np.empty((len(month), k))
    for j, name in enumerate(names):
        cells[:, j] = values[name][person, month]
    codes = np.array([measure_codes[n] for n in names], dtype=np.int16)
    return (np.repeat(month.astype(np.int16), k), np.repeat(people[person].astype(np.int32), k),
            np.tile(codes, len(month)), cells.ravel())
