"""Finding repeated key tuples in tables of tens of millions of rows (duplicate rows in a
measures export): integer codes counted with `np.bincount`, so only the rare rows whose
key occurs twice go through hashing."""

from __future__ import annotations

import numpy as np
import pandas as pd

BINCOUNT_LIMIT = 20_000_000  # largest key space counted directly (160 MB of counts)


def _dense(values: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Non-negative integer codes for a key column (rows outside `ok` get 0)."""
    if values.dtype.kind not in "iu" or (len(values) and values.min() < 0):
        values = pd.factorize(values)[0]
    return values if ok.all() else np.where(ok, values, 0)


def repeated_keys(keys: list[np.ndarray], ok: np.ndarray) -> np.ndarray:
    """Rows (among `ok`) whose key tuple appeared in an earlier row.

    Counts keys with `np.bincount`, partitioned on the first key when the key space is
    large, so that only the rare rows whose key occurs twice go through hashing.
    """
    codes = [_dense(k, ok) for k in keys]
    sizes = [int(c.max(initial=0)) + 1 for c in codes]
    multi = np.zeros(len(ok), dtype=bool)
    rest_size = int(np.prod(sizes[1:], dtype=object)) if len(sizes) > 1 else 1
    total = int(np.prod(sizes, dtype=object))
    if total < 2**62 and ok.all() and len(codes) > 1:
        # exports usually come sorted by period then person, or person then period: then a
        # repeat can only sit right after its twin
        for order in ([0, 1, *range(2, len(codes))], [1, 0, *range(2, len(codes))]):
            if (np.diff(codes[order[0]]) < 0).any():  # cheap: the leading key must not go down
                continue
            step = np.diff(_pack([codes[i] for i in order], [sizes[i] for i in order]))
            if (step >= 0).all():
                return np.concatenate([[False], step == 0])
    if total <= BINCOUNT_LIMIT:
        if ok.any():
            key = _pack(codes, sizes)
            multi = (np.bincount(key[ok], minlength=total)[key] > 1) & ok
    elif rest_size <= BINCOUNT_LIMIT:
        rest = _pack(codes[1:], sizes[1:])
        lead = np.where(ok, codes[0], -1).astype(np.int16 if sizes[0] < 2**15 else np.int64)
        order = np.argsort(lead, kind="stable")  # a radix sort for small codes
        first = lead[order]
        bounds = np.flatnonzero(np.diff(first)) + 1
        for segment in np.split(order, bounds):
            if not ok[segment[0]]:
                continue
            counts = np.bincount(rest[segment], minlength=rest_size)
            multi[segment] = counts[rest[segment]] > 1
    elif total < 2**62:
        key = _pack(codes, sizes)
        ordered = np.sort(key[ok])  # a sort beats hashing here, and usually proves there is no repeat
        if not (ordered[1:] == ordered[:-1]).any():
            return np.zeros(len(ok), dtype=bool)
        multi = pd.Series(key).duplicated(keep=False).to_numpy() & ok
    else:
        multi = pd.DataFrame({i: c for i, c in enumerate(codes)}).duplicated(keep=False).to_numpy() & ok
    repeats = np.zeros(len(ok), dtype=bool)
    if multi.any():
        where = np.flatnonzero(multi)
        sub = pd.DataFrame({i: c[where] for i, c in enumerate(codes)})
        repeats[where[sub.duplicated(keep="first").to_numpy()]] = True
    return repeats


def _pack(codes: list[np.ndarray], sizes: list[int]) -> np.ndarray:
    key = np.zeros(len(codes[0]), dtype=np.int64)
    for c, size in zip(codes, sizes, strict=True):
        key *= size
        key += c
    return key
