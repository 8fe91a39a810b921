"""Load a folder of CRM / MA CSV exports into the DuckDB warehouse (schema ``raw``).

Usage: lead-analytics load FOLDER [--encoding auto|utf-8|cp932]
       [--source-timezone Asia/Tokyo] [--duckdb PATH] [--quiet]
       [--format duckdb|parquet] [--out DIR] [--profile salesforce[,marketo]]
       [--exported-at INSTANT] [--earliest YYYY-MM-DD] [--future-tolerance-hours H]

Exit codes: 0 success (quarantined rows are not a failure), 1 a file failed or was refused
(bad header, undecodable bytes), 2 usage or environment error (missing folder, no contract
file, locked database, a warehouse folder that cannot be written, unknown time zone).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from lead_analytics import settings
from lead_analytics.contract import EXPORT_FILES
from lead_analytics.errors import LoaderError
from lead_analytics.loader import parquet as parquet_export
from lead_analytics.loader.core import FileResult, LoadReport, run_load
from lead_analytics.loader.results import STATUS_DERIVED
from lead_analytics.profiles.profile import profile_names

DESCRIPTION = """\
Load every contract file found in FOLDER (leads.csv, lead_history.csv, activities.csv,
marketing_events.csv, opportunities.csv, users.csv, campaigns.csv; names matched
case-insensitively; other files are reported and skipped) into schema raw of the DuckDB file.
Rows that break a rule go to raw._quarantine with line number, raw row and reason; every load
is recorded in raw._load_audit; rows read = loaded + quarantined for every file."""

EPILOG = """\
rules:
  headers     one header row, names trimmed and matched case-insensitively (BOM ignored),
              any column order; a missing required column fails that file (nothing loaded
              from it, exit code 1); the other files load.
  encoding    auto: UTF-8 (with or without BOM), else CP932/Shift_JIS (transcoded to a
              temporary UTF-8 copy); a file that decodes in neither fails (byte offset
              reported, nothing loaded from it).
  values      empty (after trim) = null; booleans true/false, 1/0, yes/no, t/f, y/n;
              numbers may use thousands separators (1,200); timestamps ISO 8601 (offset or Z =
              absolute, none = --source-timezone), YYYY/MM/DD HH:MM[:SS], bare date = midnight;
              stored as UTC timestamptz. Anything else is quarantined with the reason.
  plausible   a timestamp or date before --earliest (2000-01-01), or a timestamp more than
              --future-tolerance-hours (24) after the load instant, is quarantined
              ("implausible timestamp ..."): one row dated 9999-12-31 would otherwise move
              the reporting instant. A meeting booked ahead and an open deal's expected close
              may lie in the future.
  ids         every id and reference (lead_id, owner_id, user_id, Salesforce Id, ...) is
              width-folded (Ｌ０５ = L05) before duplicates are looked for; case is kept.
  duplicates  same id twice in one file: the first is loaded; a later row with different
              content is quarantined ("first at line N"); an exact duplicate is collapsed
              into the first and counted as loaded.
  re-loads    a file already loaded (same sha256) changes nothing ("already loaded").
              leads/opportunities/users/campaigns are upserted by id (newer or equal
              updated_at wins, else the later load); lead_history/activities/
              marketing_events are appended, rows whose id is already stored are skipped
              (counted as loaded).
  lines       line numbers are physical lines, header = line 1 (blank lines and quoted
              values spanning lines included); a broken CSV record (wrong field count,
              unclosed quote) is quarantined with its line and raw text.
  files       .csv, or .csv.gz (read as is); a ZIP archive or an Excel workbook is refused
              with what to do (unzip it; save the sheet as CSV UTF-8).
  safety      each file is loaded in one transaction: on any error nothing from it stays
              (status failed, exit code 1).
  instant     --exported-at (when the source system wrote the files) is recorded in
              raw._load_audit.exported_at; the models report as of the later of it and the
              latest timestamp in the data, unless dbt's var as_of says otherwise.
exit codes: 0 ok, 1 a file failed or was refused, 2 usage/environment error."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("folder", type=Path, help="folder holding the export CSV files")
    parser.add_argument(
        "--encoding",
        choices=("auto", "utf-8", "cp932"),
        default="auto",
        help="file encoding (default: auto = UTF-8, else CP932)",
    )
    parser.add_argument(
        "--source-timezone",
        default=None,
        help="time zone of timestamps written without an offset "
        f"(default: env SOURCE_TIMEZONE or {settings.DEFAULT_SOURCE_TIMEZONE})",
    )
    parser.add_argument(
        "--duckdb",
        type=Path,
        default=None,
        help=f"DuckDB file (default: env DUCKDB_PATH or {settings.DEFAULT_DUCKDB_PATH})",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="import profile of vendor exports: a name in import_profiles/ "
        f"({', '.join(profile_names())}) or a YAML file; several separated by commas "
        "(salesforce,marketo). docs/vendors/ has a page per vendor",
    )
    parser.add_argument(
        "--exported-at",
        type=_instant,
        default=None,
        metavar="INSTANT",
        help="when the source system wrote the files (ISO 8601, e.g. 2025-06-30T23:00+09:00; "
        "'now' = the wall clock); recorded in raw._load_audit, the models' default reporting "
        "instant is never earlier",
    )
    parser.add_argument(
        "--earliest",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="timestamps and dates before this day are quarantined (default 2000-01-01)",
    )
    parser.add_argument(
        "--future-tolerance-hours",
        type=float,
        default=None,
        metavar="H",
        help="timestamps more than H hours after the load instant are quarantined "
        "(default 24: clock skew, a source time zone off by a few hours)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines, only the summary")
    parser.add_argument(
        "--format",
        choices=("duckdb", "parquet"),
        default="duckdb",
        help="duckdb (default): load into the DuckDB file; parquet: load into a temporary "
        "DuckDB file, then write every raw table as Parquet under --out (for dbt on Spark)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="with --format parquet: the folder to write (one sub-folder per raw table)",
    )
    args = parser.parse_args(argv)
    if args.future_tolerance_hours is not None and args.future_tolerance_hours < 0:
        parser.error("--future-tolerance-hours cannot be negative")
    if args.format == "parquet" and args.out is None:
        parser.error("--format parquet needs --out DIR")
    if args.format == "duckdb" and args.out is not None:
        parser.error("--out is for --format parquet (the DuckDB file is --duckdb)")
    if args.format == "parquet" and args.duckdb is not None:
        parser.error("--duckdb is for --format duckdb (parquet uses a temporary DuckDB file)")
    return args


def _instant(text: str) -> datetime:
    """An aware instant from ISO 8601 ('now': the wall clock); naive = --source-timezone is
    not known yet here, so an offset (or Z) is required."""
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from exc
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no offset: write it as 2025-06-30T23:00+09:00 or ...Z"
        )
    return value


def plausibility(args: argparse.Namespace) -> dict:
    """The run_load keywords of --exported-at, --earliest, --future-tolerance-hours."""
    hours = args.future_tolerance_hours
    return {
        "exported_at": args.exported_at,
        "earliest": args.earliest,
        "future_tolerance": None if hours is None else timedelta(hours=hours),
    }


def format_table(results: list[FileResult]) -> str:
    header = ("file", "rows read", "loaded", "quarantined", "status")
    rows = [
        (r.file_name, f"{r.rows_read:,}", f"{r.rows_loaded:,}", f"{r.rows_quarantined:,}", r.status)
        for r in results
    ]
    rows.append(
        (
            "total",
            f"{sum(r.rows_read for r in results):,}",
            f"{sum(r.rows_loaded for r in results):,}",
            f"{sum(r.rows_quarantined for r in results):,}",
            "",
        )
    )
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [row[i].rjust(widths[i]) for i in (1, 2, 3)]
        cells.append(row[4])
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *[line(r) for r in rows[:-1]], rule, line(rows[-1])])


def format_derived(results: list[FileResult]) -> str:
    """The contract rows a vendor's fold derived from its files, with what it said."""
    lines = ["contract rows derived from the vendor's files:"]
    for result in results:
        lines.append(f"  {result.file_name}: {result.rows_loaded:,} row(s)")
        lines += [f"    {note}" for note in result.notes]
    return "\n".join(lines)


def print_report(report: LoadReport) -> None:
    files = [r for r in report.results if r.status != STATUS_DERIVED]
    derived = [r for r in report.results if r.status == STATUS_DERIVED]
    print(format_table(files))
    if derived:
        print(format_derived(derived))
    for path in report.skipped:
        print(f"skipped {path.name}: not a contract file")
    found = {r.table for r in report.results}
    missing = [f.filename for f in EXPORT_FILES if f.qualified_name not in found]
    if missing:
        print(f"not in folder (raw tables left as they were): {', '.join(missing)}")
    quarantined = [r for r in files if r.status != "failed" and r.rows_quarantined]
    if quarantined:
        ids = ", ".join(str(r.load_id) for r in quarantined)
        print(
            f"{sum(r.rows_quarantined for r in quarantined):,} row(s) quarantined: "
            f"select * from raw._quarantine where _load_id in ({ids}) order by line_number"
        )
    for result in files:
        if result.status != "failed" and result.notes and report.vendor_tables(result):
            print(f"{result.file_name}: " + "; ".join(result.notes))
    for result in report.failed:
        print(f"FAILED {result.file_name}: {result.error}", file=sys.stderr)
    print(f"database: {report.db_path}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.format == "parquet":
        return parquet_export.run(
            args.folder,
            args.out,
            args.encoding,
            args.source_timezone,
            quiet=args.quiet,
            profile=args.profile,
            **plausibility(args),
        )
    try:
        report = run_load(
            args.folder,
            db_path=args.duckdb,
            encoding=args.encoding,
            source_timezone=args.source_timezone,
            quiet=args.quiet,
            profile=args.profile,
            **plausibility(args),
        )
    except LoaderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: the file being loaded was rolled back", file=sys.stderr)
        return 130
    for result in report.results:
        if (
            result.status != "failed"
            and result.rows_read != result.rows_loaded + result.rows_quarantined
        ):
            raise SystemExit(f"internal error: counts do not add up for {result.file_name}")
    print_report(report)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
