"""Benchmark the export loader against DuckDB's plain CSV reader on the same files.

Usage: lead-analytics bench-load FOLDER [--repeat 3] [--workdir DIR] [--encoding auto]

For each contract file in FOLDER, in the same run and interleaved (so a busy machine slows
every contender alike), it times:
  count   select count(*) from read_csv(file, all_varchar = true)      (parse only)
  ctas    create table t as select * from read_csv(file)               (sniff, type, write)
  loader  load_folder() of that file alone into a fresh DuckDB file    (validate, type, write)
and prints rows/s and MB/s for each, the best of --repeat runs, then the loader on the whole
folder at once. CP932 files are transcoded once (untimed) for the two baselines, which cannot
read CP932.

The target (project issue 6) is the ratio "loader vs typed read_csv CTAS on the same files":
loader throughput at least 50% of ``create table as select * from read_csv(file)``, i.e. the
loader's seconds summed over all files at most twice the CTAS seconds summed over the same
files. The last lines of the output print that ratio and whether the target is met, and the
same ratio with the loader timed on the whole folder in one run. ``count`` is shown for scale
only (it parses without typing or writing anything). On a shared machine compare ratios from
the same run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from lead_analytics.errors import UsageError
from lead_analytics.loader.core import load_folder
from lead_analytics.loader.files import discover, scan_file, transcode_to_utf8

TARGET = 0.5  # issue 6: loader throughput / typed read_csv CTAS throughput on the same files


@dataclass
class Timing:
    wall: float = float("inf")
    cpu: float = float("inf")
    runs: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.runs.append(wall)
        self.wall = min(self.wall, wall)
        self.cpu = min(self.cpu, cpu)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def timed(timing: Timing, action: Callable[[], object]) -> object:
    wall, cpu = time.perf_counter(), _cpu()
    out = action()
    timing.add(time.perf_counter() - wall, _cpu() - cpu)
    return out


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def bench_count(path: Path) -> int:
    con = duckdb.connect()
    try:
        sql = f"SELECT count(*) FROM read_csv({_sql_path(path)}, all_varchar = true)"
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def bench_ctas(path: Path, db: Path) -> None:
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv({_sql_path(path)})")
    finally:
        con.close()
    db.unlink(missing_ok=True)


def bench_loader(folder: Path, db: Path, encoding: str) -> list:
    db.unlink(missing_ok=True)
    try:
        return load_folder(folder, db, encoding=encoding, quiet=True)
    finally:
        db.unlink(missing_ok=True)
        Path(f"{db}.wal").unlink(missing_ok=True)


def rate(amount: float, seconds: float) -> str:
    return f"{amount / seconds:,.0f}" if seconds and seconds != float("inf") else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="runs per contender (best is kept)")
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the scratch DuckDB files go"
    )
    parser.add_argument("--encoding", default="auto", choices=("auto", "utf-8", "cp932"))
    args = parser.parse_args(argv)
    try:
        listing = discover(args.folder)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args.workdir is not None:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench_load_", dir=args.workdir))
    rows_out = []
    try:
        for path, spec in listing.files:
            scan = scan_file(path, args.encoding)
            plain = path
            if scan.encoding == "cp932":
                plain = transcode_to_utf8(path, "cp932", work / f"{spec.name}.utf8.csv", False)
            single = work / f"only_{spec.name}"
            single.mkdir()
            (single / path.name).symlink_to(path.resolve())
            count_t, ctas_t, loader_t = Timing(), Timing(), Timing()
            rows = loaded = 0
            for _ in range(args.repeat):
                rows = timed(count_t, lambda plain=plain: bench_count(plain))
                timed(ctas_t, lambda plain=plain: bench_ctas(plain, work / "ctas.duckdb"))
                results = timed(
                    loader_t,
                    lambda single=single: bench_loader(
                        single, work / "loader.duckdb", args.encoding
                    ),
                )
                loaded = results[0].rows_read
            megabytes = scan.size / 1e6
            rows_out.append((path.name, rows, loaded, megabytes, count_t, ctas_t, loader_t))
            print(
                f"{path.name}: {rows:,} rows, {megabytes:,.1f} MB: count {count_t.wall:.2f}s, "
                f"ctas {ctas_t.wall:.2f}s, loader {loader_t.wall:.2f}s",
                file=sys.stderr,
                flush=True,
            )
        whole = Timing()
        timed(whole, lambda: bench_loader(args.folder, work / "all.duckdb", args.encoding))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    header = f"{'file':22} {'rows':>11} {'MB':>8}  {'contender':8} {'seconds':>8} {'cpu s':>7} {'rows/s':>11} {'MB/s':>7}"
    print(header)
    print("-" * len(header))
    total_rows = total_mb = 0.0
    total = {"count": 0.0, "ctas": 0.0, "loader": 0.0}
    for name, rows, _loaded, megabytes, count_t, ctas_t, loader_t in rows_out:
        total_rows += rows
        total_mb += megabytes
        for label, timing in (("count", count_t), ("ctas", ctas_t), ("loader", loader_t)):
            total[label] += timing.wall
            print(
                f"{name:22} {rows:>11,} {megabytes:>8,.1f}  {label:8} {timing.wall:>8.2f} {timing.cpu:>7.2f} "
                f"{rate(rows, timing.wall):>11} {rate(megabytes, timing.wall):>7}"
            )
        print(
            f"{'':22} loader throughput = {ctas_t.wall / loader_t.wall:.0%} of ctas, "
            f"{count_t.wall / loader_t.wall:.0%} of count"
        )
    print("-" * len(header))
    for label, seconds in total.items():
        print(
            f"{'all files (sum)':22} {total_rows:>11,.0f} {total_mb:>8,.1f}  {label:8} {seconds:>8.2f} {'':>7} "
            f"{rate(total_rows, seconds):>11} {rate(total_mb, seconds):>7}"
        )
    print(
        f"{'whole folder, one run':22} {total_rows:>11,.0f} {total_mb:>8,.1f}  {'loader':8} {whole.wall:>8.2f} "
        f"{whole.cpu:>7.2f} {rate(total_rows, whole.wall):>11} {rate(total_mb, whole.wall):>7}"
    )
    ratio = total["ctas"] / total["loader"]
    whole_ratio = total["ctas"] / whole.wall
    print(
        f"loader throughput over all files: {ratio:.0%} of typed ctas, "
        f"{total['count'] / total['loader']:.0%} of count(*)"
    )
    print(
        f"TARGET (issue 6): loader throughput >= {TARGET:.0%} of typed read_csv CTAS on the same "
        f"files: {ratio:.0%} per file summed ({'met' if ratio >= TARGET else 'NOT met'}), "
        f"{whole_ratio:.0%} with the whole folder in one run "
        f"({'met' if whole_ratio >= TARGET else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
