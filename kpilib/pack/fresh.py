"""Is the pack already what this request would build? Answered before anything heavy is
loaded (no pandas, no data read, no scoring), so a rerun with nothing changed takes about as
long as starting the command.

The run key is the sha256 of the request as asked (`PackRequest.asked`), the output folder,
every file directly in the data folder (or the workbook), the parameter files (`params/*.yaml`
and the client's whole folder: overlay, branding, notebooks), the section notebooks and
kpilib's source. `kpilib.pack.assemble` writes it into the manifest as `run_key`. A pack
is unchanged when a period folder of the output folder has a manifest with the same run key,
no failed document, and every file it lists still there. The key is deliberately wider than a
document's (a new unrelated file in the data folder counts as a change): then the pack goes
the ordinary way, where each document's own key decides. A database source has no such key
(its content is only known by reading it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kpilib.origin import (
    client_dir,
    default_notebooks_dir,
    default_params_dir,
    sample_dir,
    source_digest,
)
from kpilib.pack.request import PackRequest

FILE_SUFFIXES = (".csv", ".parquet", ".xlsx")  # a --data that names one file: a workbook (or a table)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file()) if folder.is_dir() else []


def run_key(request: PackRequest) -> str | None:
    """The run key of `request` (module docstring); None for a database source or missing data."""
    data = Path(request.data) if request.data is not None else sample_dir()
    if data.is_dir():
        inputs = _files(data, "*")
    elif data.is_file() and data.suffix.lower() in FILE_SUFFIXES:
        inputs = [data]
    else:
        return None
    params = default_params_dir()
    files = {"data": inputs, "params": _files(params, "*.yaml"),
             "client": _files(client_dir(request.client, params), "**/*") if request.client else [],
             "notebooks": _files(default_notebooks_dir(), "*.ipynb")}
    parts = {"request": request.asked(), "out": str(Path(request.out_dir).resolve()), "kpilib": source_digest(),
             **{kind: {str(p.resolve()): _sha256(p) for p in paths} for kind, paths in files.items()}}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def unchanged(request: PackRequest, key: str | None) -> tuple[Path, list[dict]] | None:
    """The period folder and manifest entries of the pack this request (whose run key is
    `key`) already built, when nothing it depends on changed since; None otherwise."""
    out_dir = Path(request.out_dir)
    if key is None or not (out_dir / "index.html").is_file():
        return None
    for path in sorted(out_dir.glob("*/manifest.json")):
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(body, dict) or body.get("run_key") != key:
            continue
        period, documents = path.parent, body.get("documents", [])
        written = [p for d in documents for p in d.get("outputs", [])] + body.get("sheets", []) + body.get("bundles", []) \
            + ["index.html", "manifest.json"]
        if all(d.get("status") in ("ok", "skipped") for d in documents) and all((period / p).is_file() for p in written):
            return period, documents
    return None
