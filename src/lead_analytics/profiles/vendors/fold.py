"""Run a vendor's fold after its files have loaded: derive contract rows, merge them, say how.

The fold reads the vendor's whole tables (every load so far, not only today's files), so a
Task loaded today on a contact converted last week still finds its lead, and a meeting
loaded before it was held becomes an activity once it has been. Its contract rows are then
merged into schema ``raw`` by the contract's own rules, one transaction per contract file:

- entity files (leads, opportunities, users, campaigns): a derived row equal to the stored
  one (every contract column) is left as it is, with the load that brought it; a changed or
  new one is written with this fold's load id. So after a daily Salesforce export only the
  changed leads carry the new load, which is what the incremental dbt models key on.
- history files (lead_history, activities): a row whose id is stored is not written again
  (activities and history are append-only, as for the contract's own files).

Each contract file the fold changed gets an audit row (``raw._load_audit``, file name
``Salesforce -> activities.csv``, status ``derived``, rows read = loaded = derived rows) and
a ``FileResult`` with the counts; the rows of each vendor table that became nothing are
counted per reason and said once (``not used: 3 an open task ...``).
"""

from __future__ import annotations

import contextlib
import hashlib
import time

import duckdb

from lead_analytics.contract import BY_NAME, META_COLUMNS, ExportFile
from lead_analytics.loader.results import STATUS_DERIVED, FileResult
from lead_analytics.loader.sql import (
    AUDIT_COLUMNS,
    AUDIT_TABLE,
    EXPORTED_AT,
    ident,
    lit,
    table_name,
)
from lead_analytics.profiles.vendors.base import FoldContext, Output, Step, Vendor

T_ROWS = "_fold_rows"


class FoldError(RuntimeError):
    """A fold whose rows break the contract (a key twice): a bug of the fold, rolled back."""


def run_fold(
    con: duckdb.DuckDBPyConnection,
    vendor: Vendor,
    context: FoldContext,
) -> list[FileResult]:
    """Derive and merge the contract rows of ``vendor``; one result per contract file."""
    have_rows = any(
        con.execute(f"SELECT EXISTS (SELECT 1 FROM {table_name(table)})").fetchone()[0]
        for table in vendor.tables
    )
    if not have_rows:
        return []
    steps, outputs = vendor.fold(context)
    results: list[FileResult] = []
    try:
        for step in steps:
            con.execute(f"CREATE OR REPLACE TEMP VIEW {ident(step.name)} AS {step.sql}")
        unused = _dispositions(con, vendor, steps)
        for output in outputs:
            results.append(_merge_output(con, vendor, output, unused))
    finally:
        for step in reversed(steps):
            with contextlib.suppress(duckdb.Error):
                con.execute(f"DROP VIEW IF EXISTS temp.main.{ident(step.name)}")
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS temp.main.{T_ROWS}")
    if vendor.not_expressed and results:
        # what the vendor's files hold and the contract cannot say: once per load
        results[-1].notes.append(
            f"{vendor.title} data the contract cannot hold: " + "; ".join(vendor.not_expressed)
        )
    return results


def _dispositions(
    con: duckdb.DuckDBPyConnection, vendor: Vendor, steps: list[Step]
) -> dict[str, list[str]]:
    """Per vendor table, one line per reason its rows are not used (with the count)."""
    lines: dict[str, list[str]] = {}
    for step in steps:
        if step.disposition_of is None:
            continue
        table = vendor.table(step.disposition_of)
        # per vendor row (a view may hold several rows of one: an activity per contact):
        # used when any of them is, else its first reason
        key = ", ".join(ident(k) for k in (*table.key, *table.fallback_key))
        counts = con.execute(
            f"""SELECT _use, count(*) FROM (
    SELECT CASE WHEN bool_or(_use IS NULL) THEN NULL ELSE min(_use) END AS _use
    FROM {ident(step.name)} GROUP BY {key}
) GROUP BY _use ORDER BY _use NULLS FIRST"""
        ).fetchall()
        files = _source_files(con, table)
        used = sum(n for reason, n in counts if reason is None)
        total = sum(n for _reason, n in counts)
        out = []
        if total != used:
            out.append(f"{files}: {used:,} of {total:,} row(s) used")
            out += [f"  {n:,} not used: {reason}" for reason, n in counts if reason is not None]
        lines[step.disposition_of] = out
    return lines


def _source_files(con: duckdb.DuckDBPyConnection, table: ExportFile) -> str:
    """The files the rows of a vendor table came from ("" when it is empty)."""
    names = [
        name
        for (name,) in con.execute(
            f"SELECT DISTINCT _source_file FROM {table_name(table)} ORDER BY 1"
        ).fetchall()
        if name
    ]
    return ", ".join(names)


def _merge_output(
    con: duckdb.DuckDBPyConnection,
    vendor: Vendor,
    output: Output,
    unused: dict[str, list[str]],
) -> FileResult:
    started = time.perf_counter()
    spec = BY_NAME[output.contract_file]
    target = table_name(spec)
    sources = [vendor.table(name) for name in output.sources]
    files = ", ".join(dict.fromkeys(f for f in (_source_files(con, t) for t in sources) if f))
    result = FileResult(
        file_name=f"{vendor.title} -> {spec.filename}",
        table=spec.qualified_name,
        status=STATUS_DERIVED,
    )
    columns = [c.name for c in spec.columns]
    con.execute("BEGIN")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {T_ROWS} AS SELECT "
            + ", ".join(ident(c) for c in [*columns, "_source_file", "_source_line", "_file_hash"])
            + f" FROM ({output.sql})"
        )
        derived = con.execute(f"SELECT count(*) FROM {T_ROWS}").fetchone()[0]
        _check_keys(con, spec, output)
        load_id = con.execute(
            f"SELECT coalesce(max(_load_id), 0) + 1 FROM {AUDIT_TABLE}"
        ).fetchone()[0]
        meta = {
            "_load_id": str(int(load_id)),
            "_source_file": "g._source_file",
            "_source_line": "g._source_line",
            "_file_hash": "g._file_hash",
            "_loaded_at": "now()",
        }
        select = (
            "SELECT "
            + ", ".join(
                [f"g.{ident(c)}" for c in columns] + [f"{meta[m]} AS {m}" for m in META_COLUMNS]
            )
            + f" FROM {T_ROWS} AS g"
        )
        key_match = " AND ".join(f"x.{ident(k)} = g.{ident(k)}" for k in spec.key)
        if spec.kind == "entity":
            same = " AND ".join(
                f"x.{ident(c)} IS NOT DISTINCT FROM g.{ident(c)}"
                for c in columns
                if c not in spec.key
            )
            unchanged = con.execute(
                f"SELECT count(*) FROM {target} AS x JOIN {T_ROWS} AS g ON {key_match} WHERE {same}"
            ).fetchone()[0]
            replaced = con.execute(
                f"DELETE FROM {target} AS x USING {T_ROWS} AS g WHERE {key_match} AND NOT ({same})"
            ).fetchone()[0]
            inserted = con.execute(
                f"INSERT INTO {target} BY NAME {select} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS x WHERE {key_match})"
            ).fetchone()[0]
            if inserted + unchanged != derived:
                raise FoldError(
                    f"{result.file_name}: {derived} row(s) derived, {inserted} written and "
                    f"{unchanged} unchanged: loader bug, rolled back"
                )
            notes = [f"{inserted - replaced:,} new, {replaced:,} changed, {unchanged:,} unchanged"]
        else:
            inserted = con.execute(
                f"INSERT INTO {target} BY NAME {select} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {target} AS x WHERE {key_match})"
            ).fetchone()[0]
            notes = [f"{inserted:,} new, {derived - inserted:,} already stored"]
        result.rows_read = result.rows_loaded = derived
        result.load_id = load_id
        result.notes = [f"from {files}: " + notes[0]]
        for name in output.sources:
            result.notes += unused.pop(name, [])
        result.duration_seconds = time.perf_counter() - started
        if inserted:
            digest = hashlib.sha256(f"{vendor.name}:{spec.name}:{load_id}".encode()).hexdigest()
            con.execute(
                f"INSERT INTO {AUDIT_TABLE} ({AUDIT_COLUMNS}) "
                f"VALUES (?, ?, ?, ?, 0, NULL, ?, ?, 0, ?, now(), ?, {EXPORTED_AT})",
                [
                    load_id,
                    result.file_name,
                    files,
                    digest,
                    derived,
                    derived,
                    STATUS_DERIVED,
                    result.duration_seconds,
                ],
            )
        else:
            result.load_id = None
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return result


def _check_keys(con: duckdb.DuckDBPyConnection, spec: ExportFile, output: Output) -> None:
    key = ", ".join(ident(k) for k in spec.key)
    twice = con.execute(
        f"SELECT {key}, count(*) FROM {T_ROWS} GROUP BY {key} HAVING count(*) > 1 LIMIT 3"
    ).fetchall()
    nulls = con.execute(
        f"SELECT count(*) FROM {T_ROWS} WHERE "
        + " OR ".join(f"{ident(k)} IS NULL" for k in spec.key)
    ).fetchone()[0]
    if twice or nulls:
        detail = (
            f"{spec.key[0]} twice: {', '.join(lit(str(row[0])) for row in twice)}"
            if twice
            else f"{nulls} row(s) without {spec.key[0]}"
        )
        raise FoldError(f"the fold into {spec.filename} gave {detail}: loader bug, rolled back")
