"""`kpireport`: the command line (../shared/spec/interfaces.md §3).

Exit codes: 0 success; 1 a problem in the user's data or parameters, explained;
2 wrong usage; anything else is a bug.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kpilib.pack.request import RESTART_EVERY
from kpilib.problems import Problems, UserError

# jsonschema (under nbformat, which the pack imports) builds ~35 Earley parsers when it imports
# rfc3987_syntax, for the "iri" format that no notebook schema uses: 1.2 s of every command's
# start (python-jsonschema/jsonschema#1428). Marked absent, jsonschema leaves that format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode="rich",
                  help="Department KPI evaluation: validate data, score, rank and build report packs.")
console = Console(stderr=True)
out = Console()

DataOpt = Annotated[str | None, typer.Option(
    "--data", help="Data folder (CSV, Parquet or one .xlsx), an .xlsx workbook, a database URL "
    "(sqlite:///hr.db, postgresql://user@host/db) or a sources.yaml. Default: the bundled sample company.")]
ClientOpt = Annotated[str | None, typer.Option("--client", help="Client overlay in params/clients/NAME/.")]
PeriodOpt = Annotated[str | None, typer.Option("--period", help="2025-07, 2025Q3, 2025H2 or 2025. "
                                               "Default: the latest complete quarter in the data.")]
LangOpt = Annotated[str | None, typer.Option(
    "--lang", help="zh or en: the language of grades, KPI names and reports. "
    "Default: the client's branding language, else zh.")]


PseudonymiseOpt = Annotated[bool, typer.Option(
    "--pseudonymise", help="People as stable pseudonyms (HMAC-SHA256 of the employee id with a key kept outside "
    "--out): no real name or employee id in anything written. Needs --key-file or $KPIREPORT_PSEUDONYM_KEY.")]
KeyFileOpt = Annotated[Path | None, typer.Option(
    "--key-file", help="The pseudonym key (a file outside --out; default: $KPIREPORT_PSEUDONYM_KEY).")]


def _pseudonyms(pseudonymise: bool, key_file: Path | None, out_path: Path | None):
    """The key when --pseudonymise is given (a UserError without one), else None."""
    if not pseudonymise:
        if key_file is not None:
            raise UserError("--key-file is used with --pseudonymise")
        return None
    from kpilib.pseudonyms import load_key

    return load_key(key_file, out_path)


def _lang(lang: str | None, client: str | None) -> str:
    from kpilib.branding import load_branding, report_language

    return report_language(lang, load_branding(client), "--lang")


def main() -> None:
    """Console entry point: user mistakes print an explanation and exit 1, never a traceback.

    Usage errors are click's (exit 2); anything else is a bug and keeps its traceback.
    """
    try:
        app()
    except UserError as exc:
        show_problems(exc.problems, title=str(exc.args[0]))
        console.print(f"[bold red]error:[/] {escape(str(exc.args[0]))}")
        sys.exit(1)


def show_problems(problems: Problems, title: str = "Problems", limit: int = 500) -> None:
    """Print problems as one table: severity, file, row, column, value, expected."""
    if not problems:
        return
    table = Table(title=escape(title), show_lines=False, header_style="bold")
    for col in ("", "file", "row", "column", "value", "expected"):
        table.add_column(col, overflow="fold")
    for p in (problems.errors + problems.warnings)[:limit]:
        style = "red" if p.severity == "error" else "yellow"
        cells = (p.file, "" if p.row is None else str(p.row), p.column or "", p.value or "", p.expected)
        table.add_row(f"[{style}]{p.severity}[/]", *map(escape, cells))  # cells are the user's text, not markup
    console.print(table)
    if len(problems) > limit:
        console.print(f"... and {len(problems) - limit} more (use --report FILE for the full list)")


def _load(data: str | None, client: str | None, pseudonyms=None):
    from kpilib.workbench import load_inputs

    return load_inputs(data, client, pseudonyms)


def _period(dataset, period: str | None):
    from kpilib.workbench import resolve_period

    return resolve_period(dataset.months, period)


@app.command("demo-data")
def demo_data(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write employees/measures/targets/ratings.")],
    employees: Annotated[int, typer.Option(help="Number of people.", min=18)] = 300,
    months: Annotated[int, typer.Option(help="Number of months, ending --end.", min=1, max=240)] = 24,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives identical files.")] = 7,
    end: Annotated[str, typer.Option(help="Last month (YYYY-MM).")] = "2026-09",
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
) -> None:
    """Write a deterministic sample company (see kpilib.synth for what it plants)."""
    from kpilib import synth

    if fmt not in ("csv", "parquet"):
        raise UserError(f"--format {fmt}: expected csv or parquet")
    with console.status(f"generating {employees:,} people × {months} months"):
        company = synth.generate(employees=employees, months=months, seed=seed, end=end)
        paths = company.write(out_dir, fmt)
    for p in paths:
        out.print(f"wrote {p}")


@app.command()
def validate(
    data: DataOpt = None, client: ClientOpt = None,
    report: Annotated[Path | None, typer.Option(help="Also write every problem to this CSV.")] = None,
) -> None:
    """Check data and parameters, and score the latest complete quarter for what scoring finds
    (targets borrowed from the catalogue, implausible attainments, KPIs that separate nobody);
    exit 0 when clean (warnings allowed), 1 listing every problem."""
    from kpilib.config import load_config
    from kpilib.data import check_dataset
    from kpilib.sources import locate, shown
    from kpilib.workbench import sample_dir

    config = load_config(client)
    source = locate(data, sample_dir())
    with console.status(f"validating {escape(shown(source))}"):
        dataset, problems = check_dataset(source, config)
        if dataset is not None:
            problems.items += _scoring_problems(dataset, config)
    problems.items[:0] = config.warnings.items
    show_problems(problems, title=f"Validation of {shown(source)}")
    if report:
        from kpilib.export import write_table

        write_table(problems.to_frame(), report)
        out.print(f"wrote {escape(str(report))}")
    if problems.errors:
        console.print(f"[bold red]{len(problems.errors)} error(s)[/], {len(problems.warnings)} warning(s)")
        raise typer.Exit(1)
    people = len(dataset.people())
    out.print(f"[green]ok[/]: {people} people, {len(dataset.measures):,} measures over "
              f"{dataset.months[0]}–{dataset.months[-1]}, {len(dataset.targets):,} targets, "
              f"{len(dataset.ratings):,} ratings; {len(problems.warnings)} warning(s)"
              + (f"; {len(dataset.controls)} control total(s) hold" if len(dataset.controls) else ""))


def _scoring_problems(dataset, config) -> list:
    """What scoring the latest complete quarter finds beyond the data checks: borrowed
    targets, implausible attainments, KPIs that separate nobody (errors with `targets: required`)."""
    from kpilib.scoring import score
    from kpilib.workbench import resolve_period

    try:
        result = score(dataset, config, resolve_period(dataset.months, None))
    except UserError as exc:
        return exc.problems.items
    return result.problems.items[len(config.warnings.items):]


@app.command()
def scores(
    out_file: Annotated[Path, typer.Option("--out", help="Scoring sheet: .csv or .xlsx (adds `lines`).")],
    data: DataOpt = None, period: PeriodOpt = None, client: ClientOpt = None, lang: LangOpt = None,
    departments: Annotated[str | None, typer.Option(help="Only these departments, comma-separated (e.g. sales,marketing).")] = None,
    pseudonymise: PseudonymiseOpt = False, key_file: KeyFileOpt = None,
    resamples: Annotated[int, typer.Option(help="Resamples for rank_low, rank_high, tier_probability (0: leave them out).",
                                           min=0)] = 200,
) -> None:
    """The scoring sheet: one row per person with quantitative, qualitative, composite, grade, tier, rank
    and its 90% interval, and the probability of the tier."""
    from kpilib.export import write_scores
    from kpilib.messages import readable_scores
    from kpilib.scoring import score
    from kpilib.uncertainty import with_uncertainty

    lang = _lang(lang, client)
    keyed = _pseudonyms(pseudonymise, key_file, None)
    config, dataset = _load(data, client, keyed)
    span = _period(dataset, period)
    chosen = [d.strip() for d in departments.split(",") if d.strip()] if departments else None
    unknown = sorted(set(chosen or []) - set(config.scheme.departments))
    if unknown:
        raise UserError(f"--departments: {', '.join(unknown)} not in the scheme "
                        f"(known: {', '.join(config.scheme.departments)})")
    with console.status(f"scoring {span}"):
        result = with_uncertainty(score(dataset, config, span, departments=chosen), dataset, config, resamples)
        write_scores(readable_scores(result, config, lang), out_file)
    show_problems(result.problems, title=f"Warnings for {span}", limit=50)
    out.print(f"wrote {out_file}: {len(result.sheet)} people scored for {span}")


@app.command()
def catalog(
    client: ClientOpt = None,
    department: Annotated[str | None, typer.Option(help="Only KPIs of this department.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or markdown (a glossary).")] = "table",
    lang: LangOpt = None,
) -> None:
    """List the KPIs with formula, direction, unit, departments and target."""
    from kpilib.config import load_config

    lang = _lang(lang, client)
    config = load_config(client)
    rows = [(k, v) for k, v in config.catalog.kpis.items() if department is None or department in v.departments]
    if department and not rows:
        raise UserError(f"--department {department}: no KPI of the catalogue belongs to it "
                        f"(departments: {', '.join(config.catalog.departments)})")
    header = ["id", "name", "kind", "formula", "unit", "direction", "target", "frequency", "departments"]
    cells = [[k, v.name(lang), v.kind, v.formula or "(rating 1–5)", v.unit,
              v.direction + (f" ±{v.band:g}" if v.band else ""),
              "" if v.thresholds.target is None else f"{v.thresholds.target:g}", v.frequency,
              ", ".join(v.departments)] for k, v in rows]
    if fmt == "markdown":
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for c in cells:
            print("| " + " | ".join(x.replace("|", "\\|") for x in c) + " |")
        return
    table = Table(*header, title=f"KPI catalogue ({len(rows)} KPIs)")
    for c in cells:
        table.add_row(*c)
    out.print(table)


@app.command("new-client")
def new_client(name: Annotated[str, typer.Argument(help="Client folder name (letters, digits, - and _).")]) -> None:
    """Scaffold params/clients/NAME/ with commented overlay files."""
    from kpilib.config import default_params_dir

    if not name.replace("-", "").replace("_", "").isalnum():
        raise UserError(f"client name {name!r}: use letters, digits, - and _")
    folder = default_params_dir() / "clients" / name
    if folder.exists():
        raise UserError(f"{folder} exists already; nothing was changed")
    (folder / "notebooks").mkdir(parents=True)
    (folder / "catalog.yaml").write_text(
        "# Overlay merged over params/catalog.yaml key by key.\n# kpis:\n#   renewal_rate:\n"
        "#     thresholds: {baseline: 0.82, target: 0.88, challenge: 0.92}\n{}\n", encoding="utf-8")
    (folder / "scheme.yaml").write_text(
        "# Overlay merged over params/scheme.yaml key by key.\n# scoring:\n#   quantitative_share: 0.6\n"
        "# departments:\n#   sales:\n#     quantitative: {sales_amount: 40, new_customers: 20}\n{}\n", encoding="utf-8")
    (folder / "branding.yaml").write_text(
        f"company: {name}\nlanguage: zh        # zh or en: the default --lang for this client\n"
        "colours: {primary: '#1f4e79', accent: '#c00000'}\n"
        "logo: null         # an image next to this file, e.g. logo.png: shown in every page's header\n"
        "paper: A4          # A4 or Letter: the page size of the PDFs\n",
        encoding="utf-8")
    (folder / "notebooks" / "README.md").write_text(
        "Section notebooks for this client. A notebook named like one of ../../../notebooks/ "
        "(e.g. 30_rankings.ipynb) replaces it; a new number (e.g. 80_projects.ipynb) adds a section.\n"
        "Start from a copy of a default notebook: keep its cell tagged `parameters`.\n", encoding="utf-8")
    out.print(f"created {folder}")


@app.command()
def template(
    out_file: Annotated[Path, typer.Option("--out", help="The intake workbook to write (.xlsx).")],
    client: ClientOpt = None, lang: LangOpt = None,
    data: Annotated[str | None, typer.Option(
        "--data", help="Fill in the people of this data (folder, workbook, database URL or sources.yaml) and "
        "lay out the month after its last one. Default: headers and lists only.")] = None,
) -> None:
    """An Excel intake workbook: a sheet per table with headers, drop-down lists and number formats,
    each department's KPIs and measures, a README in the client's language; fill it in and pass it to --data."""
    from kpilib.config import load_config
    from kpilib.template import write_template

    if out_file.suffix.lower() != ".xlsx":
        raise UserError(f"--out {out_file}: expected a .xlsx file")
    lang = _lang(lang, client)
    config, dataset = _load(data, client) if data else (load_config(client), None)
    filled = write_template(out_file, config, lang, dataset)
    rows = ", ".join(f"{n} {name}" for name, n in filled.items())
    out.print(f"wrote {escape(str(out_file))}" + (f": {rows} rows to fill in" if rows else ""))


def _names(values: list[str] | None) -> list[str] | None:
    """Options given as `--departments sales,hr` or repeated: one flat list."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@app.command()
def pack(
    data: DataOpt = None, period: PeriodOpt = None, client: ClientOpt = None, lang: LangOpt = None,
    departments: Annotated[list[str] | None, typer.Option(
        "--departments", help="Department ids (comma-separated or repeated); 'all' adds the company level. "
        "Default: every department with people, and the company level.")] = None,
    sections: Annotated[list[str] | None, typer.Option(
        "--sections", help="Sections by notebook name or its word: 10_overview or overview, rankings, ... "
        "Default: every notebook in notebooks/ (and the client's).")] = None,
    formats: Annotated[str, typer.Option("--format", help="html, pdf or html,pdf (PDF via headless Chromium).")] = "html",
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="Notebooks run at once (default: CPU cores).")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", help="How notebooks run: local (threads of this process) or dask (a Dask cluster: "
        "--scheduler's, else a local cluster of --jobs process workers).")] = "local",
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Dask scheduler address (tcp://host:8786) to run notebooks on a cluster "
        "(implies --engine dask); workers must see the same folders.")] = None,
    memory_limit: Annotated[str | None, typer.Option(
        "--memory-limit", help="Per-worker memory limit of the local Dask cluster (e.g. 4GiB; default: Dask's auto).")] = None,
    restart_every: Annotated[int, typer.Option(
        "--restart-every", min=1, help="Notebooks a kernel runs before a fresh one replaces it.")] = RESTART_EVERY,
    force: Annotated[bool, typer.Option("--force", help="Rerun documents that are up to date.")] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Remove the period's documents this run does not build (other departments, sections "
        "and formats, their department books). Without it a partial run rebuilds only its documents "
        "and keeps every other one.")] = False,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (takes the place of reports/).")] = Path("reports"),
    pseudonymise: PseudonymiseOpt = False, key_file: KeyFileOpt = None,
) -> None:
    """Build the report pack: every section notebook for every department and the company,
    rendered to offline HTML (and PDF), with reports/<period>/index.html linking them all.
    --departments, --sections and --format rebuild only those documents and keep the others
    (--prune removes them)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from kpilib.pack import guard
    from kpilib.pack.build import build_pack
    from kpilib.pack.request import FORMATS, PackRequest

    wanted = tuple(f.strip() for f in formats.split(",") if f.strip())
    if not wanted or set(wanted) - set(FORMATS):
        raise UserError(f"--format: expected html, pdf or html,pdf; got {formats!r}")
    chosen = {name: tuple(values) for name, values in (("departments", _names(departments)),
                                                       ("sections", _names(sections))) if values}
    # a wrong --lang or --sections is told now, not after the scoring; checked only when given
    # (their modules import pandas: a rerun with nothing changed is answered without it)
    if lang is not None:
        _lang(lang, client)
    if "sections" in chosen:
        from kpilib.pack.plan import sections_chosen

        sections_chosen(list(chosen["sections"]), client)
    request = PackRequest(out_dir, data=data, client=client, period=period, lang=lang, formats=wanted, **chosen,
                          engine="dask" if scheduler else engine, jobs=jobs, scheduler=scheduler,
                          memory_limit=memory_limit, restart_every=restart_every, force=force, prune=prune,
                          pseudonyms=_pseudonyms(pseudonymise, key_file, out_dir))
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[last]}"))
    with guard.interruptible(console.print), Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(f"pack {period or ''}".strip(), total=None, last="checking")

        def progress(done: int, total: int, entry: dict) -> None:
            mark = {"ok": "[green]ok[/]", "skipped": "[dim]up to date[/]", "failed": "[red]failed[/]"}[entry["status"]]
            bar.update(task, completed=done, total=total, last=f"{entry['department']}/{entry['section']} {mark}")

        result = build_pack(request, progress)
    if result.unchanged:
        out.print(f"up to date: {result.index}: {result.count('skipped')} up to date, nothing changed since "
                  "the last pack (nothing written)")
        return
    kept = f", {len(result.kept)} kept from the previous pack" if result.kept else ""
    out.print(f"wrote {result.index}: {result.count('ok')} built, {result.count('skipped')} up to date, "
              f"{result.count('failed')} failed{kept}")
    failed = [d for d in result.documents if d["status"] == "failed"]
    for d in failed:
        console.print(f"[red]failed[/] {d['department']}/{d['section']}: {d.get('error')}")
    if failed:
        raise typer.Exit(1)


@app.command()
def reveal(
    pseudonyms: Annotated[list[str] | None, typer.Argument(help="Pseudonyms to look up (default: every person).")] = None,
    data: DataOpt = None, key_file: KeyFileOpt = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write the table to this CSV instead of printing it.")] = None,
) -> None:
    """For the key holder: map the pseudonyms of a --pseudonymise pack back to employee id, name
    and department (the same data and key the pack was made with; only its employees and
    ratings tables are read, so no --client is needed; pseudonyms in any case)."""
    from kpilib.pseudonyms import load_key, roster
    from kpilib.pseudonyms import reveal as revealed
    from kpilib.sources import locate
    from kpilib.workbench import sample_dir

    key = load_key(key_file)
    table = revealed(*roster(locate(data, sample_dir())), key, pseudonyms)
    if out_file:
        from kpilib.export import write_table

        write_table(table, out_file)
        out.print(f"wrote {escape(str(out_file))}: {len(table)} people")
        return
    grid = Table(*table.columns, title=f"{len(table)} pseudonyms")
    for row in table.itertuples(index=False):
        grid.add_row(*map(escape, map(str, row)))
    out.print(grid)
