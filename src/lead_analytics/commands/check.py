#!/usr/bin/env python
"""Independent results checker: recompute the headline metrics and compare them with the marts.

A second implementation of the metric definitions (docs/metrics.md), written with polars from the raw tables of the warehouse and the
rule seeds and vars as users edit them (seeds/*/*.csv, dbt_project.yml). It
never reads the dbt models, so a bug in the SQL shows up as a difference.

Checked (schema marts):
  as_of             the evaluation instant (intermediate.int_as_of, when present)
  ignore_rate       rpt_ignore_rate: handed off, touched, ignored, pending, ignore
                    rate, SAL and rejected leads, SAL rate, per month and breakdown
  sla_lead_status   fct_sla_lead_status: start, deadline, stop, business hours, status
  sla_compliance    rpt_sla_compliance: met, breached, pending, compliance rate,
                    median and p90 business hours, per week, policy and breakdown
  funnel            rpt_funnel_conversion: stage counts, step rates, velocity
  score_calibration rpt_score_calibration: handed off, opportunities, wins per band
  dim_leads         dim_leads: handoff, first touch, ignore and acceptance status,
                    stage reached instants, score and temperature (at as_of and handoff)

Readings where the definitions leave room: the choices written in docs/metrics.md and
the mart docs (e.g. hot_first_touch = hot at handoff; --fast-track-ever for the other
reading); otherwise the letter of docs/metrics.md (e.g. any meeting or web meeting
activity, automated or not, stops the sql_to_meeting clock).

Exit status: 0 when everything agrees (counts exactly, rates and hours to 1e-9),
1 on any mismatch, 2 on a usage error (missing file, marts not built).

    lead-analytics check                  # DUCKDB_PATH or warehouse.duckdb
    lead-analytics check --duckdb other.duckdb --vars '{as_of: "2025-06-30"}'
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import polars as pl
import yaml

from lead_analytics.checker.leads import Recomputation, latest_timestamp
from lead_analytics.checker.reports import (
    MetricResult,
    compare,
    dim_leads_frame,
    funnel_report,
    ignore_rate_report,
    lead_frame,
    read_mart,
    score_calibration_report,
    show,
    sla_frames,
)
from lead_analytics.checker.rules import ConfigError, load_rules, parse_as_of
from lead_analytics.settings import REPO_ROOT, duckdb_path

RAW_TABLES = ["leads", "lead_history", "activities", "marketing_events", "opportunities", "users"]
MARTS = [
    "dim_leads",
    "fct_sla_lead_status",
    "rpt_ignore_rate",
    "rpt_sla_compliance",
    "rpt_funnel_conversion",
    "rpt_score_calibration",
]
METRICS = [
    "as_of",
    "ignore_rate",
    "sla_lead_status",
    "sla_compliance",
    "funnel",
    "score_calibration",
    "dim_leads",
]
IGNORE_COLUMNS = [
    "handed_off_leads",
    "touched_leads",
    "ignored_leads",
    "pending_leads",
    "ignore_rate",
    "sal_leads",
    "rejected_leads",
    "acceptance_decided_leads",
    "sal_rate",
]
SLA_STATUS_COLUMNS = [
    "started_at",
    "deadline_at",
    "stopped_at",
    "elapsed_business_hours",
    "sla_status",
]
SLA_REPORT_COLUMNS = [
    "met",
    "breached",
    "pending",
    "compliance_rate",
    "median_business_hours",
    "p90_business_hours",
]
FUNNEL_COLUMNS = [
    "leads",
    "mql",
    "sal",
    "sql",
    "opportunities",
    "won",
    "lead_to_mql_rate",
    "mql_to_sal_rate",
    "sal_to_sql_rate",
    "sql_to_opportunity_rate",
    "opportunity_to_won_rate",
    "lead_to_opportunity_rate",
    "lead_to_won_rate",
    "median_days_lead_to_mql",
    "median_days_mql_to_sal",
    "median_days_sal_to_sql",
    "median_days_sql_to_opportunity",
    "median_days_opportunity_to_won",
]
CALIBRATION_COLUMNS = [
    "is_below_mql_threshold",
    "handed_off_leads",
    "opportunities",
    "wins",
    "opportunity_rate",
    "win_rate",
    "opportunity_win_rate",
    "share_of_opportunities",
    "share_of_opportunities_below_threshold",
]
DIM_LEADS_COLUMNS = [
    "channel",
    "company_size_band",
    "job_level",
    "current_owner_id",
    "handoff_rep_id",
    "handed_off_at",
    "first_touch_at",
    "first_touch_business_hours",
    "ignore_status",
    "acceptance_status",
    "reached_mql_at",
    "reached_sal_at",
    "reached_sql_at",
    "reached_opportunity_at",
    "won_at",
    "score",
    "temperature",
    "score_at_handoff",
    "temperature_at_handoff",
]


class UsageError(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--duckdb",
        type=Path,
        default=None,
        help="DuckDB file to check (default: env var DUCKDB_PATH, else warehouse.duckdb)",
    )
    parser.add_argument(
        "--project-dir",
        type=Path,
        default=REPO_ROOT,
        help="dbt project whose dbt_project.yml vars and seeds/ define the rules (default: this repo)",
    )
    parser.add_argument(
        "--vars",
        default=None,
        help="YAML/JSON dict of var overrides, as given to `dbt build --vars` for that warehouse",
    )
    parser.add_argument(
        "--fast-track-ever",
        action="store_true",
        help="SLA policy choice: a lead with any fast-track event by the handoff is 'fast-tracked'"
        " (hot_first_touch) even when the event is older than fast_track_window_days"
        " (default: the documented choice, hot at handoff)",
    )
    parser.add_argument(
        "--only",
        choices=METRICS,
        action="append",
        help="check only this metric (repeatable; default: all)",
    )
    parser.add_argument(
        "--max-diffs",
        type=int,
        default=40,
        help="differences printed per metric (all are counted; default 40, 0 = all)",
    )
    return parser.parse_args(argv)


def open_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.exists():
        raise UsageError(f"DuckDB file not found: {path}")
    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise UsageError(f"cannot open {path}: {error}") from error
    tables = set(
        connection.sql(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
    )
    tables = {t for (t,) in tables}
    missing_raw = [t for t in RAW_TABLES if f"raw.{t}" not in tables]
    if missing_raw:
        raise UsageError(f"{path} has no raw tables {missing_raw}: load the exports first")
    missing = [t for t in MARTS if f"marts.{t}" not in tables]
    if missing:
        raise UsageError(f"marts not built in {path} (missing {missing}): run dbt build first")
    return connection


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def print_result(result: MetricResult, max_diffs: int) -> None:
    shown = result.mismatches if max_diffs == 0 else result.mismatches[:max_diffs]
    if shown:
        print(f"\n{result.metric}: differences (metric | key | column | mart | checker)")
        for m in shown:
            print(f"  {m.metric} | {m.key} | {m.column} | mart={m.mart!r} | checker={m.checker!r}")
        if len(shown) < len(result.mismatches):
            print(f"  ... {len(result.mismatches) - len(shown)} more")


def summary_line(result: MetricResult) -> str:
    verdict = "OK" if not result.mismatches else f"MISMATCH ({len(result.mismatches)} differences)"
    return (
        f"{result.metric:<18} {result.rows_compared:>6} rows, "
        f"{result.values_compared:>7} values compared: {verdict}"
    )


def run(args: argparse.Namespace) -> int:
    database = args.duckdb or duckdb_path()
    overrides = None
    if args.vars:
        try:
            overrides = yaml.safe_load(args.vars)
        except yaml.YAMLError as error:
            raise UsageError(f"--vars is not YAML: {error}") from error
        if not isinstance(overrides, dict):
            raise UsageError("--vars must be a mapping, e.g. '{as_of: \"2025-06-30\"}'")
    try:
        rules = load_rules(args.project_dir, overrides)
    except (ConfigError, ValueError, KeyError) as error:
        raise UsageError(f"cannot read the rules: {error}") from error
    connection = open_warehouse(database)
    wanted = args.only or METRICS
    started = time.perf_counter()
    as_of = parse_as_of(rules.vars.get("as_of"), rules.tz) or latest_timestamp(connection)
    progress(f"checking {database} as of {show(as_of, 'as_of_at')} ...")
    try:
        recomputation = Recomputation(
            connection, rules, as_of, fast_track_ever=args.fast_track_ever
        )
        facts = recomputation.all_leads()
        leads = lead_frame(facts, rules, recomputation.team)
    except ConfigError as error:
        raise UsageError(str(error)) from error
    progress(
        f"recomputed {len(facts)} leads from the raw tables ({time.perf_counter() - started:.1f} s)"
    )

    results: list[MetricResult] = []

    def check(metric: str, build) -> None:
        if metric not in wanted:
            return
        progress(f"checking {metric} ...")
        result = build()
        results.append(result)
        print_result(result, args.max_diffs)

    def as_of_instant() -> MetricResult:
        """The evaluation instant the warehouse was built with, when it records one."""
        tables = {
            t
            for (t,) in connection.sql(
                "select table_name from information_schema.tables where table_schema = 'intermediate'"
            ).fetchall()
        }
        mart = pl.DataFrame(
            {"instant": ["as_of"], "as_of_at": [None]},
            schema={"instant": pl.String, "as_of_at": pl.Int64},
        )
        if "int_as_of" in tables:
            mart = connection.sql(
                "select 'as_of' as instant, epoch_us(as_of_at) as as_of_at from intermediate.int_as_of"
            ).pl()
        mine = pl.DataFrame({"instant": ["as_of"], "as_of_at": [as_of]})
        return compare("as_of", mart, mine, ["instant"], ["as_of_at"])

    def ignore_rate() -> MetricResult:
        keys = ["period_month", "breakdown", "breakdown_value"]
        mart = read_mart(connection, "rpt_ignore_rate", keys + IGNORE_COLUMNS)
        return compare("ignore_rate", mart, ignore_rate_report(leads), keys, IGNORE_COLUMNS)

    sla_status, sla_report = sla_frames(facts, leads, rules)

    def sla_lead_status() -> MetricResult:
        keys = ["lead_id", "policy_name"]
        mart = read_mart(connection, "fct_sla_lead_status", keys + SLA_STATUS_COLUMNS)
        return compare("sla_lead_status", mart, sla_status, keys, SLA_STATUS_COLUMNS)

    def sla_compliance() -> MetricResult:
        keys = ["period_week", "policy_name", "breakdown", "breakdown_value"]
        mart = read_mart(connection, "rpt_sla_compliance", keys + SLA_REPORT_COLUMNS)
        return compare("sla_compliance", mart, sla_report, keys, SLA_REPORT_COLUMNS)

    def funnel() -> MetricResult:
        keys = ["cohort_month", "breakdown", "breakdown_value"]
        mart = read_mart(connection, "rpt_funnel_conversion", keys + FUNNEL_COLUMNS)
        return compare("funnel", mart, funnel_report(leads), keys, FUNNEL_COLUMNS)

    def score_calibration() -> MetricResult:
        keys = ["score_band"]
        mart = read_mart(connection, "rpt_score_calibration", keys + CALIBRATION_COLUMNS)
        mine = score_calibration_report(leads, rules)
        return compare("score_calibration", mart, mine, keys, CALIBRATION_COLUMNS)

    def dim_leads() -> MetricResult:
        keys = ["lead_id"]
        mart = read_mart(connection, "dim_leads", keys + DIM_LEADS_COLUMNS)
        return compare("dim_leads", mart, dim_leads_frame(facts), keys, DIM_LEADS_COLUMNS)

    for metric, build in [
        ("as_of", as_of_instant),
        ("ignore_rate", ignore_rate),
        ("sla_lead_status", sla_lead_status),
        ("sla_compliance", sla_compliance),
        ("funnel", funnel),
        ("score_calibration", score_calibration),
        ("dim_leads", dim_leads),
    ]:
        try:
            check(metric, build)
        except (KeyError, duckdb.Error, pl.exceptions.PolarsError) as error:
            raise UsageError(f"cannot check {metric}: {error}") from error

    print("\nsummary")
    for result in results:
        print("  " + summary_line(result))
    failed = [r.metric for r in results if r.mismatches]
    if "as_of" in failed:
        print(
            "hint: the warehouse was built with another as_of; pass the same one,"
            " e.g. --vars '{as_of: \"2025-06-30T23:59:59+09:00\"}'"
        )
    if failed:
        print(f"FAILED: the marts disagree with the checker on {', '.join(failed)}")
        return 1
    print(f"OK: every checked metric agrees ({time.perf_counter() - started:.1f} s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
