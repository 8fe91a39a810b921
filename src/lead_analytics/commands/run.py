#!/usr/bin/env python
"""Run the main job on an export folder: load -> dbt build -> dbt docs -> KPI summary.

The DuckDB file is DUCKDB_PATH (default warehouse.duckdb), as for every tool of
the project. Each step's wall time is printed at the end; the first failing
step stops the run with its exit code. A warehouse that another program holds
(or that cannot be written) is told in one line, exit code 2, for the loader
and dbt alike.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lead_analytics.commands import load, summary
from lead_analytics.dbt_cli import run_dbt_step
from lead_analytics.settings import duckdb_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "exports", type=Path, help="folder of export CSV files (see README: export contract)"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="delete the DuckDB file first (the demo does; your own warehouse keeps its history)",
    )
    parser.add_argument(
        "--profile",
        default=None,
        help="import profile(s) of the exports (load_exports.py --profile), e.g. salesforce "
        "or salesforce,marketo",
    )
    parser.add_argument(
        "--exported-at",
        default=None,
        metavar="INSTANT",
        help="when the source system wrote the files (load_exports.py --exported-at), e.g. "
        "'now' for a daily run on a fresh export",
    )
    parser.add_argument("--skip-docs", action="store_true", help="do not generate the dbt docs")
    parser.add_argument(
        "--vars", default=None, help="dbt --vars passed to build, e.g. '{as_of: \"2025-06-30\"}'"
    )
    args = parser.parse_args(argv)

    if not args.exports.is_dir():
        print(f"error: export folder {args.exports} does not exist", file=sys.stderr)
        return 2
    database = duckdb_path().resolve()
    if args.fresh:
        for path in (database, database.with_name(database.name + ".wal")):
            path.unlink(missing_ok=True)

    timings: list[tuple[str, float]] = []

    def step(name: str, command) -> int:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        code = command()
        timings.append((name, time.perf_counter() - started))
        if code != 0:
            print(f"\n{name} failed (exit code {code}); stopping.", file=sys.stderr)
        return code

    vars_args = ["--vars", args.vars] if args.vars else []
    load_args = [str(args.exports), "--duckdb", str(database)]
    if args.profile:
        load_args += ["--profile", args.profile]
    if args.exported_at:
        load_args += ["--exported-at", args.exported_at]

    steps = [
        ("load", lambda: load.main(load_args)),
        ("dbt build", lambda: run_dbt_step(["build", *vars_args], duckdb_path=database)),
    ]
    if not args.skip_docs:
        steps.append(
            (
                "dbt docs generate",
                lambda: run_dbt_step(["docs", "generate", *vars_args], duckdb_path=database),
            )
        )
    steps.append(("summary", lambda: summary.main(["--duckdb", str(database)])))

    for name, command in steps:
        code = step(name, command)
        if code != 0:
            return code

    print("\nwall time per step:")
    for name, seconds in timings:
        print(f"  {name:<20} {seconds:7.1f} s")
    print(f"  {'total':<20} {sum(s for _, s in timings):7.1f} s")
    print(f"\nwarehouse: {database}")
    if not args.skip_docs:
        print("dbt docs: target/index.html (make docs-serve)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
