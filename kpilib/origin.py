"""Where kpireport's own files are, found without loading anything heavy (no pandas): the
parameters folder, a client's overlay in it, the bundled sample company, and the digest of
kpilib's source that cached results and skipped documents follow.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path

CLIENT_NAME = re.compile(r"[A-Za-z0-9_-]+")
ROOT = Path(__file__).resolve().parent.parent  # the source checkout (or site-packages)


def default_params_dir() -> Path:
    """$KPIREPORT_PARAMS, else `params/` of the source checkout, else `./params`."""
    if os.environ.get("KPIREPORT_PARAMS"):
        return Path(os.environ["KPIREPORT_PARAMS"])
    here = ROOT / "params"
    return here if (here / "catalog.yaml").exists() else Path.cwd() / "params"


def client_dir(client: str, params_dir: Path | None = None) -> Path:
    """`params/clients/<client>/`: a client is a name (letters, digits, - and _), never a path,
    so an overlay (and the notebooks in it) can only come from the params folder."""
    if not CLIENT_NAME.fullmatch(client):
        from kpilib.problems import UserError

        raise UserError(f"--client {client!r}: a client is a folder name in params/clients/ "
                        "(letters, digits, - and _), not a path")
    return (params_dir or default_params_dir()) / "clients" / client


def sample_dir() -> Path:
    """The bundled sample company (`data/sample` of the source checkout, else of the cwd)."""
    here = ROOT / "data" / "sample"
    return here if here.exists() else Path.cwd() / "data" / "sample"


def default_notebooks_dir() -> Path:
    """`notebooks/` of the source checkout, else of the working directory."""
    here = ROOT / "notebooks"
    return here if here.is_dir() else Path.cwd() / "notebooks"


@functools.cache
def source_digest() -> str:
    """sha256 of kpilib's files (source, the pages' templates, word catalogues; not `__pycache__`):
    cached results and skipped documents follow code changes. Read once per process, at its
    first use, so that it describes the code this process runs even when the files change
    while it runs (as they do during development)."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.relative_to(root).parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
