"""Load a folder of contract CSV exports (docs/export-contract.md) into DuckDB schema ``raw``.

Python API::

    from lead_analytics.loader.core import load_folder
    results = load_folder("exports/", "warehouse.duckdb")   # -> list[FileResult]

How a run goes
1. Find the contract files in the folder (names matched case-insensitively; other files are
   reported and skipped). Read and check every header: a file with a missing required column
   (or an undecodable / unparseable header) fails on its own (status ``failed``, a ``failed``
   audit row, exit code 1): nothing from it is loaded, the other files load. Open the
   database (a lock held by another process is a clear error, exit code 2). Scan each file
   before its load (sha256 in a thread, newline count, encoding sniffed from the first 4 MB).
2. Per file: a file whose sha256 already has a ``loaded`` audit row is skipped ("already
   loaded", counts taken from the audit, nothing written). Otherwise DuckDB's own CSV reader
   reads it (all VARCHAR, header skipped and parsed by us, strict mode, rejects stored) into a
   temporary typed table in one vectorised statement, the only full pass over the file;
   typing and validation are SQL (see ``loader_sql``). Its rowids follow the file order (they
   become line numbers): the statement's plan is checked to hold only streaming operators.
   CP932 files are transcoded to a temporary UTF-8 copy in streaming chunks first; a file that
   only shows invalid UTF-8 after the sniffed part is caught by DuckDB (invalid-encoding
   rejects) and re-read as CP932 (``--encoding utf-8``: an error naming the byte offset). A
   file that decodes in neither is an error naming file and byte offset.
   Then, still outside the transaction and on the staged rows: line numbers are worked out
   (``number_lines``), one aggregation finds keys seen more than once in the file and only
   those rows are compared (``find_duplicates``; later copies are flagged ``_dup``), the raw
   strings of conflicting duplicates are read back from the file by line number
   (``raw_rows_of_conflicts``), and the rows read / good / collapsed are counted once.
3. One transaction per file: extra columns added, quarantine rows, data rows (entity upsert or
   history append, one INSERT straight from the staged table when the raw table is empty),
   the audit row, then the check ``rows read = loaded + quarantined`` (read and loaded from
   the staged rows, quarantined from the quarantine table; into an empty table the rows
   inserted must also equal the good rows). Any error rolls the whole file back (status
   ``failed``, exit code 1); a ``failed`` audit row is then written on its own so the failure
   is on record. The database holds nothing else from that file. Temporary tables are
   connection-local and never reach the database file.

Design choices
- Exact duplicates: a row identical (after typing, extra columns included) to an earlier row
  with the same key in the same file is collapsed into the first one and counted as *loaded*
  (it is in the table, once). A row with the same key and different content is quarantined:
  "duplicate activity_id 'A1' with different content (first at line 17)"; the first one wins.
- Entity files (leads, opportunities, users, campaigns) are upserted by id: a stored row is
  replaced when the new row's ``updated_at`` (the contract's ``order_column``) is newer or
  equal, or when either side has no ``updated_at`` / the file has no such column (file order:
  the later load wins). A row that loses to a newer stored version is counted as loaded.
  A row equal to the stored one in every column the file carries is counted as loaded and
  left as it is, ``_load_id`` and ``_source_file`` included: in a full daily dump only the
  rows that changed carry the new load, which is what the incremental dbt models key on.
  A column the stored table has and the new file does not (``_entity_select``) keeps the
  stored value: a narrower export says nothing about the fields it leaves out.
- History files (lead_history, activities, marketing_events) are appended; a row whose id
  (lead_history: ``history_id``, or when empty the key (lead_id, changed_at, field,
  new_value)) is already in the table is not inserted again and is counted as loaded.
- Line numbers (``_source_line``, ``_quarantine.line_number``) are physical lines, header =
  line 1. DuckDB numbers records, not lines, and skips blank lines; the loader maps back:
  rejected records and blank lines are counted in, and when the file has more lines than
  records (quoted values spanning lines, blank lines, an unclosed quote) one pass of Python's
  csv module finds each record's first line (slower, only for such files). Should the two
  parsers ever disagree on where records start, numbers count records and a note says so.
- Structurally broken records (too many / too few fields, unterminated or stray quote) are
  quarantined from DuckDB's rejects table with their line and raw text. An unclosed quote
  makes the parser read on to the next quote: that whole stretch is *one* broken record (one
  row read, its full raw text in ``raw_row``), as in any CSV reader.
- Mixed CRLF/LF line ends and old Mac CR line ends (refused by DuckDB's strict parser) are
  normalised to LF in a temporary copy and read again.
- Timestamps: see ``loader_sql`` (local times of a fixed-offset zone such as Asia/Tokyo are
  converted by integer arithmetic; zones with daylight saving time go through ICU).
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from lead_analytics import settings
from lead_analytics.contract import EXPORT_FILES, META_COLUMNS, ExportFile
from lead_analytics.errors import InputFileError, LoaderError, UsageError
from lead_analytics.loader.files import (
    ENCODINGS,
    ExportFileLayout,
    ScanResult,
    decode_error,
    discover,
    gunzip,
    is_gzip,
    line_facts,
    read_layout,
    record_layout,
    records_at_lines,
    scan_file,
    transcode_to_utf8,
)
from lead_analytics.loader.results import (
    STATUS_ALREADY,
    STATUS_DERIVED,
    STATUS_FAILED,
    STATUS_LOADED,
    FileResult,
)
from lead_analytics.loader.sql import (
    AUDIT_COLUMNS,
    AUDIT_TABLE,
    BLANKS,
    EXPORTED_AT,
    EXPORTED_AT_VARIABLE,
    QUARANTINE_TABLE,
    SQL_TYPES,
    SourceZone,
    TimeBounds,
    error_expr,
    expected_columns,
    folded_id,
    ident,
    lit,
    schema_statements,
    table_name,
    timestamp_exprs,
    trimmed,
    typed_expr,
)
from lead_analytics.profiles.profile import ImportProfile, load_profiles
from lead_analytics.profiles.vendors.base import FoldContext
from lead_analytics.profiles.vendors.fold import FoldError, run_fold

__all__ = [
    "FileResult",
    "InputFileError",
    "LoadReport",
    "LoaderError",
    "UsageError",
    "load_folder",
    "run_load",
]


# temporary objects (connection-local) used while loading one file
T_TYPED = "_ld_typed"
T_REJECTS = "_ld_rejects"
T_REJSCAN = "_ld_rejscan"
T_GAPS = "_ld_gapmap"
T_SHIFTS = "_ld_shifts"
T_DUPKEYS = "_ld_dupkeys"
T_DUPS = "_ld_dups"
T_RAWROWS = "_ld_rawrows"
T_REREAD = "_ld_reread"
T_REREAD_REJ = "_ld_reread_rejects"
T_REREAD_SCAN = "_ld_reread_rejscan"
T_KEPT = "_ld_kept"
V_GOOD = "_ld_good"
V_REJECTS = "_ld_rejected"
TEMP_TABLES = (
    T_TYPED,
    T_REJECTS,
    T_REJSCAN,
    T_GAPS,
    T_SHIFTS,
    T_DUPKEYS,
    T_DUPS,
    T_RAWROWS,
    T_REREAD,
    T_REREAD_REJ,
    T_REREAD_SCAN,
    T_KEPT,
)
TEMP_VIEWS = (V_GOOD, V_REJECTS)


@dataclass
class LoadReport:
    db_path: Path
    results: list[FileResult]
    skipped: list[Path]

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == STATUS_FAILED]

    def vendor_tables(self, result: FileResult) -> bool:
        """Whether ``result`` is a vendor's own file (its table is not a contract table)."""
        return not result.table.startswith(f"{settings.RAW_SCHEMA}.")


class CountMismatchError(RuntimeError):
    """rows read != loaded + quarantined: a loader bug; the file is rolled back."""


@dataclass
class LineMap:
    """How T_TYPED's rowids (``_rid``, file order) map to physical lines; see ``number_lines``.

    ``exact`` is False when DuckDB and Python's csv module disagree on the records: the numbers
    then count records (a note says so).
    """

    gaps: bool  # T_GAPS exists: broken records / blank lines take slots before some rows
    shifts: bool  # T_SHIFTS exists: records spanning lines push later records down
    exact: bool = True

    def slots(self, query: str) -> str:
        """``query`` (with a column ``_rid``) plus ``_slot``, DuckDB's record number."""
        if self.gaps:
            return f"""SELECT s.*, s._rid + 2 + coalesce(g.j, 0) AS _slot
FROM ({query}) AS s ASOF LEFT JOIN {T_GAPS} AS g ON s._rid >= g.b"""
        return f"SELECT *, _rid + 2 AS _slot FROM ({query})"

    def physical(self, query: str) -> str:
        """``query`` (with a column ``_slot``) with ``_source_line`` in its place."""
        if self.shifts:
            return f"""SELECT q.* EXCLUDE (_slot), q._slot + coalesce(x.shift, 0) AS _source_line
FROM ({query}) AS q ASOF LEFT JOIN {T_SHIFTS} AS x ON q._slot >= x.slot"""
        return f"SELECT * EXCLUDE (_slot), _slot AS _source_line FROM ({query})"

    def numbered(self, query: str) -> str:
        """``query`` (rows of T_TYPED with their rowid as ``_rid``) plus ``_source_line``.

        Filter inside ``query``: only the rows asked for are numbered.
        """
        return self.physical(self.slots(query))


@dataclass
class Staged:
    """Row counts of the staged file, taken before the transaction (cheap: two narrow columns)."""

    rows: int  # records DuckDB parsed into T_TYPED
    rejected: int  # structurally broken records (DuckDB's rejects table)
    good: int  # valid rows to merge: no rule broken, first of their key in the file
    exact: int  # valid rows collapsed into an identical earlier row with the same key

    @property
    def read(self) -> int:
        return self.rows + self.rejected


def load_folder(
    folder: str | Path,
    db_path: str | Path | None = None,
    encoding: str = "auto",
    source_timezone: str | None = None,
    quiet: bool = True,
    profile: str | Path | None = None,
    **plausibility,
) -> list[FileResult]:
    """Load every contract file in ``folder`` into ``db_path`` (default: settings.duckdb_path()).

    ``profile``: an import profile (name in import_profiles/ or path) for vendor-shaped files;
    ``plausibility``: run_load's ``earliest``, ``future_tolerance`` and ``exported_at``."""
    return run_load(
        folder, db_path, encoding, source_timezone, quiet, profile=profile, **plausibility
    ).results


def run_load(
    folder: str | Path,
    db_path: str | Path | None = None,
    encoding: str = "auto",
    source_timezone: str | None = None,
    quiet: bool = True,
    log: Callable[[str], None] | None = None,
    profile: str | Path | None = None,
    earliest: date | None = None,
    future_tolerance: timedelta | None = None,
    exported_at: datetime | None = None,
) -> LoadReport:
    """Like ``load_folder`` but also returns the skipped files. Raises ``LoaderError`` for problems
    that stop the whole run (bad header, undecodable file, missing folder, locked database).

    Timestamps before ``earliest`` (default 2000-01-01) or more than ``future_tolerance``
    (default 24 h) after the load instant (after ``exported_at`` when given) are quarantined
    (``TimeBounds``). ``exported_at`` (aware): when the source system wrote the files;
    recorded in the audit, it is the earliest reporting instant the models use (int_as_of)."""
    if encoding not in ENCODINGS:
        raise UsageError(f"unknown encoding {encoding!r} (use one of: {', '.join(ENCODINGS)})")
    if log is None:
        log = (
            (lambda _msg: None) if quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
        )
    folder = Path(folder)
    db = Path(db_path) if db_path else settings.duckdb_path()
    tz = source_timezone or settings.source_timezone()

    profiles = load_profiles(profile)
    listing = discover(folder, profiles)
    for path in listing.skipped:
        log(f"skipping {path.name}: not a contract file")
    owner = {spec.qualified_name: p for p in profiles for spec in p.specs.values() if p.vendor}
    renames = [p for p in profiles if p.vendor is None]
    vendors = [p for p in profiles if p.vendor is not None]
    now = TimeBounds.at(earliest=earliest, tolerance=future_tolerance)
    if exported_at is not None and exported_at > now.latest:
        raise UsageError(
            f"--exported-at {exported_at.isoformat()} is after {now.describe_latest()}: "
            "an export cannot be written in the future"
        )
    bounds = TimeBounds.at(exported_at, earliest, future_tolerance) if exported_at else now
    # a file whose header fails the check (a required column missing, an undecodable or
    # unparseable header) fails on its own: nothing from it is loaded, the others load;
    # a gzip file (leads.csv.gz, or gzip bytes under any name) is read from a decompressed
    # copy of the same name; the audit records the file as found
    unpacked = tempfile.TemporaryDirectory(prefix="load_exports_gunzip_")
    try:
        layouts = _read_layouts(listing, owner, renames, encoding, Path(unpacked.name), log)
        return _load_layouts(
            db, tz, layouts, vendors, owner, bounds, exported_at, encoding, listing, log
        )
    finally:
        unpacked.cleanup()


def _read_layouts(listing, owner, renames, encoding, unpacked: Path, log):
    """The header of every file found (decompressing gzip ones), or its failure."""
    layouts: list[ExportFileLayout | tuple[Path, ExportFile, FileResult]] = []
    for path, spec in listing.files:
        header_profile = owner.get(spec.qualified_name) or (renames[0] if renames else None)
        try:
            source = path
            if is_gzip(path):
                log(f"decompressing {path.name} ...")
                source = gunzip(path, unpacked)
            layout = read_layout(source, spec, encoding, header_profile)
            layout.origin = path if source is not path else None
            layouts.append(layout)
        except InputFileError as exc:
            layouts.append((path, spec, _failed_before_load(path, spec, str(exc))))
            log(f"FAILED: {exc}")
    return layouts


def _load_layouts(db, tz, layouts, vendors, owner, bounds, exported_at, encoding, listing, log):
    """Load the files whose header passed, record the others, run the vendors' folds."""
    con = connect(db)
    try:
        _set_timezone(con, tz)
        zone = source_zone(con, tz)
        con.execute(f"SET VARIABLE {EXPORTED_AT_VARIABLE} = ?::TIMESTAMPTZ", [exported_at])
        ensure_schema(con, tuple(t for p in vendors for t in p.vendor.tables))
        results = []
        with tempfile.TemporaryDirectory(prefix="load_exports_") as tmp:
            for number, layout in enumerate(layouts, start=1):
                if isinstance(layout, tuple):
                    path, spec, result = layout
                    _record_header_failure(con, path, spec, result, encoding)
                    results.append(result)
                    continue
                log(f"[{number}/{len(layouts)}] checking {layout.file_name} ...")
                try:
                    scan = scan_file(layout.path, encoding)
                except InputFileError as exc:
                    result = _failed_before_load(layout.path, layout.spec, str(exc))
                    results.append(result)
                    log(f"[{number}/{len(layouts)}] {layout.file_name}: {_describe(result)}")
                    continue
                log(
                    f"[{number}/{len(layouts)}] {layout.file_name} ({scan.size / 1e6:,.1f} MB, {scan.encoding}) ..."
                )
                result = load_file(con, layout, scan, Path(tmp), zone, bounds)
                vendor_profile = owner.get(layout.spec.qualified_name)
                if vendor_profile is not None and result.status == STATUS_LOADED:
                    result.notes += missing_column_notes(vendor_profile, layout)
                results.append(result)
                log(f"[{number}/{len(layouts)}] {layout.file_name}: {_describe(result)}")
        for vendor_profile in vendors:
            results += _fold(con, vendor_profile, log)
    finally:
        con.close()
    return LoadReport(db, results, listing.skipped)


def missing_column_notes(profile: ImportProfile, layout: ExportFileLayout) -> list[str]:
    """What is lost because a vendor file came without a column (said once per file)."""
    assert profile.vendor is not None
    return [
        note
        for (table, column), note in profile.vendor.missing_column_notes.items()
        if table == layout.spec.name and column not in layout.present
    ]


def _fold(con: duckdb.DuckDBPyConnection, profile: ImportProfile, log) -> list[FileResult]:
    """The vendor's contract rows (lead_analytics.profiles.vendors.fold); a failure is a failed result."""
    assert profile.vendor is not None
    context = FoldContext(profile.column_names, profile.written_names, profile.options)
    log(f"{profile.vendor.title}: deriving the contract rows ...")
    try:
        results = run_fold(con, profile.vendor, context)
    except (FoldError, duckdb.Error) as exc:
        result = FileResult(
            file_name=f"{profile.vendor.title} -> contract files",
            table=settings.RAW_SCHEMA,
            status=STATUS_FAILED,
            error=_error_text(exc),
        )
        log(f"{result.file_name}: FAILED: {result.error}")
        return [result]
    for result in results:
        log(f"{result.file_name}: {_describe(result)}")
    return results


def _failed_before_load(path: Path, spec: ExportFile, error: str) -> FileResult:
    """The result of a file refused before its rows were read (header check, scan)."""
    return FileResult(
        file_name=path.name,
        table=spec.qualified_name,
        status=STATUS_FAILED,
        error=error,
        file_bytes=path.stat().st_size if path.is_file() else 0,
    )


def _record_header_failure(
    con: duckdb.DuckDBPyConnection, path: Path, spec: ExportFile, result: FileResult, encoding: str
) -> None:
    """Put a file refused at its header on record (a ``failed`` audit row), if it can be read."""
    try:
        scan = scan_file(path, encoding)
    except (InputFileError, OSError):
        return
    result.encoding, result.file_hash = scan.encoding, scan.sha256
    layout = ExportFileLayout(path=path, spec=spec, columns=[], header_encoding=scan.encoding)
    _record_failure(con, layout, scan, result)


def _describe(result: FileResult) -> str:
    if result.status == STATUS_FAILED:
        return f"FAILED: {result.error}"
    if result.status == STATUS_DERIVED:
        text = f"{result.rows_loaded:,} contract row(s) derived in {result.duration_seconds:.1f}s"
    else:
        text = (
            f"{result.status}: {result.rows_read:,} read, {result.rows_loaded:,} loaded, "
            f"{result.rows_quarantined:,} quarantined in {result.duration_seconds:.1f}s"
        )
    return text + "".join(f"\n    note: {note}" for note in result.notes)


_LOCK_RE = re.compile(r"Conflicting lock is held in (.*?)(?: by user .*)?$", re.S)


def check_writable_folder(db_path: Path) -> None:
    """A UsageError unless a file can be created beside ``db_path``: DuckDB writes its log
    (``<file>.wal``) there at each commit, so in a read-only folder every file's load would
    fail at its commit, one by one. Not even the audit can record such a run."""
    folder = db_path.parent if str(db_path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".load_exports_probe_"):
            pass
    except OSError as exc:
        raise UsageError(
            f"cannot write in the folder of database {db_path} ({exc.strerror or exc}): DuckDB "
            f"writes {db_path.name}.wal beside the file at each commit. Make the folder "
            "writable, or give another path (--duckdb / DUCKDB_PATH). Nothing was loaded, and "
            "raw._load_audit cannot record this run"
        ) from exc


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the DuckDB file for writing; a lock held elsewhere or a folder that cannot be
    written becomes a clear UsageError."""
    check_writable_folder(db_path)
    try:
        return duckdb.connect(str(db_path))
    except duckdb.Error as exc:
        message = str(exc)
        if "lock" in message.lower():
            match = _LOCK_RE.search(message)
            holder = f" ({match.group(1).strip()})" if match else ""
            raise UsageError(
                f"database {db_path} is locked by another process{holder}: close the program "
                "using it (dbt, a notebook, a SQL client, another loader) and run again"
            ) from exc
        raise UsageError(f"cannot open database {db_path}: {message}") from exc


def _set_timezone(con: duckdb.DuckDBPyConnection, tz: str) -> None:
    try:
        con.execute(f"SET TimeZone = {lit(tz)}")
    except duckdb.Error as exc:
        raise UsageError(
            f"unknown source time zone {tz!r} (use an IANA name such as Asia/Tokyo)"
        ) from exc
    con.execute("SET preserve_insertion_order = true")


def ensure_schema(con: duckdb.DuckDBPyConnection, extra: tuple[ExportFile, ...] = ()) -> None:
    """Create schema raw, every contract table, quarantine and audit tables, and the tables of
    ``extra`` (a vendor's own files); add missing columns."""
    con.execute("BEGIN")
    try:
        for statement in schema_statements(extra):
            con.execute(statement)
        for spec in (*EXPORT_FILES, *extra):
            have = _table_columns(con, spec)
            for name, sql_type in expected_columns(spec).items():
                if name not in have:
                    con.execute(
                        f"ALTER TABLE {table_name(spec)} ADD COLUMN {ident(name)} {sql_type}"
                    )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _table_columns(con: duckdb.DuckDBPyConnection, spec: ExportFile) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?",
        [spec.schema, spec.name],
    ).fetchall()
    return {r[0] for r in rows}


# --------------------------------------------------------------------------- one file


def load_file(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    tmp_dir: Path,
    zone: SourceZone,
    bounds: TimeBounds | None = None,
) -> FileResult:
    """Load one file in one transaction. Never raises for a file problem: returns status failed."""
    started = time.perf_counter()
    result = FileResult(
        file_name=layout.file_name,
        table=layout.spec.qualified_name,
        encoding=scan.encoding,
        file_hash=scan.sha256,
        file_bytes=scan.size,
    )
    previous = con.execute(
        f"SELECT _load_id, rows_read, rows_loaded, rows_quarantined FROM {AUDIT_TABLE} "
        "WHERE file_hash = ? AND status = ? ORDER BY _load_id LIMIT 1",
        [scan.sha256, STATUS_LOADED],
    ).fetchone()
    if previous:
        result.load_id, result.rows_read, result.rows_loaded, result.rows_quarantined = previous
        result.status = STATUS_ALREADY
        result.duration_seconds = time.perf_counter() - started
        return result

    in_transaction = False
    try:
        source = read_file(con, layout, scan, tmp_dir, zone, result, bounds)
        lines = number_lines(con, scan, layout.path, source)
        if not lines.exact:
            result.notes.append(RECORDS_NOT_LINES_NOTE)
        conflicts = find_duplicates(con, layout, lines)
        if conflicts:
            raw_rows_of_conflicts(con, layout, source, lines)
        staged = staged_counts(con)

        con.execute("BEGIN")
        in_transaction = True
        load_id = con.execute(
            f"SELECT coalesce(max(_load_id), 0) + 1 FROM {AUDIT_TABLE}"
        ).fetchone()[0]
        result.load_id = load_id
        add_extra_columns(con, layout)
        write_quarantine(con, layout, scan, load_id, lines, conflicts)
        merge_notes = write_data(con, layout, scan, load_id, staged)
        result.notes.extend(merge_notes)
        read, loaded, quarantined = count_rows(con, load_id, staged)
        if read != loaded + quarantined:
            raise CountMismatchError(
                f"rows read ({read}) != loaded ({loaded}) + quarantined ({quarantined}): loader bug, file rolled back"
            )
        result.rows_read, result.rows_loaded, result.rows_quarantined = read, loaded, quarantined
        result.duration_seconds = time.perf_counter() - started
        write_audit(con, layout, scan, result, STATUS_LOADED)
        con.execute("COMMIT")
        in_transaction = False
        result.status = STATUS_LOADED
    except Exception as exc:
        if in_transaction:
            with contextlib.suppress(duckdb.Error):
                con.execute("ROLLBACK")
        result.status = STATUS_FAILED
        result.error = _error_text(exc)
        result.rows_read = result.rows_loaded = result.rows_quarantined = 0
        result.duration_seconds = time.perf_counter() - started
        _record_failure(con, layout, scan, result)
    finally:
        with contextlib.suppress(duckdb.Error):
            _drop_temp(con)
    return result


def _utf8_copy(layout: ExportFileLayout, scan: ScanResult, tmp_dir: Path, lf: bool) -> Path:
    suffix = "lf" if lf else "utf8"
    try:
        return transcode_to_utf8(
            layout.path, scan.encoding, tmp_dir / f"{layout.spec.name}.{suffix}.csv", lf
        )
    except UnicodeDecodeError:
        tried = ["utf-8", "cp932"] if scan.requested == "auto" else [scan.encoding.split("-sig")[0]]
        raise decode_error(layout.path, tried) from None


def read_file(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    tmp_dir: Path,
    zone: SourceZone,
    result: FileResult,
    bounds: TimeBounds | None = None,
) -> Path:
    """Stage the file (T_TYPED), transcoding when needed. Returns the file DuckDB read.

    - CP932: read from a UTF-8 copy.
    - UTF-8 by the first MBs but DuckDB finds invalid UTF-8 further down: with --encoding auto
      the file is CP932 after all (re-read from a copy); with --encoding utf-8 an error.
    - DuckDB's strict parser refuses mixed CRLF / LF line ends: re-read from a copy with LF.
    """
    source = layout.path
    if scan.encoding == "cp932":
        source = _utf8_copy(layout, scan, tmp_dir, lf=False)
    try:
        stage(con, layout, source, zone, bounds)
    except duckdb.InvalidInputException as exc:
        if "invalid state" not in str(exc):
            raise
        source = _utf8_copy(layout, scan, tmp_dir, lf=True)
        stage(con, layout, source, zone, bounds)
        result.notes.append("mixed CRLF/LF line ends: read from a normalised copy")
    bad = con.execute(
        f"SELECT count(*) FROM {T_REJECTS} WHERE error_type = 'INVALID ENCODING'"
    ).fetchone()[0]
    if bad and scan.encoding != "cp932":
        if scan.requested != "auto":
            raise decode_error(layout.path, ["utf-8"])
        scan.encoding = "cp932"
        result.encoding = "cp932"
        return read_file(con, layout, scan, tmp_dir, zone, result, bounds)
    return source


def _error_text(exc: Exception) -> str:
    if isinstance(exc, LoaderError | CountMismatchError):
        return str(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, duckdb.Error):
        return f"DuckDB error ({type(exc).__name__}): {first}"
    return f"{type(exc).__name__}: {first}"


def _record_failure(con, layout: ExportFileLayout, scan: ScanResult, result: FileResult) -> None:
    try:
        con.execute("BEGIN")
        result.load_id = con.execute(
            f"SELECT coalesce(max(_load_id), 0) + 1 FROM {AUDIT_TABLE}"
        ).fetchone()[0]
        write_audit(con, layout, scan, result, STATUS_FAILED)
        con.execute("COMMIT")
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")


def _drop_temp(con: duckdb.DuckDBPyConnection) -> None:
    for view in TEMP_VIEWS:
        con.execute(f"DROP VIEW IF EXISTS temp.main.{view}")
    for table in TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS temp.main.{table}")


# --------------------------------------------------------------------------- staging

# the contract's lead_history: the values of its owner changes are user ids
LEAD_HISTORY_TABLE = f"{settings.RAW_SCHEMA}.lead_history"
OWNER_VALUES = ("old_value", "new_value")


# The longest CSV record read (DuckDB's default is 2,000,000 bytes, which a long free-text
# field can pass). A longer record is quarantined as a broken line, with DuckDB's reason.
MAX_RECORD_BYTES = 16 * 1024 * 1024


def _read_csv_sql(layout: ExportFileLayout, source: Path, rejects: str, rejscan: str) -> str:
    columns = ", ".join(f"'_ld_c{i}': 'VARCHAR'" for i in range(len(layout.columns)))
    return (
        f"read_csv({lit(str(source))}, columns = {{{columns}}}, header = false, skip = 1, "
        "auto_detect = false, compression = 'none', delim = ',', quote = '\"', escape = '\"', strict_mode = true, "
        f"null_padding = false, max_line_size = {MAX_RECORD_BYTES}, "
        f"store_rejects = true, rejects_table = {lit(rejects)}, "
        f"rejects_scan = {lit(rejscan)})"
    )


def _raw_json(layout: ExportFileLayout) -> str:
    """json_object of the original header names to the original (untrimmed) strings."""
    keys: list[str] = []
    parts = []
    for column in layout.columns:
        key = column.original if column.original not in keys else column.name
        keys.append(key)
        parts.append(f"{lit(key)}, coalesce(_ld_c{column.position}, '')")
    return "json_object(" + ", ".join(parts) + ")"


def stage(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    source: Path,
    zone: SourceZone,
    bounds: TimeBounds | None = None,
) -> None:
    """Read the CSV with DuckDB and type + validate it into the temporary table T_TYPED.

    One statement, nested projections (raw text -> trimmed -> typed -> reasons), so every
    value is parsed once and the file is read once. Ids are width-folded (``folded_id``)
    before anything compares them (duplicates, upserts, references); so are the owner ids
    of a contract lead_history's owner changes. ``bounds``: timestamps outside them are
    quarantined.
    """
    spec = layout.spec
    _drop_temp(con)
    # T_TYPED's rowid must follow the file order: it numbers the lines
    con.execute("SET preserve_insertion_order = true")
    by_name = {c.name: c for c in layout.columns}
    n = len(layout.columns)
    layers: list[list[str]] = [[f"{trimmed(f'_ld_c{i}')} AS _ld_v{i}" for i in range(n)], [], []]
    final_typed: list[str] = []
    typed: dict[int, str] = {}  # position -> alias (or expression) of the typed value
    field = by_name.get("field") if spec.qualified_name == LEAD_HISTORY_TABLE else None
    for header in layout.columns:
        column = header.contract
        i = header.position
        if column is not None and column.is_id:
            layers[1].append(f"{folded_id(f'_ld_v{i}')} AS _ld_t{i}")
            typed[i] = f"_ld_t{i}"
        elif column is not None and field is not None and column.name in OWNER_VALUES:
            owner = f"lower(_ld_v{field.position}) = 'owner'"
            layers[1].append(
                f"CASE WHEN {owner} THEN {folded_id(f'_ld_v{i}')} ELSE _ld_v{i} END AS _ld_t{i}"
            )
            typed[i] = f"_ld_t{i}"
        elif column is None or column.type == "text":
            typed[i] = f"_ld_v{i}"
        elif column.type == "timestamp":
            gate, naive, absolute, instant = timestamp_exprs(
                f"_ld_v{i}", zone, f"_ld_g{i}", f"_ld_n{i}", f"_ld_z{i}"
            )
            layers[1] += [f"{gate[0]} AS _ld_g{i}", f"{gate[1]} AS _ld_g{i}_o"]
            layers[2] += [f"{naive} AS _ld_n{i}", f"{absolute} AS _ld_z{i}"]
            final_typed.append(f"{instant} AS _ld_t{i}")
            typed[i] = f"_ld_t{i}"
        else:
            layers[1].append(f"{typed_expr(column, f'_ld_v{i}')} AS _ld_t{i}")
            typed[i] = f"_ld_t{i}"
    layers.append(final_typed)
    select = [f"_ld_c{i}" for i in range(n)]
    for column in spec.columns:
        header = by_name.get(column.name)
        if header is None:
            select.append(f"CAST(NULL AS {SQL_TYPES[column.type]}) AS {ident(column.name)}")
        else:
            select.append(f"{typed[header.position]} AS {ident(column.name)}")
    for header in layout.extras:
        select.append(f"_ld_v{header.position} AS {ident(header.name)}")
    errors = [  # reasons in file column order
        reason
        for header in layout.columns
        if header.contract is not None
        and (
            reason := error_expr(
                header.contract, f"_ld_v{header.position}", typed[header.position], bounds
            )
        )
    ]
    err = f"nullif(concat_ws('; ', {', '.join(errors)}), '')" if errors else "NULL::VARCHAR"
    select.append(f"{err} AS _err")

    raw_cols = ", ".join(f"_ld_c{i}" for i in range(n))
    query = f"SELECT {raw_cols} FROM {_read_csv_sql(layout, source, T_REJECTS, T_REJSCAN)}"
    for layer in layers:
        if layer:
            query = f"SELECT *, {', '.join(layer)} FROM ({query})"
    query = f"SELECT {', '.join(select)} FROM ({query})"
    names = [ident(c.name) for c in spec.columns] + [ident(h.name) for h in layout.extras]
    statement = (
        f"CREATE TEMP TABLE {T_TYPED} AS SELECT {', '.join(names)}, _err, "
        f"CASE WHEN _err IS NOT NULL THEN {_raw_json(layout)} END AS _raw, "
        f"false AS _dup FROM ({query})"
    )
    check_streaming_plan(con, statement)
    con.execute(statement)


# operators that keep DuckDB's file order under preserve_insertion_order
STREAMING_OPERATORS = {
    "CREATE_TABLE_AS",
    "BATCH_CREATE_TABLE_AS",
    "PROJECTION",
    "FILTER",
    "READ_CSV",
    "SEQ_SCAN",
    "TABLE_SCAN",
}


def check_streaming_plan(con: duckdb.DuckDBPyConnection, statement: str) -> None:
    """Refuse a staging statement whose plan could reorder rows.

    T_TYPED's rowids must follow the file order (they become line numbers). DuckDB keeps that
    order only through streaming operators (scan, filter, projection); a join, aggregate or
    window in the plan lets parallel threads deliver row groups in any order. The optimizer can
    add one behind our back (an ``IN`` list of 5+ constants becomes a hash join), so the plan
    is checked (a few milliseconds) rather than trusted.
    """
    plan = json.loads(con.execute(f"EXPLAIN (FORMAT json) {statement}").fetchall()[0][1])
    found: set[str] = set()
    todo = list(plan)
    while todo:
        node = todo.pop()
        found.add(node["name"].strip())
        todo.extend(node.get("children", []))
    if found - STREAMING_OPERATORS:
        raise RuntimeError(
            "loader bug: the staging query would not keep the file order (plan has "
            f"{', '.join(sorted(found - STREAMING_OPERATORS))}); line numbers would be wrong"
        )


def source_zone(con: duckdb.DuckDBPyConnection, name: str) -> SourceZone:
    """The zone, with its UTC offset if it never changes in 1970-2100 (per DuckDB's ICU data)."""
    offsets = con.execute(
        "SELECT DISTINCT epoch_us(t) - epoch_us(timezone(?, t)) FROM generate_series("
        "TIMESTAMP '1970-01-01', TIMESTAMP '2100-01-01', INTERVAL 1 DAY) AS g(t)",
        [name],
    ).fetchall()
    return SourceZone(name, offsets[0][0] if len(offsets) == 1 else None)


RECORDS_NOT_LINES_NOTE = (
    "the CSV records do not line up with the file's lines (stray quotes?): line "
    "numbers count CSV records, a value spanning several lines counts as one"
)


def number_lines(
    con: duckdb.DuckDBPyConnection, scan: ScanResult, scan_path: Path, source: Path
) -> LineMap:
    """Work out how T_TYPED's rows map to physical lines (the returned ``LineMap`` adds
    ``_source_line`` to any selection of T_TYPED rows) and create the view V_REJECTS (broken
    records, one row per line, with their physical line).

    DuckDB numbers records in "slots": the header is slot 1, then every record (good or
    broken) and every blank line takes one slot. A good row's slot is 2 + its ordinal + the
    number of non-good slots before it (broken records from DuckDB's rejects table, blank
    lines). When every record is one line, slot = physical line. Otherwise (blank lines inside
    the data, quoted values spanning lines, an unterminated quote swallowing lines) a Python
    ``csv`` pass over the file finds the blank slots and each slot's physical line. If that
    pass does not agree with DuckDB on the number of records, line numbers stay slots and a
    note says so.
    """
    rows = con.execute(f"SELECT count(*) FROM {T_TYPED}").fetchone()[0]
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {T_REJECTS}").fetchone()[0]
    records = 1 + rows + rejected
    blanks: list[int] = []
    shifts: tuple[list[int], list[int]] = ([], [])
    exact = True
    if source == scan_path:
        physical_lines, trailing_blanks = scan.physical_lines, scan.trailing_blank_lines
    else:  # a transcoded / normalised copy
        physical_lines, trailing_blanks = line_facts(source)
    if physical_lines - records > trailing_blanks:  # trailing blank lines shift nothing
        layout_ = record_layout(source)
        if layout_.records == records + len(layout_.blank_slots):
            blanks = layout_.blank_slots
            shifts = layout_.shift_slots, layout_.shifts
        else:
            exact = False
    if rejected or blanks:
        con.execute(
            f"""
CREATE TEMP TABLE {T_GAPS} AS
SELECT b, max(j) AS j FROM (
    SELECT line - 1 - row_number() OVER (ORDER BY line) AS b, row_number() OVER (ORDER BY line) AS j
    FROM (SELECT DISTINCT line FROM (
        SELECT line::BIGINT AS line FROM {T_REJECTS}
        UNION ALL SELECT unnest(?::BIGINT[]) AS line
    ))
) GROUP BY b""",
            [blanks],
        )
    # column_idx is null for an error of the whole line (one too long): coalesce, or arg_min
    # would skip the row and leave the quarantined line without its text and reason
    rejects = f"""SELECT line::BIGINT AS _slot, arg_min(csv_line, coalesce(column_idx, 0)) AS csv_line,
       arg_min(error_type::VARCHAR, coalesce(column_idx, 0)) AS error_type,
       arg_min(error_message, coalesce(column_idx, 0)) AS error_message
FROM {T_REJECTS} GROUP BY line"""
    if shifts[0]:
        con.execute(
            f"CREATE TEMP TABLE {T_SHIFTS} AS "
            "SELECT unnest(?::BIGINT[]) AS slot, unnest(?::BIGINT[]) AS shift",
            list(shifts),
        )
    lines = LineMap(gaps=bool(rejected or blanks), shifts=bool(shifts[0]), exact=exact)
    con.execute(f"CREATE TEMP VIEW {V_REJECTS} AS {lines.physical(rejects)}")
    return lines


def _key_exprs(spec: ExportFile) -> list[str]:
    """Expressions identifying a row within the file (NULL-safe compared)."""
    if spec.fallback_key:
        main = ident(spec.key[0])
        return [main] + [f"CASE WHEN {main} IS NULL THEN {ident(c)} END" for c in spec.fallback_key]
    return [ident(c) for c in spec.key]


def _key_label(spec: ExportFile) -> str:
    """SQL text naming the duplicate key and its value, for the quarantine reason."""
    main = ident(spec.key[0])
    simple = f"'duplicate {spec.key[0]} ''' || {main} || ''''"
    if not spec.fallback_key:
        if len(spec.key) > 1:
            values = " || ', ' || ".join(f"coalesce({ident(c)}::VARCHAR, 'NULL')" for c in spec.key)
            return f"'duplicate ({', '.join(spec.key)}) (' || {values} || ')'"
        return simple
    values = " || ', ' || ".join(
        f"coalesce('''' || {ident(c)}::VARCHAR || '''', 'NULL')" for c in spec.fallback_key
    )
    fallback = f"'duplicate ({', '.join(spec.fallback_key)}) (' || {values} || ')'"
    return f"CASE WHEN {main} IS NOT NULL THEN {simple} ELSE {fallback} END"


def find_duplicates(
    con: duckdb.DuckDBPyConnection, layout: ExportFileLayout, lines: LineMap
) -> int:
    """T_DUPS: every valid row after the first one for its key (same content or not), marked
    ``_dup`` in T_TYPED too, and the view V_GOOD: the valid rows to merge (first occurrences,
    numbered). Returns the number of conflicting duplicates (same key, other content).

    One aggregation over the key columns finds the keys seen more than once; only the rows
    holding such a key (found by a hash semi-join) are then compared, numbered and ranked.
    """
    spec = layout.spec
    keys = _key_exprs(spec)
    key_cols = ", ".join(f"{expr} AS _k{i}" for i, expr in enumerate(keys))
    con.execute(
        f"CREATE TEMP TABLE {T_DUPKEYS} AS SELECT * FROM (SELECT {key_cols} FROM {T_TYPED} "
        "WHERE _err IS NULL) GROUP BY ALL HAVING count(*) > 1"
    )
    has_dups = con.execute(f"SELECT count(*) FROM {T_DUPKEYS}").fetchone()[0] > 0
    conflicts = 0
    if has_dups:
        content = ", ".join(
            [ident(c.name) for c in spec.columns] + [ident(h.name) for h in layout.extras]
        )
        match = " AND ".join(f"d._k{i} IS NOT DISTINCT FROM c._k{i}" for i in range(len(keys)))
        partition = ", ".join(f"_k{i}" for i in range(len(keys)))
        # an explicit SEMI JOIN: EXISTS (...) would be planned as a delim join that groups
        # every key of the file a second time
        candidates = lines.numbered(
            f"SELECT c.* FROM (SELECT rowid AS _rid, *, {key_cols} FROM {T_TYPED} "
            f"WHERE _err IS NULL) AS c SEMI JOIN {T_DUPKEYS} AS d ON {match}"
        )
        con.execute(
            f"""
CREATE TEMP TABLE {T_DUPS} AS
WITH ranked AS (
    SELECT _rid, _source_line, _k0, {_key_label(spec)} AS _what,
           row_number() OVER w AS _rn,
           first_value(_source_line) OVER w AS _first_line,
           row({content}) IS NOT DISTINCT FROM first_value(row({content})) OVER w AS _same
    FROM ({candidates})
    WINDOW w AS (PARTITION BY {partition} ORDER BY _rid)
)
SELECT _rid, _source_line, _k0, _same,
       _what || ' with different content (first at line ' || _first_line || ')' AS _reason
FROM ranked WHERE _rn > 1"""
        )
        # flag them in place (a few rows): V_GOOD stays a plain filter, no anti-join
        con.execute(
            f"UPDATE {T_TYPED} AS t SET _dup = true FROM {T_DUPS} AS d WHERE t.rowid = d._rid"
        )
        conflicts = con.execute(f"SELECT count(*) FROM {T_DUPS} WHERE NOT _same").fetchone()[0]
    else:
        con.execute(
            f"CREATE TEMP TABLE {T_DUPS} (_rid BIGINT, _source_line BIGINT, _k0 VARCHAR, "
            "_same BOOLEAN, _reason VARCHAR)"
        )
    good = lines.numbered(f"SELECT rowid AS _rid, * FROM {T_TYPED} WHERE _err IS NULL AND NOT _dup")
    con.execute(
        f"CREATE TEMP VIEW {V_GOOD} AS SELECT * EXCLUDE (_rid, _err, _raw, _dup) FROM ({good})"
    )
    return conflicts


def raw_rows_of_conflicts(
    con: duckdb.DuckDBPyConnection, layout: ExportFileLayout, source: Path, lines: LineMap
) -> None:
    """T_RAWROWS (_rid, _ld_c0, ...): the original strings of the conflicting duplicates, for
    their quarantine rows (T_TYPED keeps typed values only).

    Their physical lines are known, so Python's csv module reads just those records from the
    file DuckDB read (a check: the field count and the key must match). Should that not work
    (line numbers that count records, a mismatch), DuckDB reads the whole file again with the
    same options, so its rowids are T_TYPED's.
    """
    n = len(layout.columns)
    wanted = con.execute(
        f"SELECT _rid, _source_line, _k0 FROM {T_DUPS} WHERE NOT _same ORDER BY _rid"
    ).fetchall()
    names = ", ".join(f"_ld_c{i}" for i in range(n))
    if lines.exact:
        records = records_at_lines(source, [line for _rid, line, _key in wanted])
        key = next((c.position for c in layout.columns if c.name == layout.spec.key[0]), None)
        columns: list[list] = [[] for _ in range(n + 1)]
        for rid, line, key_value in wanted:
            record = records.get(line)
            if record is None or len(record) != n:
                break
            if key is not None and key_value is not None and record[key].strip(BLANKS) != key_value:
                break
            columns[0].append(rid)
            for i, value in enumerate(record, start=1):
                columns[i].append(value)
        else:
            params = ", ".join(
                ["unnest(?::BIGINT[]) AS _rid"]
                + [f"unnest(?::VARCHAR[]) AS _ld_c{i}" for i in range(n)]
            )
            con.execute(f"CREATE TEMP TABLE {T_RAWROWS} AS SELECT {params}", columns)
            return
    con.execute("SET preserve_insertion_order = true")  # rowids in file order, as in T_TYPED
    con.execute(
        f"CREATE TEMP TABLE {T_REREAD} AS SELECT * FROM "
        f"{_read_csv_sql(layout, source, T_REREAD_REJ, T_REREAD_SCAN)}"
    )
    con.execute(
        f"CREATE TEMP TABLE {T_RAWROWS} AS SELECT rowid AS _rid, {names} FROM {T_REREAD} "
        f"WHERE rowid IN (SELECT _rid FROM {T_DUPS} WHERE NOT _same)"
    )


def staged_counts(con: duckdb.DuckDBPyConnection) -> Staged:
    rows, good, exact = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE _err IS NULL AND NOT _dup), "
        f"(SELECT count(*) FROM {T_DUPS} WHERE _same) FROM {T_TYPED}"
    ).fetchone()
    rejected = con.execute(f"SELECT count(DISTINCT line) FROM {T_REJECTS}").fetchone()[0]
    return Staged(rows=rows, rejected=rejected, good=good, exact=exact)


# --------------------------------------------------------------------------- the transaction


def add_extra_columns(con: duckdb.DuckDBPyConnection, layout: ExportFileLayout) -> None:
    have = _table_columns(con, layout.spec)
    for header in layout.extras:
        if header.name not in have:
            con.execute(
                f"ALTER TABLE {table_name(layout.spec)} ADD COLUMN {ident(header.name)} VARCHAR"
            )


def write_quarantine(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    load_id: int,
    lines: LineMap,
    conflicts: int,
) -> None:
    """Rows that break a rule, conflicting duplicates and structurally broken lines."""
    head = f"{int(load_id)}, {lit(layout.file_name)}, {lit(scan.sha256)}"
    bad = lines.numbered(f"SELECT rowid AS _rid, _raw, _err FROM {T_TYPED} WHERE _err IS NOT NULL")
    con.execute(
        f"INSERT INTO {QUARANTINE_TABLE} SELECT {head}, _source_line, _raw, _err, now() "
        f"FROM ({bad}) ORDER BY _source_line"
    )
    if conflicts:
        con.execute(
            f"""INSERT INTO {QUARANTINE_TABLE}
SELECT {head}, d._source_line, {_raw_json(layout)}, d._reason, now()
FROM {T_DUPS} AS d JOIN {T_RAWROWS} AS r USING (_rid)
WHERE NOT d._same ORDER BY d._source_line"""
        )
    con.execute(
        f"""INSERT INTO {QUARANTINE_TABLE}
SELECT {head}, _source_line,
       -- in a CRLF file DuckDB's line text starts with the LF of the line before
       regexp_replace(csv_line, '^\\n', ''),
       'broken CSV line (' || lower(error_type) || '): ' || error_message, now()
FROM {V_REJECTS} ORDER BY _source_line"""
    )


def _meta_select(layout: ExportFileLayout, scan: ScanResult, load_id: int) -> str:
    values = {
        "_load_id": str(int(load_id)),
        "_source_file": lit(layout.file_name),
        "_source_line": "_source_line",
        "_file_hash": lit(scan.sha256),
        "_loaded_at": "now()",
    }
    return ", ".join(f"{values[m]} AS {m}" for m in META_COLUMNS)


def write_data(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    load_id: int,
    staged: Staged,
) -> list[str]:
    """Merge V_GOOD into the raw table: entity upsert or history append + de-duplication.

    Row order in the raw table carries no meaning (``_source_line`` does), so insertion order
    is not preserved here: DuckDB may then write in parallel.
    """
    con.execute("SET preserve_insertion_order = false")
    try:
        return _merge(con, layout, scan, load_id, staged.good)
    finally:
        with contextlib.suppress(duckdb.Error):  # stage() sets it again in any case
            con.execute("SET preserve_insertion_order = true")


def _merge(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    load_id: int,
    good: int,
) -> list[str]:
    """V_GOOD into the raw table by the first path that applies: a table still empty takes
    every row; an entity file upserts by key; a history file appends the rows not stored
    yet. Returns the notes of the merge (rows replaced, unchanged, skipped)."""
    target = table_name(layout.spec)
    columns = ", ".join(
        [f"g.{ident(c.name)}" for c in layout.spec.columns]
        + [f"g.{ident(h.name)}" for h in layout.extras]
    )
    select = f"SELECT {columns}, {_meta_select(layout, scan, load_id)} FROM {V_GOOD} AS g"
    if con.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {target})").fetchone()[0]:
        return _insert_into_empty(con, layout, target, select, good)
    if layout.spec.kind == "entity":
        return _upsert_entities(con, layout, scan, load_id, target, good)
    return _append_history(con, layout, target, select, good)


def _insert_into_empty(
    con: duckdb.DuckDBPyConnection, layout: ExportFileLayout, target: str, select: str, good: int
) -> list[str]:
    """The first load of a table: every valid row, nothing to compare with."""
    inserted = con.execute(f"INSERT INTO {target} BY NAME {select}").fetchone()[0]
    if inserted != good:
        raise CountMismatchError(
            f"{inserted} row(s) inserted into an empty {layout.spec.name}, {good} expected: "
            "loader bug, file rolled back"
        )
    return []


def _upsert_entities(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    load_id: int,
    target: str,
    good: int,
) -> list[str]:
    """Leads, opportunities, users, campaigns: a newer (or equally new) row replaces the
    stored one of its key; a row equal to the stored one in every column the file carries
    is left alone, with the load that brought it (in a full daily dump only the changed
    rows get the new load id, so an incremental dbt build recomputes only their leads)."""
    spec = layout.spec
    key_match = " AND ".join(f"x.{ident(k)} = g.{ident(k)}" for k in spec.key)
    order = spec.order_column
    newer = (
        f" AND (g.{ident(order)} IS NULL OR x.{ident(order)} IS NULL OR g.{ident(order)} >= x.{ident(order)})"
        if order
        else ""
    )
    select = _entity_select(con, layout, scan, load_id, key_match)
    compared = [c for c in sorted(layout.present) if c not in spec.key]
    compared += [h.name for h in layout.extras]
    same = " AND ".join(f"x.{ident(c)} IS NOT DISTINCT FROM g.{ident(c)}" for c in compared)
    unchanged = 0
    if same:
        unchanged = con.execute(
            f"SELECT count(*) FROM {target} AS x JOIN {V_GOOD} AS g ON {key_match} WHERE {same}"
        ).fetchone()[0]
    replaced = con.execute(
        f"DELETE FROM {target} AS x USING {V_GOOD} AS g WHERE {key_match}{newer}"
        + (f" AND NOT ({same})" if same else "")
    ).fetchone()[0]
    inserted = con.execute(
        f"INSERT INTO {target} BY NAME {select} WHERE NOT EXISTS (SELECT 1 FROM {target} AS x WHERE {key_match})"
    ).fetchone()[0]
    notes = []
    if replaced:
        notes.append(f"{replaced:,} stored row(s) replaced by this export")
    if unchanged:
        notes.append(f"{unchanged:,} row(s) unchanged: the stored row stays, with its load")
    if good - inserted - unchanged:
        notes.append(
            f"{good - inserted - unchanged:,} row(s) kept the stored version (its {order} is newer)"
        )
    return notes


def _append_history(
    con: duckdb.DuckDBPyConnection, layout: ExportFileLayout, target: str, select: str, good: int
) -> list[str]:
    """Lead history, activities, marketing events: append the rows whose key is not stored
    yet (by the fallback key where the export has no id, e.g. a history without
    history_id)."""
    spec = layout.spec
    if spec.fallback_key:
        main = ident(spec.key[0])
        fallback = " AND ".join(
            f"x.{ident(c)} IS NOT DISTINCT FROM g.{ident(c)}" for c in spec.fallback_key
        )
        inserted = con.execute(
            f"INSERT INTO {target} BY NAME {select} WHERE g.{main} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} AS x WHERE x.{main} = g.{main})"
        ).fetchone()[0]
        inserted += con.execute(
            f"INSERT INTO {target} BY NAME {select} WHERE g.{main} IS NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {target} AS x WHERE x.{main} IS NULL AND {fallback})"
        ).fetchone()[0]
    else:
        key_match = " AND ".join(f"x.{ident(k)} = g.{ident(k)}" for k in spec.key)
        inserted = con.execute(
            f"INSERT INTO {target} BY NAME {select} WHERE NOT EXISTS (SELECT 1 FROM {target} AS x WHERE {key_match})"
        ).fetchone()[0]
    if good - inserted:
        return [f"{good - inserted:,} row(s) already in {spec.name} (same id): not inserted again"]
    return []


def _entity_select(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    load_id: int,
    key_match: str,
) -> str:
    """The rows of an entity export as they replace the stored ones.

    A column the stored table has but this file does not (an optional contract column left
    out of a narrower export, an extra column of an earlier one) keeps the stored row's value:
    an export that does not carry a field says nothing about it. A new id gets null there.
    """
    spec = layout.spec
    present = {c.name for c in layout.columns}
    stored = [
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [spec.schema, spec.name],
        ).fetchall()
    ]
    kept = [c for c in stored if c not in present and c not in META_COLUMNS and c not in spec.key]
    meta = _meta_select(layout, scan, load_id)
    if not kept:
        columns = [f"g.{ident(c.name)}" for c in spec.columns]
        columns += [f"g.{ident(h.name)}" for h in layout.extras]
        return f"SELECT {', '.join(columns)}, {meta} FROM {V_GOOD} AS g"
    keys = ", ".join(f"x.{ident(k)}" for k in spec.key)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {T_KEPT} AS SELECT {keys}, "
        + ", ".join(f"x.{ident(c)}" for c in kept)
        + f" FROM {table_name(spec)} AS x WHERE EXISTS (SELECT 1 FROM {V_GOOD} AS g WHERE {key_match})"
    )
    columns = [f"g.{ident(c.name)}" for c in spec.columns if c.name not in kept]
    columns += [f"g.{ident(h.name)}" for h in layout.extras]
    columns += [f"k.{ident(c)}" for c in kept]
    join = " AND ".join(f"k.{ident(k)} = g.{ident(k)}" for k in spec.key)
    return (
        f"SELECT {', '.join(columns)}, {meta} FROM {V_GOOD} AS g LEFT JOIN {T_KEPT} AS k ON {join}"
    )


def count_rows(
    con: duckdb.DuckDBPyConnection, load_id: int, staged: Staged
) -> tuple[int, int, int]:
    """(read, loaded, quarantined): read and loaded from the staging tables (``staged``),
    quarantined from the quarantine table as written in this transaction."""
    quarantined = con.execute(
        f"SELECT count(*) FROM {QUARANTINE_TABLE} WHERE _load_id = ?", [load_id]
    ).fetchone()[0]
    return staged.read, staged.good + staged.exact, quarantined


def write_audit(
    con: duckdb.DuckDBPyConnection,
    layout: ExportFileLayout,
    scan: ScanResult,
    result: FileResult,
    status: str,
) -> None:
    con.execute(
        f"INSERT INTO {AUDIT_TABLE} ({AUDIT_COLUMNS}) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now(), ?, {EXPORTED_AT})",
        [
            result.load_id,
            layout.file_name,
            str(layout.source_path.resolve()),
            scan.sha256,
            scan.size,
            scan.encoding,
            result.rows_read,
            result.rows_loaded,
            result.rows_quarantined,
            status,
            result.duration_seconds,
        ],
    )
