"""Helpers shared by the section modules: grouping, department names, performance groups."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kpilib import ranking, stats
from kpilib.messages import namer
from kpilib.numbers import in_unit
from kpilib.workbench import Workbench

PERFORMANCE_GROUPS = {"top 20%": (0.0, 0.2), "middle 60%": (0.2, 0.8), "bottom 20%": (0.8, 1.0)}  # section 20
MOVEMENT_GROUPS = {"top 10%": (0.0, 0.1), "middle 30–60%": (0.3, 0.6), "bottom 20%": (0.8, 1.0)}  # section 30 (domain.md)


def group_of(wb: Workbench) -> str:
    """Rows of a summary: departments at company level, teams inside a department."""
    return "department" if wb.company else "team"


def with_names(wb: Workbench, frame: pd.DataFrame, column: str = "department") -> pd.DataFrame:
    if column == "department" and column in frame:
        return frame.assign(department=frame["department"].map(wb.department_name))
    return frame


def shown(wb: Workbench, table: pd.DataFrame, people: str | pd.Series | pd.DataFrame = "people") -> pd.DataFrame:
    """What a company page may show of `table` (scheme `privacy.min_cell`): nothing counted
    over fewer than `min_cell` people. `people`: a column of `table` or counts aligned with
    its rows (rows under the threshold are left out), or a frame of counts per cell, aligned
    on index and columns (those cells are blanked). Department pages are unchanged: a
    manager sees their own people."""
    if not wb.company or table.empty:
        return table
    least = wb.config.scheme.privacy.min_cell
    if isinstance(people, pd.DataFrame):
        return table.mask(people.reindex_like(table) < least)
    counts = table[people] if isinstance(people, str) else people
    return table[pd.Series(counts).to_numpy() >= least].reset_index(drop=True)


def headcount(wb: Workbench, departments: pd.Series) -> pd.Series:
    """People scored this period in each of `departments` (aligned with it)."""
    return departments.map(wb.sheet()["department"].value_counts()).fillna(0)


def composite_summary(sheet: pd.DataFrame, by: str) -> pd.DataFrame:
    """Composite per group (stats.summary_by): by, people, mean, median, best, lowest."""
    table = stats.summary_by(sheet, "composite", by).rename(columns={"n": "people", "max": "best", "min": "lowest"})
    return table.astype({"people": int})[[by, "people", "mean", "median", "best", "lowest"]]


def primary_kpi(wb: Workbench, department: str | None = None) -> str | None:
    """The department's highest-weighted quantitative KPI (e.g. sales amount)."""
    weights = wb.config.scheme.departments[department or wb.department].quantitative
    return max(weights, key=weights.get) if weights else None


def performance_groups(sheet: pd.DataFrame, groups: dict[str, tuple[float, float]] = PERFORMANCE_GROUPS) -> pd.Series:
    """Each person's performance group within their department by composite rank (ranking.rank:
    ties share the best rank); "" for people in no group. A group (low, high) of a department
    of n holds, counting k(x) = x·n rounded half up:
    - low = 0 (top): the first max(k(high), 1) ranks;
    - high = 1 (bottom): the last max(k(1 − low), 1) ranks, counted from the bottom;
    - otherwise (a middle): ranks after k(low) up to k(high), if in neither end group.
    Ties at a boundary fall in the outer group. Section 20 uses PERFORMANCE_GROUPS (20/60/20),
    section 30's movement MOVEMENT_GROUPS (domain.md: head 10%, middle 30–60%, tail 20%).
    Checked by hand in tests/test_sections.py (test_performance_groups_by_hand)."""
    size = sheet.groupby("department", observed=True)["composite"].transform("count").to_numpy()
    from_top = ranking.rank(sheet["composite"], by=sheet["department"]).to_numpy(dtype=float, na_value=np.nan)
    from_bottom = ranking.rank(sheet["composite"], ascending=True, by=sheet["department"]).to_numpy(dtype=float, na_value=np.nan)

    def k(share: float) -> np.ndarray:
        return np.floor(share * size + 0.5 + 1e-9)
    out = pd.Series("", index=sheet.index, dtype=object)
    ends = {name: (low, high) for name, (low, high) in groups.items() if low == 0 or high == 1}
    for name, (low, high) in ends.items():
        inside = from_top <= np.maximum(k(high), 1) if low == 0 else from_bottom <= np.maximum(k(1 - low), 1)
        out[(out == "").to_numpy() & inside] = name
    for name, (low, high) in groups.items():
        if name not in ends:
            out[(out == "").to_numpy() & (from_top > k(low)) & (from_top <= k(high))] = name
    return out


def written(wb: Workbench, lines: pd.DataFrame, columns: tuple[str, ...] = ("actual", "target")) -> pd.DataFrame:
    """Lines with `columns` written in each KPI's unit (87.3%, 0.24%, $1,600,000: numbers.in_unit),
    for reading, not computing."""
    units = lines["kpi"].map(lambda k: wb.config.catalog.kpis[k].unit if k in wb.config.catalog.kpis else "")
    out = lines.copy()
    for col in columns:
        out[col] = [in_unit(None if pd.isna(v) else float(v), u, wb.branding.currency)
                    for v, u in zip(lines[col], units, strict=True)]
    return out


VALUE = re.compile(r"(?P<measure>[A-Za-z_][A-Za-z0-9_]*)(?P<period>\[[^\]]*\])?=(?P<value>-?\d+(?:\.\d+)?)")


def named(wb: Workbench, text: str) -> str:
    """A formula or its inputs with measures by their catalogue names, functions in words
    (kpilib.messages.namer) and measures' values in their unit ("renewed / due_for_renewal" →
    "续约客户数 / 应续约客户数", "sales=7599004.06" → "销售额=7,599,004.06"): what a reader can check."""
    if not isinstance(text, str):
        return text
    measures = wb.config.catalog.measures

    def value(match: re.Match) -> str:
        measure = measures.get(match["measure"])
        if measure is None:
            return match[0]
        return f"{match['measure']}{match['period'] or ''}={in_unit(float(match['value']), measure.unit, wb.branding.currency)}"
    return namer(wb.config.catalog, wb.lang)(VALUE.sub(value, text))
