"""Database sources: `--data` as a SQLAlchemy URL or a `sources.yaml` (README "Your data").

A URL (`sqlite:///hr.db`, `postgresql://hr@db.example.com/hr`, any dialect with an installed
driver) reads the tables or views named `employees`, `measures`, `targets`, `ratings` and
`controls` (the last three optional). A `sources.yaml` names the URL and maps any table to
another table, a view or a SQL query:

    url: postgresql://hr@db.example.com/hr
    password_env: HR_DB_PASSWORD     # optional: the password, from this environment variable
    tables:
      employees: hris.staff          # schema.table or a view
      measures: SELECT period, employee_id, measure, value FROM kpi_facts

Typed columns come back typed (dates, numerics) and are handed to validation as the file
readers hand theirs: dates and timestamps as YYYY-MM-DD text, DECIMAL as float, text
stripped; a table's `_row` is its row in the result plus one (header = row 1), so the
same checks and the same scores follow. A table (not a query) is read sorted by its key
(`ORDER`): a database keeps no row order. A table's input hash is the sha256 of the frame
read (column names, dtypes and every value), so the cache follows the database's content.
Connection problems are one message each; the URL's password is never shown (`shown`).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd

from kpilib.problems import Problems

SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
PASSWORD_ENV = "KPIREPORT_DB_PASSWORD"  # how a pack hands a URL's password to its notebooks
INPUTS_ENV = "KPIREPORT_DB_INPUTS"  # ... and the input hashes of the tables it read
QUERY = re.compile(r"^\s*(select|with)\b", re.IGNORECASE)
# a table has no row order: it is read sorted by these columns (those it has), so rows, their
# numbers in problems and the input hash do not change with the database's physical order
ORDER = {"employees": ("employee_id",), "measures": ("period", "employee_id", "measure"),
         "targets": ("period", "employee_id", "kpi"),
         "ratings": ("period", "employee_id", "rater_type", "rater_id", "criterion"),
         "controls": ("period", "measure", "department")}


def is_database(spec: object) -> bool:
    """Whether `--data` names a database: a URL, or a `.yaml` sources file."""
    text = str(spec)
    return bool(SCHEME.match(text)) or (text.lower().endswith((".yaml", ".yml")) and Path(text).is_file())


def locate(spec: str | Path | None, default: Path) -> str | Path:
    """`--data` as given: a URL stays text (a Path would fold its `//`), anything else is a Path."""
    if spec is None or spec == "":
        return default
    return str(spec) if SCHEME.match(str(spec)) else Path(spec)


def shown(spec: str | Path) -> str:
    """How `spec` may be written down (problems, manifests, notebook parameters): no password."""
    if not SCHEME.match(str(spec)):
        return str(spec)
    from sqlalchemy.engine import URL, make_url

    try:
        url = make_url(str(spec))
        return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                          url.query).render_as_string(hide_password=False)
    except Exception:  # an unparsable URL (ArgumentError, ValueError of a port): cut the password out
        return re.sub(r"(://[^/:@]*):[^@]*@", r"\1@", str(spec))


def kernel_env(spec: str | Path, hashes: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a pack's notebooks, which get `shown(spec)`: the URL's password, if any,
    and the input hashes of the tables the pack read (`pinned`)."""
    if not is_database(spec):
        return {}
    env = {INPUTS_ENV: json.dumps({"source": shown(spec), "inputs": hashes})} if hashes else {}
    if not SCHEME.match(str(spec)):
        return env
    from sqlalchemy.engine import make_url

    try:
        password = make_url(str(spec)).password
    except Exception:  # an unparsable URL: reading it will say so
        return env
    return {**env, PASSWORD_ENV: str(password)} if password else env


def pinned(spec: str | Path) -> dict[str, str] | None:
    """The input hashes a pack pinned for its notebooks (`kernel_env`) when they are of `spec`:
    a pack's documents then share the scoring of the snapshot the pack read, and each
    notebook is spared reading the database again to find its cache key."""
    try:
        body = json.loads(os.environ.get(INPUTS_ENV, "null"))
    except ValueError:
        return None
    if isinstance(body, dict) and body.get("source") == shown(spec) and isinstance(body.get("inputs"), dict):
        return body["inputs"]
    return None


def read_database(spec: str | Path, names: tuple[str, ...], problems: Problems
                  ) -> tuple[dict[str, tuple[str, pd.DataFrame | None]], dict[str, str]]:
    """Table name → (label, frame; None when reading it failed) of every table found, and
    label → sha256 of its frame.

    Tables not found are left out (the caller knows which are required); every problem
    (unreadable sources file, bad URL, missing driver, no server, refused login, a query
    that fails) is one error in `problems`."""
    from sqlalchemy import MetaData, Table, create_engine, inspect, select, text
    from sqlalchemy.exc import SQLAlchemyError

    where, url, mapping, password_env = _source(spec, problems)
    if url is None:
        return {}, {}
    label = shown(url)
    try:
        engine = create_engine(url)
    except Exception as exc:  # ArgumentError, NoSuchModuleError, ImportError of a driver
        problems.error(where, _why_not(exc, url))
        return {}, {}
    if password_env and os.environ.get(password_env):
        engine = create_engine(engine.url.set(password=os.environ[password_env]))
    elif not engine.url.password and os.environ.get(PASSWORD_ENV) and engine.url.username:
        engine = create_engine(engine.url.set(password=os.environ[PASSWORD_ENV]))
    url = engine.url.render_as_string(hide_password=False)  # messages hide the password, wherever it came from
    if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (None, "", ":memory:") \
            and not Path(engine.url.database).is_file():
        problems.error(where, f"an SQLite database file; {engine.url.database} does not exist")
        return {}, {}
    found: dict[str, tuple[str, pd.DataFrame | None]] = {}
    hashes: dict[str, str] = {}
    try:
        conn = engine.connect()
    except SQLAlchemyError as exc:
        problems.error(where, _why_not(exc, url))
        engine.dispose()
        return {}, {}
    with conn:
        inspector = inspect(conn)
        for name in names:
            source = mapping.get(name, name)
            schema, _, table = source.rpartition(".")
            query = bool(QUERY.match(source))
            table_label = f"{where}: {name} query" if query else f"{label} table {source}"
            try:
                if query:
                    frame = pd.read_sql_query(text(source), conn)
                elif _exists(inspector, table, schema or None):
                    found_table = Table(table, MetaData(), autoload_with=conn, schema=schema or None)
                    keys = [found_table.c[k] for k in ORDER.get(name, ()) if k in found_table.c]
                    frame = pd.read_sql_query(select(found_table).order_by(*keys), conn)
                else:
                    if name in mapping:
                        problems.error(where, f"a table or view named {source} for {name}; the database "
                                       f"{label} has none", column=name)
                        found[name] = (where, None)  # named, and absent: said once
                    continue
            except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
                problems.error(table_label, f"a {'query' if query else 'table'} the database can run "
                               f"({_detail(exc, url)[:300]})")
                conn.rollback()
                found[name] = (table_label, None)  # read, and failed: not missing
                continue
            typed = _as_read(frame)
            found[name] = (table_label, typed)
            hashes[table_label] = frame_digest(typed)
    engine.dispose()
    return found, hashes


def frame_digest(frame: pd.DataFrame) -> str:
    """sha256 of a frame's column names, dtypes and values (row order included)."""
    digest = hashlib.sha256(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    digest.update(pd.util.hash_pandas_object(frame.astype(object), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _source(spec: str | Path, problems: Problems) -> tuple[str, str | None, dict[str, str], str | None]:
    """(where problems point, URL, table → table or query, password variable) of `spec`."""
    if SCHEME.match(str(spec)):
        return shown(spec), str(spec), {}, None
    from kpilib.yamlfile import read_yaml

    path = Path(spec)
    body = read_yaml(path, problems)
    if problems.errors:
        return path.name, None, {}, None
    url, tables = body.get("url"), body.get("tables") or {}
    if not isinstance(url, str) or not SCHEME.match(url):
        problems.error(path.name, "url: a SQLAlchemy URL such as sqlite:///hr.db or postgresql://user@host/db",
                       column="url", value=None if url is None else shown(str(url)))
        return path.name, None, {}, None
    if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
        problems.error(path.name, "tables: a mapping of table name to a table, view or SQL query", column="tables")
        return path.name, None, {}, None
    return path.name, url, {str(k).strip().lower(): v.strip() for k, v in tables.items()}, body.get("password_env")


def _exists(inspector, table: str, schema: str | None) -> bool:
    """Whether the table or view is there (an unknown schema: it is not)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return table in inspector.get_table_names(schema=schema) or table in inspector.get_view_names(schema=schema)
    except SQLAlchemyError:
        inspector.bind.rollback()
        return False


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A query result as the validation reads files: dates as YYYY-MM-DD, DECIMAL as float, text stripped."""
    out = {}
    for col, s in frame.items():
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d").astype(object).where(s.notna(), "")
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = s.dropna()
            first = sample.iloc[0] if len(sample) else None
            if isinstance(first, dt.date):
                s = s.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, dt.date) else "")
            elif isinstance(first, decimal.Decimal):
                s = s.map(lambda v: float(v) if v is not None else float("nan")).astype(float)
            elif isinstance(first, str):
                s = s.map(lambda v: v.strip() if isinstance(v, str) else "" if v is None else v)
        out[str(col)] = s
    return pd.DataFrame(out, index=frame.index)


def _detail(exc: Exception, url: str) -> str:
    """The driver's message on one line, the URL's password (if it shows) as ***."""
    from sqlalchemy.engine import make_url

    cause = getattr(exc, "orig", None) or exc
    detail = " ".join(str(cause).split())
    try:
        password = make_url(url).password
    except Exception:  # an unparsable URL has no password to hide
        password = None
    return detail.replace(str(password), "***") if password else detail


def _why_not(exc: Exception, url: str) -> str:
    """One line saying why the database cannot be read, without the URL's password."""
    detail = _detail(exc, url)
    low = detail.lower()
    target = shown(url)
    if type(exc).__name__ in ("ArgumentError", "ValueError"):
        return f"a SQLAlchemy URL such as sqlite:///hr.db or postgresql://user@host/db ({detail})"
    if type(exc).__name__ in ("NoSuchModuleError", "ModuleNotFoundError", "ImportError"):
        return f"a database driver for {target} installed in this Python ({detail})"
    if "password authentication failed" in low or "access denied" in low or "authentication failed" in low:
        return f"a user and password the database {target} accepts; it refused them"
    if "connection refused" in low or "no such file or directory" in low or "could not translate host" in low \
            or "timeout" in low or "connection to server" in low and "failed" in low and "does not exist" not in low:
        return f"a database server answering at {target}; none does ({detail[:200]})"
    if "does not exist" in low and "database" in low:
        return f"an existing database at {target} ({detail[:200]})"
    return f"a readable database at {target} ({detail[:300]})"
