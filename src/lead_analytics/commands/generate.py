#!/usr/bin/env python
"""Generate a realistic, deterministic set of CRM/MA export CSVs (the export contract).

Example:
    lead-analytics generate exports/demo
    lead-analytics generate /tmp/big --leads 1000000 --seed 7 --quiet
    lead-analytics generate /tmp/day1 --export-at 2026-04-21
    lead-analytics generate /tmp/day2 --export-at 2026-04-22 --changes-since 2026-04-21
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from lead_analytics import contract
from lead_analytics.generator.core import (
    DEFAULT_CP932_FILES,
    STEPS,
    GeneratorConfig,
    default_export_instant,
    generate_exports,
    resolve_instants,
)

MAX_LEADS = 20_000_000
JST = dt.timezone(dt.timedelta(hours=9), "JST")
FILENAMES = tuple(f.filename for f in contract.EXPORT_FILES)

DESCRIPTION = """\
Write the seven export-contract files (leads.csv, lead_history.csv, activities.csv,
marketing_events.csv, opportunities.csv, users.csv, campaigns.csv) into OUT_DIR: a
simulated B2B lead funnel of a Japanese SaaS company, from marketing handoff to
sales (ignored leads, SLA timing in Tokyo business hours, MQL/SAL/SQL, opportunities,
recycling and re-entries), with the raw-label and format mess of real exports.

Leads are created between --start and --start + --months; activity goes on for 30
more days (the export instant), so the newest leads are still pending. The output
is deterministic: the same arguments give byte-identical files. Existing files with
the same names in OUT_DIR are overwritten."""

EPILOG = """\
what is simulated:
  sales reps (sdr/bdr/ae/manager; about 1 per 250 leads, 8..400) with their own ignore
  propensity and response speed, marketing users owning leads before handoff, one
  system user; campaigns with costs; channels of different quality (raw lead_source
  labels in English and Japanese, a few unknown or full-width ones); a hidden intent
  per lead driving engagement (page views, downloads, seminars, demo/quote/contact
  requests) and conversion; MQL by score, handoff (owner change), first touch in Tokyo
  business hours (JP holidays) or never (ignored), accept/reject with reasons, SQL,
  meetings, opportunities won/lost, recycling and re-entries; fast-track on requests.
  Timestamps mix +09:00, Z, no offset (Tokyo) and YYYY/MM/DD HH:MM[:SS].

dirty rows (unless --no-dirty): well under 0.5% of rows, at least a few per file in
  leads, lead_history, activities, marketing_events (and opportunities): unparseable
  timestamps, exact duplicates, duplicate ids with different content, empty required
  ids, bad booleans ("maybe"), numbers with junk ("abc"). The loader is expected to
  quarantine them.

sizes: --leads 5000 (default) takes seconds; --leads 1000000 writes about 14.6 million
  rows (1.3 GB) in under a minute on 2 cores, with about 2 GB of memory; with
  --export-at it takes about as long, a one-day delta (--changes-since) less.

earlier instants and deltas (--export-at, --changes-since): same seed and arguments =
  same simulated world; these options only choose what is written from it.
  --export-at T   the files as exported at T (start < T <= the default instant, which is
                  00:00 JST 30 days after --start + --months): leads created before T;
                  history rows, activities and marketing events that happened before T (an
                  event from before the lead existed, e.g. the ad landing page, counts from
                  the lead's creation); each lead's status, owner_id, updated_at and BANT
                  columns as they stood at T, from the history before T (else the initial
                  values); opportunities created before T with stage, is_closed, is_won,
                  closed_at and amount as at T (one closing after T is still open, in the
                  open stage it had reached); users who had joined by T, is_active = not
                  yet left at T; all campaigns (planned ahead in the MA tool, static rows).
                  Ids, formats and per-row choices do not depend on T: a row that did not
                  change reads the same in every export. T = the default instant gives
                  the same bytes as no option.
  --changes-since S  only what is new or changed at/after S (S < T; T defaults to the
                  default instant): leads created or updated at/after S (full current
                  rows, updated_at >= S), history/activities/events at/after S,
                  opportunities created at/after S or whose stage/closed state changed
                  since S; users and campaigns in full. Loading the export at S and then
                  this delta gives the same raw tables as loading the export at T alone.
  Dirty rows follow their source row: one is written when the clean row it was derived
  from is. INSTANT is ISO 8601 (2026-04-21, 2026-04-21T09:00, ...+09:00, ...Z); without
  an offset it is Tokyo time.

note: --encoding-cp932 takes several names; put OUT_DIR before it."""


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a YYYY-MM-DD date: {text!r}") from None


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 instant: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=JST)


def _csv_name(text: str) -> str:
    name = text if text.endswith(".csv") else f"{text}.csv"
    if name not in FILENAMES:
        raise argparse.ArgumentTypeError(
            f"unknown export file {text!r} (choose from {', '.join(FILENAMES)})"
        )
    return name


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "out_dir",
        metavar="OUT_DIR",
        type=Path,
        help="folder to write the CSV files into (created if missing)",
    )
    parser.add_argument(
        "--leads",
        type=_positive_int,
        default=5000,
        metavar="N",
        help=f"number of leads to create, 1..{MAX_LEADS:,} (default: 5000)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=42,
        metavar="S",
        help="random seed; same seed and arguments = same files (default: 42)",
    )
    parser.add_argument(
        "--start",
        type=_date,
        default=dt.date(2025, 4, 1),
        metavar="YYYY-MM-DD",
        help="first day leads are created, JST (default: 2025-04-01)",
    )
    parser.add_argument(
        "--months",
        type=_positive_int,
        default=12,
        metavar="M",
        help="months during which leads are created, 1..60 (default: 12)",
    )
    parser.add_argument(
        "--encoding-cp932",
        nargs="*",
        type=_csv_name,
        metavar="FILE",
        default=list(DEFAULT_CP932_FILES),
        help="files to write in CP932 (Shift_JIS) instead of UTF-8, e.g. "
        "users.csv leads.csv; give the option with no file for all UTF-8 "
        "(default: users.csv)",
    )
    parser.add_argument(
        "--no-dirty",
        action="store_true",
        help="write only clean rows (no rows for the loader to quarantine)",
    )
    parser.add_argument(
        "--export-at",
        type=_instant,
        metavar="INSTANT",
        help="write the export as it was at this earlier instant of the same simulated "
        "world (ISO 8601, Tokyo time without an offset; default: the end of the "
        "simulated period, 00:00 JST 30 days after the last lead)",
    )
    parser.add_argument(
        "--changes-since",
        type=_instant,
        metavar="INSTANT",
        help="write only the rows new or changed at/after INSTANT (a delta export up to "
        "--export-at); users and campaigns in full",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    return parser


def _prepare_out_dir(parser: argparse.ArgumentParser, out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        parser.exit(2, f"{parser.prog}: error: cannot create OUT_DIR {out_dir}: {exc}\n")
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK | os.X_OK):
        parser.exit(2, f"{parser.prog}: error: OUT_DIR {out_dir} is not a writable folder\n")
    for name in FILENAMES:
        target = out_dir / name
        if target.exists() and (target.is_dir() or not os.access(target, os.W_OK)):
            parser.exit(2, f"{parser.prog}: error: cannot overwrite {target}\n")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.leads > MAX_LEADS:
        parser.error(f"--leads must be at most {MAX_LEADS:,}")
    if args.months > 60:
        parser.error("--months must be at most 60")
    if not dt.date(2000, 1, 1) <= args.start <= dt.date(2090, 1, 1):
        parser.error("--start must be between 2000-01-01 and 2090-01-01")
    config = GeneratorConfig(
        n_leads=args.leads,
        seed=args.seed,
        start=args.start,
        months=args.months,
        dirty=not args.no_dirty,
    )
    try:
        resolve_instants(config, args.export_at, args.changes_since)
    except ValueError as exc:
        option = (
            "--export-at"
            if args.changes_since is None or "export instant must" in str(exc)
            else "--changes-since"
        )
        parser.error(f"{option}: {exc}")
    _prepare_out_dir(parser, args.out_dir)

    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=STEPS, desc="generating", unit="step", file=sys.stderr)

    def progress(step: str) -> None:
        if bar is not None:
            bar.set_postfix_str(step)
            bar.update(1)

    try:
        summaries = generate_exports(
            config,
            args.out_dir,
            args.encoding_cp932,
            progress,
            export_at=args.export_at,
            changes_since=args.changes_since,
        )
    except OSError as exc:
        if bar is not None:
            bar.close()
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    if bar is not None:
        bar.close()
    if not args.quiet:
        total_rows = sum(s.rows for s in summaries)
        total_mb = sum(s.bytes for s in summaries) / 1e6
        at = args.export_at or default_export_instant(config)
        what = f"as exported at {at.isoformat()}"
        if args.changes_since is not None:
            what += f", changes since {args.changes_since.isoformat()}"
        print(f"wrote {len(summaries)} files to {args.out_dir} (seed {args.seed}, {what}):")
        for s in summaries:
            dirty = f", {s.dirty_rows} dirty" if s.dirty_rows else ""
            print(
                f"  {s.filename:<22} {s.rows:>11,} rows {s.bytes / 1e6:>9.2f} MB  "
                f"{s.encoding}{dirty}"
            )
        print(f"  {'total':<22} {total_rows:>11,} rows {total_mb:>9.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
