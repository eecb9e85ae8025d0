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

`--stages pack` (or `ri,intake,scores,pack-large,uncertainty`) runs a subset; the default runs all.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable


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


# The baseline the pack is measured against: each document of a pack's manifest, one after the
# other, by the papermill CLI and `jupyter nbconvert --to html --no-input` (a new process, kernel
# and imports per document), sharing the pack's scoring cache.
BASELINE = """
import json, subprocess, sys
from pathlib import Path
manifest, sample, root, work = (Path(a) for a in sys.argv[1:5])
bin_dir = Path(sys.executable).parent
for doc in json.loads(manifest.read_text(encoding="utf-8"))["documents"]:
    if doc["section"] == "book":
        continue
    params = {**doc["parameters"], "data_dir": str(sample)}
    out = work / f"{doc['department']}-{doc['section']}.ipynb"
    args = [str(bin_dir / "papermill"), str(root / doc["notebook"]), str(out), "-k", "python3", "--no-progress-bar"]
    for name, value in params.items():
        if value is not None:
            args += ["-p", name, str(value)]
    subprocess.run(args, check=True, capture_output=True)
    subprocess.run([str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(out)],
                   check=True, capture_output=True)
"""


def pack() -> None:
    """The sample company's pack, cold and warm, and the sequential papermill + nbconvert loop."""
    with tempfile.TemporaryDirectory() as tmp:
        base = [PY, "-m", "kpilib", "pack"]
        for jobs in ("1", "2"):
            out = str(Path(tmp) / f"jobs{jobs}")
            run(f"pack sample, HTML, 48 documents, --jobs {jobs}, cold", base + ["--out", out, "--jobs", jobs])
        run("pack sample, HTML, rerun (nothing changed)", base + ["--out", str(Path(tmp) / "jobs2"), "--jobs", "2"])
        run("pack sample, HTML + PDF, --jobs 2, cold", base + ["--out", str(Path(tmp) / "pdf"), "--format", "html,pdf"])
        root = Path(__file__).resolve().parent.parent
        work = Path(tmp) / "baseline"
        work.mkdir()
        run("baseline: papermill CLI + jupyter nbconvert --no-input, one document after the other",
            [PY, "-c", BASELINE, str(Path(tmp) / "jobs2" / "2026Q3" / "manifest.json"), str(root / "data" / "sample"),
             str(root), str(work)])


def pack_large(employees: int = 10_000) -> None:
    """The pack of a 10,000-person company, cold and rerun."""
    with tempfile.TemporaryDirectory() as tmp:
        data, out = str(Path(tmp) / "data"), str(Path(tmp) / "reports")
        subprocess.run([PY, "-m", "kpilib", "demo-data", "--out", data, "--employees", str(employees),
                        "--format", "parquet"], check=True, stdout=subprocess.DEVNULL)
        run(f"pack {employees:,} people, HTML, 48 documents, --jobs 2, cold",
            [PY, "-m", "kpilib", "pack", "--data", data, "--out", out])
        run("pack rerun (all up to date)", [PY, "-m", "kpilib", "pack", "--data", data, "--out", out])


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
