"""Benchmarks (run with `make bench`; results recorded by hand in bench/RESULTS.md).

Each stage runs in its own process, as a user would run it, and reports wall time and
peak resident memory (ru_maxrss of that process):

1. intake: generate 100k employees × 24 months as Parquet (`kpireport demo-data`), then
   load and validate them (`kpireport validate`). Target ≤ 30 s, ≤ 4 GB.
2. relative_importance with 12 predictors and 5,000 rows. Target < 2 s.
3. scores: score one quarter for the 100k employees (`kpilib.scoring.score`, data
   already loaded) and the whole `kpireport scores --out …xlsx` command. Target ≤ 20 s.
4. pack: `kpireport pack` on the sample company (6 departments + company level, 48
   documents): HTML on 1 and 2 jobs from cold, the rerun (every document up to date),
   and HTML + PDF.
5. pack-large: the same pack for a generated company of 10,000 people (Parquet).
6. uncertainty: rank intervals and tier probabilities (200 resamples) for the largest
   department (≥ 3,000 people) of a generated 11,000-person company. Target: seconds.
7. pack20k, pack100k: `kpireport demo-data --employees N --format parquet`, then
   `kpireport pack --format html --jobs 2`, its whole process tree (pack, kernels) sampled
   every 0.2 s (bench/treemem.py): wall time, peak of the tree's summed memory, the
   largest page, the slowest documents (manifest.json). Targets: 20k ≤ 240 s and ≤ 4 GB;
   100k ≤ 20 min and ≤ 10 GB.
8. baseline: the sample company's cold HTML pack and its rebuild with nothing changed,
   against the sequential `papermill` CLI + `jupyter nbconvert --to html --no-input` loop
   over the same documents, in one run. Targets: ≥ 15× faster; rebuild ≤ 2 s.

`--stages pack` (or `ri,intake,scores,pack-large,uncertainty,pack20k,pack100k,baseline`)
runs a subset; the default runs the first six (pack20k, pack100k and baseline only when named).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from treemem import run_tree

PY = sys.executable
ROOT = Path(__file__).resolve().parent.parent
GB = 2**30


def run(label: str, args: list[str]) -> dict:
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {"stage": label, "seconds": round(seconds, 1), "peak_gb": round(max(peak, before) / 2**20, 2)}
    print(json.dumps(result), flush=True)
    return result


SCORE_ONLY = """
import time, sys, resource
from kpilib.config import load_config
from kpilib.data import load_dataset
from kpilib.scoring import score
config = load_config()
dataset = load_dataset(sys.argv[1], config)
t = time.perf_counter()
result = score(dataset, config, "2026Q3")
print({"score_seconds": round(time.perf_counter() - t, 1), "people": len(result.sheet)})
"""


RELATIVE_IMPORTANCE = """
import time, numpy as np, pandas as pd
from kpilib.drivers import relative_importance
rng = np.random.default_rng(0)
df = pd.DataFrame(rng.normal(size=(5000, 13)), columns=["y"] + [f"k{i}" for i in range(12)])
started = time.perf_counter()
relative_importance(df, "y", [f"k{i}" for i in range(12)])
print(round(time.perf_counter() - started, 3))
"""


UNCERTAINTY = """
import time, sys
from kpilib.config import load_config
from kpilib.data import load_dataset
from kpilib.scoring import score
from kpilib.uncertainty import uncertainty
config = load_config()
dataset = load_dataset(sys.argv[1], config)
sizes = dataset.people()["department"].value_counts()
dept = sizes.index[0]
t = time.perf_counter()
scores = score(dataset, config, "2026Q3", departments=[dept])
scored = time.perf_counter() - t
t = time.perf_counter()
uncertainty(scores, dataset, config, resamples=200)
print({"department": dept, "people": len(scores.sheet), "score_seconds": round(scored, 1),
       "uncertainty_seconds": round(time.perf_counter() - t, 1)})
"""


def uncertainty(employees: int = 11_000) -> None:
    """Rank and tier uncertainty, 200 resamples, of the largest department."""
    with tempfile.TemporaryDirectory() as tmp:
        data = str(Path(tmp) / "data")
        subprocess.run([PY, "-m", "kpilib", "demo-data", "--out", data, "--employees", str(employees), "--months", "6",
                        "--format", "parquet"], check=True, stdout=subprocess.DEVNULL)
        started = time.perf_counter()
        out = subprocess.run([PY, "-c", UNCERTAINTY, data], check=True, capture_output=True, text=True)
        print(json.dumps({"stage": "load + score + uncertainty (200 resamples), largest department",
                          "seconds": round(time.perf_counter() - started, 1), "detail": out.stdout.strip()}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--stages", default="ri,intake,scores,pack,pack-large,uncertainty")
    parser.add_argument("--limit", type=float, help="stop pack20k / pack100k after this many seconds")
    parser.add_argument("--max-gb", type=float, default=20.0,
                        help="stop pack20k / pack100k when the process tree holds more (default 20: the machine has 24)")
    args = parser.parse_args()
    stages = set(args.stages.split(","))
    if "ri" in stages:
        out = subprocess.run([PY, "-c", RELATIVE_IMPORTANCE], check=True, capture_output=True, text=True)
        print(json.dumps({"stage": "relative_importance, 12 predictors × 5,000 rows (exact LMG)",
                          "seconds": float(out.stdout.strip())}), flush=True)
    if "pack" in stages:
        pack()
    if "pack-large" in stages:
        pack_large()
    if stages & {"intake", "scores"}:
        large(args.employees)
    if "uncertainty" in stages:
        uncertainty()
    for stage, employees in (("pack20k", 20_000), ("pack100k", 100_000)):
        if stage in stages:
            pack_tree(employees, args.limit, args.max_gb)
    if "baseline" in stages:
        baseline()


def pack() -> None:
    """The sample company's pack, cold and warm (the sequential papermill + nbconvert loop: `baseline`)."""
    with tempfile.TemporaryDirectory() as tmp:
        base = [PY, "-m", "kpilib", "pack"]
        for jobs in ("1", "2"):
            out = str(Path(tmp) / f"jobs{jobs}")
            run(f"pack sample, HTML, 48 documents, --jobs {jobs}, cold", base + ["--out", out, "--jobs", jobs])
        run("pack sample, HTML, rerun (nothing changed)", base + ["--out", str(Path(tmp) / "jobs2"), "--jobs", "2"])
        run("pack sample, HTML + PDF, --jobs 2, cold", base + ["--out", str(Path(tmp) / "pdf"), "--format", "html,pdf"])


def pack_large(employees: int = 10_000) -> None:
    """The pack of a 10,000-person company, cold and rerun."""
    with tempfile.TemporaryDirectory() as tmp:
        data, out = str(Path(tmp) / "data"), str(Path(tmp) / "reports")
        subprocess.run([PY, "-m", "kpilib", "demo-data", "--out", data, "--employees", str(employees),
                        "--format", "parquet"], check=True, stdout=subprocess.DEVNULL)
        run(f"pack {employees:,} people, HTML, 48 documents, --jobs 2, cold",
            [PY, "-m", "kpilib", "pack", "--data", data, "--out", out])
        run("pack rerun (all up to date)", [PY, "-m", "kpilib", "pack", "--data", data, "--out", out])


def _cold_env(cache: Path) -> dict[str, str]:
    """This process's environment with a scoring cache of its own (a cold start)."""
    return {**os.environ, "KPIREPORT_CACHE": str(cache)}


def _pages(period: Path) -> list[tuple[int, str]]:
    """(bytes, path) of every HTML page of a period folder, largest first."""
    return sorted(((p.stat().st_size, str(p.relative_to(period))) for p in period.rglob("*.html")), reverse=True)


def slowest(manifest: dict, top: int = 10) -> dict:
    """The `top` documents by seconds ("department/section[ part]": seconds) and the seconds
    summed per section, from a pack's manifest."""
    docs = [d for d in manifest["documents"] if d.get("seconds")]
    def name(d: dict) -> str:
        part = d.get("parameters", {}).get("part")
        return f"{d['department']}/{d['section']}" + (f" part {part}" if part else "")
    per_section: dict[str, float] = {}
    for d in docs:
        per_section[d["section"]] = per_section.get(d["section"], 0.0) + d["seconds"]
    return {"documents": {name(d): round(d["seconds"], 1) for d in sorted(docs, key=lambda d: -d["seconds"])[:top]},
            "per_section": {k: round(v, 1) for k, v in sorted(per_section.items(), key=lambda kv: -kv[1])}}


def _written(out: Path, started: float) -> dict:
    """What a pack stopped by the time limit had written (its staging folder): pages, the
    largest, and when the first and the last were written (seconds after the start)."""
    pages = sorted(out.glob(".*/**/*.html"), key=lambda p: p.stat().st_mtime)
    wall = time.time() - (time.perf_counter() - started)
    return {"pages_written": len(pages),
            "largest_pages_mb": {str(p.relative_to(out)): round(p.stat().st_size / 2**20, 2)
                                 for p in sorted(pages, key=lambda p: -p.stat().st_size)[:5]},
            "first_page_at": round(pages[0].stat().st_mtime - wall, 1) if pages else None,
            "last_pages": {str(p.relative_to(out)): round(p.stat().st_mtime - wall, 1) for p in pages[-8:]}}


def pack_tree(employees: int, limit: float | None = None, max_gb: float | None = None) -> None:
    """A generated company's HTML pack, its process tree sampled (bench/treemem.py); stopped
    after `limit` seconds or above `max_gb` when given, reporting what it had written by then."""
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "data", Path(tmp) / "reports"
        started = time.perf_counter()
        subprocess.run([PY, "-m", "kpilib", "demo-data", "--out", str(data), "--employees", str(employees),
                        "--format", "parquet"], check=True, stdout=subprocess.DEVNULL)
        generated = time.perf_counter() - started
        partial: dict = {}
        begun = time.perf_counter()
        run = run_tree([PY, "-m", "kpilib", "pack", "--data", str(data), "--out", str(out), "--format", "html",
                        "--jobs", "2"], env=_cold_env(Path(tmp) / "cache"), timeout=limit,
                       before_stop=lambda: partial.update(_written(out, begun)),
                       max_bytes=int(max_gb * GB) if max_gb else None)
        if run.over_memory:
            partial.update(_written(out, begun))
        if run.timed_out or run.over_memory:
            why = f"at {limit:.0f} s" if run.timed_out else f"above {max_gb:.0f} GB after {run.seconds:.0f} s"
            print(json.dumps({"stage": f"pack {employees:,} people, HTML, --jobs 2, cold: STOPPED {why}",
                              "generate_seconds": round(generated, 1), "tree_peak_gb": round(run.peak / GB, 2),
                              "at_peak_gb": {k: round(v / GB, 2) for k, v in run.at_peak.items()}, **partial},
                             ensure_ascii=False, indent=1), flush=True)
            return
        period = next((p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")), None)
        if period is None:  # the pack failed before it wrote its period
            print(json.dumps({"stage": f"pack {employees:,} people, HTML, --jobs 2, cold: FAILED",
                              "seconds": round(run.seconds, 1), "exit": run.returncode, "error": run.error,
                              "tree_peak_gb": round(run.peak / GB, 2), **_written(out, begun)},
                             ensure_ascii=False, indent=1), flush=True)
            return
        manifest = json.loads((period / "manifest.json").read_text(encoding="utf-8"))
        pages = _pages(period)
        print(json.dumps({
            "stage": f"pack {employees:,} people, HTML, --jobs 2, cold", "generate_seconds": round(generated, 1),
            "seconds": round(run.seconds, 1), "exit": run.returncode, "error": run.error,
            "tree_peak_gb": round(run.peak / GB, 2),
            "at_peak_gb": {k: round(v / GB, 2) for k, v in sorted(run.at_peak.items(), key=lambda kv: -kv[1])},
            "samples": run.samples, "people_scored": manifest.get("people_scored"),
            "stages_seconds": manifest.get("stages"),
            "documents": len(manifest["documents"]),
            "failed": [f"{d['department']}/{d['section']}" for d in manifest["documents"] if d["status"] == "failed"],
            "largest_pages_mb": {path: round(size / 2**20, 2) for size, path in pages[:5]},
            **slowest(manifest)}, ensure_ascii=False, indent=1), flush=True)


def _papermill_loop(manifest: dict, data: Path, work: Path, env: dict[str, str]) -> float:
    """Seconds the sequential loop takes: per document of `manifest` the papermill CLI (its
    parameters) then `jupyter nbconvert --to html --no-input`, as one would script it by hand."""
    bin_dir = Path(PY).parent
    started = time.perf_counter()
    for i, doc in enumerate(d for d in manifest["documents"] if d["section"] != "book"):
        executed = work / f"{i:03d}.ipynb"
        params = [arg for key, value in doc["parameters"].items() if value is not None and key != "data_dir"
                  for arg in ("-p", key, str(value))]
        subprocess.run([str(bin_dir / "papermill"), str(ROOT / doc["notebook"]), str(executed), "-k", "python3",
                        "-p", "data_dir", str(data), *params], check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def baseline() -> None:
    """The sample's cold HTML pack and its rebuild, against the papermill + nbconvert loop
    over the same documents; every run with a cold scoring cache of its own."""
    data = ROOT / "data" / "sample"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "reports"
        args = [PY, "-m", "kpilib", "pack", "--data", str(data), "--out", str(out), "--format", "html", "--jobs", "2"]
        cold = run_tree(args, env=_cold_env(Path(tmp) / "cache"))
        warm = run_tree(args, env=_cold_env(Path(tmp) / "cache"))
        period = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
        manifest = json.loads((period / "manifest.json").read_text(encoding="utf-8"))
        work = Path(tmp) / "loop"
        work.mkdir()
        loop = _papermill_loop(manifest, data, work, _cold_env(Path(tmp) / "loop-cache"))
        print(json.dumps({"stage": "sample: cold pack vs papermill CLI + nbconvert loop (sequential)",
                          "documents": len(manifest["documents"]), "pack_seconds": round(cold.seconds, 1),
                          "pack_tree_peak_gb": round(cold.peak / GB, 2), "rebuild_seconds": round(warm.seconds, 1),
                          "loop_seconds": round(loop, 1), "speedup": round(loop / cold.seconds, 1)}), flush=True)


def large(employees: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        n = str(employees)
        run(f"demo-data {n} people × 24 months (parquet)",
            [PY, "-m", "kpilib", "demo-data", "--out", str(data), "--employees", n, "--format", "parquet"])
        run("validate (load + every check)", [PY, "-m", "kpilib", "validate", "--data", str(data)])
        started = time.perf_counter()
        out = subprocess.run([PY, "-c", SCORE_ONLY, str(data)], check=True, capture_output=True, text=True)
        print(json.dumps({"stage": "load + score 2026Q3", "seconds": round(time.perf_counter() - started, 1),
                          "detail": out.stdout.strip()}), flush=True)
        for suffix in ("csv", "xlsx"):
            run(f"kpireport scores 2026Q3 → {suffix} (load, score, write)",
                [PY, "-m", "kpilib", "scores", "--data", str(data), "--period", "2026Q3",
                 "--out", str(Path(tmp) / f"scores.{suffix}")])


if __name__ == "__main__":
    main()
