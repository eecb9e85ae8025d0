"""Database sources (kpilib.sources): SQLite and a real PostgreSQL server give exactly the
scores of the CSV files; each connection problem is one message without the password."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpilib.cli import app
from kpilib.data import TABLES, check_dataset, input_hashes, load_dataset
from kpilib.scoring import score
from kpilib.sources import INPUTS_ENV, PASSWORD_ENV, kernel_env, pinned, shown
from kpilib.workbench import resolve_period
from tests.conftest import SAMPLE

PG_PASSWORD = "s3cret-Pw"
DATES = {"employees": ("hire_date", "exit_date")}
NUMBERS = {"measures": ("value",), "targets": ("target", "baseline", "challenge"), "ratings": ("score",)}


def typed_tables(folder: Path, month_as_date: bool = False) -> dict[str, pd.DataFrame]:
    """The CSV tables with typed columns, as an HR database holds them: dates as dates,
    numbers as floats, blanks as NULL (measures' month as its first day when `month_as_date`)."""
    tables = {}
    for name in TABLES:
        frame = pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
        frame = frame.astype(object).where(frame != "", None)
        for col in DATES.get(name, ()):
            frame[col] = pd.to_datetime(frame[col], format="%Y-%m-%d").dt.date.astype(object).where(frame[col].notna(), None)
        for col in NUMBERS.get(name, ()):
            if col in frame:
                frame[col] = pd.to_numeric(frame[col])
        if name == "measures" and month_as_date:
            frame["period"] = pd.to_datetime(frame["period"] + "-01").dt.date
        tables[name] = frame
    return tables


def write_database(url: str, tables: dict[str, pd.DataFrame], names: dict[str, str] | None = None) -> None:
    from sqlalchemy import Date, Float, Text, create_engine

    engine = create_engine(url)
    with engine.begin() as conn:
        for name, frame in tables.items():
            types = {c: Date() if c in DATES.get(name, ()) or (c == "period" and not isinstance(frame[c].iloc[0], str))
                     else Float() if c in NUMBERS.get(name, ()) else Text() for c in frame.columns}
            frame.to_sql((names or {}).get(name, name), conn, index=False, if_exists="replace", dtype=types)
    engine.dispose()


@pytest.fixture(scope="session")
def csv_scores(config, sample):
    span = resolve_period(sample.months, None)
    return span, score(sample, config, span)


@pytest.fixture(scope="session")
def typed():
    return typed_tables(SAMPLE)


@pytest.fixture(scope="session")
def small(typed):
    """A few rows of each table: enough for the tests of problems."""
    return {name: frame.head(20).copy() for name, frame in typed.items()}


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("db") / "hr.db"
    url = f"sqlite:///{path}"
    write_database(url, typed_tables(SAMPLE, month_as_date=True))
    return url


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster on a unix socket in a temp dir (as `nobody` when run as
    root), with user kpi (password PG_PASSWORD) and database hr; stopped and removed after."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL server binaries absent (/usr/lib/postgresql/*/bin/initdb): "
                    "run scripts/system-deps.sh")
    root = Path(tempfile.mkdtemp(prefix="kpipg-"))
    as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(root, "nobody")
    data, pwfile = root / "data", root / "pw"
    pwfile.write_text(PG_PASSWORD)
    if as_user:
        shutil.chown(pwfile, "nobody")

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True, cwd=root)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "kpi", f"--pwfile={pwfile}", "--auth=scram-sha-256",
        "--no-locale", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
        f"-k {root} -c listen_addresses='' -c fsync=off", "start")
    try:
        url = f"postgresql+psycopg://kpi:{PG_PASSWORD}@/postgres?host={root}"
        from sqlalchemy import create_engine, text

        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE hr"))
        engine.dispose()
        yield {"url": f"postgresql+psycopg://kpi:{PG_PASSWORD}@/hr?host={root}", "socket": root}
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(postgres, typed):
    write_database(postgres["url"], typed)
    return postgres["url"]


def _same_scores(url: str, config, csv_scores) -> None:
    span, expected = csv_scores
    dataset = load_dataset(url, config)
    got = score(dataset, config, span)
    pd.testing.assert_frame_equal(got.sheet, expected.sheet)
    pd.testing.assert_frame_equal(got.lines, expected.lines)
    assert len(got.sheet) > 250


def test_sqlite_gives_exactly_the_csv_scores(sqlite_url, config, csv_scores):
    _same_scores(sqlite_url, config, csv_scores)


def test_postgresql_gives_exactly_the_csv_scores(pg_url, config, csv_scores):
    _same_scores(pg_url, config, csv_scores)


def test_sources_yaml_maps_tables_views_and_queries(tmp_path, config, csv_scores, typed):
    url = f"sqlite:///{tmp_path / 'hris.db'}"
    write_database(url, typed, names={"employees": "staff", "measures": "kpi_facts", "targets": "goals",
                                       "ratings": "reviews"})
    (tmp_path / "sources.yaml").write_text(
        f"url: {url}\ntables:\n  employees: staff\n  measures: |\n    SELECT period, employee_id, measure, value\n"
        "    FROM kpi_facts\n  targets: goals\n  ratings: reviews\n", encoding="utf-8")
    _same_scores(str(tmp_path / "sources.yaml"), config, csv_scores)


def test_typed_columns_are_read_as_such(sqlite_url, config):
    dataset = load_dataset(sqlite_url, config)
    assert str(dataset.employees["hire_date"].dtype).startswith("datetime64")
    assert str(dataset.measures["period"].dtype) == "period[M]"
    assert dataset.measures["value"].dtype == float


def test_input_hash_follows_the_database_content(tmp_path, small):
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    tables = {name: frame.copy() for name, frame in small.items()}
    write_database(url, tables)
    before = input_hashes(url)
    assert set(before) == {f"{url} table {name}" for name in TABLES}
    assert input_hashes(url) == before
    tables["measures"].loc[0, "value"] += 1
    write_database(url, {"measures": tables["measures"]})
    after = input_hashes(url)
    assert after[f"{url} table measures"] != before[f"{url} table measures"]
    assert after[f"{url} table employees"] == before[f"{url} table employees"]


def _errors(spec, config) -> list[str]:
    dataset, problems = check_dataset(spec, config)
    assert dataset is None
    return [str(p) for p in problems.errors]


def test_missing_database_file_table_and_column(tmp_path, config, small):
    assert _errors(f"sqlite:///{tmp_path / 'none.db'}", config) == [
        f"error: sqlite:///{tmp_path / 'none.db'}: an SQLite database file; {tmp_path / 'none.db'} does not exist"]
    assert not (tmp_path / "none.db").exists()  # not created by trying
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    tables = small
    write_database(url, {"measures": tables["measures"]})
    assert _errors(url, config) == [f"error: {url}: a table or view named employees (or one mapped to it in "
                                    "sources.yaml)"]
    write_database(url, {"employees": tables["employees"].drop(columns="region")})
    errors = _errors(url, config)
    assert errors == [f"error: {url} table employees, row 1, column region: a column named 'region' (required)"]


def test_query_that_fails_names_the_table(tmp_path, config, small):
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    write_database(url, small)
    (tmp_path / "sources.yaml").write_text(f"url: {url}\ntables:\n  measures: SELECT nope FROM measures\n")
    errors = _errors(tmp_path / "sources.yaml", config)
    assert len(errors) == 1 and errors[0].startswith("error: sources.yaml: measures query: a query the database can run")
    assert "nope" in errors[0]


def test_a_mapped_table_that_is_absent_is_one_error(tmp_path, config, small):
    url = f"sqlite:///{tmp_path / 'hr.db'}"
    write_database(url, small)
    (tmp_path / "sources.yaml").write_text(f"url: {url}\ntables:\n  employees: hris.staff\n")
    assert _errors(tmp_path / "sources.yaml", config) == [
        f"error: sources.yaml, column employees: a table or view named hris.staff for employees; the database "
        f"{url} has none"]


def test_bad_url_and_missing_driver(config):
    assert "a SQLAlchemy URL" in _errors("postgresql://kpi:pw@host:notaport/hr", config)[0]
    error = _errors("nosuchdialect://kpi:pw@host/hr", config)[0]
    assert "a database driver" in error and "pw" not in error.replace("kpi@host", "")


def test_wrong_password_and_no_server_one_message_no_password(postgres, config):
    socket = postgres["socket"]
    wrong = f"postgresql+psycopg://kpi:Wrong-Pw-123@/hr?host={socket}"
    errors = _errors(wrong, config)
    assert errors == [f"error: {shown(wrong)}: a user and password the database {shown(wrong)} accepts; "
                      "it refused them"]
    assert shown(wrong) == f"postgresql+psycopg://kpi@/hr?host={str(socket).replace('/', '%2F')}"
    empty = Path(tempfile.mkdtemp(prefix="kpi-nopg-"))
    try:
        errors = _errors(f"postgresql+psycopg://kpi:{PG_PASSWORD}@/hr?host={empty}", config)
    finally:
        empty.rmdir()
    assert len(errors) == 1 and "a database server answering at" in errors[0]
    assert PG_PASSWORD not in errors[0] and "Wrong-Pw" not in errors[0]


def test_cli_validate_reads_a_url_without_printing_the_password(pg_url):
    result = CliRunner().invoke(app, ["validate", "--data", pg_url])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output and PG_PASSWORD not in result.output
    bad = CliRunner().invoke(app, ["validate", "--data", pg_url.replace(PG_PASSWORD, "Wrong-Pw-123")])
    assert bad.exit_code == 1 and "refused them" in bad.output and "Wrong-Pw-123" not in bad.output


def test_pack_notebooks_get_the_url_without_its_password(pg_url, monkeypatch):
    assert PG_PASSWORD not in shown(pg_url) and shown(pg_url).startswith("postgresql+psycopg://kpi@/hr")
    assert kernel_env(pg_url) == {PASSWORD_ENV: PG_PASSWORD}
    env = kernel_env(pg_url, {"t": "abc"})
    assert PG_PASSWORD not in env[INPUTS_ENV]
    monkeypatch.setenv(INPUTS_ENV, env[INPUTS_ENV])
    assert pinned(shown(pg_url)) == {"t": "abc"}  # the notebooks' cache key: the snapshot the pack read
    assert pinned("sqlite:///other.db") is None


def test_password_from_the_environment(pg_url, config, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, PG_PASSWORD)
    dataset = load_dataset(shown(pg_url), config)
    assert len(dataset.people()) > 250


@pytest.mark.slow
def test_pack_from_postgresql_writes_no_password(pg_url, tmp_path):
    """The notebooks read the database through the URL without its password (given to their
    kernels in the environment); nothing written under --out holds the password."""
    import json

    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["pack", "--data", pg_url, "--out", str(out), "--departments", "sales",
                                      "--sections", "overview", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "2026Q3" / "manifest.json").read_text(encoding="utf-8"))
    assert {d["status"] for d in manifest["documents"]} == {"ok"}
    assert {d["parameters"]["data_dir"] for d in manifest["documents"]} == {shown(pg_url)}
    assert all(key.endswith(("table employees", "table measures", "table targets", "table ratings"))
               for key in manifest["inputs"])
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and not [p for p in written if PG_PASSWORD.encode() in p.read_bytes()]


def test_retail_from_a_database_scores_as_its_workbook(tmp_path):
    """Northwind Retail (short history, missing targets, small departments): its workbook's
    sheets copied into SQLite as text give the same scoring sheet and the same warnings."""
    from kpilib.config import load_config
    from kpilib.data import ROW, read_tables
    from kpilib.problems import Problems

    retail = Path(__file__).parent / "data" / "retail" / "retail.xlsx"
    config = load_config("retail")
    url = f"sqlite:///{tmp_path / 'retail.db'}"
    raw, _ = read_tables(retail, Problems())
    from sqlalchemy import create_engine

    engine = create_engine(url)
    for name, table in raw.items():
        table.frame.drop(columns=ROW).astype(str).to_sql(name, engine, index=False)  # every column TEXT
    engine.dispose()
    books, bases = load_dataset(retail, config), load_dataset(url, config)
    span = resolve_period(books.months, None)
    got, expected = score(bases, config, span), score(books, config, span)
    pd.testing.assert_frame_equal(got.sheet, expected.sheet)
    assert [p.expected for p in got.problems.items] == [p.expected for p in expected.problems.items]
