"""Write the raw tables of a loaded DuckDB file as Parquet, for engines that read files (Spark).

The loader stays the single place where exports are parsed and validated: the folder is
loaded into a DuckDB file as usual (``load_folder``), then every table of schema raw (the
seven contract tables, ``_quarantine`` and ``_load_audit``) is copied to
``OUT/<table>/part-0.parquet``, one folder per table, so that Spark can register each
folder as a table (``create table raw.<table> using parquet location 'OUT/<table>'``).

Instants (TIMESTAMPTZ in DuckDB) are written as Parquet timestamps adjusted to UTC, which
Spark reads as ``timestamp`` (session time zone UTC in the project's profile); DECIMAL,
DATE, BIGINT, DOUBLE, BOOLEAN and VARCHAR map one to one.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lead_analytics.contract import EXPORT_FILES
from lead_analytics.errors import LoaderError
from lead_analytics.loader.core import FileResult, load_folder
from lead_analytics.settings import RAW_SCHEMA

META_TABLES = ("_quarantine", "_load_audit")
PARQUET_FILE = "part-0.parquet"


@dataclass
class ParquetTable:
    table: str
    path: Path
    rows: int


def raw_tables() -> list[str]:
    """Every table of schema raw, in contract order, then quarantine and audit."""
    return [spec.name for spec in EXPORT_FILES] + list(META_TABLES)


def export_raw_tables(db_path: str | Path, out_dir: str | Path) -> list[ParquetTable]:
    """Copy every raw table of the DuckDB file ``db_path`` to ``out_dir/<table>/part-0.parquet``.

    A table folder written by an earlier run is replaced, so the folder always holds exactly
    one file per table (Spark reads every file in a table's folder).
    """
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with duckdb.connect(str(db_path), read_only=True) as con:
        con.execute("SET TimeZone = 'UTC'")
        for table in raw_tables():
            folder = out / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir()
            target = folder / PARQUET_FILE
            relation = f'{RAW_SCHEMA}."{table}"'
            target_literal = str(target).replace("'", "''")
            con.execute(f"COPY {relation} TO '{target_literal}' (FORMAT parquet)")
            (rows,) = con.execute(f"SELECT count(*) FROM {relation}").fetchone()
            written.append(ParquetTable(table, target, rows))
    return written


def load_to_parquet(
    folder: str | Path,
    out_dir: str | Path,
    encoding: str = "auto",
    source_timezone: str | None = None,
    quiet: bool = True,
    profile: str | Path | None = None,
    **plausibility,
) -> tuple[list[FileResult], list[ParquetTable]]:
    """Load ``folder`` with the normal loader into a temporary DuckDB file, then write Parquet.

    Returns the loader's per-file results and the tables written. When a file failed to load
    nothing is written (the caller reports the failure). Raises ``LoaderError`` like the loader.
    """
    with tempfile.TemporaryDirectory(prefix="load_exports_parquet_") as tmp:
        db_path = Path(tmp) / "loaded.duckdb"
        results = load_folder(
            folder,
            db_path,
            encoding=encoding,
            source_timezone=source_timezone,
            quiet=quiet,
            profile=profile,
            **plausibility,
        )
        if any(r.status == "failed" for r in results):
            return results, []
        return results, export_raw_tables(db_path, out_dir)


def run(
    folder: Path,
    out_dir: Path,
    encoding: str = "auto",
    source_timezone: str | None = None,
    quiet: bool = False,
    profile: str | Path | None = None,
    **plausibility,
) -> int:
    """The ``--format parquet`` job of load_exports.py: load, write, print; returns the exit code."""
    try:
        results, tables = load_to_parquet(
            folder, out_dir, encoding, source_timezone, quiet, profile, **plausibility
        )
    except LoaderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing was written", file=sys.stderr)
        return 130
    for r in results:
        if r.status != "failed" and r.rows_read != r.rows_loaded + r.rows_quarantined:
            raise SystemExit(f"internal error: counts do not add up for {r.file_name}")
        print(
            f"{r.file_name}: {r.rows_read:,} read, {r.rows_loaded:,} loaded, "
            f"{r.rows_quarantined:,} quarantined ({r.status})"
        )
    failed = [r for r in results if r.status == "failed"]
    for r in failed:
        print(f"FAILED {r.file_name}: {r.error}", file=sys.stderr)
    if failed:
        print("nothing written: fix the failed file(s) and run again", file=sys.stderr)
        return 1
    width = max(len(t.table) for t in tables)
    for t in tables:
        print(f"wrote {t.table.ljust(width)}  {t.rows:>10,} rows  {t.path}")
    print(
        f"parquet: {Path(out_dir).resolve()} (set RAW_PARQUET_DIR to this folder for dbt on Spark)"
    )
    return 0
