"""Targets for an evaluation period, from `targets.csv` or the catalogue defaults.

For each (entity, KPI) the first of these that exists is used, and `target_source`
says which, as a code with its parameters in `target_source_args` (JSON; written in words
by `kpilib.messages.render`: "targets 2025Q3 × 3/12", "catalogue × 3 × 1/3 months employed"):

1. a row for exactly the period (``2025Q3`` for a quarter): `targets` {period};
2. rows of a finer grain inside the period: added up for counts and amounts
   (`KPI.targets_add_up`), averaged for rates: `targets_sum` / `targets_mean` {n, period};
3. the finest row of a coarser grain containing the period: prorated by months for
   counts and amounts, as is for rates: `targets` {period, scale};
4. the catalogue thresholds, which hold at the KPI's frequency: prorated likewise, and
   for counts and amounts also by the months the person was employed in the period (a
   hire in the quarter's last month gets one month of target, not three): `catalogue`
   {scale}, `none` without catalogue target. A period shorter than the KPI's frequency
   has no default target: `not_at_frequency` {kpi, frequency}.
Baseline and challenge follow the same path as the target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpilib.config import Catalog
from kpilib.messages import args_text
from kpilib.periods import GRAINS, Span

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "half-year": 6, "yearly": 12}
LEVELS = ("target", "baseline", "challenge")


def resolve_targets(targets: pd.DataFrame, catalog: Catalog, span: Span,
                    pairs: pd.DataFrame, months_employed: pd.Series | None = None) -> pd.DataFrame:
    """Targets for `pairs` (columns employee_id, kpi) over `span`; `months_employed`
    (by employee_id) prorates catalogue defaults of counts and amounts.

    Returns `pairs` with columns target, baseline, challenge (float), target_source (a code)
    and target_source_args (its parameters, JSON).
    """
    out = pairs[["employee_id", "kpi"]].copy()
    for level in LEVELS:
        out[level] = np.nan
    out["target_source"] = [("none", {})] * len(out)
    kpis = out["kpi"].unique().tolist()
    add_up = {k: catalog.kpis[k].targets_add_up for k in kpis}
    rows = targets[targets["kpi"].isin(kpis) & targets["employee_id"].isin(out["employee_id"].unique())]
    if len(rows):
        start, end = span.start, span.end
        exact = (rows["start"] == start) & (rows["end"] == end)
        inside = (rows["start"] >= start) & (rows["end"] <= end) & ~exact
        around = (rows["start"] <= start) & (rows["end"] >= end) & ~exact
        candidates = [_exact(rows[exact], span), _inside(rows[inside], add_up, span),
                      _around(rows[around], add_up, span)]
        for found in candidates:
            out = _fill(out, found)
    out = _defaults(out, catalog, span, months_employed)
    sources = out.pop("target_source")
    out["target_source"] = [s[0] for s in sources]
    out["target_source_args"] = [args_text(s[1]) for s in sources]
    return out


def _exact(rows: pd.DataFrame, span: Span) -> pd.DataFrame:
    found = rows[["employee_id", "kpi", *LEVELS]].copy()
    found["target_source"] = [("targets", {"period": str(span), "scale": []})] * len(found)
    return found


def _inside(rows: pd.DataFrame, add_up: dict[str, bool], span: Span) -> pd.DataFrame:
    if rows.empty:
        return rows
    groups = rows.groupby(["employee_id", "kpi"], sort=False)
    total = groups[list(LEVELS)].sum(min_count=1)
    mean = groups[list(LEVELS)].mean()
    months = groups.size().rename("n")
    adds = total.index.get_level_values("kpi").map(add_up).to_numpy(dtype=bool)
    found = pd.DataFrame(np.where(adds[:, None], total.to_numpy(), mean.to_numpy()),
                         index=total.index, columns=list(LEVELS)).reset_index()
    how = np.where(adds, "targets_sum", "targets_mean")
    found["target_source"] = [(h, {"n": int(n), "period": str(span)}) for h, n in zip(how, months.to_numpy(), strict=True)]
    return found


def _around(rows: pd.DataFrame, add_up: dict[str, bool], span: Span) -> pd.DataFrame:
    if rows.empty:
        return rows
    rows = rows.assign(_months=rows["grain"].map(GRAINS)).sort_values("_months", kind="stable")
    rows = rows.drop_duplicates(["employee_id", "kpi"], keep="first")
    factor = np.where(rows["kpi"].map(add_up).to_numpy(dtype=bool), span.months_count / rows["_months"], 1.0)
    found = rows[["employee_id", "kpi"]].copy()
    for level in LEVELS:
        found[level] = rows[level].to_numpy() * factor
    found["target_source"] = [("targets", {"period": str(p), "scale": [("scale.prorated", {"months": span.months_count,
                                                                                          "of": int(m)})] if f != 1 else []})
                              for p, m, f in zip(rows["period"], rows["_months"], factor, strict=True)]
    return found


def _fill(out: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    if found.empty:
        return out
    merged = out.merge(found, on=["employee_id", "kpi"], how="left", suffixes=("", "_new"))
    need = merged["target"].isna() & merged["target_new"].notna()
    for col in (*LEVELS, "target_source"):
        merged[col] = merged[col].where(~need, merged[f"{col}_new"])
    return merged[out.columns]


def _defaults(out: pd.DataFrame, catalog: Catalog, span: Span, months_employed: pd.Series | None) -> pd.DataFrame:
    need = out["target"].isna().to_numpy()
    if not need.any():
        return out
    rows = {}
    for kpi_id in pd.unique(out.loc[need, "kpi"]):
        kpi = catalog.kpis[kpi_id]
        freq = FREQUENCY_MONTHS[kpi.frequency]
        factor = span.months_count / freq if kpi.targets_add_up else 1.0
        if span.months_count < freq:
            rows[kpi_id] = (np.nan, np.nan, np.nan, ("not_at_frequency", {"kpi": kpi_id,
                                                                          "frequency": (f"frequency.{kpi.frequency}", {})}))
            continue
        levels = [np.nan if getattr(kpi.thresholds, lv) is None else getattr(kpi.thresholds, lv) * factor
                  for lv in LEVELS]
        scale = [("scale.times", {"factor": factor})] if factor != 1 else []
        source = ("catalogue", {"scale": scale}) if kpi.thresholds.target is not None else ("none", {})
        rows[kpi_id] = (*levels, source)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=[*LEVELS, "target_source"])
    found = table.reindex(out.loc[need, "kpi"].to_numpy())
    if months_employed is not None:
        months = out.loc[need, "employee_id"].map(months_employed).fillna(span.months_count).to_numpy(float)
        adds = out.loc[need, "kpi"].map(lambda k: catalog.kpis[k].targets_add_up).to_numpy(bool)
        partial = adds & (months < span.months_count) & found["target"].notna().to_numpy()
        for level in LEVELS:
            found[level] = np.where(partial, found[level].to_numpy(float) * months / span.months_count,
                                    found[level].to_numpy(float))
        found["target_source"] = [(s[0], {"scale": [*s[1]["scale"], ("scale.employed", {"months": int(m), "of": span.months_count})]})
                                  if p else s for s, p, m in zip(found["target_source"], partial, months, strict=True)]
    for col in (*LEVELS, "target_source"):
        values = out[col].to_numpy(dtype=object if col == "target_source" else float).copy()
        values[need] = found[col].to_numpy()
        out[col] = values
    return out
