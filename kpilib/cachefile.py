"""Pickled cache files that are loaded only when this user wrote them.

Unpickling runs code, so a cache file is trusted by its signature, not by where it lies:
each file is an HMAC-SHA256 of the pickle, keyed by `mac.key` (32 random bytes, owner-only
0600, in the cache folder), followed by the pickle. A file whose MAC does not verify (the
key changed, the file was written by someone else or by an older kpireport, or it is cut
short) is ignored and rebuilt by the caller. Files are written to `.<name>.<pid>.tmp` and
renamed; `sweep` removes such temp files whose writer is gone.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import re
import secrets
import stat
from pathlib import Path

KEY_FILE = "mac.key"
MAC_BYTES = 32
_TEMP = re.compile(r"^\.(?:[0-9a-f]{32}\.pkl|mac\.key)\.(?P<pid>\d+)\.tmp$")


def _key(folder: Path) -> bytes:
    """The folder's MAC key, created owner-only on first use; a key others can read or that
    another user owns is replaced (every file signed with it is then ignored)."""
    path = folder / KEY_FILE
    for _ in range(2):
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077:
                key = path.read_bytes()
                if len(key) == MAC_BYTES:
                    return key
            path.unlink()
        except FileNotFoundError:
            pass
        fresh = folder / f".{KEY_FILE}.{os.getpid()}.tmp"
        fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(MAC_BYTES))
        try:
            os.link(fresh, path)  # never replaces a key another process has just made
        except FileExistsError:
            pass
        finally:
            fresh.unlink()
    raise OSError(f"{path}: no usable key")


def _mac(key: bytes, data: bytes | memoryview) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


def load(path: Path) -> object | None:
    """The object pickled in `path` when its MAC verifies, else None (missing, foreign, damaged)."""
    try:
        data = memoryview(path.read_bytes())
        key = _key(path.parent)
    except OSError:
        return None
    if len(data) <= MAC_BYTES or not hmac.compare_digest(bytes(data[:MAC_BYTES]), _mac(key, data[MAC_BYTES:])):
        return None
    try:
        return pickle.loads(data[MAC_BYTES:])
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None


def save(path: Path, value: object) -> None:
    """Pickle `value` into `path` with its MAC, atomically; no temp file is left on failure."""
    folder = path.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    temp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_mac(_key(folder), data))
            fh.write(data)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def sweep(folder: Path) -> list[Path]:
    """Remove the temp files of writers that are gone (killed mid-write); returns them."""
    gone = []
    try:
        names = list(folder.iterdir())
    except OSError:
        return gone
    for path in names:
        found = _TEMP.match(path.name)
        if found and not _alive(int(found["pid"])):
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone
