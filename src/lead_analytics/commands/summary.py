#!/usr/bin/env python
"""Print a short console summary of the warehouse in DUCKDB_PATH.

Per-file load counts (read / loaded / quarantined) from the loader's audit
table, the most frequent quarantine reasons, the row counts of the staging
models and, once the marts are built, the headline KPIs: ignore rate and SAL
rate, SLA compliance per policy, and the funnel (lead -> opportunity).
Read-only: it never changes the database.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from lead_analytics.settings import duckdb_path


def table_exists(connection: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    found = connection.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(found and found[0])


def print_rows(title: str, header: list[str], rows: list[tuple]) -> None:
    print(f"\n{title}")
    if not rows:
        print("  (none)")
        return
    cells = [[str(v) if v is not None else "" for v in row] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in cells:
        print("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))


def load_summary(connection: duckdb.DuckDBPyConnection) -> None:
    if not table_exists(connection, "raw", "_load_audit"):
        print("\nno load audit found: run `lead-analytics load` first")
        return
    rows = connection.execute(
        """
        select file_name, sum(rows_read), sum(rows_loaded), sum(rows_quarantined), count(*)
        from raw._load_audit
        where status = 'loaded'
        group by file_name
        order by file_name
        """
    ).fetchall()
    print_rows(
        "Loaded exports (all loads)", ["file", "read", "loaded", "quarantined", "loads"], rows
    )
    reasons = connection.execute(
        """
        select file_name, regexp_replace(reason, '''.*$', '') as reason_kind, count(*) as rows_quarantined
        from raw._quarantine
        group by all
        order by rows_quarantined desc, file_name
        limit 10
        """
    ).fetchall()
    print_rows("Most frequent quarantine reasons", ["file", "reason", "rows"], reasons)


def staging_summary(connection: duckdb.DuckDBPyConnection) -> None:
    models = connection.execute(
        "select table_name from information_schema.tables where table_schema = 'staging' order by table_name"
    ).fetchall()
    rows = [
        (name, connection.execute(f'select count(*) from staging."{name}"').fetchone()[0])
        for (name,) in models
    ]
    print_rows("Staging models", ["model", "rows"], rows)


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def kpi_summary(connection: duckdb.DuckDBPyConnection) -> None:
    if not table_exists(connection, "marts", "rpt_ignore_rate"):
        print("\nno marts yet: run dbt build")
        return
    as_of = connection.execute(
        "select cast(as_of_at as varchar) from intermediate.int_as_of"
    ).fetchone()[0]
    print(f"\nHeadline KPIs as of {as_of} UTC (all periods)")
    handed, touched, ignored, pending, sal, decided = connection.execute(
        """
        select sum(handed_off_leads), sum(touched_leads), sum(ignored_leads), sum(pending_leads),
               sum(sal_leads), sum(acceptance_decided_leads)
        from marts.rpt_ignore_rate where breakdown = 'overall'
        """
    ).fetchone()
    ignore_rate = ignored / (ignored + touched) if (ignored or touched) else None
    sal_rate = sal / decided if decided else None
    print(
        f"  ignore rate (イグノアレート)  {percent(ignore_rate):>7}  "
        f"{ignored} ignored / {ignored + touched} decided, {pending} pending, {handed} handed off"
    )
    print(f"  SAL rate                  {percent(sal_rate):>7}  {sal} accepted / {decided} decided")
    for policy, met, breached, pending_sla in connection.execute(
        """
        select policy_name, sum(met), sum(breached), sum(pending)
        from marts.rpt_sla_compliance where breakdown = 'overall'
        group by 1 order by 1
        """
    ).fetchall():
        rate = met / (met + breached) if (met + breached) else None
        print(
            f"  SLA {policy:<21} {percent(rate):>7}  {met} met / {met + breached} decided, {pending_sla} pending"
        )
    leads, mql, sal_count, sql, opportunities, won = connection.execute(
        """
        select sum(leads), sum(mql), sum(sal), sum(sql), sum(opportunities), sum(won)
        from marts.rpt_funnel_conversion where breakdown = 'overall'
        """
    ).fetchone()
    print(
        f"  funnel  leads {leads} -> mql {mql} -> sal {sal_count} -> sql {sql} "
        f"-> opportunity {opportunities} -> won {won}"
    )
    print(
        f"  lead -> opportunity (商談化率) {percent(opportunities / leads if leads else None)}, "
        f"lead -> won {percent(won / leads if leads else None)}"
    )
    worst = connection.execute(
        """
        select breakdown_value, sum(ignored_leads) as ignored, sum(ignored_leads + touched_leads) as decided
        from marts.rpt_ignore_rate where breakdown = 'rep'
        group by 1 having sum(ignored_leads + touched_leads) >= 10
        order by sum(ignored_leads) / sum(ignored_leads + touched_leads) desc, 1
        limit 3
        """
    ).fetchall()
    if worst:
        listed = ", ".join(f"{rep} {percent(i / d)}" for rep, i, d in worst)
        print(f"  highest ignore rate by rep (10+ decided leads): {listed}")
    if table_exists(connection, "marts", "rpt_score_calibration"):
        bands = connection.execute(
            """
            select score_band, handed_off_leads, opportunities, wins, opportunity_rate,
                   share_of_opportunities_below_threshold
            from marts.rpt_score_calibration order by min_score
            """
        ).fetchall()
        print_rows(
            "Score calibration (score at handoff)",
            ["band", "leads", "opportunities", "wins", "opportunity rate"],
            [
                (band, leads_, opps, wins, percent(rate))
                for band, leads_, opps, wins, rate, _ in bands
            ],
        )
        if bands:
            print(f"  opportunities from leads below the MQL threshold: {percent(bands[0][5])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duckdb",
        type=Path,
        default=None,
        help="DuckDB file (default: env DUCKDB_PATH or warehouse.duckdb)",
    )
    args = parser.parse_args(argv)
    database = args.duckdb or duckdb_path()
    if not database.exists():
        print(
            f"error: {database} does not exist (set DUCKDB_PATH or run the main job)",
            file=sys.stderr,
        )
        return 2
    with duckdb.connect(str(database), read_only=True) as connection:
        print(f"Warehouse {database}")
        load_summary(connection)
        staging_summary(connection)
        kpi_summary(connection)
    return 0


if __name__ == "__main__":
    sys.exit(main())
