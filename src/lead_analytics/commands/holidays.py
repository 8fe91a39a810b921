#!/usr/bin/env python
"""Write the national-holiday seed (seeds/calendar/holidays.csv) with the `holidays` package.

The business calendar removes these dates (for the country in the dbt var
`holiday_country`) from business time. Regenerate it for other countries or
years, then `dbt seed`:

    lead-analytics holidays --countries JP US --from-year 2020 --to-year 2030

Company closures (e.g. the Japanese year-end break) are a separate seed,
seeds/calendar/company_closures.csv, edited by hand.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import holidays

from lead_analytics.settings import REPO_ROOT

DEFAULT_OUTPUT = REPO_ROOT / "seeds" / "calendar" / "holidays.csv"


def holiday_rows(
    countries: list[str], from_year: int, to_year: int, language: str | None
) -> list[tuple[str, str, str]]:
    rows = []
    for country in countries:
        try:
            calendar = holidays.country_holidays(
                country, years=range(from_year, to_year + 1), language=language
            )
        except NotImplementedError as error:
            raise SystemExit(
                f"error: the holidays package has no calendar for country '{country}'"
            ) from error
        rows += [(day.isoformat(), country, name) for day, name in calendar.items()]
    return sorted(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--countries", nargs="+", default=["JP"], help="ISO country codes (default: JP)"
    )
    parser.add_argument("--from-year", type=int, default=2015)
    parser.add_argument("--to-year", type=int, default=2035)
    parser.add_argument(
        "--language", default="en_US", help="language of holiday names (e.g. ja, en_US)"
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    if args.from_year > args.to_year:
        parser.error("--from-year must not be after --to-year")

    rows = holiday_rows(
        [c.upper() for c in args.countries], args.from_year, args.to_year, args.language
    )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["holiday_date", "country_code", "holiday_name"])
        writer.writerows(rows)
    print(
        f"wrote {len(rows)} holidays for {', '.join(args.countries)} {args.from_year}-{args.to_year} to {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
