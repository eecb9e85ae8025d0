"""`build_pack(request)`: the report pack one `PackRequest` asks for.

First `kpilib.pack.fresh` checks, from file hashes alone, whether the pack is already what
the request would build: then nothing is loaded, run or written, and the documents are
reported up to date. Otherwise `kpilib.pack.assemble` loads, scores and builds (importing
pandas, nbconvert and the analytics only then).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kpilib.pack import fresh, guard
from kpilib.pack.request import PackRequest, PackResult


def build_pack(request: PackRequest, progress: Callable[[int, int, dict], None] | None = None) -> PackResult:
    """Build (or find up to date) the pack of `request`; `progress(done, total, entry)` after each document."""
    key = fresh.run_key(request)
    found = None
    if not request.force and (Path(request.out_dir) / "index.html").is_file():
        with guard.hold(Path(request.out_dir)):  # not while another pack writes there
            found = fresh.unchanged(request, key)
    if found is not None:
        period, entries = found
        same = [{**e, "status": "skipped", "seconds": 0.0} for e in entries if not e.get("kept")]
        return PackResult(period / "index.html", same, [e for e in entries if e.get("kept")], unchanged=True)
    from kpilib.pack.assemble import assemble  # the heavy part: only when there is something to do

    return assemble(request, key, progress)
