"""Regenerate the corpus of broken inputs under tests/data/bad/ (committed; run by hand).

Each case is a folder holding a small data set with one mistake and `expected.json`
naming the file, row (Excel numbering, header = row 1), column and a part of the
message `kpireport validate` must print. `python tests/data/make_bad.py` rewrites them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

HERE = Path(__file__).parent / "bad"

EMPLOYEES = pd.DataFrame([
    ["E1", "王伟", "sales", "华东", "2020-01-01", "s1", "management", "", ""],
    ["E2", "李娜", "sales", "华东", "2021-03-15", "s1", "execution", "E1", ""],
    ["E3", "张敏", "marketing", "华南", "2019-06-01", "m1", "execution", "", ""],
    ["E4", "刘洋", "sales", "华北", "2022-02-01", "s1", "execution", "E1", ""],
], columns=["employee_id", "name", "department", "region", "hire_date", "team", "role_layer", "manager_id", "exit_date"])


def _measures() -> pd.DataFrame:
    rows = []
    for month in ("2025-07", "2025-08", "2025-09"):
        for emp in ("E1", "E2", "E4"):
            rows.append([month, emp, "sales", "1500000"])
            rows.append([month, emp, "new_customers", "6"])
        rows.append([month, "E3", "campaign_conversions", "30"])
        rows.append([month, "E3", "campaign_participants", "250"])
    return pd.DataFrame(rows, columns=["period", "employee_id", "measure", "value"])


TARGETS = pd.DataFrame([["2025Q3", "E2", "sales_amount", "5000000"], ["2025Q3", "E4", "new_customers", "20"]],
                       columns=["period", "employee_id", "kpi", "target"])
RATINGS = pd.DataFrame([["2025Q3", "E2", "supervisor", "E1", "collaboration", "4"],
                        ["2025Q3", "E2", "self", "E2", "collaboration", "5"]],
                       columns=["period", "employee_id", "rater_type", "rater_id", "criterion", "score"])


def base() -> dict[str, pd.DataFrame]:
    return {"employees": EMPLOYEES.copy(), "measures": _measures(), "targets": TARGETS.copy(),
            "ratings": RATINGS.copy()}


def set_cell(table: str, index: int, column: str, value: str):
    def change(t):
        t[table].loc[index, column] = value
    return change


def append_copy(table: str, index: int):
    def change(t):
        t[table] = pd.concat([t[table], t[table].iloc[[index]]], ignore_index=True)
    return change


# name: (change, file, row, column, message part). Row = DataFrame index + 2.
CASES = {
    "employees_missing_column": (lambda t: t.__setitem__("employees", t["employees"].drop(columns="region")),
                                 "employees.csv", 1, "region", "required"),
    "employees_bad_hire_date": (set_cell("employees", 1, "hire_date", "2024/13/01"),
                                "employees.csv", 3, "hire_date", "YYYY-MM-DD"),
    "employees_empty_id": (set_cell("employees", 2, "employee_id", ""), "employees.csv", 4, "employee_id", "empty"),
    "employees_duplicate_id": (append_copy("employees", 1), "employees.csv", 6, "employee_id", "repeats row 3"),
    "employees_unknown_department": (set_cell("employees", 3, "department", "salez"),
                                     "employees.csv", 5, "department", "department id"),
    "employees_bad_role_layer": (set_cell("employees", 1, "role_layer", "boss"), "employees.csv", 3, "role_layer", "management"),
    "employees_unknown_manager": (set_cell("employees", 3, "manager_id", "E9"), "employees.csv", 5, "manager_id", "employee_id"),
    "employees_department_name_not_id": (set_cell("employees", 1, "department", "销售部"),
                                         "employees.csv", 3, "department", "not its name"),
    "employees_exit_before_hire": (set_cell("employees", 1, "exit_date", "2020-01-01"),
                                   "employees.csv", 3, "exit_date", "on or after hire_date"),
    "measures_bad_month": (set_cell("measures", 4, "period", "2025-13"), "measures.csv", 6, "period", "YYYY-MM"),
    "measures_quarter_period": (set_cell("measures", 0, "period", "2025Q3"), "measures.csv", 2, "period", "YYYY-MM"),
    "measures_unknown_employee": (set_cell("measures", 2, "employee_id", "E99"), "measures.csv", 4, "employee_id", "listed in employees"),
    "measures_unknown_measure": (set_cell("measures", 3, "measure", "salse"), "measures.csv", 5, "measure", "declared in the catalogue"),
    "measures_not_a_number": (set_cell("measures", 5, "value", "abc"), "measures.csv", 7, "value", "a number"),
    "measures_empty_value": (set_cell("measures", 6, "value", ""), "measures.csv", 8, "value", "empty"),
    "measures_negative_count": (set_cell("measures", 1, "value", "-3"), "measures.csv", 3, "value", "≥ 0"),
    "measures_duplicate_row": (append_copy("measures", 0), "measures.csv", 26, "measure", "repeats row 2"),
    "measures_missing_month": (lambda t: t.__setitem__("measures", t["measures"][t["measures"]["period"] != "2025-08"]),
                               "measures.csv", None, "period", "month 2025-08 has none"),
    "measures_after_exit": (set_cell("employees", 3, "exit_date", "2025-07-20"), "measures.csv", 14, "period", "after leaving"),
    "measures_before_hire": (set_cell("employees", 3, "hire_date", "2025-08-03"), "measures.csv", 6, "period", "before joining"),
    "measures_percent_typo": (lambda t: (set_cell("measures", 6, "measure", "market_share")(t),
                                         set_cell("measures", 6, "value", "95.6")(t)),
                              "measures.csv", 8, "value", "a percent"),
    "targets_percent_typo": (lambda t: (set_cell("targets", 1, "kpi", "renewal_rate")(t),
                                        set_cell("targets", 1, "target", "85")(t)),
                             "targets.csv", 3, "target", "a percent"),
    "targets_baseline_percent_typo": (lambda t: (set_cell("targets", 1, "kpi", "renewal_rate")(t),
                                                 set_cell("targets", 1, "target", "0.85")(t),
                                                 t["targets"].__setitem__("baseline", ["", "80"])),
                                      "targets.csv", 3, "baseline", "a percent"),
    "targets_decimal_comma": (set_cell("targets", 1, "target", "2,5"), "targets.csv", 3, "target", "ambiguous decimal comma"),
    "ratings_score_as_word": (set_cell("ratings", 0, "score", "excellent"), "ratings.csv", 2, "score", "a number"),
    "ratings_bad_month": (set_cell("ratings", 1, "period", "2025-13"), "ratings.csv", 3, "period", "YYYY-MM"),
    "employees_impossible_exit_date": (set_cell("employees", 2, "exit_date", "2025-02-30"),
                                       "employees.csv", 4, "exit_date", "YYYY-MM-DD"),
    "targets_zero": (set_cell("targets", 0, "target", "0"), "targets.csv", 2, "target", "other than 0"),
    "targets_unknown_kpi": (set_cell("targets", 1, "kpi", "sales_amout"), "targets.csv", 3, "kpi", "quantitative KPI"),
    "targets_bad_period": (set_cell("targets", 0, "period", "2025Q5"), "targets.csv", 2, "period", "YYYYQn"),
    "targets_duplicate": (append_copy("targets", 1), "targets.csv", 4, "kpi", "repeats row 3"),
    "targets_negative_count": (set_cell("targets", 1, "target", "-20"), "targets.csv", 3, "target", "≥ 0"),
    "ratings_score_out_of_range": (set_cell("ratings", 0, "score", "6"), "ratings.csv", 2, "score", "from 1 to 5"),
    "ratings_bad_rater_type": (set_cell("ratings", 1, "rater_type", "boss"), "ratings.csv", 3, "rater_type", "supervisor"),
    "ratings_unknown_criterion": (set_cell("ratings", 0, "criterion", "teamwork"), "ratings.csv", 2, "criterion", "qualitative KPI"),
    "ratings_half_year_period": (set_cell("ratings", 0, "period", "2025H2"), "ratings.csv", 2, "period", "YYYYQn"),
    "ratings_duplicate": (append_copy("ratings", 0), "ratings.csv", 4, "criterion", "repeats row 2"),
    "ratings_unknown_employee": (set_cell("ratings", 1, "employee_id", "E7"), "ratings.csv", 3, "employee_id", "listed in employees"),
    "measures_infinite": (set_cell("measures", 0, "value", "inf"), "measures.csv", 2, "value", "a finite number"),
    "measures_overflowing": (set_cell("measures", 2, "value", "1e308"), "measures.csv", 4, "value", "a finite number"),
    "measures_decimal_comma": (set_cell("measures", 1, "value", "1,5"), "measures.csv", 3, "value", "ambiguous decimal comma"),
    "measures_comma_groups_of_two": (set_cell("measures", 0, "value", "12,34"), "measures.csv", 2, "value",
                                     "ambiguous decimal comma"),
    "measures_markup_in_cell": (set_cell("measures", 3, "value", "[/]"), "measures.csv", 5, "value", "a number"),
    "measures_id_in_lower_case": (set_cell("measures", 2, "employee_id", "e2"), "measures.csv", 4, "employee_id",
                                  "did you mean E2?"),
    "targets_infinite": (set_cell("targets", 0, "target", "Infinity"), "targets.csv", 2, "target", "a finite number"),
    "ratings_infinite": (set_cell("ratings", 0, "score", "-inf"), "ratings.csv", 2, "score", "a finite number"),
    "employees_full_width_id_collides": (
        lambda t: t.__setitem__("employees", pd.concat([t["employees"], t["employees"].iloc[[1]].assign(
            employee_id="Ｅ２")], ignore_index=True)), "employees.csv", 6, "employee_id", "distinct from 'E2' in row 3"),
    "ratings_unknown_rater": (set_cell("ratings", 0, "rater_id", "E77"), "ratings.csv", 2, "rater_id", "listed in employees"),
    "ratings_self_rated_by_another": (set_cell("ratings", 1, "rater_id", "E1"), "ratings.csv", 3, "rater_id",
                                      "the rated person's own employee_id"),
}


def to_workbook(f: Path, extra: dict[str, str] | None = None) -> None:
    """Move the folder's CSV tables into workbook `f` (sheet `extra[name]` repeats table `name`)."""
    with pd.ExcelWriter(f) as xl:
        for csv in sorted(f.parent.glob("*.csv")):
            frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
            frame.to_excel(xl, sheet_name=csv.stem, index=False)
            if csv.stem in (extra or {}):
                frame.to_excel(xl, sheet_name=extra[csv.stem], index=False)
            csv.unlink()


def write(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8", lineterminator="\n")


def main() -> None:
    if HERE.exists():
        shutil.rmtree(HERE)
    for name, (change, file, row, column, message) in CASES.items():
        tables = base()
        change(tables)
        write(HERE / name, tables)
        (HERE / name / "expected.json").write_text(json.dumps(
            {"file": file, "row": row, "column": column, "message": message}, ensure_ascii=False, indent=1) + "\n")
    # cases that are about the files themselves
    special = {
        "file_not_utf8_or_gb18030": ("measures.csv", lambda f: f.write_bytes(b"period,employee_id\n\x80\xff\xfe\n"),
                                     None, None, "UTF-8 or GB18030"),
        "file_malformed_csv": ("measures.csv", lambda f: f.write_text('period,employee_id,measure,value\n"2025-07,E1,sales,1\n',
                                                                     encoding="utf-8"), None, None, "well-formed CSV"),
        "file_missing_employees": ("employees.csv", lambda f: f.unlink(), None, None, "the employees table"),
        "file_two_workbooks": ("a.xlsx", lambda f: (f.write_bytes(b""), (f.parent / "b.xlsx").write_bytes(b"")),
                               None, None, "at most one .xlsx"),
        "wide_measures_bad_cell": ("measures.csv", lambda f: f.write_text(
            "period,employee_id,sales,new_customers\n2025-07,E1,1500000,6\n2025-07,E2,n/a,5\n", encoding="utf-8"),
            3, "sales", "a number"),
        "wide_measures_percent_typo": ("measures.csv", lambda f: f.write_text(
            "period,employee_id,sales,market_share\n2025-07,E1,1500000,0.12\n2025-07,E3,,95.6\n", encoding="utf-8"),
            3, "market_share", "a percent"),
        "wide_measures_unknown_column": ("measures.csv", lambda f: f.write_text(
            "period,employee_id,sales,driver_days\n2025-07,E1,1500000,20\n2025-07,E2,1400000,21\n", encoding="utf-8"),
            1, "driver_days", "a measure declared"),
        "wide_measures_unknown_employee_once": ("measures.csv", lambda f: f.write_text(
            "period,employee_id,sales,new_customers\n2025-07,E1,1500000,6\n2025-07,E9,1,5\n", encoding="utf-8"),
            3, "employee_id", "listed in employees"),
        "file_header_only": ("measures.csv", lambda f: f.write_text("period,employee_id,measure,value\n", encoding="utf-8"),
                             2, None, "at least one row"),
        "file_utf16_without_bom": ("measures.csv", lambda f: f.write_bytes(f.read_text(encoding="utf-8").encode("utf-16-le")),
                                   None, None, "UTF-16 is not supported"),
        "file_blank_lines_keep_row_numbers": ("measures.csv", lambda f: f.write_text(
            "period,employee_id,measure,value\n\n,,,\n2025-07,E1,sales,n/a\n", encoding="utf-8"), 4, "value", "a number"),
        "file_csv_and_parquet": ("measures.csv", lambda f: pd.read_csv(f).to_parquet(f.with_suffix(".parquet")),
                                 None, None, "one file per table"),
        "file_workbook_beside_csv": ("kpi.xlsx", lambda f: pd.DataFrame({"a": [1]}).to_excel(f, sheet_name="notes"),
                                     None, None, "either one workbook or CSV/Parquet tables"),
        "parquet_boolean_value": ("measures.csv", lambda f: (
            pd.read_csv(f, dtype=str).assign(value=lambda m: m["value"].astype(float) > 100).to_parquet(
                f.with_suffix(".parquet")), f.unlink()), 2, "value", "a number, not true/false"),
        "workbook_two_measures_sheets": ("kpi.xlsx", lambda f: to_workbook(f, {"measures": "Measures (2)"}),
                                         None, None, "one sheet for the measures table"),
    }
    for name, (file, mutate, row, column, message) in special.items():
        write(HERE / name, base())
        mutate(HERE / name / file)
        folder_level = name in ("file_two_workbooks", "file_workbook_beside_csv", "file_csv_and_parquet")
        shown = name if folder_level else {"parquet_boolean_value": "measures.parquet"}.get(name, file)
        (HERE / name / "expected.json").write_text(json.dumps(
            {"file": shown, "row": row, "column": column, "message": message}, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
