from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from kpilib.config import load_config
from kpilib.data import load_dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def sample(config):
    return load_dataset(SAMPLE, config)


def write_tables(folder: Path, **tables: pd.DataFrame | list[dict]) -> Path:
    """Write small tables as CSV into `folder` (lists of dicts are accepted)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


def dataset_from(config, **tables: list[dict] | pd.DataFrame):
    """A validated Dataset built in memory from small tables (no files)."""
    from kpilib.data import REQUIRED, ROW, RawTable
    from kpilib.problems import Problems
    from kpilib.validation import validate_tables

    raw = {}
    for name in ("employees", "measures", "targets", "ratings"):
        rows = tables.get(name, [])
        frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
        if frame.empty:
            frame = pd.DataFrame({c: pd.Series(dtype="str") for c in REQUIRED[name]})
        frame = frame.astype(str)
        frame[ROW] = range(2, len(frame) + 2)
        raw[name] = RawTable(name, f"{name}.csv", frame)
    problems = Problems()
    dataset = validate_tables(raw, config, problems)
    problems.raise_if_errors()
    return dataset


@pytest.fixture
def params(tmp_path):
    """A copy of the default parameters (catalog.yaml, scheme.yaml) with an empty client `acme`."""
    root = load_config().files[0].parent
    for name in ("catalog.yaml", "scheme.yaml"):
        shutil.copy(root / name, tmp_path / name)
    (tmp_path / "clients" / "acme").mkdir(parents=True)
    return tmp_path
