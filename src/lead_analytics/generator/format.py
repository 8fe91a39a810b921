"""Vectorised text formatting and CSV writing for the generator.

Millions of rows are turned into CSV without Python row loops: fixed-width pieces (ids,
timestamps, dates) are packed from numpy byte lookup tables straight into Arrow string
buffers, labels come from ``Array.take`` on small dictionaries, and rows are joined with
``pyarrow.compute.binary_join_element_wise``. Values are quoted only when needed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lead_analytics.generator.calendar import DAY, JST

_LUT1 = np.array([str(i).encode() for i in range(10)], dtype="S1")
_LUT2 = np.array([f"{i:02d}".encode() for i in range(100)], dtype="S2")
_EPOCH = dt.date(1970, 1, 1)

# Timestamp styles (per row): see TimeFormatter.format.
TS_JST, TS_UTC, TS_NAIVE, TS_SLASH = 0, 1, 2, 3


def pack(parts: Sequence[np.ndarray | bytes], n: int) -> pa.StringArray:
    """Concatenate fixed-width byte pieces row by row into an Arrow string array.

    Each part is a numpy ``S<k>`` array of length ``n`` whose values all have exactly
    ``k`` bytes, or a ``bytes`` constant.
    """
    fields = []
    for i, part in enumerate(parts):
        width = len(part) if isinstance(part, bytes) else part.dtype.itemsize
        fields.append((f"f{i}", f"S{width}"))
    rec = np.empty(n, dtype=np.dtype(fields))
    for i, part in enumerate(parts):
        rec[f"f{i}"] = part
    width = rec.dtype.itemsize
    offsets = np.arange(n + 1, dtype=np.int64) * width
    if offsets[-1] >= 2**31:
        raise ValueError("chunk too large for a string array")
    data = rec.view(np.uint8)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(np.ascontiguousarray(data))
    )


def digit_parts(values: np.ndarray, width: int) -> list[np.ndarray]:
    """Zero-padded decimal digits of non-negative ints as fixed-width byte pieces."""
    values = np.asarray(values, dtype=np.int64)
    parts: list[np.ndarray] = []
    if width % 2:
        parts.append(_LUT1[(values // 10 ** (width - 1)) % 10])
    for k in range(width // 2 - 1, -1, -1):
        parts.append(_LUT2[(values // 100**k) % 100])
    return parts


def ids(prefix: str, values: np.ndarray, width: int) -> pa.StringArray:
    """``prefix`` + zero-padded number, e.g. ``L0000042``."""
    values = np.asarray(values, dtype=np.int64)
    return pack([prefix.encode(), *digit_parts(values, width)], len(values))


def labels(vocab: Sequence[str | None], codes: np.ndarray) -> pa.Array:
    """Raw labels by code; code < 0 or an empty label is null."""
    codes = np.asarray(codes)
    dictionary = pa.array([v if v else None for v in vocab], pa.string())
    if len(codes) == 0:
        return pa.array([], pa.string())
    index = pa.array(codes.astype(np.int32), mask=codes < 0)
    return dictionary.take(index)


def integers(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    values = np.asarray(values, dtype=np.int64)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(values, mask=mask).cast(pa.string())


def with_separators(values: np.ndarray, chosen: np.ndarray, valid: np.ndarray) -> pa.Array:
    """Integers as text; ``chosen`` ones carry thousands separators (``1,200,000``)."""
    out = integers(values, valid).to_numpy(zero_copy_only=False).astype(object)
    for i in np.flatnonzero(chosen & valid):
        out[i] = f"{int(values[i]):,}"
    return pa.array(out, pa.string())


def null_strings(n: int) -> pa.Array:
    return pa.nulls(n, pa.string())


class TimeFormatter:
    """Formats epoch seconds in the four timestamp styles of the exports.

    - ``TS_JST``: ``2025-04-01T09:30:00+09:00``
    - ``TS_UTC``: ``2025-04-01T00:30:00Z``
    - ``TS_NAIVE``: ``2025-04-01T09:30:00`` (local Tokyo time, no offset)
    - ``TS_SLASH``: ``2025/04/01 09:30:15`` local; ``2025/04/01 09:30`` when seconds are 0
    """

    def __init__(self, first_day: dt.date, last_day: dt.date) -> None:
        self.day0 = (first_day - _EPOCH).days
        n = (last_day - first_day).days + 1
        days = [first_day + dt.timedelta(days=i) for i in range(n)]
        self.iso_date = np.array([d.isoformat().encode() for d in days], dtype="S10")
        self.slash_date = np.array([d.strftime("%Y/%m/%d").encode() for d in days], dtype="S10")
        sod = np.arange(DAY)
        self.hms = np.array(
            [
                a + b":" + b + b":" + c
                for a, b, c in zip(
                    _LUT2[sod // 3600], _LUT2[(sod // 60) % 60], _LUT2[sod % 60], strict=True
                )
            ],
            dtype="S8",
        )
        self.hm = self.hms[::60].astype("S5")
        self.n_days = n

    def _day(self, t: np.ndarray) -> np.ndarray:
        return np.clip(t // DAY - self.day0, 0, self.n_days - 1)

    def dates(self, t: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        """JST calendar date ``YYYY-MM-DD`` of each instant."""
        t = np.asarray(t, dtype=np.int64)
        out = pack([self.iso_date[self._day(t + JST)]], len(t))
        if valid is not None:
            out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, null_strings(len(t)))
        return out

    def format(self, t: np.ndarray, style: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        t = np.asarray(t, dtype=np.int64)
        n = len(t)
        style = np.asarray(style, dtype=np.int8).copy()
        local = t + JST
        style[(style == TS_SLASH) & (local % 60 == 0)] = 4
        if valid is not None:
            style[~np.asarray(valid, dtype=bool)] = 5
        pieces = []
        order_parts = []
        for code in range(6):
            rows = np.flatnonzero(style == code)
            if len(rows) == 0:
                continue
            order_parts.append(rows)
            lt, ut = local[rows], t[rows]
            m = len(rows)
            if code == TS_JST:
                arr = pack([self.iso_date[self._day(lt)], b"T", self.hms[lt % DAY], b"+09:00"], m)
            elif code == TS_UTC:
                arr = pack([self.iso_date[self._day(ut)], b"T", self.hms[ut % DAY], b"Z"], m)
            elif code == TS_NAIVE:
                arr = pack([self.iso_date[self._day(lt)], b"T", self.hms[lt % DAY]], m)
            elif code == TS_SLASH:
                arr = pack([self.slash_date[self._day(lt)], b" ", self.hms[lt % DAY]], m)
            elif code == 4:
                arr = pack([self.slash_date[self._day(lt)], b" ", self.hm[(lt % DAY) // 60]], m)
            else:
                arr = null_strings(m)
            pieces.append(arr)
        if not pieces:
            return pa.array([], pa.string())
        combined = pa.concat_arrays(pieces)
        inverse = np.empty(n, dtype=np.int64)
        inverse[np.concatenate(order_parts)] = np.arange(n)
        return combined.take(pa.array(inverse))


# --------------------------------------------------------------------------- CSV writing


@dataclasses.dataclass
class DirtyRow:
    """A row inserted after clean row ``after``: a copy of clean row ``source`` with
    ``changes`` applied (column -> raw text, ``None`` = empty)."""

    after: int
    source: int
    changes: dict[str, str | None]


@dataclasses.dataclass
class TableSpec:
    filename: str
    columns: tuple[str, ...]
    n_rows: int
    format_rows: Callable[[np.ndarray], dict[str, pa.Array]]
    quote_columns: tuple[str, ...] = ()  # columns whose values may contain , or "
    dirty: list[DirtyRow] = dataclasses.field(default_factory=list)
    # the rows to write (sorted row numbers of format_rows); None = all n_rows rows. With
    # an index, n_rows is len(index) and DirtyRow.after counts written rows.
    index: np.ndarray | None = None

    def select(self, keep: np.ndarray) -> None:
        """Write only the rows where ``keep`` (a mask over all rows) is true; a dirty row
        stays when its source row does, after the last kept row at or before its place."""
        if self.index is not None:
            raise ValueError("rows already selected")
        keep = np.asarray(keep, dtype=bool)
        index = np.flatnonzero(keep)
        dirty = []
        for d in self.dirty:
            if keep[d.source]:
                place = int(np.searchsorted(index, d.after, side="right")) - 1
                dirty.append(DirtyRow(after=max(place, 0), source=d.source, changes=d.changes))
        self.index = index
        self.n_rows = len(index)
        self.dirty = dirty


def csv_quote(arr: pa.Array) -> pa.Array:
    if len(arr) == 0:
        return arr
    needs = pc.match_substring_regex(arr, r'[",\r\n]')
    if not pc.any(needs).as_py():
        return arr
    quoted = pc.binary_join_element_wise(
        pa.scalar('"'), pc.replace_substring(arr, '"', '""'), pa.scalar('"'), ""
    )
    return pc.if_else(needs, quoted, arr)


def _csv_bytes(columns: Sequence[pa.Array]) -> bytes:
    filled = [pc.fill_null(c, "") for c in columns]
    lines = pc.binary_join_element_wise(*filled, ",")
    lines = pc.binary_join_element_wise(lines, pa.scalar("\n"), "")
    if len(lines) == 0:
        return b""
    offsets = np.frombuffer(
        lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4
    )
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]].tobytes()


def _merge_dirty(spec: TableSpec, clean: dict[str, pa.Array], lo: int, hi: int) -> dict:
    rows = [d for d in spec.dirty if lo <= d.after < hi]
    if not rows:
        return clean
    source = spec.format_rows(np.array([d.source for d in rows], dtype=np.int64))
    dirty_cols: dict[str, pa.Array] = {}
    for name in spec.columns:
        values = source[name].to_pylist()
        for i, d in enumerate(rows):
            if name in d.changes:
                values[i] = d.changes[name]
        dirty_cols[name] = pa.array(values, pa.string())
    position = np.concatenate(
        [np.arange(lo, hi, dtype=np.int64) * 2, np.array([d.after for d in rows]) * 2 + 1]
    )
    order = pa.array(np.argsort(position, kind="stable"))
    return {
        name: pa.concat_arrays([clean[name].cast(pa.string()), dirty_cols[name]]).take(order)
        for name in spec.columns
    }


def write_table(
    spec: TableSpec,
    path: Path,
    encoding: str = "utf-8",
    chunk_rows: int = 400_000,
    on_chunk: Callable[[int], None] | None = None,
) -> int:
    """Write the table as CSV (header + rows); return the number of data rows."""
    written = 0
    with open(path, "wb") as out:
        out.write((",".join(spec.columns) + "\n").encode(encoding))
        for lo in range(0, max(spec.n_rows, 1), chunk_rows):
            hi = min(spec.n_rows, lo + chunk_rows)
            if hi <= lo:
                break
            rows = np.arange(lo, hi, dtype=np.int64) if spec.index is None else spec.index[lo:hi]
            cols = spec.format_rows(rows)
            cols = _merge_dirty(spec, cols, lo, hi)
            arrays = []
            for name in spec.columns:
                arr = cols[name]
                if name in spec.quote_columns:
                    arr = csv_quote(arr)
                arrays.append(arr)
            data = _csv_bytes(arrays)
            if encoding.lower().replace("-", "").replace("_", "") not in ("utf8",):
                data = data.decode("utf-8").encode(encoding)
            out.write(data)
            written += len(arrays[0])
            if on_chunk is not None:
                on_chunk(hi - lo)
    return written
