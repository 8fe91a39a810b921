#!/usr/bin/env python
"""Benchmark the pipeline at a given size: generate, load, dbt build, and report.

For N leads (default 1,000,000) it generates the exports once, then for each of
--runs repetitions loads them into a fresh DuckDB file and builds the project,
timing separately:

  load      scripts/load_exports.py on the whole folder
  models    dbt run   (seeds first, untimed: dbt seed)
  tests     dbt test  (data and unit tests)

and reports the median of each, its peak memory (max RSS of the step's
process tree), the throughput of the load, and the row counts of the public
marts. Output: a table on stdout and, with --json, a JSON file.

Not measured yet: the incremental build after a 1-day delta (the incremental
models do not exist yet).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import duckdb
from lead_tools.dbt_cli import REPO_ROOT, dbt_executable

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


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS in GB of its process tree's largest process)."""
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
    if completed.returncode != 0:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
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
    args = parser.parse_args(argv)
    if args.leads < 1 or args.runs < 1:
        parser.error("--leads and --runs must be at least 1")

    work = args.workdir or Path(tempfile.mkdtemp(prefix="benchmark_"))
    work.mkdir(parents=True, exist_ok=True)
    exports = work / f"exports_{args.leads}_{args.seed}"
    python = sys.executable
    env = dict(os.environ)
    if not exports.exists():
        print(f"generating {args.leads:,} leads into {exports} ...", file=sys.stderr)
        generate = [python, "scripts/generate_exports.py", str(exports), "--leads", str(args.leads)]
        timed([*generate, "--seed", str(args.seed), "--quiet"], env)
    rows, megabytes = folder_size(exports)

    results: dict[str, list[tuple[float, float]]] = {"load": [], "models": [], "tests": []}
    counts: dict[str, int] = {}
    dbt = dbt_executable()
    for run in range(1, args.runs + 1):
        database = work / f"run{run}" / "warehouse.duckdb"
        database.parent.mkdir(parents=True, exist_ok=True)
        database.unlink(missing_ok=True)
        step_env = {
            **env,
            "DUCKDB_PATH": str(database),
            "DBT_TARGET_PATH": str(database.parent / "target"),
            "DBT_LOG_PATH": str(database.parent / "logs"),
        }
        print(f"run {run}/{args.runs}: load ...", file=sys.stderr)
        results["load"].append(
            timed([python, "scripts/load_exports.py", str(exports), "--quiet"], step_env)
        )
        timed([dbt, "seed", "--quiet"], step_env)
        print(f"run {run}/{args.runs}: dbt run ...", file=sys.stderr)
        results["models"].append(timed([dbt, "run", "--quiet"], step_env))
        print(f"run {run}/{args.runs}: dbt test ...", file=sys.stderr)
        results["tests"].append(timed([dbt, "test", "--quiet"], step_env))
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
        "mart_rows": counts,
        "incremental_build": "not measured: the incremental models are not built yet",
    }
    load_seconds = summary["steps"]["load"]["median_seconds"]
    summary["load_rows_per_second"] = round(rows / load_seconds)
    summary["load_megabytes_per_second"] = round(megabytes / load_seconds, 1)

    print(
        f"\n{args.leads:,} leads: {rows:,} export rows, {megabytes:,.1f} MB; median of {args.runs} run(s)"
    )
    print(f"  {'step':<8} {'seconds':>9} {'peak RSS GB':>12}")
    for step, figures in summary["steps"].items():
        print(f"  {step:<8} {figures['median_seconds']:>9.2f} {figures['peak_rss_gb']:>12.2f}")
    print(
        f"  load throughput: {summary['load_rows_per_second']:,} rows/s, {summary['load_megabytes_per_second']} MB/s"
    )
    print("  mart rows: " + ", ".join(f"{m} {n:,}" for m, n in counts.items()))
    print(f"  incremental build: {summary['incremental_build']}")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
        print(f"  JSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
