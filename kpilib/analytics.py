"""The heavy analytics of the report sections, computed once per period and department.

`department_analytics(wb)` computes, for the workbench's scope (a department, or "all"),
every table sections 40 and 50 need that costs more than a moment: the mixed model of the
composite with its LMG bootstrap, the leading → lagging fits with their backtest, the
crossed rater model and the people's trend tests (the supervisors' leniency, judged against
the whole company, is computed once with the period store: kpilib.store). Tables hold
codes and numbers only (department and KPI ids, factor codes, never names or sentences):
the sections add names in the report's language.

`compute_stored(key, opener, departments, jobs)` (the pack, before the notebooks run; each
process reads its department from the period store) and `compute_all(wb, departments,
jobs)` (forked processes sharing a company workbench) compute them for every department
asked in parallel and write one Parquet file per table:

    cache_dir()/analytics/<workbench key>/<department>/<table>.parquet

The workbench key follows inputs, parameter files, pseudonyms and kpilib's source, so a
change to any of them computes afresh. Each file is written to a temp name and renamed.
`table(wb, name)` (what sections call) reads the file when present and otherwise computes
the table's group and writes it, so a notebook opened alone in Jupyter works and gives the
same numbers (tests/test_analytics.py). Seeds are fixed: two runs write the same bytes.

Tables (columns):
- scorecard: one row, refusal ('' when fitted, else 'too_few_people', 'too_few_teams',
  'no_factor'), people, teams, supervisor (bool: separated from the team), least (people
  each group of a factor needs).
- scorecard_factors: mixed.usable_factors (factor, levels, smallest, used).
- scorecard_effects: factor, level, reference, estimate, ci_low, ci_high, p_val (and flag
  when an interval is blank); department levels as ids.
- scorecard_variance: mixed.variance_parts (component, variance, share).
- scorecard_importance: factor, lmg, lmg_low, lmg_high (95%, BOOTSTRAP team-cluster resamples).
- link_pairs, link_coefficients, link_backtest: leading.fit_links (links, coefficients, backtest).
- rater_variance: rater_model.rating_variance of the supervisor ratings (component,
  variance, share); empty with fewer than MIN_RATERS supervisors or no fit.
- composite_trends: trends.trend_table of each person's composite over the history.
- forecast_backtest: trends.backtest of the composite over the history.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
import re
import signal
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from kpilib import cores, leading, mixed, rater_model, store, trends
from kpilib.workbench import Workbench, cache_dir

BOOTSTRAP = 200  # team-cluster resamples for the factors' LMG intervals
MIN_RATERS = 3  # supervisors needed to separate rater from ratee variance
MAX_RATEES = 400  # ratees in the crossed model (a seeded sample above this)
# People scored from which a pack computes the tables ahead, in processes of their own; a
# smaller company's tables are computed by the first notebook that reads them, on its warm
# kernel (imports and workbench there already: on the sample, starting the processes cost
# more than the models)
AHEAD_FROM = 2_000
VARIANCE_COLUMNS = ["component", "variance", "share"]
_TEMP = re.compile(r"^\.\w+\.(?P<pid>\d+)\.tmp$")  # what `_write` leaves when killed mid-write


# the scope's ratings ----------------------------------------------------------------------

def scoped_ratings(wb: Workbench) -> pd.DataFrame:
    """The ratings of the workbench's people (every rating at company level)."""
    r = wb.dataset.ratings
    if wb.company:
        return r
    return r[r["employee_id"].isin(wb.sheet()["employee_id"])]


# the groups of tables ---------------------------------------------------------------------

def _scorecard(wb: Workbench) -> dict[str, pd.DataFrame]:
    """The composite of this period on region, tenure band, role layer and new hire (and
    department at company level; a factor the data does not hold is left out), team as
    random effect, supervisor (manager_id) where separable (kpilib.mixed). At company level
    a factor's groups must also hold `privacy.min_cell` people."""
    sheet = wb.sheet()[["employee_id", "department", "team", "composite"]].dropna(subset=["composite"])
    as_of = wb.span.end.to_timestamp(how="end").normalize()
    df = sheet.merge(mixed.person_factors(wb.dataset.employees, as_of), on="employee_id")
    df = df.assign(team=df["department"] + "/" + df["team"].astype(str))  # team names may repeat across departments
    factors = [f for f in mixed.FACTORS + (["department"] if wb.company else []) if df[f].notna().any()]
    df = df.dropna(subset=factors).assign(supervisor=lambda d: d["supervisor"].fillna("").astype(str))
    summary = {"refusal": mixed.refusal(df), "people": len(df), "teams": df["team"].nunique(),
               "supervisor": False, "least": mixed.MIN_LEVEL}
    tables = {name: pd.DataFrame() for name in ("scorecard_factors", "scorecard_effects", "scorecard_variance",
                                                "scorecard_importance")}
    if not summary["refusal"]:
        if wb.company:
            summary["least"] = max(mixed.MIN_LEVEL, wb.config.scheme.privacy.min_cell)
        tables["scorecard_factors"] = mixed.usable_factors(df, factors, summary["least"])
        used = list(tables["scorecard_factors"].loc[tables["scorecard_factors"]["used"], "factor"])
        summary["refusal"] = "" if used else "no_factor"
    if not summary["refusal"]:
        summary["supervisor"] = mixed.separable(df)
        result = mixed.fit(df, "composite", used, other="supervisor" if summary["supervisor"] else None)
        effects = mixed.effects(result)
        flagged = ["flag"] if effects["flag"].ne("").any() else []  # why an interval is blank, only when one is
        effects = effects[["factor", "level", "estimate", "ci_low", "ci_high", "p_val", *flagged]]
        effects.insert(2, "reference", effects["factor"].map(mixed.references(df, used)))
        tables["scorecard_effects"] = effects
        tables["scorecard_variance"] = mixed.variance_parts(result)
        importance = mixed.factor_importance(df, "composite", used, n=BOOTSTRAP)
        tables["scorecard_importance"] = importance.rename(columns={"ci_low": "lmg_low", "ci_high": "lmg_high"})[
            ["factor", "lmg", "lmg_low", "lmg_high"]]
    return {"scorecard": pd.DataFrame([summary]), **tables}


def _links(wb: Workbench) -> dict[str, pd.DataFrame]:
    """The catalogue's `drives:` links among the scope's KPIs, fitted on monthly KPI values of
    the history (kpilib.leading)."""
    spans = [m for m in wb.dataset.months if m <= wb.span.end]
    people = wb.scoped(wb.history)["employee_id"].unique()
    fits = leading.fit_links(wb.dataset, wb.config.catalog, wb.departments(), spans, people)
    return {"link_pairs": fits.links, "link_coefficients": fits.coefficients, "link_backtest": fits.backtest}


def _rater_variance(wb: Workbench) -> dict[str, pd.DataFrame]:
    """Where supervisor ratings' variance comes from (rater_model.rating_variance). Above
    MAX_RATEES ratees, on the ratees of a seeded sample of supervisors (whole teams)."""
    rated = scoped_ratings(wb)
    chosen = rated[rated["rater_type"] == "supervisor"]
    if chosen["employee_id"].nunique() > MAX_RATEES:  # the crossed model's design grows with ratees × ratings
        teams = chosen.groupby("rater_id", observed=True)["employee_id"].unique().sample(frac=1.0, random_state=0)
        kept = teams.index[teams.map(len).cumsum() <= MAX_RATEES]
        rated = rated[rated["employee_id"].isin(set(chosen.loc[chosen["rater_id"].isin(kept), "employee_id"]))]
        chosen = rated[rated["rater_type"] == "supervisor"]
    empty = {"rater_variance": pd.DataFrame(columns=VARIANCE_COLUMNS)}
    if chosen["rater_id"].nunique() < MIN_RATERS:
        return empty
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a variance on the boundary (zero) is a finding, shown as such
        try:
            return {"rater_variance": rater_model.rating_variance(rated, rater_types=("supervisor",))}
        except (np.linalg.LinAlgError, ValueError):  # too little crossing of raters and ratees to separate them
            return empty


def _trends(wb: Workbench) -> dict[str, pd.DataFrame]:
    """Each person's trend test and the forecasts' backtest over the history (kpilib.trends)."""
    history = wb.scoped(wb.history)[["employee_id", "period", "composite"]]
    return {"composite_trends": trends.trend_table(history, "composite"),
            "forecast_backtest": trends.backtest(history, "composite")}


GROUPS: dict[str, Callable[[Workbench], dict[str, pd.DataFrame]]] = {
    "scorecard": _scorecard, "links": _links, "rater_variance": _rater_variance, "trends": _trends}
TABLES: dict[str, str] = {  # table → its group
    **dict.fromkeys(["scorecard", "scorecard_factors", "scorecard_effects", "scorecard_variance",
                     "scorecard_importance"], "scorecard"),
    **dict.fromkeys(["link_pairs", "link_coefficients", "link_backtest"], "links"),
    "rater_variance": "rater_variance",
    **dict.fromkeys(["composite_trends", "forecast_backtest"], "trends")}


def department_analytics(wb: Workbench) -> dict[str, pd.DataFrame]:
    """Every table of the module docstring for the workbench's scope, by name (pure: no I/O)."""
    tables: dict[str, pd.DataFrame] = {}
    for compute in GROUPS.values():
        tables.update(compute(wb))
    return {name: _tidy(frame) for name, frame in tables.items()}


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as it reads back from Parquet: a fresh RangeIndex; no columns, no rows."""
    return frame.reset_index(drop=True) if len(frame.columns) else pd.DataFrame()


# the folder -------------------------------------------------------------------------------

def folder(wb: Workbench) -> Path | None:
    """Where the scope's tables are kept; None for a workbench without a key."""
    return cache_dir() / "analytics" / wb.key / wb.department if wb.key else None


def _write(where: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Each table to `<name>.parquet`, atomically (temp file, rename); a cache that cannot
    be written only costs time."""
    with contextlib.suppress(OSError):
        for level in (where.parent.parent, where.parent, where):  # analytics/<key>/<department>, owner-only
            level.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name, frame in tables.items():
            temp = where / f".{name}.{os.getpid()}.tmp"
            try:
                frame.to_parquet(temp, index=False)
                os.replace(temp, where / f"{name}.parquet")
            finally:
                temp.unlink(missing_ok=True)


def _read(path: Path) -> pd.DataFrame | None:
    try:
        return _tidy(pd.read_parquet(path))
    except Exception:  # missing, cut short or unreadable: computed again
        return None


_COMPUTED: dict[tuple[str, str, str], dict[str, pd.DataFrame]] = {}


def table(wb: Workbench, name: str) -> pd.DataFrame:
    """The table `name` of the workbench's scope: read from its folder when there, else its
    group computed (and written, for the next notebook). Equal either way."""
    group = TABLES[name]
    where = folder(wb)
    if where is not None:
        found = _read(where / f"{name}.parquet")
        if found is not None:
            return found
    memo = (wb.key, wb.department, group)
    if memo not in _COMPUTED or not wb.key:
        _COMPUTED.clear()  # one group at a time: a warm kernel holds little
        _COMPUTED[memo] = {k: _tidy(v) for k, v in _quietly(GROUPS[group], wb).items()}
        if where is not None:
            _write(where, _COMPUTED[memo])
    return _COMPUTED[memo][name]


def complete(wb: Workbench) -> bool:
    """Whether every table of the scope is in its folder."""
    where = folder(wb)
    return where is not None and _complete_in(where)


def _complete_in(where: Path) -> bool:
    return all((where / f"{name}.parquet").exists() for name in TABLES)


# every department at once -----------------------------------------------------------------

Opener = Callable[[str], Workbench]  # a department's (or "all"'s) workbench
_ADOPTED: list[Opener] = []


def _adopt(opener: Opener, worker: bool = False) -> None:
    """Keep how `_compute_one` gets a scope's workbench; a worker also ends at once on SIGTERM
    (the pack's handler, inherited by a fork, would only interrupt the task at hand)."""
    _ADOPTED[:] = [opener]
    if worker:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _compute_one(department: str) -> str:
    """In a worker: the tables of `department`, from the adopted opener's workbench, written."""
    wb = _ADOPTED[0](department)
    _write(folder(wb), _quietly(department_analytics, wb))
    return department


def _quietly(compute: Callable[[Workbench], dict[str, pd.DataFrame]], wb: Workbench) -> dict[str, pd.DataFrame]:
    """`compute(wb)` without the optimisers' warnings: they would clutter the pack's terminal
    and a page's outputs; the tables say what fits."""
    # imported before the filter below: importing statsmodels puts its own filters first
    # ("always" for ConvergenceWarning), which would print the optimisers' notes after all
    import statsmodels.tools.sm_exceptions  # noqa: F401

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute(wb)


def _scoped(wb: Workbench, department: str) -> Workbench:
    return replace(wb, department=department)


def compute_all(wb: Workbench, departments: list[str], jobs: int = 1,
                progress: Callable[[int, int, str, str], None] | None = None) -> list[str]:
    """Compute and write the tables of each of `departments` (ids, or "all") of the company
    workbench `wb` whose folder is not complete, in up to `jobs` processes (forked where the
    platform allows, so they share the scored company without copying it). `progress(done,
    total, department, status)` after each, status 'ok', 'skipped' (complete already) or
    'failed' (its notebooks then compute and show the error). Returns the departments computed."""
    if not wb.key:
        return []
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return _compute(wb.key, functools.partial(_scoped, wb), departments, jobs, progress, method)


def compute_stored(key: str, opener: Opener, departments: list[str], jobs: int = 1,
                   progress: Callable[[int, int, str, str], None] | None = None) -> list[str]:
    """`compute_all` for a scoring in the period store under `key`, each scope's workbench
    read by `opener(department)` (its partition only) in fresh processes: the pack's process
    need not hold the scored company meanwhile, and no worker holds a copy of what it does
    not compute."""
    return _compute(key, opener, departments, jobs, progress, "spawn")


def _compute(key: str, opener: Opener, departments: list[str], jobs: int,
             progress: Callable[[int, int, str, str], None] | None, method: str | None) -> list[str]:
    root = cache_dir() / "analytics" / key
    _sweep(root)
    scopes = list(dict.fromkeys(departments))
    todo = [d for d in scopes if not _complete_in(root / d)]
    done: list[str] = []

    def report(department: str, status: str) -> None:
        done.append(department)
        if progress:
            progress(len(done), len(scopes), department, status)

    for department in scopes:
        if department not in todo:
            report(department, "skipped")
    computed: list[str] = []
    if jobs <= 1 or len(todo) <= 1:
        _adopt(opener)
        try:
            for department in todo:
                computed += _attempt(department, report)
        finally:
            _ADOPTED.clear()  # the company workbench is not kept beyond this call
        return computed
    workers = min(jobs, len(todo))
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=_adopt, initargs=(opener, True))
    try:
        with cores.shared(workers):  # the workers start here, each with its share of the cores
            futures = {pool.submit(_compute_one, d): d for d in todo}
        for future in as_completed(futures):
            try:
                computed.append(future.result())
                report(futures[future], "ok")
            except Exception:  # recorded: the department's notebooks compute it again and show the error
                report(futures[future], "failed")
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers at once rather than wait for their department
        for process in list(pool._processes.values()):  # no public way before Python 3.14's terminate_workers
            process.terminate()
        raise
    finally:
        pool.shutdown(cancel_futures=True)
    return computed


def _sweep(root: Path) -> None:
    """Remove the temp files of writers that are gone (a worker killed mid-write)."""
    for temp in root.glob("*/.*.tmp"):
        found = _TEMP.match(temp.name)
        if found and not store.alive(int(found["pid"])):
            temp.unlink(missing_ok=True)


def _attempt(department: str, report: Callable[[str, str], None]) -> list[str]:
    try:
        _compute_one(department)
    except Exception:  # as in the pool: the notebooks show the error
        report(department, "failed")
        return []
    report(department, "ok")
    return [department]


__all__ = ["BOOTSTRAP", "GROUPS", "TABLES", "compute_all", "compute_stored", "complete", "department_analytics",
           "folder", "scoped_ratings", "table"]
