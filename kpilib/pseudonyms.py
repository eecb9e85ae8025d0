"""Pseudonymised data: people as stable pseudonyms, so a pack can leave HR without names.

A person's pseudonym is `P` and the first 12 hex digits of HMAC-SHA256(key, employee_id),
upper case (`P3FA9C1D2E0B4`): the same person gets the same pseudonym in every pack made
with the same key, and without the key no one can tell who it is. The key is kept outside
the pack: a file (`--key-file`) or the environment variable `KPIREPORT_PSEUDONYM_KEY`; it is
never written under `--out`. `reveal` maps pseudonyms back for whoever holds the key.

`pseudonymise(dataset)` is applied at the data boundary, before scoring, so every page,
sheet and notebook follows: employee_id, name (the pseudonym too), manager_id of the
people (rows of kind `person`), employee_id and rater_id of ratings, employee_id of
measures and targets; rating notes (free text that may name someone) are blanked. Team
and department rows keep their ids (they name no one). A pack's notebooks receive the key
through `KPIREPORT_PSEUDONYMISE` (hex) in their kernel's environment (`from_kernel_env`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from kpilib.data import Dataset, read_tables
from kpilib.problems import Problems, UserError

KEY_ENV = "KPIREPORT_PSEUDONYM_KEY"  # the user's key (text)
KERNEL_ENV = "KPIREPORT_PSEUDONYMISE"  # set by the pack for its notebooks: the key in hex
MIN_KEY_BYTES = 16


@dataclass(frozen=True)
class Pseudonymiser:
    """Keyed pseudonyms (HMAC-SHA256); `fingerprint` tells keys apart without revealing them."""

    key: bytes

    def __repr__(self) -> str:  # the key never reaches a log or a traceback
        return f"Pseudonymiser(fingerprint={self.fingerprint})"

    def pseudonym(self, identifier: str) -> str:
        return "P" + hmac.new(self.key, str(identifier).encode(), hashlib.sha256).hexdigest()[:12].upper()

    @property
    def fingerprint(self) -> str:
        return hmac.new(self.key, b"kpireport fingerprint", hashlib.sha256).hexdigest()[:16]

    def kernel_env(self) -> dict[str, str]:
        return {KERNEL_ENV: self.key.hex()}


def load_key(key_file: Path | None, out_dir: Path | None = None) -> Pseudonymiser:
    """The key from `key_file`, else from `$KPIREPORT_PSEUDONYM_KEY`; a UserError when there is
    none, when it is shorter than 16 bytes, or when the file lies inside `out_dir` (the pack)."""
    if key_file is not None:
        path = Path(key_file)
        if out_dir is not None and path.resolve().is_relative_to(Path(out_dir).resolve()):
            raise UserError(f"--key-file {path}: the key lies inside --out {out_dir}; keep it outside the pack")
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise UserError(f"--key-file {path}: cannot read it ({exc.strerror or exc})") from None
        where = f"--key-file {path}"
    else:
        key = os.environ.get(KEY_ENV, "").strip().encode()
        where = f"${KEY_ENV}"
        if not key:
            raise UserError(f"pseudonyms need a key kept outside the pack: pass --key-file PATH or set {KEY_ENV} "
                            f"(at least {MIN_KEY_BYTES} characters, e.g. from `openssl rand -hex 32`)")
    if len(key) < MIN_KEY_BYTES:
        raise UserError(f"{where}: the key has {len(key)} bytes; use at least {MIN_KEY_BYTES} "
                        "(e.g. `openssl rand -hex 32`)")
    return Pseudonymiser(key)


def from_kernel_env() -> Pseudonymiser | None:
    """The pack's pseudonymiser in a notebook's kernel (None: not pseudonymised)."""
    value = os.environ.get(KERNEL_ENV)
    return Pseudonymiser(bytes.fromhex(value)) if value else None


def _mapped(column: pd.Series, table: dict[str, str]) -> pd.Series:
    """`column` with the values in `table` replaced (categories renamed, dtype kept)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.rename_categories(lambda c: table.get(c, c))
    return column.map(lambda v: table.get(v, v) if isinstance(v, str) else v)


def pseudonyms(dataset: Dataset, p: Pseudonymiser) -> dict[str, str]:
    """employee_id → pseudonym for every person of `dataset` and every rater; a UserError in the
    (2⁻⁴⁸-unlikely) case of two people sharing a pseudonym."""
    return _table(dataset.employees, dataset.ratings["rater_id"], p)


def _table(employees: pd.DataFrame, raters: pd.Series, p: Pseudonymiser) -> dict[str, str]:
    """employee_id → pseudonym of the people (kind `person`) of `employees` and of `raters` that
    are no team or department."""
    entities = set(employees.loc[employees["kind"] != "person", "employee_id"].astype(str))
    ids = set(employees.loc[employees["kind"] == "person", "employee_id"].astype(str))
    ids |= {str(v) for v in raters.dropna().unique() if str(v) and str(v) not in entities}
    table = {i: p.pseudonym(i) for i in sorted(ids)}
    if len(set(table.values())) != len(table):
        raise UserError("two people share a pseudonym under this key; use another key")
    return table


def pseudonymise(dataset: Dataset, p: Pseudonymiser) -> Dataset:
    """A copy of `dataset` whose people appear only as pseudonyms (see the module's docstring)."""
    table = pseudonyms(dataset, p)
    e = dataset.employees.copy()
    person = e["kind"] == "person"
    e["employee_id"] = _mapped(e["employee_id"], table)
    e["manager_id"] = _mapped(e["manager_id"], table)
    e["name"] = e["name"].astype(object).where(~person, e["employee_id"])
    frames = {name: getattr(dataset, name).copy() for name in ("measures", "targets", "ratings")}
    for frame in frames.values():
        frame["employee_id"] = _mapped(frame["employee_id"], table)
    r = frames["ratings"]
    r["rater_id"] = _mapped(r["rater_id"], table)
    if "note" in r.columns:
        r["note"] = r["note"].astype(object).where(r["note"].isna(), "")
    return replace(dataset, employees=e, **frames)


def roster(data_dir: Path | str) -> tuple[pd.DataFrame, pd.Series]:
    """The people of `data_dir` as `reveal` needs them, read without the catalogue or the other
    tables' checks: employees (employee_id, name, department, kind; ids compared as the
    validation does, `kpilib.validation.normal_id`) and the rater ids of the ratings table.
    A UserError names the file and column when the employees table or its ids are missing."""
    from kpilib.sources import shown
    from kpilib.validation import normal_id

    problems = Problems()
    raw, _ = read_tables(data_dir, problems, names=("employees", "ratings"))
    problems.raise_if_errors(f"data in {shown(data_dir)}")
    employees, ratings = raw["employees"], raw["ratings"]
    if "employee_id" not in employees.frame:
        raise UserError(f"{employees.label}: no employee_id column (the header row names the columns)")

    def text(frame: pd.DataFrame, column: str) -> pd.Series:
        values = frame[column] if column in frame else pd.Series("", index=frame.index)
        return values.fillna("").astype(str).map(normal_id)

    e = employees.frame
    people = pd.DataFrame({c: text(e, c) for c in ("employee_id", "name", "department", "kind")})
    people["kind"] = people["kind"].replace("", "person")
    return people[people["employee_id"] != ""], text(ratings.frame, "rater_id")


def reveal(employees: pd.DataFrame, raters: pd.Series, p: Pseudonymiser,
           wanted: list[str] | None = None) -> pd.DataFrame:
    """pseudonym, employee_id, name, department of the people of `employees` and `raters` (see
    `roster`; those of `wanted` only, in its order, when given: pseudonyms in any case,
    p3fa9c1d2e0b4 is P3FA9C1D2E0B4); a UserError naming pseudonyms no one in the data has."""
    table = _table(employees, raters, p)
    people = employees.assign(employee_id=employees["employee_id"].astype(str)).set_index("employee_id")
    out = pd.DataFrame({"pseudonym": list(table.values()), "employee_id": list(table)})
    out["name"] = out["employee_id"].map(people["name"]).fillna("")
    out["department"] = out["employee_id"].map(people["department"].astype(object)).fillna("")
    if wanted:
        wanted = [w.strip().upper() for w in wanted]
        unknown = [w for w in wanted if w not in set(out["pseudonym"])]
        if unknown:
            raise UserError(f"no one in the data has the pseudonym(s) {', '.join(unknown)} under this key "
                            "(another key, or other data?)")
        out = out.set_index("pseudonym").loc[wanted].reset_index()
    return out.sort_values("pseudonym", kind="stable").reset_index(drop=True) if not wanted else out
