"""KPI values from raw measures, for any period grain (month, quarter, half, year).

Measures are first aggregated over the period, each by its declared aggregation (sum by
default; levels such as headcount take last/mean), then the KPI formula applies. So a
quarter's resolution rate is Σresolved / Σrequests over its three months, never the mean
of the monthly rates (统一定义公式).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Catalog
from kpilib.formula import evaluate, lag_spans
from kpilib.periods import Span, parse_period


class MeasureCube:
    """Measures aggregated per span, cached: one row per entity, one column per measure."""

    def __init__(self, measures: pd.DataFrame, catalog: Catalog):
        self.measures, self.catalog = measures, catalog
        self._cache: dict[Span, pd.DataFrame] = {}

    def frame(self, span: Span) -> pd.DataFrame:
        if span not in self._cache:
            self._cache[span] = self._aggregate(span)
        return self._cache[span]

    def _aggregate(self, span: Span) -> pd.DataFrame:
        m = self.measures
        sub = m[(m["period"] >= span.start) & (m["period"] <= span.end)]
        if sub.empty:
            return pd.DataFrame(index=pd.Index([], name="employee_id", dtype="str"))
        sub = sub.sort_values("period", kind="stable")
        how = sub["measure"].map({k: v.aggregation for k, v in self.catalog.measures.items()})
        how = how.astype(str).replace("nan", "sum")
        parts = []
        for aggregation, part in sub.groupby(how.to_numpy(), sort=False):
            grouped = part.groupby(["employee_id", "measure"], observed=True, sort=False)["value"]
            parts.append(grouped.agg(aggregation))
        wide = pd.concat(parts).unstack("measure")
        wide.index = wide.index.astype(str)
        wide.columns = wide.columns.astype(str)
        return wide


def kpi_values(cube: MeasureCube, catalog: Catalog, span: Span | str,
               kpis: list[str] | None = None, entities: pd.Index | dict[str, pd.Index] | None = None,
               explain: bool = True) -> pd.DataFrame:
    """Values of quantitative KPIs for one period.

    Returns one row per (entity, KPI) with columns employee_id, kpi, period, actual (float,
    NaN when it cannot be computed), reason (why it is missing, else None) and
    inputs ("renewed=44; due_for_renewal=50": the aggregated measures used; "" without `explain`).
    `entities`: those of every KPI, or per KPI id (a KPI not in it: none); None: for each KPI
    those with any of its measures in the period.
    """
    span = parse_period(span) if isinstance(span, str) else span
    kpis = kpis if kpis is not None else list(catalog.quantitative())
    parts: dict[str, list[np.ndarray]] = {"employee_id": [], "kpi": [], "actual": [], "reason": [], "inputs": []}
    for kpi_id in kpis:
        formula = catalog.formulas[kpi_id]
        if entities is None:
            present = cube.frame(span)
            cols = [c for c in formula.measures if c in present.columns]
            index = present.index[present[cols].notna().any(axis=1)] if cols else pd.Index([], dtype="str")
        else:
            chosen = entities.get(kpi_id, []) if isinstance(entities, dict) else entities
            index = pd.Index(chosen, dtype="str").unique()
        values, reason = evaluate(formula, cube.frame, span, index)
        parts["employee_id"].append(index.to_numpy(dtype=object))
        parts["kpi"].append(np.full(len(index), kpi_id, dtype=object))
        parts["actual"].append(values.to_numpy())
        parts["reason"].append(reason.to_numpy())
        parts["inputs"].append(_inputs(cube, formula, span, index) if explain else np.full(len(index), "", dtype=object))
    rows = {name: np.concatenate(arrays) if arrays else np.array([], dtype=object if name != "actual" else float)
            for name, arrays in parts.items()}
    return pd.DataFrame({"employee_id": pd.array(rows["employee_id"], dtype="str"),
                         "kpi": pd.array(rows["kpi"], dtype="str"), "period": span.label,
                         "actual": rows["actual"].astype(float), "reason": rows["reason"],
                         "inputs": pd.array(rows["inputs"], dtype="str")})


def _inputs(cube: MeasureCube, formula, span: Span, index: pd.Index) -> np.ndarray:
    """Per entity, the aggregated measures the formula read, as `name=value; ...`."""
    pieces = []
    for at in lag_spans(formula, span):
        frame = cube.frame(at).reindex(index)
        suffix = "" if at == span else f"[{at}]"
        for name in formula.measures:
            col = frame[name] if name in frame.columns else pd.Series(np.nan, index=index)
            text = [f"{name}{suffix}=" + ("∅" if np.isnan(v) else f"{v:.10g}") for v in col.to_numpy(dtype=float)]
            pieces.append(text)
    if not pieces:
        return np.array([""] * len(index), dtype=object)
    return np.array(["; ".join(parts) for parts in zip(*pieces, strict=True)], dtype=object)
