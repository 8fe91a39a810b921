"""SQL the export loader runs in DuckDB: raw table DDL, typing and validation expressions.

Typing is done in SQL, one vectorised pass: each value is trimmed (spaces, tabs, full-width
and no-break spaces), an empty string becomes NULL, and a non-empty value that does not
parse becomes NULL *plus* a reason.
A row whose reason list is not empty goes to ``raw._quarantine``.

Timestamps: a regular expression gates the accepted forms (ISO 8601 with ``T`` or space,
``YYYY/MM/DD``, 1- or 2-digit month/day/hour, optional seconds and fraction, optional ``Z`` /
``+09:00`` / ``+0900`` / ``+09`` offset, or a bare date = midnight; and ISO 8601's basic
format, ``20250110T093000+0900`` or ``20250110``, which is rewritten to the extended one). A string with an offset
is cast to TIMESTAMPTZ (absolute); one without is cast to TIMESTAMP and read in the source
time zone (see ``SourceZone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from lead_analytics.contract import EXPORT_FILES, META_COLUMNS, Column, ExportFile
from lead_analytics.settings import RAW_SCHEMA

SQL_TYPES = {
    "text": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18,2)",
}
META_TYPES = {
    "_load_id": "BIGINT",
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_file_hash": "VARCHAR",
    "_loaded_at": "TIMESTAMPTZ",
}
QUARANTINE_TABLE = f"{RAW_SCHEMA}._quarantine"
AUDIT_TABLE = f"{RAW_SCHEMA}._load_audit"

OFFSET_RE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
TIMESTAMP_RE = (
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
    r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?" + OFFSET_RE + ")?"
    # ISO 8601 basic format: 20250110, 20250110T0930, 20250110T093000.5+0900
    r"|\d{8}(?:T\d{4}(?:\d{2}(?:\.\d{1,9})?)?" + OFFSET_RE + ")?"
)
DATE_RE = r"\d{4}[-/]\d{1,2}[-/]\d{1,2}"
# a time with minutes but no seconds, right before its UTC offset
OFFSET_WITHOUT_SECONDS_RE = r"^(\d{4}-\d{1,2}-\d{1,2}[T ]\d{1,2}:\d{2})([Z+-])"
INTEGER_RE = r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)"
DECIMAL_RE = r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)?(?:\.\d+)?"
TRUE_WORDS = ("true", "1", "yes", "t", "y")
FALSE_WORDS = ("false", "0", "no", "f", "n")

BAD_VALUE_LABEL = {
    "timestamp": "unparseable timestamp",
    "date": "unparseable date",
    "boolean": "bad boolean",
    "integer": "bad integer",
    "decimal": "bad decimal",
}


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def table_name(spec: ExportFile) -> str:
    return f"{ident(spec.schema)}.{ident(spec.name)}"


def _words(words: tuple[str, ...]) -> str:
    return ", ".join(lit(w) for w in words)


# Blanks trimmed around every value: ASCII space, tab, the ideographic (full-width) space
# U+3000 that Japanese spreadsheets leave in cells, and the no-break space U+00A0.
BLANKS = " \t\u3000\u00a0"


def trimmed(raw: str) -> str:
    """Trim BLANKS (only when a value starts or ends with one: ``trim`` on every value is
    costly) and turn an empty string into NULL, so a value of blanks only is empty too."""
    gate = " OR ".join(f"{raw} LIKE '{b}%' OR {raw} LIKE '%{b}'" for b in BLANKS)
    return f"nullif(CASE WHEN {gate} THEN trim({raw}, '{BLANKS}') ELSE {raw} END, '')"


@dataclass(frozen=True)
class SourceZone:
    """The source time zone, and its UTC offset when it is the same all through 1970-2100.

    For such a zone (Asia/Tokyo, UTC, Asia/Kolkata, ...) a local time becomes an instant by
    plain integer arithmetic, several times faster than an ICU conversion per value; other
    zones (with daylight saving time) and values outside 1970-2100 go through ICU.
    """

    name: str
    fixed_offset_us: int | None


def _replaced(value: str, old: str, new: str) -> str:
    """``replace`` only where ``old`` occurs (``contains`` is a cheap scan, ``replace`` always
    builds a new string)."""
    return f"CASE WHEN contains({value}, {lit(old)}) THEN replace({value}, {lit(old)}, {lit(new)}) ELSE {value} END"


def timestamp_exprs(
    value: str, zone: SourceZone, gate_alias: str, naive_alias: str, absolute_alias: str
) -> tuple[tuple[str, str], str, str, str]:
    """Layered expressions for a timestamp column, evaluated in nested projections so that no
    expression is computed twice:

    1. ``gate``: the regex check and whether the string has a UTC offset (two BOOLEANs, the
       second aliased ``gate_alias + '_o'``) on the trimmed text ``value``;
    2. ``naive`` / ``absolute`` (reading them): the TIMESTAMP of a string without offset, the
       TIMESTAMPTZ of a string with one;
    3. ``instant`` (reading ``naive_alias`` / ``absolute_alias``): the absolute one, or the
       naive one read in the source zone.
    """
    gate = f"regexp_full_match({value}, {lit(TIMESTAMP_RE)})"
    # after the gate, an offset is a trailing Z or a sign after the date part (10 chars max)
    has_offset = (
        f"({value} LIKE '%Z' OR contains({value}, '+') OR contains(substr({value}, 11), '-'))"
    )
    offset_alias = f"{gate_alias}_o"
    # past the gate, the fifth character tells the extended forms (- or /) from the basic
    # one, which gets its separators: 20250110T093000+0900 -> 2025-01-10T09:30:00+0900
    basic = f"regexp_replace({value}, '^(\\d{{4}})(\\d{{2}})(\\d{{2}})', '\\1-\\2-\\3')"
    basic = f"regexp_replace({basic}, '^(.{{10}}T\\d{{2}})(\\d{{2}})', '\\1:\\2')"
    basic = f"regexp_replace({basic}, '^(.{{13}}:\\d{{2}})(\\d{{2}})', '\\1:\\2')"
    iso = (
        f"CASE WHEN substr({value}, 5, 1) IN ('-', '/') "
        f"THEN {_replaced(value, '/', '-')} ELSE {basic} END"
    )
    naive = f"CASE WHEN {gate_alias} AND NOT {offset_alias} THEN try_cast({iso} AS TIMESTAMP) END"
    # DuckDB reads an offset only after seconds: '10:00+09:00' -> '10:00:00+09:00', tried
    # only where the plain cast failed (coalesce evaluates its second argument per row)
    with_seconds = f"regexp_replace({iso}, {lit(OFFSET_WITHOUT_SECONDS_RE)}, '\\1:00\\2')"
    absolute = (
        f"CASE WHEN {gate_alias} AND {offset_alias} THEN coalesce("
        f"try_cast({iso} AS TIMESTAMPTZ), try_cast({with_seconds} AS TIMESTAMPTZ)) END"
    )
    n = naive_alias
    icu = f"timezone({lit(zone.name)}, {n})"
    if zone.fixed_offset_us is None:
        local = icu
    else:
        local = (
            f"CASE WHEN {n} >= TIMESTAMP '1970-01-01' AND {n} < TIMESTAMP '2100-01-01' "
            f"THEN make_timestamptz(epoch_us({n}) - {int(zone.fixed_offset_us)}) ELSE {icu} END"
        )
    return (gate, has_offset), naive, absolute, f"coalesce({absolute_alias}, {local})"


@dataclass(frozen=True)
class TimeBounds:
    """The instants a loaded timestamp may have. One row dated 9999-12-31 (or 1900-01-01)
    would otherwise move every open number (the reporting instant defaults to the latest
    timestamp) or add a cohort of its own; such a value is quarantined like any bad value.

    - ``earliest``: the floor (default 2000-01-01), for timestamps and dates;
    - ``instant`` + ``tolerance``: the ceiling for timestamps. ``instant`` is the export
      instant when the run was told it (``--exported-at``), else the load's wall clock; the
      tolerance (a day by default) absorbs clock skew and a source time zone set wrongly by
      a few hours. Dates (an expected close date, a campaign's end) and the timestamps a
      vendor writes ahead of time (a meeting booked for next week: ``Column.may_be_future``)
      have no ceiling.
    """

    earliest: date
    instant: datetime  # aware, UTC
    tolerance: timedelta
    instant_label: str = "the load instant"

    DEFAULT_EARLIEST = date(2000, 1, 1)
    DEFAULT_TOLERANCE = timedelta(days=1)

    @property
    def latest(self) -> datetime:
        return self.instant + self.tolerance

    @staticmethod
    def at(
        exported_at: datetime | None = None,
        earliest: date | None = None,
        tolerance: timedelta | None = None,
    ) -> TimeBounds:
        """The bounds of a load run now (of files exported at ``exported_at``, if given)."""
        instant = exported_at or datetime.now(UTC)
        return TimeBounds(
            earliest or TimeBounds.DEFAULT_EARLIEST,
            instant.astimezone(UTC).replace(microsecond=0),
            TimeBounds.DEFAULT_TOLERANCE if tolerance is None else tolerance,
            "the load instant" if exported_at is None else "the export instant (--exported-at)",
        )

    def describe_latest(self) -> str:
        hours = self.tolerance.total_seconds() / 3600
        return (
            f"{self.instant_label} {self.instant:%Y-%m-%d %H:%M} UTC + {hours:g} h "
            "(--future-tolerance-hours)"
        )


def bounds_error_branches(column: Column, value: str, typed: str, bounds: TimeBounds) -> list[str]:
    """CASE branches quarantining a timestamp or date outside ``bounds`` (after the parse
    check: ``typed`` is not NULL here)."""
    if column.type not in ("timestamp", "date"):
        return []
    label = f"implausible {column.type} in {column.name}: "
    floor = f"{bounds.earliest.isoformat()} (--earliest)"
    if column.type == "date":
        cast = f"DATE {lit(bounds.earliest.isoformat())}"
    else:
        cast = f"TIMESTAMPTZ {lit(bounds.earliest.isoformat() + ' 00:00:00+00')}"
    branches = [
        f"WHEN {typed} < {cast} THEN {lit(label)} || '''' || {value} || '''' || "
        f"{lit(' is before ' + floor)}"
    ]
    if column.type == "timestamp" and not column.may_be_future:
        ceiling = f"TIMESTAMPTZ {lit(bounds.latest.isoformat(sep=' '))}"
        branches.append(
            f"WHEN {typed} > {ceiling} THEN {lit(label)} || '''' || {value} || '''' || "
            f"{lit(' is after ' + bounds.describe_latest())}"
        )
    return branches


# Full-width ASCII (Ｌ０５) and the ideographic space -> ASCII: the part of Unicode NFKC
# that ids typed in Japanese spreadsheets need (the dbt macro normalize_label folds labels
# the same way, and also lowercases them; ids keep their case: Salesforce's are
# case-sensitive).
WIDE = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000"
NARROW = "".join(chr(c) for c in range(0x21, 0x7F)) + " "


def folded_id(value: str) -> str:
    """SQL width-folding an id (NFKC's width folding; NULL stays NULL). Only a value with a
    non-ASCII character (more bytes than characters) is translated."""
    return (
        f"CASE WHEN strlen({value}) <> length({value}) "
        f"THEN translate({value}, {lit(WIDE)}, {lit(NARROW)}) "
        f"ELSE {value} END"
    )


def typed_expr(column: Column, value: str) -> str:
    """SQL turning the trimmed, NULL-if-empty text ``value`` into the column's type (NULL if
    bad). Timestamps are built by ``timestamp_exprs`` instead."""
    kind = column.type
    if kind == "text":
        return value
    if kind == "date":
        return (
            f"CASE WHEN regexp_full_match({value}, {lit(DATE_RE)}) "
            f"THEN try_cast({_replaced(value, '/', '-')} AS DATE) END"
        )
    if kind == "boolean":
        # list_contains, not IN (...): DuckDB rewrites an IN list of 5+ constants into a hash
        # join, and a join in the staging query loses the file order (see loader.stage)
        return (
            f"CASE WHEN list_contains([{_words(TRUE_WORDS)}], lower({value})) THEN true "
            f"WHEN list_contains([{_words(FALSE_WORDS)}], lower({value})) THEN false END"
        )
    if kind == "integer":
        return (
            f"CASE WHEN regexp_full_match({value}, {lit(INTEGER_RE)}) "
            f"THEN try_cast({_replaced(value, ',', '')} AS BIGINT) END"
        )
    if kind == "decimal":
        return (
            f"CASE WHEN regexp_full_match({value}, {lit(DECIMAL_RE)}) "
            f"THEN try_cast({_replaced(value, ',', '')} AS DECIMAL(18,2)) END"
        )
    raise ValueError(f"typed_expr does not handle {kind!r}")


def error_expr(
    column: Column, value: str, typed: str, bounds: TimeBounds | None = None
) -> str | None:
    """SQL giving the reason this column's value breaks the contract, or NULL."""
    branches = []
    if column.required:
        branches.append(
            f"WHEN {value} IS NULL THEN {lit('missing required value: ' + column.name)}"
        )
    if column.type != "text":
        label = f"{BAD_VALUE_LABEL[column.type]} in {column.name}: "
        branches.append(
            f"WHEN {typed} IS NULL AND {value} IS NOT NULL "
            f"THEN {lit(label)} || '''' || {value} || ''''"
        )
        if bounds is not None:
            branches += bounds_error_branches(column, value, typed, bounds)
    if not branches:
        return None
    return "CASE " + " ".join(branches) + " END"


def create_table_sql(spec: ExportFile) -> str:
    columns = [f"{ident(c.name)} {SQL_TYPES[c.type]}" for c in spec.columns]
    columns += [f"{ident(m)} {META_TYPES[m]}" for m in META_COLUMNS]
    return (
        f"CREATE TABLE IF NOT EXISTS {table_name(spec)} (\n    " + ",\n    ".join(columns) + "\n)"
    )


QUARANTINE_DDL = f"""CREATE TABLE IF NOT EXISTS {QUARANTINE_TABLE} (
    _load_id BIGINT,
    file_name VARCHAR,
    file_hash VARCHAR,
    line_number BIGINT,
    raw_row VARCHAR,
    reason VARCHAR,
    quarantined_at TIMESTAMPTZ
)"""

AUDIT_DDL = f"""CREATE TABLE IF NOT EXISTS {AUDIT_TABLE} (
    _load_id BIGINT,
    file_name VARCHAR,
    file_path VARCHAR,
    file_hash VARCHAR,
    file_bytes BIGINT,
    encoding VARCHAR,
    rows_read BIGINT,
    rows_loaded BIGINT,
    rows_quarantined BIGINT,
    status VARCHAR,
    loaded_at TIMESTAMPTZ,
    duration_seconds DOUBLE,
    exported_at TIMESTAMPTZ
)"""

# The audit's columns, in order (inserts name them: a warehouse made before a column was
# added gets it by ALTER TABLE, at the end).
AUDIT_COLUMNS = (
    "_load_id, file_name, file_path, file_hash, file_bytes, encoding, rows_read, "
    "rows_loaded, rows_quarantined, status, loaded_at, duration_seconds, exported_at"
)
# The export instant the run was told (load_exports.py --exported-at), or NULL: a
# connection variable every audit insert of the run reads.
EXPORTED_AT_VARIABLE = "lead_analytics_exported_at"
EXPORTED_AT = f"getvariable('{EXPORTED_AT_VARIABLE}')"


def schema_statements(extra: tuple[ExportFile, ...] = ()) -> list[str]:
    """Idempotent DDL: the raw schema, every contract table (even for absent files), the
    quarantine and audit tables; and the tables ``extra`` (a vendor's own files) with their
    schemas."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}"]
    statements += [create_table_sql(spec) for spec in EXPORT_FILES]
    statements += [QUARANTINE_DDL, AUDIT_DDL]
    statements.append(f"ALTER TABLE {AUDIT_TABLE} ADD COLUMN IF NOT EXISTS exported_at TIMESTAMPTZ")
    for schema in sorted({spec.schema for spec in extra} - {RAW_SCHEMA}):
        statements.append(f"CREATE SCHEMA IF NOT EXISTS {ident(schema)}")
    statements += [create_table_sql(spec) for spec in extra]
    return statements


def expected_columns(spec: ExportFile) -> dict[str, str]:
    """Column name -> SQL type every raw table must have (contract columns then metadata)."""
    out = {c.name: SQL_TYPES[c.type] for c in spec.columns}
    out.update(META_TYPES)
    return out
