#!/usr/bin/env python
"""Benchmark the pipeline at a given size: generate, load, dbt build, and report.

For N leads (default 1,000,000) it generates, once, the export of a simulated
world as it stood one day before --delta-day and the delta of the next day
(generate_exports.py --export-at / --changes-since); with --full-dump, the
next day's export is a full dump of every row instead, as from a CRM that
exports everything daily (the loader gives the new load only to the rows that
changed, so the incremental build should cost about the same). Then, for each of --runs
repetitions, in a fresh DuckDB file, it times separately:

  parse        dbt parse, with the target folder of this repetition emptied:
               the project read from scratch (once per checkout and change;
               every later command reuses it, as a daily job does)
  load         scripts/load_exports.py on the base export
  models       dbt build of everything but tests (seeds, snapshot, models)
  tests        dbt test (data and unit tests)
  delta load   scripts/load_exports.py on the one-day delta (or full dump)
  incremental  dbt build of everything but tests again: the incremental
               models only recompute the leads of the delta
  delta tests  dbt test after the incremental build
  no new data  the incremental build once more, with nothing loaded since: what
               an incremental run costs whatever the delta (dbt itself, the
               reports, the lookback, finding the leads to reprocess)
  fixed cost   the same with the lookback off (incremental_lookback_days: 0,
               parsed beforehand, untimed): no lead is reprocessed, so this is
               the floor of every incremental run (dbt's start and finish,
               seeds, snapshot, the staging checks, each model finding no
               lead, and the reports, rebuilt from the marts)

and reports the median of each, its peak memory (max RSS of the step's
process tree), the throughput of the load, the incremental build as a share
of the full one, and the row counts of the public marts. For the dbt steps it
also shows where the time goes (lead_analytics/dbt_timing.py): dbt's start and
finish, the time of the nodes and the part of it spent in SQL, dbt's own time
per node, and the slowest nodes. Output: a table on stdout and, with --json,
a JSON file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from lead_analytics.dbt_cli import REPO_ROOT, dbt_executable
from lead_analytics.dbt_timing import TimeSplit, split_time

PUBLIC_MARTS = (
    "dim_leads",
    "dim_reps",
    "fct_lead_stage_entries",
    "fct_sales_touches",
    "fct_sla_lead_status",
    "rpt_ignore_rate",
    "rpt_sla_compliance",
    "rpt_funnel_conversion",
    "rpt_score_calibration",
)


# Runs a command in a fresh process and reports the largest RSS among its
# children, so each step's peak is its own (RUSAGE_CHILDREN only grows).
PEAK_WRAPPER = (
    "import resource, subprocess, sys; "
    "code = subprocess.call(sys.argv[1:]); "
    "print('peak_rss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
    "sys.exit(code)"
)


def timed(
    command: list[str], env: dict[str, str], failures: list[str] | None = None
) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in GB of its process tree's largest process).

    A failing command stops the benchmark, unless `failures` is given: then its
    output is appended there (failing data tests still time the test step)."""
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, *command],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0 and failures is not None:
        failures.append(f"{' '.join(command[:2])}: {completed.stdout[-1500:]}")
    elif completed.returncode != 0:
        sys.exit(
            f"error: {' '.join(command[:3])} ... failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-2000:]}"
        )
    peak_kb = next(
        int(line.split()[1])
        for line in reversed(completed.stderr.splitlines())
        if line.startswith("peak_rss_kb")
    )
    return wall, peak_kb / 1024 / 1024


def folder_size(folder: Path) -> tuple[int, float]:
    rows = 0
    size = 0
    for path in folder.glob("*.csv"):
        size += path.stat().st_size
        with path.open("rb") as handle:
            rows += sum(1 for _ in handle) - 1
    return rows, size / 1024 / 1024


def median_split(runs: list[TimeSplit]) -> TimeSplit:
    """The median of each figure over the runs; the slowest nodes of the last run."""
    return TimeSplit(
        wall=statistics.median(split.wall for split in runs),
        start_and_finish=statistics.median(split.start_and_finish for split in runs),
        nodes=runs[-1].nodes,
        node_seconds=statistics.median(split.node_seconds for split in runs),
        sql_seconds=statistics.median(split.sql_seconds for split in runs),
        slowest=runs[-1].slowest,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--delta-day",
        type=dt.date.fromisoformat,
        default=dt.date(2026, 3, 25),
        help="the day whose changes (noon to noon JST) are the delta; the base export is "
        "the world at noon the day before (default 2026-03-25: leads are still being "
        "created, with the generator's default --start and --months)",
    )
    parser.add_argument(
        "--full-dump",
        action="store_true",
        help="the next day's export is a full dump of every row, not only the rows new or "
        "changed since the base export",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="repetitions; medians are reported (default 3)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where exports and warehouses go (default: a temp dir)",
    )
    parser.add_argument(
        "--json", type=Path, default=None, help="also write the results as JSON here"
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write the results as a Markdown table into FILE, between the lines "
        f"{MARKDOWN_START} and {MARKDOWN_END} (the rest of the file is kept; e.g. "
        "docs/performance.md)",
    )
    args = parser.parse_args(argv)
    if args.leads < 1 or args.runs < 1:
        parser.error("--leads and --runs must be at least 1")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="benchmark_"))
    work.mkdir(parents=True, exist_ok=True)
    exports = work / f"exports_{args.leads}_{args.seed}"
    python = sys.executable
    env = dict(os.environ)
    kind = "dump" if args.full_dump else "delta"
    delta = work / f"{kind}_{args.leads}_{args.seed}_{args.delta_day}"
    base_at = f"{args.delta_day - dt.timedelta(days=1)}T12:00:00+09:00"
    delta_at = f"{args.delta_day}T12:00:00+09:00"
    generate = [python, "scripts/generate_exports.py"]
    world = ["--leads", str(args.leads), "--seed", str(args.seed), "--quiet"]
    if not exports.exists():
        print(f"generating {args.leads:,} leads into {exports} ...", file=sys.stderr)
        timed([*generate, str(exports), *world, "--export-at", base_at], env)
    if not delta.exists():
        print(f"generating the {kind} {base_at} .. {delta_at} into {delta} ...", file=sys.stderr)
        command = [*generate, str(delta), *world, "--export-at", delta_at]
        timed(command if args.full_dump else [*command, "--changes-since", base_at], env)
    rows, megabytes = folder_size(exports)
    delta_rows, _ = folder_size(delta)

    steps = (
        "parse",
        "load",
        "models",
        "tests",
        "delta load",
        "incremental",
        "delta tests",
        "no new data",
        "fixed cost",
    )
    results: dict[str, list[tuple[float, float]]] = {step: [] for step in steps}
    splits: dict[str, list[TimeSplit]] = {}
    counts: dict[str, int] = {}
    test_failures: list[str] = []
    dbt = dbt_executable()
    build_models = [dbt, "build", "--quiet", "--exclude-resource-type", "test", "unit_test"]
    no_lookback = ["--vars", "{incremental_lookback_days: 0}"]
    # run untimed before a step: a dbt command with other vars parses the
    # project again, which is not the cost being measured
    prepare = {"fixed cost": [dbt, "parse", "--quiet", *no_lookback]}
    for run in range(1, args.runs + 1):
        database = work / f"run{run}" / "warehouse.duckdb"
        database.parent.mkdir(parents=True, exist_ok=True)
        database.unlink(missing_ok=True)
        shutil.rmtree(database.parent / "target", ignore_errors=True)
        step_env = {
            **env,
            "DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(database.parent / "target"),
        }
        load = [python, "scripts/load_exports.py", "--quiet"]
        for step, command in (
            ("parse", [dbt, "parse", "--quiet"]),
            ("load", [*load, str(exports)]),
            ("models", build_models),
            ("tests", [dbt, "test", "--quiet"]),
            ("delta load", [*load, str(delta)]),
            ("incremental", build_models),
            ("delta tests", [dbt, "test", "--quiet"]),
            ("no new data", build_models),
            ("fixed cost", [*build_models, *no_lookback]),
        ):
            print(f"run {run}/{args.runs}: {step} ...", file=sys.stderr)
            if step in prepare:
                timed(prepare[step], step_env)
            tolerated = test_failures if "test" in command else None
            # each dbt step logs into a folder of its own: its SQL timings
            log_dir = database.parent / "logs" / step.replace(" ", "_")
            shutil.rmtree(log_dir, ignore_errors=True)
            results[step].append(
                timed(command, {**step_env, "DBT_LOG_PATH": str(log_dir)}, tolerated)
            )
            # keep dbt's per-node timings of each step (where the time goes)
            run_results = database.parent / "target" / "run_results.json"
            if command[:2] != [dbt, "parse"] and command[0] == dbt and run_results.exists():
                kept = run_results.replace(
                    run_results.with_name(f"run_results_{step.replace(' ', '_')}.json")
                )
                splits.setdefault(step, []).append(
                    split_time(
                        results[step][-1][0],
                        json.loads(kept.read_text(encoding="utf-8")),
                        "".join(
                            log.read_text(encoding="utf-8", errors="replace")
                            for log in sorted(log_dir.glob("dbt.log*"), reverse=True)
                        ),
                    )
                )
        with duckdb.connect(str(database), read_only=True) as connection:
            counts = {
                m: connection.execute(f"select count(*) from marts.{m}").fetchone()[0]
                for m in PUBLIC_MARTS
            }

    summary = {
        "leads": args.leads,
        "seed": args.seed,
        "runs": args.runs,
        "export_rows": rows,
        "export_megabytes": round(megabytes, 1),
        "steps": {
            step: {
                "median_seconds": round(statistics.median(w for w, _ in timings), 2),
                "peak_rss_gb": round(max(r for _, r in timings), 2),
            }
            for step, timings in results.items()
        },
        "delta_rows": delta_rows,
        "delta_kind": "full dump" if args.full_dump else "changes",
        "delta_window": [base_at, delta_at],
        "mart_rows": counts,
        "test_failures": test_failures,
        "time_split": {step: median_split(runs).as_dict() for step, runs in splits.items()},
    }
    load_seconds = summary["steps"]["load"]["median_seconds"]
    summary["load_rows_per_second"] = round(rows / load_seconds)
    summary["load_megabytes_per_second"] = round(megabytes / load_seconds, 1)
    full_build = summary["steps"]["models"]["median_seconds"]
    summary["incremental_share_of_full_build"] = round(
        summary["steps"]["incremental"]["median_seconds"] / full_build, 3
    )
    summary["no_new_data_share_of_full_build"] = round(
        summary["steps"]["no new data"]["median_seconds"] / full_build, 3
    )
    summary["fixed_cost_share_of_full_build"] = round(
        summary["steps"]["fixed cost"]["median_seconds"] / full_build, 3
    )

    print(
        f"\n{args.leads:,} leads: {rows:,} export rows, {megabytes:,.1f} MB; median of {args.runs} run(s)"
    )
    what = "full dump of the next day" if args.full_dump else "one-day delta"
    print(f"  {what}: {delta_rows:,} rows ({base_at} .. {delta_at})")
    print(f"  {'step':<12} {'seconds':>9} {'peak RSS GB':>12}")
    for step, figures in summary["steps"].items():
        print(f"  {step:<12} {figures['median_seconds']:>9.2f} {figures['peak_rss_gb']:>12.2f}")
    print(
        f"  load throughput: {summary['load_rows_per_second']:,} rows/s, {summary['load_megabytes_per_second']} MB/s"
    )
    print("  mart rows: " + ", ".join(f"{m} {n:,}" for m, n in counts.items()))
    print(
        f"  incremental build after the delta: {summary['incremental_share_of_full_build']:.1%} of the full build"
    )
    print(
        f"  incremental build with no new data: {summary['no_new_data_share_of_full_build']:.1%} of the full build"
    )
    print(
        f"  incremental build with nothing to reprocess (fixed cost): {summary['fixed_cost_share_of_full_build']:.1%} of the full build"
    )
    print("  where the time of the dbt steps goes (medians; slowest nodes of the last run):")
    print(
        f"  {'step':<12} {'wall':>6} {'start+end':>9} {'nodes':>5} {'node time':>9} "
        f"{'SQL':>6} {'dbt/node':>8}"
    )
    for step, runs in splits.items():
        split = median_split(runs)
        print(
            f"  {step:<12} {split.wall:>6.1f} {split.start_and_finish:>9.1f} {split.nodes:>5} "
            f"{split.node_seconds:>9.1f} {split.sql_seconds:>6.1f} {split.dbt_per_node:>8.3f}"
        )
    for step, runs in splits.items():
        slowest = ", ".join(
            f"{node} {total:.1f} s (SQL {sql:.1f})" for node, total, sql in runs[-1].slowest
        )
        print(f"  slowest in {step}: {slowest}")
    for failure in test_failures:
        print(f"  WARNING: failing tests (timed all the same):\n{failure}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
        print(f"  JSON: {args.json}")
    if args.markdown:
        write_markdown(args.markdown, markdown_table(summary, splits, args))
        print(f"  Markdown: {args.markdown}")
    return 1 if test_failures else 0


MARKDOWN_START = "<!-- benchmark:start -->"
MARKDOWN_END = "<!-- benchmark:end -->"


def markdown_table(summary: dict, splits: dict, args: argparse.Namespace) -> str:
    """The figures of one benchmark run as Markdown: what was measured, then the steps."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    cores = os.cpu_count()
    lines = [
        f"Measured {dt.date.today().isoformat()} at commit `{commit or 'unknown'}` on "
        f"{cores} cores: {args.leads:,} leads, {summary['export_rows']:,} export rows "
        f"({summary['export_megabytes']:,.1f} MB of CSV), median of {args.runs} run(s); "
        f"delta: {summary['delta_kind']}, {summary['delta_rows']:,} rows.",
        "",
        "| step | seconds | peak RSS (GB) |",
        "|---|---:|---:|",
    ]
    for step, figures in summary["steps"].items():
        lines.append(f"| {step} | {figures['median_seconds']:.1f} | {figures['peak_rss_gb']:.2f} |")
    lines += [
        "",
        f"Load throughput {summary['load_rows_per_second']:,} rows/s "
        f"({summary['load_megabytes_per_second']} MB/s). Incremental build after the delta: "
        f"{summary['incremental_share_of_full_build']:.1%} of the full build; with no new "
        f"data {summary['no_new_data_share_of_full_build']:.1%}; fixed cost "
        f"{summary['fixed_cost_share_of_full_build']:.1%}.",
        "",
        "Where the time of the dbt steps goes (medians):",
        "",
        "| step | wall | dbt start + end | nodes | node time | of it SQL | dbt per node |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step, runs in splits.items():
        split = median_split(runs)
        lines.append(
            f"| {step} | {split.wall:.1f} | {split.start_and_finish:.1f} | {split.nodes} | "
            f"{split.node_seconds:.1f} | {split.sql_seconds:.1f} | {split.dbt_per_node:.3f} |"
        )
    models = splits.get("models")
    if models:
        slowest = ", ".join(f"`{node}` {total:.1f} s" for node, total, _sql in models[-1].slowest)
        lines += ["", f"Slowest nodes of the full build: {slowest}."]
    return "\n".join(lines)


def write_markdown(path: Path, table: str) -> None:
    """Put ``table`` between the markers of ``path`` (appended, with them, when absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = f"{MARKDOWN_START}\n{table}\n{MARKDOWN_END}"
    if MARKDOWN_START in text and MARKDOWN_END in text:
        head, rest = text.split(MARKDOWN_START, 1)
        text = head + block + rest.split(MARKDOWN_END, 1)[1]
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
