"""File-level work for the export loader: find contract files, read headers, hash, detect encoding.

Everything here works on bytes in large chunks (never row by row) so it stays cheap next to
DuckDB's CSV reader. Chunks are always cut just after a ``\\n`` byte: in UTF-8 and in CP932 the
byte 0x0A is never part of a multi-byte character, so every chunk decodes on its own and a
decoding error gives an exact byte offset in the file.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import hashlib
import re
import shutil
import sys
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lead_analytics.contract import BY_NAME, META_COLUMNS, Column, ExportFile
from lead_analytics.errors import InputFileError, UsageError

if TYPE_CHECKING:
    from lead_analytics.profiles.profile import ImportProfile

CHUNK_BYTES = 8 * 1024 * 1024
SNIFF_BYTES = 4 * 1024 * 1024
HEADER_MAX_BYTES = 4 * 1024 * 1024
UTF8_BOM = codecs.BOM_UTF8
ENCODINGS = ("auto", "utf-8", "cp932")


@dataclass(frozen=True)
class HeaderColumn:
    position: int  # 0-based position in the file
    original: str  # header text as written (BOM removed), used as the key in quarantine JSON
    name: str  # normalised name: the raw table column
    contract: Column | None  # None for an unknown extra column (kept as VARCHAR)


@dataclass
class ExportFileLayout:
    """A contract file found in the folder, with its parsed header."""

    path: Path
    spec: ExportFile
    columns: list[HeaderColumn]
    header_encoding: str
    origin: Path | None = None  # the compressed file ``path`` was decompressed from

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def source_path(self) -> Path:
        """The file as found in the export folder (what the audit records)."""
        return self.origin or self.path

    @property
    def present(self) -> set[str]:
        return {c.name for c in self.columns if c.contract is not None}

    @property
    def extras(self) -> list[HeaderColumn]:
        return [c for c in self.columns if c.contract is None]


@dataclass
class ScanResult:
    """One pass over the bytes: content hash, size, encoding, line-ending facts."""

    sha256: str
    size: int
    encoding: str  # 'utf-8', 'utf-8-sig' (UTF-8 with BOM) or 'cp932'
    requested: str  # 'auto', 'utf-8' or 'cp932' (--encoding)
    newline_count: int
    ends_with_newline: bool
    trailing_blank_lines: int = 0

    @property
    def physical_lines(self) -> int:
        if self.size == 0:
            return 0
        return self.newline_count + (0 if self.ends_with_newline else 1)


@dataclass
class FolderListing:
    files: list[tuple[Path, ExportFile]] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)


def discover(folder: Path, profiles: list[ImportProfile] | None = None) -> FolderListing:
    """Contract files in ``folder`` (names matched case-insensitively), and the files the
    import profiles name (a vendor's own files, or contract files under other names); the
    files skipped."""
    profiles = profiles or []
    if not folder.exists():
        raise UsageError(f"export folder {folder} does not exist")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder (give the folder holding leads.csv, ...)")
    listing = FolderListing()
    seen: dict[str, Path] = {}
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        raise UsageError(f"cannot list export folder {folder}: {exc.strerror or exc}") from exc
    order: dict[str, int] = {f.qualified_name: i for i, f in enumerate(BY_NAME.values())}
    for profile in profiles:
        for spec in profile.specs.values():
            order.setdefault(spec.qualified_name, len(order))
    for path in entries:
        stem = _csv_stem(path.name)
        spec = BY_NAME.get(stem.lower()) if stem else None
        if spec is None and stem and path.is_file():
            for profile in profiles:
                spec = profile.file_for(stem + ".csv")
                if spec is not None:
                    break
        if spec is None:
            if path.is_file():
                listing.skipped.append(path)
            continue  # sub-folders are not reported
        # a contract name that is not a readable file (broken link, folder) fails the header check
        if spec.qualified_name in seen:
            what = spec.filename if spec.schema == BY_NAME["leads"].schema else spec.qualified_name
            raise UsageError(
                f"two files in {folder} match {what}: {seen[spec.qualified_name].name} and "
                f"{path.name}; keep one"
            )
        seen[spec.qualified_name] = path
        listing.files.append((path, spec))
    listing.files.sort(key=lambda item: order[item[1].qualified_name])
    if not listing.files:
        expected = ", ".join(f.filename for f in BY_NAME.values())
        for profile in profiles:
            patterns = [p for ps in profile.file_patterns.values() for p in ps]
            expected += f"; with profile {profile.name}: {', '.join(patterns)}"
        raise UsageError(f"no contract file in {folder} (expected one or more of: {expected})")
    return listing


# What a contract name may end with: CSV, gzip-compressed CSV (read as is), and the
# containers users save by mistake (refused with what to do, see _read_first_line).
CSV_SUFFIXES = (".csv", ".csv.gz")
REFUSED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".zip")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an Excel 97-2003 workbook (.xls)


def _csv_stem(name: str) -> str | None:
    """``Lead`` of ``Lead.csv``, ``Lead.csv.gz``, ``Lead.xlsx``, ... (None for other files)."""
    lowered = name.lower()
    for suffix in (*CSV_SUFFIXES, *REFUSED_SUFFIXES):
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def is_gzip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(2) == GZIP_MAGIC
    except OSError:
        return False  # read_layout reports the unreadable file


def gunzip(path: Path, dest_dir: Path) -> Path:
    """Decompress a gzip file to ``dest_dir``/same name (streamed); a broken one is an
    InputFileError naming it."""
    dest = dest_dir / path.name
    try:
        with gzip.open(path, "rb") as source, dest.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputFileError(
            f"{path.name}: cannot decompress the gzip file ({exc}); nothing was loaded from it"
        ) from exc
    return dest


def _container_error(path: Path, data: bytes) -> InputFileError | None:
    """The error for a compressed file or workbook (not CSV text), or None."""
    what = None
    if data.startswith(ZIP_MAGIC):
        what = "a ZIP archive (an Excel .xlsx workbook is one too)"
        todo = "unzip it and load the CSV files inside, or open the workbook and save the sheet"
    elif data.startswith(OLE_MAGIC):
        what = "an Excel 97-2003 workbook (.xls)"
        todo = "open it and save the sheet"
    elif data.startswith(GZIP_MAGIC):  # decompressed before this check: only a nested one
        what = "gzip-compressed twice"
        todo = "decompress it (gunzip)"
    if what is None:
        return None
    return InputFileError(
        f"{path.name}: the file is {what}, not CSV text: {todo} as CSV (Excel: "
        "名前を付けて保存 / Save As > CSV UTF-8) and load it again; nothing was loaded from it"
    )


def _read_first_line(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = b""
            while len(data) < HEADER_MAX_BYTES:
                chunk = handle.read(64 * 1024)
                if not chunk:
                    break
                data += chunk
                if b"\n" in chunk or b"\r" in chunk:
                    break
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot read file: {exc.strerror or exc}") from exc
    if (container := _container_error(path, data)) is not None:
        raise container
    line = data.split(b"\n", 1)[0].split(b"\r", 1)[0]  # CRLF, LF or an old Mac CR
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in line:
        # Excel's "Unicode text": every other byte of an ASCII header is a NUL
        raise InputFileError(
            f"{path.name}: the file is UTF-16 text (a byte-order mark or NUL bytes in the "
            "header row), not CSV in UTF-8 or CP932: save it as CSV (UTF-8) and load it "
            "again; nothing was loaded from it"
        )
    if line.startswith(UTF8_BOM):
        line = line[len(UTF8_BOM) :]
    return line


def _decode_header(path: Path, line: bytes, encoding: str) -> tuple[str, str]:
    candidates = ["utf-8", "cp932"] if encoding == "auto" else [encoding]
    errors = []
    for candidate in candidates:
        try:
            return decode(line, candidate), candidate
        except UnicodeDecodeError as exc:
            errors.append(f"{candidate} (invalid byte at offset {exc.start})")
    raise InputFileError(f"{path.name}: cannot decode the header row as " + " or ".join(errors))


# names the loader uses itself (metadata columns, working columns of the staging tables),
# and DuckDB's row id: a column named rowid would hide it from the loader's queries
RESERVED_NAMES = {*META_COLUMNS, "_err", "_raw", "_dup", "_rid", "_slot", "rowid"}


def _unquoted(name: str) -> str:
    """A header name quoted after a space (`a, "b" ,c`): the csv module keeps the quotes of a
    field that does not start with one; the name is what is inside them."""
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return name[1:-1].replace('""', '"').strip()
    return name


def read_layout(
    path: Path, spec: ExportFile, encoding: str = "auto", profile: ImportProfile | None = None
) -> ExportFileLayout:
    """Parse and check the header row: required columns present, names normalised (a name
    the import profile gives for a contract column counts as that column)."""
    line = _read_first_line(path)
    if not line.strip():
        raise InputFileError(
            f"{path.name}: the file is empty or its first line is blank; expected a header row"
        )
    text, used = _decode_header(path, line, encoding)
    try:
        names = next(csv.reader([text]))
    except csv.Error as exc:
        raise InputFileError(f"{path.name}: cannot parse the header row: {exc}") from exc
    columns: list[HeaderColumn] = []
    used_names: set[str] = set()
    contract_positions: dict[str, int] = {}
    names = [original.replace("\ufeff", "") for original in names]
    by_profile = (
        profile.header_names(spec.name, [_unquoted(n.strip()) for n in names]) if profile else {}
    )
    for position, original in enumerate(names):
        name = (
            by_profile.get(position)
            or _unquoted(original.strip()).lower()
            or f"column{position + 1}"
        )
        contract = None
        if name in {c.name for c in spec.columns}:
            if name in contract_positions:
                raise InputFileError(
                    f"{path.name}: column '{name}' appears twice in the header "
                    f"(columns {contract_positions[name] + 1} and {position + 1})"
                )
            contract_positions[name] = position
            contract = spec.column(name)
        else:
            if name.startswith("_ld_") or re.fullmatch(r"_k\d+", name):
                name = f"x{name}"  # prefixes of the loader's working columns
            base, n = name, 1
            while name in used_names or name in RESERVED_NAMES or name in contract_positions:
                n += 1
                name = f"{base}_{n}"
        used_names.add(name)
        columns.append(HeaderColumn(position, original, name, contract))
    missing = [c for c in spec.required_columns if c not in contract_positions]
    if missing:
        found = ", ".join(c.original.strip() or "(blank)" for c in columns)
        plural = "s" if len(missing) > 1 else ""
        hint = (
            f" with import profile {profile.name}"
            if profile
            else "; a vendor export may need --profile"
        )
        if profile is not None and profile.vendor is not None:
            missing = [profile.expected_names(spec.name, c) for c in missing]
        raise InputFileError(
            f"{path.name}: required column{plural} missing: {', '.join(missing)} "
            f"(found: {found}{hint}); nothing from this file was loaded"
        )
    # a late extra column could collide with the generated name of an earlier one: re-check
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            raise InputFileError(
                f"{path.name}: column name '{column.name}' is ambiguous in the header"
            )
        seen.add(column.name)
    return ExportFileLayout(path, spec, columns, used)


def _hash_file(path: Path, out: dict[str, object]) -> None:
    try:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
        out["sha256"] = digest.hexdigest()
    except BaseException as exc:  # re-raised in the calling thread
        out["error"] = exc


def _line_chunks(path: Path):
    """Yield (offset, bytes) pieces of the file, each ending just after a newline (except the last)."""
    offset = 0
    carry = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            if not chunk:
                if carry:
                    yield offset, carry
                return
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            yield offset, piece
            offset += len(piece)


# Python's cp932 codec turns the single bytes 0x80, 0xA0 and 0xFD-0xFF, which are no
# character in CP932 (Windows leaves them undefined), into U+0080 and private-use
# characters U+F8F0-U+F8F3 without a word. A stray 0xFF would then load as an invisible
# character; ``decode`` refuses them like any other invalid byte. (The user-defined
# characters 0xF040-0xF9FC, gaiji, stay: they are text in CP932, mapped to U+E000-U+E757.)
_CP932_STRAY = re.compile("[\x80\uf8f0-\uf8f3]")


def decode(data: bytes, encoding: str) -> str:
    """``data.decode(encoding)``, strict also about CP932's undefined single bytes."""
    text = data.decode(encoding)
    if encoding == "cp932" and (stray := _CP932_STRAY.search(text)):
        start = len(text[: stray.start()].encode("cp932"))
        raise UnicodeDecodeError(encoding, data, start, start + 1, "byte undefined in CP932")
    return text


def _first_decode_error(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte that does not decode in ``encoding``, or None."""
    for offset, piece in _line_chunks(path):
        start = len(UTF8_BOM) if offset == 0 and piece.startswith(UTF8_BOM) else 0
        try:
            decode(piece[start:], encoding)
        except UnicodeDecodeError as exc:
            return offset + start + exc.start
    return None


def _line_at(path: Path, offset: int) -> int:
    """The physical line (1 = the header) holding byte ``offset``."""
    lines = 1
    for start, piece in _line_chunks(path):
        if start + len(piece) > offset:
            return lines + piece.count(b"\n", 0, offset - start)
        lines += piece.count(b"\n")
    return lines


def scan_file(path: Path, encoding: str = "auto") -> ScanResult:
    """Hash the file (in a thread, in parallel) while counting newlines and sniffing the encoding.

    ``auto`` decides from the first few MB: not UTF-8 there -> CP932. A file that only turns out
    not to be UTF-8 further down is caught by DuckDB's reader (invalid-encoding rejects) and
    re-read as CP932 (see ``loader.load_file``). CP932 is validated while it is transcoded.
    """
    hashed: dict[str, object] = {}
    hasher = threading.Thread(target=_hash_file, args=(path, hashed), daemon=True)
    hasher.start()
    size = 0
    newlines = 0
    last = b""
    head = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                if not head:
                    head = chunk[:SNIFF_BYTES]
                size += len(chunk)
                newlines += chunk.count(b"\n")
                last = chunk[-4096:]
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot read file: {exc.strerror or exc}") from exc
    finally:
        hasher.join()
    if "error" in hashed:
        exc = hashed["error"]
        raise InputFileError(f"{path.name}: cannot read file: {exc}") from exc  # type: ignore[misc]
    has_bom = head.startswith(UTF8_BOM)
    utf8 = "utf-8-sig" if has_bom else "utf-8"
    if encoding == "cp932":
        used = "cp932"
    elif encoding == "utf-8":
        used = utf8
    else:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) == size)
            used = utf8
        except UnicodeDecodeError:
            used = "cp932"
    return ScanResult(
        sha256=str(hashed["sha256"]),
        size=size,
        encoding=used,
        requested=encoding,
        newline_count=newlines,
        ends_with_newline=last.endswith(b"\n"),
        trailing_blank_lines=_trailing_blank_lines(last),
    )


def line_facts(path: Path) -> tuple[int, int]:
    """(physical lines, trailing blank lines) of a file, e.g. of a transcoded copy."""
    newlines = 0
    size = 0
    last = b""
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            newlines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-4096:]
    if size == 0:
        return 0, 0
    return newlines + (0 if last.endswith(b"\n") else 1), _trailing_blank_lines(last)


def _trailing_blank_lines(tail: bytes) -> int:
    """Blank lines at the very end of the file (``a\\n\\n\\n`` ends with two)."""
    stripped = tail.rstrip(b"\r\n")
    if len(stripped) == len(tail):
        return 0
    return max(tail[len(stripped) :].count(b"\n") - 1, 0)


def decode_error(path: Path, encodings: list[str]) -> InputFileError:
    """The error for a file that does not decode, naming the first bad byte per encoding."""
    labels = {"utf-8": "UTF-8", "cp932": "CP932/Shift_JIS"}
    parts = []
    for name in encodings:
        offset = _first_decode_error(path, name)
        if offset is None:
            where = "decodes"
        else:
            where = f"invalid byte at line {_line_at(path, offset)}, offset {offset}"
        parts.append(f"{labels.get(name, name)} ({where})")
    hint = " (try --encoding auto)" if len(encodings) == 1 else ""
    return InputFileError(
        f"{path.name}: cannot decode the file as {' or '.join(parts)}{hint}; nothing was loaded from it"
    )


def transcode_to_utf8(path: Path, encoding: str, dest: Path, normalise_newlines: bool) -> Path:
    """Write a UTF-8 copy of ``path`` (no BOM) to ``dest``, streaming in chunks.

    ``normalise_newlines`` turns CRLF and a lone CR (old Mac line end) into LF: DuckDB's strict
    CSV parser refuses files that mix them.
    """
    codec = "utf-8" if encoding.startswith("utf-8") else encoding
    with dest.open("wb") as out:
        for offset, piece in _line_chunks(path):
            start = len(UTF8_BOM) if offset == 0 and piece.startswith(UTF8_BOM) else 0
            text = decode(piece[start:], codec)  # UnicodeDecodeError: see decode_error()
            if normalise_newlines:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            out.write(text.encode("utf-8"))
    return dest


@dataclass
class RecordLayout:
    """Where the CSV records sit in the file, in DuckDB's slot numbering (see loader.number_lines)."""

    records: int  # slots: header + records + blank lines
    blank_slots: list[int]  # slots that are blank lines
    shift_slots: list[int]  # from this slot on ...
    shifts: list[int]  # ... physical line = slot + shift


def record_layout(path: Path) -> RecordLayout:
    """One pass of Python's csv module (slow; only for files whose records do not map one to
    one onto lines): blank lines and how far each record's first line is from its slot."""
    csv.field_size_limit(sys.maxsize)
    blank_slots: list[int] = []
    shift_slots: list[int] = []
    shifts: list[int] = []
    shift = 0
    end_of_previous = 0
    slot = 0
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            for slot, row in enumerate(reader, start=1):
                if end_of_previous + 1 - slot != shift:
                    shift = end_of_previous + 1 - slot
                    shift_slots.append(slot)
                    shifts.append(shift)
                if not row:
                    blank_slots.append(slot)
                end_of_previous = reader.line_num
        except csv.Error:
            return RecordLayout(-1, [], [], [])  # cannot tell: the caller keeps DuckDB's numbers
    return RecordLayout(slot, blank_slots, shift_slots, shifts)


def records_at_lines(path: Path, lines: list[int]) -> dict[int, list[str]]:
    """The CSV record starting at each of ``lines`` (physical line numbers, header = line 1) of
    the UTF-8 file ``path``, parsed by Python's csv module (a quoted value may span lines).

    Used for the raw strings of the few rows quarantined as conflicting duplicates, instead of a
    second DuckDB pass over the whole file: one pass over the bytes counts newlines per chunk
    (numpy finds the newline offsets only in chunks holding a wanted line), then one seek per
    record.
    """
    wanted = sorted(set(lines))
    starts: dict[int, int] = {}
    if not wanted:
        return {}
    index = 0
    if wanted[0] == 1:
        starts[1] = 0
        index = 1
    line = 1  # the line in progress at the start of the chunk
    offset = 0
    with path.open("rb") as handle:
        while index < len(wanted) and (chunk := handle.read(CHUNK_BYTES)):
            newlines = chunk.count(b"\n")
            if wanted[index] <= line + newlines:  # line + k + 1 starts after the k-th newline
                ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 0x0A)
                while index < len(wanted) and wanted[index] <= line + newlines:
                    starts[wanted[index]] = offset + int(ends[wanted[index] - line - 1]) + 1
                    index += 1
            line += newlines
            offset += len(chunk)
    csv.field_size_limit(sys.maxsize)
    records: dict[int, list[str]] = {}
    with path.open("rb") as handle:
        for number, start in starts.items():
            handle.seek(start)
            text = codecs.iterdecode(iter(handle.readline, b""), "utf-8")
            try:
                records[number] = next(csv.reader(text))
            except (StopIteration, csv.Error, UnicodeDecodeError):
                continue  # the caller notices the missing record
    return records
