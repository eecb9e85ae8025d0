"""What keeps a pack whole around it: one writer per output folder, the leftovers of a
killed run removed, and write failures told as messages.

- `hold(out_dir)`: an exclusive, non-blocking `flock` on `<out>/.kpireport.lock` for the
  whole build (the file keeps the holder's pid); a second pack into the same folder is
  refused at once.
- `sweep(out_dir)`: under the lock, the staging folders (`.<period>-xxxxxxxx`) and retired
  packs (`...-previous`) of runs that were killed, the front page's temp file and the
  cache that older versions kept in `<out>/.cache`. A retired pack whose period folder is
  missing (killed between the two renames of the swap) is put back, not removed.
- `writing(out_dir)`: an `OSError` while writing becomes a `UserError` naming the folder.
- `interruptible(say)`: Ctrl-C or SIGTERM ends the pack with a message and exit status 130.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kpilib.problems import UserError

LOCK = ".kpireport.lock"
STAGING = re.compile(r"^\.(?P<period>\d{4}(?:Q[1-4]|H[12]|-\d{2})?)-[a-z0-9_]{8}(?P<previous>-previous)?$")
OLD_CACHE = re.compile(r"^(?:[0-9a-f]{32}\.pkl|tmp\w{8}\.tmp|\.[0-9a-f]{32}\.pkl\.\d+\.tmp)$")
INTERRUPTED = "interrupted: the previous pack is unchanged"
REASONS = {errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EROFS: "read-only file system",
           errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded"}


def _open_lock(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


@contextmanager
def hold(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir`'s lock (creating the folder) for the block; UserError when another pack holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(out_dir / LOCK)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise UserError(f"another pack is writing to {out_dir} (pid {holder}); "
                            "wait for it or use another --out") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def sweep(out_dir: Path) -> list[str]:
    """Remove (or put back) what killed runs left in `out_dir`; returns the names handled."""
    handled = []
    for path in sorted(out_dir.iterdir()):
        found = STAGING.match(path.name)
        if found and path.is_dir() and not path.is_symlink():
            final = out_dir / found["period"]
            if found["previous"] and not final.exists():
                path.rename(final)
            else:
                shutil.rmtree(path)
            handled.append(path.name)
    front = out_dir / "index.html.tmp"
    if front.is_file():
        front.unlink()
        handled.append(front.name)
    old = out_dir / ".cache"
    if old.is_dir() and not old.is_symlink():
        for path in old.iterdir():
            if OLD_CACHE.match(path.name) and path.is_file():
                path.unlink()
                handled.append(f".cache/{path.name}")
        if not any(old.iterdir()):
            old.rmdir()
    return handled


def reason(exc: OSError) -> str:
    return REASONS.get(exc.errno or 0) or (exc.strerror or str(exc) or type(exc).__name__).lower()


@contextmanager
def writing(out_dir: Path) -> Iterator[None]:
    """Turn a failure to write under `out_dir` into an explained UserError."""
    try:
        yield
    except OSError as exc:
        raise UserError(f"cannot write to {out_dir}: {reason(exc)}; the previous pack is unchanged") from exc


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def interruptible(say: Callable[[str], None]) -> Iterator[None]:
    """SIGTERM stops the block the way Ctrl-C does; either ends it with `say(INTERRUPTED)` and
    exit status 130 (the staging folder is gone by then: `build_pack` removes it on the way out)."""
    # SIGINT too: a process started in the background by a non-interactive shell (or by a
    # test runner) inherits SIGINT ignored, and Ctrl-C / kill -INT would then do nothing
    before = {signum: signal.signal(signum, handler)
              for signum, handler in ((signal.SIGTERM, _interrupt), (signal.SIGINT, signal.default_int_handler))}
    try:
        yield
    except KeyboardInterrupt:
        say(INTERRUPTED)
        raise SystemExit(130) from None
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
