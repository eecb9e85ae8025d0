"""The intake workbook (`kpireport template`): what HR fills in, read back by `--data`.

One sheet per table (employees, measures, targets, ratings, controls) with the column ids
the reader expects as headers (each with a comment naming it in the client's language),
drop-down lists (departments, role layers, kinds, measures, KPIs, criteria, rater types,
whole scores 1–5, employee ids), number formats (dates yyyy-mm-dd, periods as text so
Excel keeps `2026-10`, values with thousands separators), a `kpis` sheet listing each
department's KPIs with their weights and the measures their formulas use, and a
`README` sheet in the client's language. The helper sheets (`README`, `kpis`, the hidden
`lists`) are skipped by the reader (`kpilib.data.HELP_SHEETS`).

Given data (`dataset`), the people are filled in, and the month after the data's last
month is laid out: one measures row per person and measure of their department's KPIs,
one targets row per person and quantitative KPI, one ratings row per person, qualitative
criterion and rater (self; supervisor when the person has a manager), values left blank.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from kpilib.config import RATER_TYPES, Config
from kpilib.data import CONTROLS, OPTIONAL, READ, REQUIRED, Dataset
from kpilib.i18n import label, pick
from kpilib.validation import KINDS, ROLE_LAYERS

SPARE_ROWS = 500  # formatted, validated rows below the filled ones
DATE, TEXT, NUMBER, WHOLE = "yyyy-mm-dd", "@", "#,##0.00", "0"
FORMATS = {"hire_date": DATE, "exit_date": DATE, "period": TEXT, "employee_id": TEXT, "manager_id": TEXT,
           "rater_id": TEXT, "value": NUMBER, "target": NUMBER, "baseline": NUMBER, "challenge": NUMBER,
           "total": NUMBER, "tolerance": NUMBER, "score": WHOLE}
# the words of the workbook: (zh, en)
WORDS: dict[str, tuple[str, str]] = {
    "title": ("KPI 考核数据录入表", "KPI evaluation data intake"),
    "how": ("填写后以 kpireport validate --data 本文件.xlsx 检查，再以 kpireport pack --data 本文件.xlsx 生成报告。",
            "When filled in, check it with kpireport validate --data this.xlsx, then build the reports with "
            "kpireport pack --data this.xlsx."),
    "headers": ("第一行是列名（英文代码），请勿修改；鼠标停在列名上可看中文说明。带下拉箭头的单元格请从列表中选择。",
                "Row 1 holds the column ids: do not change them. Cells with a drop-down arrow take a value from "
                "the list."),
    "employees": ("employees（人员）：每人一行。department 填部门代码；日期为 年-月-日；离职者填 exit_date。",
                  "employees: one row per person; department is the department's id; dates as year-month-day; "
                  "exit_date for those who left."),
    "measures": ("measures（度量）：period 填月份 YYYY-MM（如 2026-10），value 填数值；百分比可写 95.6%。",
                 "measures: period is the month as YYYY-MM (e.g. 2026-10), value the figure; a percent may be "
                 "written 95.6%."),
    "targets": ("targets（目标）：每人每个定量指标的目标值；period 可为月、季（2026Q4）、半年或年。",
                "targets: each person's target per quantitative KPI; period a month, quarter (2026Q4), half or "
                "year."),
    "ratings": ("ratings（评分）：score 为 1–5 分；rater_type 为评分人类型，rater_id 为评分人工号（自评可空）。",
                "ratings: score 1–5; rater_type says who rated, rater_id the rater's id (blank for self)."),
    "controls": ("controls（控制总数，可不填）：财务口径的合计；与明细之和不符时校验报错。department 填部门代码或 all。",
                 "controls (optional): finance's totals; validation fails when the detail does not add up to "
                 "them. department is a department id or all."),
    "kpis": ("kpis（指标说明）：各部门的指标、权重及其公式用到的度量，仅供参考，不会被读取。",
             "kpis: each department's KPIs, weights and the measures their formulas use; for reference, not "
             "read."),
    "blank": ("空行会被跳过；行号按 Excel 计算，报错时据此定位。",
              "Blank rows are skipped; problems name the Excel row."),
    "kpi_measures": ("所需度量", "measures used"), "kpi_name": ("指标", "KPI"),
}
# header comments for the columns the report labels (kpilib.i18n.LABELS) do not name
COLUMN_WORDS: dict[str, tuple[str, str]] = {
    "hire_date": ("入职日期", "Hire date"), "exit_date": ("离职日期", "Exit date"),
    "role_layer": ("层级（management/execution/support）", "Role layer"), "position": ("岗位", "Position"),
    "manager_id": ("上级工号", "Manager's ID"), "kind": ("类型（person/team/department）", "Kind"),
    "value": ("数值", "Value"), "source": ("数据来源", "Source"), "rater_type": ("评分人类型", "Rater type"),
    "criterion": ("评分维度（定性指标代码）", "Criterion (qualitative KPI id)"), "score": ("分数 1–5", "Score 1–5"),
    "note": ("备注", "Note"), "total": ("控制总数", "Control total"),
    "tolerance": ("允许差异（默认 0.01）", "Tolerance (default 0.01)"),
    "measure": ("度量代码", "Measure id"), "department": ("部门代码", "Department id"),
}
HELP_COLUMNS = ("department", "kpi", "kpi_name", "kind", "weight", "kpi_measures", "unit")


def write_template(path: Path | str, config: Config, lang: str, dataset: Dataset | None = None) -> dict[str, int]:
    """Write the intake workbook to `path`; return the rows filled in per sheet."""
    lists = _lists(config, dataset)
    book = Workbook()
    readme = book.active
    readme.title = "README"
    filled = _prefill(config, dataset)
    for name in READ:
        ws = book.create_sheet(name)
        columns = [*REQUIRED[name], *OPTIONAL[name]]
        frame = filled.get(name, pd.DataFrame(columns=columns))
        _table(ws, columns, frame, lang)
    _kpis(book.create_sheet("kpis"), config, lang)
    hidden = book.create_sheet("lists")
    hidden.sheet_state = "hidden"
    ranges = {}
    for i, (key, values) in enumerate(lists.items(), start=1):
        hidden.cell(1, i, key)
        for j, v in enumerate(values, start=2):
            hidden.cell(j, i, v)
        col = get_column_letter(i)
        ranges[key] = f"lists!${col}$2:${col}${max(len(values) + 1, 2)}"
    people = len(filled.get("employees", [])) + SPARE_ROWS + 1
    ranges["employee_id"] = f"employees!$A$2:$A${people}"
    for name in READ:
        _drop_downs(book[name], ranges)
    _readme(readme, lang)
    book.save(path)
    return {name: len(frame) for name, frame in filled.items()}


def _pick(key: str, lang: str, words: dict[str, tuple[str, str]] = WORDS) -> str:
    return pick(words[key], lang)


def _lists(config: Config, dataset: Dataset | None) -> dict[str, list]:
    """The drop-down lists: column id → allowed values (departments: the scheme's, then the catalogue's,
    as validation accepts them)."""
    quantitative = sorted(config.catalog.quantitative())
    departments = list(dict.fromkeys([*config.scheme.departments, *config.catalog.departments]))
    return {"department": departments, "role_layer": list(ROLE_LAYERS), "kind": list(KINDS),
            "measure": sorted(config.catalog.measures), "kpi": quantitative,
            "criterion": sorted(config.catalog.qualitative()), "rater_type": list(RATER_TYPES),
            "score": [1, 2, 3, 4, 5], "controls_department": [*departments, "all"]}


def _table(ws: Worksheet, columns: list[str], frame: pd.DataFrame, lang: str) -> None:
    """Headers (bold, commented in `lang`), the filled rows and the spare rows' formats."""
    for c, col in enumerate(columns, start=1):
        cell = ws.cell(1, c, col)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        text = _pick(col, lang, COLUMN_WORDS) if col in COLUMN_WORDS else label(col, lang)
        cell.comment = Comment(text, "kpireport")
        ws.column_dimensions[get_column_letter(c)].width = max(12, len(col) + 4)
    for r, row in enumerate(frame.reindex(columns=columns).itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            if value is not None and not (isinstance(value, float) and pd.isna(value)) and value is not pd.NaT:
                ws.cell(r, c, value.to_pydatetime() if isinstance(value, pd.Timestamp) else value)
    last = len(frame) + SPARE_ROWS + 1
    for c, col in enumerate(columns, start=1):
        if col in FORMATS:
            for r in range(2, last + 1):
                ws.cell(r, c).number_format = FORMATS[col]
    ws.freeze_panes = "A2"


def _drop_downs(ws: Worksheet, ranges: dict[str, str]) -> None:
    last = ws.max_row
    for c in range(1, ws.max_column + 1):
        col = ws.cell(1, c).value
        key = "controls_department" if ws.title == CONTROLS and col == "department" else col
        key = "employee_id" if col in ("manager_id", "rater_id") else key
        if ws.title == "employees" and col == "employee_id" or key not in ranges:
            continue
        rule = DataValidation(type="list", formula1=ranges[key], allow_blank=True, showErrorMessage=key != "employee_id")
        rule.add(f"{get_column_letter(c)}2:{get_column_letter(c)}{last}")
        ws.add_data_validation(rule)


def _kpis(ws: Worksheet, config: Config, lang: str) -> None:
    """Each department's KPIs: kind, weight, the measures their formulas use, unit."""
    ws.append([_pick(c, lang) if c in WORDS else label(c, lang) for c in HELP_COLUMNS])
    for dept, weights in config.scheme.departments.items():
        for kind, items in (("quantitative", weights.quantitative), ("qualitative", weights.qualitative)):
            for kpi, weight in items.items():
                item = config.catalog.kpis[kpi]
                formula = config.catalog.formulas.get(kpi)
                ws.append([dept, kpi, item.name(lang), kind, weight, ", ".join(formula.measures) if formula else "",
                           item.unit])
    for c in range(1, len(HELP_COLUMNS) + 1):
        ws.cell(1, c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = 18


def _readme(ws: Worksheet, lang: str) -> None:
    ws.append([_pick("title", lang)])
    ws["A1"].font = Font(bold=True, size=14)
    for key in ("how", "headers", "employees", "measures", "targets", "ratings", "controls", "kpis", "blank"):
        ws.append([_pick(key, lang)])
    ws.column_dimensions["A"].width = 120


def _prefill(config: Config, dataset: Dataset | None) -> dict[str, pd.DataFrame]:
    """The people, and the next month's rows to fill in (module docstring)."""
    if dataset is None:
        return {}
    employees = dataset.employees.copy()
    month = str(dataset.months[-1] + 1)
    start = pd.Period(month, "M").start_time
    people = dataset.people()
    people = people[people["exit_date"].isna() | (people["exit_date"] >= start)]
    people = people[people["department"].isin(list(config.scheme.departments))]
    measures, targets, ratings = [], [], []
    for person in people.itertuples():
        weights = config.scheme.departments[person.department]
        needed = dict.fromkeys(m for kpi in weights.quantitative if kpi in config.catalog.formulas
                               for m in config.catalog.formulas[kpi].measures)
        measures += [(month, person.employee_id, m) for m in needed]
        targets += [(month, person.employee_id, kpi) for kpi in weights.quantitative]
        manager = person.manager_id if isinstance(person.manager_id, str) else ""
        raters = [("self", person.employee_id)] + ([("supervisor", manager)] if manager else [])
        ratings += [(month, person.employee_id, kind, rater, criterion)
                    for criterion in weights.qualitative for kind, rater in raters]
    return {"employees": employees,
            "measures": pd.DataFrame(measures, columns=["period", "employee_id", "measure"]),
            "targets": pd.DataFrame(targets, columns=["period", "employee_id", "kpi"]),
            "ratings": pd.DataFrame(ratings, columns=["period", "employee_id", "rater_type", "rater_id", "criterion"])}
