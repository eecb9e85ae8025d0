"""One period of the company, scored with its history and scoped to a department: what
every report section reads.

`open_workbench(period, department, data_dir, client, lang)` loads parameters, data and
the client's branding (its language is the default `lang`, its company name names the
company level), scores the period, the periods before it (for trends and streaks) and the
months up to its end (for monthly rules), and writes the result to the period store (`kpilib.store`: Parquet
partitioned by department, in the user's cache folder) keyed by the input files' sha256,
the parameter files, and kpilib's own source. The sections of a pack, each run as its own
notebook, therefore share one scoring; a notebook opened by an analyst computes it once
and reuses it after. A department's workbench reads that department's partition only:
its frames and its `dataset` hold that department's people, teams and department entity.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from kpilib import __version__, store
from kpilib.branding import Branding, load_branding, report_language
from kpilib.config import Config, load_config
from kpilib.data import Dataset, input_hashes, load_dataset
from kpilib.i18n import word
from kpilib.kpis import MeasureCube
from kpilib.messages import grade_names
from kpilib.origin import sample_dir, source_digest
from kpilib.periods import Span, latest_complete, parse_period, span_of_month
from kpilib.problems import Problems, UserError
from kpilib.pseudonyms import Pseudonymiser, from_kernel_env, pseudonymise
from kpilib.ratings import LENIENCY_LEVEL, known_rater, rater_leniency
from kpilib.scoring import Scores, score
from kpilib.sources import is_database, locate, pinned
from kpilib.team_units import score_units
from kpilib.uncertainty import COLUMNS, with_uncertainty
from kpilib.versions import in_force

HISTORY = 8  # periods of the report's grain, the current one included
# earlier periods' lines keep their numbers; the explanations (formula, inputs, target_source,
# status, kpi_name: half of the memory) are kept for the current period, which shows them
PAST_LINE_COLUMNS = ["period", "employee_id", "name", "department", "kpi", "kind", "weight", "actual", "target",
                     "attainment", "rating", "line_score", "scored_on", "monitored"]
COMPANY = "all"
UNCERTAIN = COLUMNS[1:]  # rank_low, rank_high, tier_probability


def load_inputs(data_dir: Path | str | None, client: str | None,
                pseudonyms: Pseudonymiser | None = None) -> tuple[Config, Dataset]:
    """Parameters and validated data, people as pseudonyms when `pseudonyms` is given
    (kpilib.pseudonyms); ratings calibrated when the scheme asks for it."""
    config = load_config(client)
    dataset = load_dataset(locate(data_dir, sample_dir()), config)
    if pseudonyms is not None:
        dataset = pseudonymise(dataset, pseudonyms)
    if config.scheme.scoring.calibrated_ratings:
        from kpilib.rater_model import calibrate_dataset
        dataset = calibrate_dataset(dataset)
    release_memory()  # what reading and checking the files used: 1.5 GB at 100,000 people
    return config, dataset


def resolve_period(months: pd.PeriodIndex, period: str | Span | None) -> Span:
    """The period asked for (every month of it must be in the data), else the latest complete quarter."""
    if isinstance(period, Span):
        span = period
    elif period is None:
        try:
            return latest_complete(months, "Q")
        except ValueError as exc:
            raise UserError(f"no period given and {exc}; pass a period such as 2025Q3") from None
    else:
        try:
            span = parse_period(period)
        except ValueError as exc:
            raise UserError(f"period: {exc}") from None
    missing = [str(m) for m in span.months() if m not in set(months)]
    if len(missing) == span.months_count:
        have = f"{months.min()} to {months.max()}" if len(months) else "no months"
        raise UserError(f"period {span.label}: the data has no measures in it (data covers {have})")
    if missing:
        raise UserError(f"period {span.label}: months {', '.join(missing)} have no measures; "
                        "a period is scored only when all its months are in the data")
    return span


@dataclass
class Workbench:
    """The scored company around one period, scoped to `department` ("all": company level).

    Frames and `dataset` hold the workbench's department only (its partition of the period
    store, kpilib.store), every department at company level (scope with `scoped`); `periods` are the labels of the
    history, oldest first, ending with `span.label`.
    - history: scoring sheets of the history periods (one row per person and period);
      people in no team (a department's head) have the team "部门直属" / "reports to the head".
    - lines: line scores of the history periods (period, employee_id, kpi, ...); the text
      columns (formula, inputs, target_source, status, kpi_name) for the current period only.
      Read from the store when first used (`line_scores`, kpilib.store.Lines); a page that
      needs one period's asks `period_lines`, which reads that period's alone.
    - months: monthly scoring sheets of the months up to the period's end, as many as the
      longest promotion rule needs (none without one).
    - tier_allocation: planned vs allocated tiers of the current period.
    - tier_odds: the current period's tier probabilities (kpilib.uncertainty); its sheet
      has rank_low, rank_high and tier_probability (NA in earlier periods).
    - units: scoring sheets of the team entities (`kind: team`, kpilib.team_units) of the period and
      the one before (what section 30's ranking of them and its previous rank read).
    - leniency: the supervisors' leniency over the history, each judged against every
      supervisor of the company (`leniency`); one row per supervisor and `department`
      whose people they rate.
    """

    config: Config
    dataset: Dataset
    span: Span
    department: str
    lang: str
    periods: list[str]
    history: pd.DataFrame
    line_scores: store.Lines
    months: pd.DataFrame
    tier_allocation: pd.DataFrame
    problems: Problems = field(default_factory=Problems)
    branding: Branding = field(default_factory=Branding)
    tier_odds: pd.DataFrame = field(default_factory=pd.DataFrame)
    units: pd.DataFrame = field(default_factory=pd.DataFrame)  # team entities scored (kpilib.team_units): period and previous
    leniency: pd.DataFrame = field(default_factory=pd.DataFrame)
    key: str = ""  # the store's key (kpilib.analytics keeps its tables under it)
    _kept: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # `keep`'s tables

    def keep(self, name: str, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """`compute()` once for this workbench, a copy of it each time: a table that several
        cells of a notebook read (the incentive decisions: five times on a section 60 page).
        A workbench changed with `dataclasses.replace` computes its own."""
        if name not in self._kept:
            self._kept[name] = compute()
        return self._kept[name].copy()

    @property
    def company(self) -> bool:
        return self.department == COMPANY

    @property
    def previous(self) -> str | None:
        return self.periods[-2] if len(self.periods) > 1 else None

    def scoped(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of the workbench's department (all rows at company level)."""
        if self.company or "department" not in frame.columns:
            return frame
        return frame[frame["department"] == self.department]

    def sheet(self, period: str | None = None) -> pd.DataFrame:
        """The scoring sheet of `period` (default: the current one), scoped; rank_low,
        rank_high and tier_probability are the current period's only."""
        label = period or self.span.label
        frame = self.history[self.history["period"] == label]
        if label != self.span.label:
            frame = frame.drop(columns=UNCERTAIN, errors="ignore")
        return self.scoped(frame).reset_index(drop=True)

    @property
    def lines(self) -> pd.DataFrame:
        return self.line_scores.all()

    def period_lines(self, period: str | None = None) -> pd.DataFrame:
        return self.scoped(self.line_scores.of(period or self.span.label)).reset_index(drop=True)

    def departments(self) -> list[str]:
        """The departments in scope that have people scored this period."""
        present = set(self.history.loc[self.history["period"] == self.span.label, "department"])
        wanted = [d for d in self.config.scheme.departments if d in present]
        return wanted if self.company else [d for d in wanted if d == self.department]

    def department_name(self, department: str | None = None) -> str:
        """The name readers know a department by (catalogue `departments:`, in the report's
        language); the company level is the client's company name."""
        dept = department or self.department
        if dept == COMPANY:
            return self.branding.company_name(self.lang)
        return self.config.catalog.department_name(dept, self.lang)

    def kpi_name(self, kpi: str) -> str:
        item = self.config.catalog.kpis.get(kpi)
        return item.name(self.lang) if item else kpi


def open_workbench(period: str | Span | None = None, department: str = COMPANY, data_dir: Path | str | None = None,
                   client: str | None = None, lang: str | None = None,
                   loaded: tuple[Config, Dataset] | None = None, pseudonyms: Pseudonymiser | None = None) -> Workbench:
    """Load (or take from the cache) the scored company around `period`, scoped to `department`.

    `lang` None: the client's branding language, else zh (the one place a notebook's language
    is decided, so `papermill -p client acme` alone reports in acme's language).
    `loaded`: parameters and data already loaded from `data_dir` and `client` (saves reading them again;
    pseudonymised already when `pseudonyms` is given). `pseudonyms` None: the pack's, in a
    notebook it runs (kpilib.pseudonyms.from_kernel_env), else none.
    The workbench's `config` is the scheme version in force for the period (`kpilib.versions`)."""
    pseudonyms = pseudonyms or from_kernel_env()
    branding = load_branding(client)
    lang = report_language(lang, branding)
    data_dir = locate(data_dir, sample_dir())
    config = loaded[0] if loaded else load_config(client)
    if department != COMPANY and department not in config.scheme.departments:
        known = ", ".join(config.scheme.departments)
        raise UserError(f"department {department!r} is not in the scheme (known: {known}, or {COMPANY})")
    key = _key(data_dir, config, period, pseudonyms)
    if (key, department) not in _MEMO:
        forget()  # a warm kernel keeps the latest workbench only: the last one goes before this one is read
    frames = _MEMO.get((key, department)) or store.read(key, department)
    if frames is None:
        scored = _score_history(loaded or load_inputs(data_dir, client, pseudonyms), period)
        with contextlib.suppress(OSError):  # a read-only cache only costs time
            store.write(key, scored)
        frames = store.scope(scored, department)
        del scored
    _MEMO[(key, department)] = frames
    frames = {("line_scores" if k == store.LINES else k): v for k, v in frames.items() if k != "present"}
    direct = word("direct", lang)  # people outside any team, e.g. the department's head
    history = _with_grade_names(frames["history"], config, lang)
    history = history.assign(team=history["team"].astype(object).fillna("").replace("", direct))
    frames = {**frames, "units": _with_grade_names(frames["units"], config, lang)}
    wb = Workbench(config=in_force(config, frames["span"]), department=department, lang=lang, branding=branding,
                   key=key, **{**frames, "history": history})
    if wb.sheet().empty:
        present = _MEMO[(key, department)]["present"]
        raise UserError(f"no one in {department} is scored in {wb.span.label} "
                        f"(departments with people: {', '.join(present) or 'none'})")
    return wb


def _with_grade_names(sheet: pd.DataFrame, config: Config, lang: str) -> pd.DataFrame:
    """A scoring sheet with its grade codes written in `lang` (kpilib.scoring.grade_names)."""
    return sheet.assign(grade=grade_names(sheet["grade"], config, lang)) if "grade" in sheet.columns else sheet


def prepare(data_dir: Path | str | None, client: str | None, period: str | Span | None, lang: str | None = None,
            loaded: tuple[Config, Dataset] | None = None, pseudonyms: Pseudonymiser | None = None) -> Workbench:
    """Fill the cache for `period` so the notebooks of a pack find their scoring ready."""
    return open_workbench(period, COMPANY, data_dir, client, lang, loaded, pseudonyms)


_MEMO: dict[tuple[str, str], dict] = {}


def forget() -> None:
    """Drop the workbench this process keeps (the latest opened) and give the memory back to
    the system: a warm kernel that ran a company-level notebook would otherwise stay as large
    as the company, and the pack process holds no scored company while its notebooks run."""
    _MEMO.clear()
    release_memory()


def release_memory() -> None:
    """Collect garbage and return the freed heap to the system: Arrow's pool, and glibc's
    (`malloc_trim`; a pandas frame of strings is many small objects whose memory glibc
    otherwise keeps for reuse). On the 20,000-person company: 0.83 GB kept → 0.40 GB."""
    gc.collect()
    pa.default_memory_pool().release_unused()  # Arrow's allocator (mimalloc) keeps what pandas' text columns freed
    with contextlib.suppress(OSError, AttributeError):  # not glibc: the memory is reused, not returned
        ctypes.CDLL("libc.so.6").malloc_trim(0)
cache_dir = store.cache_dir


def _key(data_dir: Path | str, config: Config, period: str | Span | None,
         pseudonyms: Pseudonymiser | None = None) -> str:
    inputs = (is_database(data_dir) and pinned(data_dir)) or input_hashes(data_dir)
    parts = {"inputs": inputs, "period": str(period), "kpilib": __version__,
             "pseudonyms": pseudonyms.fingerprint if pseudonyms else None,
             "source": source_digest(), "history": HISTORY,
             "params": {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in config.files}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _score_history(loaded: tuple[Config, Dataset], period: str | Span | None) -> dict:
    config, dataset = loaded
    span = resolve_period(dataset.months, period)
    available = set(dataset.months)
    spans = [s for s in (span.shift(-k) for k in range(HISTORY - 1, -1, -1))
             if all(m in available for m in s.months())]

    cube = MeasureCube(dataset.measures, config.catalog)  # each span's measures aggregated once

    def scored_at(at: Span) -> Scores:
        if at == span:
            return score(dataset, config, at, cube=cube)
        past = score(dataset, config, at, explain=False, cube=cube)  # its lines cut at once: a large company's are GBs
        return replace(past, lines=past.lines[PAST_LINE_COLUMNS])

    scored = {s.label: scored_at(s) for s in spans}
    current = scored[span.label] = with_uncertainty(scored[span.label], dataset, config, cube=cube)
    units = {s.label: score_units(dataset, config, s, cube) for s in spans[-2:]}  # read: this period and the previous
    current.problems.extend(Problems([p for p in units[span.label].problems.items if p not in current.problems.items]))
    months = max((r.promotion.months for r in config.scheme.incentives.values() if r.promotion), default=0)
    monthly = [score(dataset, config, span_of_month(m, "M"), explain=False, cube=cube).sheet
               for m in pd.period_range(span.end - (months - 1), span.end, freq="M") if months and m in available]
    history = pd.concat([s.sheet for s in scored.values()], ignore_index=True)
    return {"dataset": dataset, "span": span, "periods": list(scored), "history": history,
            "lines": pd.concat([s.lines for s in scored.values()], ignore_index=True),
            "months": pd.concat(monthly, ignore_index=True) if monthly else pd.DataFrame(),
            "tier_allocation": current.tier_allocation, "problems": current.problems, "tier_odds": current.tier_odds,
            "units": pd.concat([u.sheet for u in units.values()], ignore_index=True),
            "leniency": leniency(dataset, history, list(scored))}


def leniency(dataset: Dataset, history: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """ratings.rater_leniency of the supervisors over the ratings of the history (`periods`),
    each against every supervisor of the company, their ratees' quantitative score as
    performance; one row per supervisor (rater id, stripped) and department of the people
    they rated in those periods (`department`, NA for none), in rater_leniency's order.
    Stored per department, so that a department's page judges its supervisors against the
    whole company without holding the other departments' ratings."""
    performance = history[["employee_id", "period", "quantitative"]].rename(columns={"quantitative": "performance"})
    table = rater_leniency(dataset.ratings, performance=performance, level=LENIENCY_LEVEL)
    r = dataset.ratings
    r = r[(r["rater_type"] == "supervisor") & r["period"].isin(periods)]
    r = r[known_rater(r["rater_id"])]
    of = dataset.employees.drop_duplicates("employee_id").set_index("employee_id")["department"]
    pairs = pd.DataFrame({"rater_id": r["rater_id"].astype(str).str.strip().to_numpy(),
                          "department": r["employee_id"].astype(str).map(of).to_numpy()}).drop_duplicates()
    return table.merge(pairs, on="rater_id", how="left", sort=False)


source_digest()  # read at import: the code this process runs, whatever the files say later
