"""Configuration of the independent results checker, read the way users edit it.

Vars come from ``dbt_project.yml`` (plus optional overrides, like ``dbt --vars``),
rules from the seed CSV files under ``seeds/``. Nothing here reads the dbt
models: the checker is a second implementation written from
``docs/metrics.md``, so it must not share logic with the SQL.

Instants are handled as integer microseconds since the Unix epoch (UTC), so
business-time arithmetic is exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import yaml

US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
END_OF_DAY = dt.time(23, 59, 59, 999_999)  # a bare as_of date: the whole day is in


class ConfigError(Exception):
    """A seed or var the checker cannot read (usage error, exit 2)."""


def norm_label(value: str | None) -> str | None:
    """Case- and width-insensitive form of a raw label, after trimming."""
    if value is None:
        return None
    return unicodedata.normalize("NFKC", value).strip().lower()


def to_us(moment: dt.datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return EPOCH + dt.timedelta(microseconds=int(us))


def read_csv(path: Path) -> list[dict[str, str | None]]:
    if not path.exists():
        raise ConfigError(f"seed file not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {
                k.strip(): (v.strip() if v is not None and v.strip() != "" else None)
                for k, v in row.items()
            }
            for row in csv.DictReader(handle)
        ]


def as_bool(value: str | None) -> bool:
    return norm_label(value) in {"true", "1", "yes", "t"}


def as_int(value: str | None) -> int | None:
    return None if value is None else int(value)


def like_to_regex(pattern: str) -> re.Pattern[str]:
    """SQL LIKE (``%`` any text, ``_`` one character), case-insensitive."""
    parts = []
    for char in pattern:
        if char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


@dataclass
class BehaviourRule:
    event_type: str
    pattern: re.Pattern[str] | None
    points: int
    is_fast_track: bool


@dataclass
class AttributeRule:
    attribute: str
    match_value: str | None
    min_value: int | None
    max_value: int | None
    points: int


@dataclass
class Policy:
    name: str
    applies_to: str
    start_event: str
    stop_event: str
    target_hours: float


@dataclass
class Rules:
    vars: dict
    maps: dict[str, dict[str, str]]
    stage_order: dict[str, int]
    side_exits: set[str]
    size_bands: list[tuple[str, int | None, int | None]]
    score_bands: list[tuple[str, int | None, int | None]]
    behaviour_rules: list[BehaviourRule]
    attribute_rules: list[AttributeRule]
    policies: list[Policy]
    tz: ZoneInfo
    calendar: BusinessCalendar = field(repr=False)

    def var(self, *names: str) -> object:
        """A dbt var, by its name (or a former name); a missing var is a usage error."""
        for name in names:
            if self.vars.get(name) is not None:
                return self.vars[name]
        raise ConfigError(f"var {names[0]} is not set in dbt_project.yml (nor given with --vars)")

    def map_label(self, mapping: str, raw: str | None, default: str) -> str:
        key = norm_label(raw)
        if key is None:
            return default
        return self.maps[mapping].get(key, default)

    def band(self, bands: list[tuple[str, int | None, int | None]], value: int | None) -> str:
        if value is None:
            return "unknown"
        for label, low, high in bands:
            if (low is None or value >= low) and (high is None or value <= high):
                return label
        return "unknown"


class BusinessCalendar:
    """Open intervals of business time, in UTC microseconds, with running totals.

    ``position(t)`` is the business time elapsed from the calendar start to
    ``t``; elapsed business time between two instants is the difference.
    """

    def __init__(
        self,
        tz: ZoneInfo,
        start: dt.date,
        end: dt.date,
        hours: dict[int, tuple[dt.time, dt.time]],
        closed_days: set[dt.date],
    ) -> None:
        opens, closes = [], []
        day = start
        while day <= end:
            span = hours.get(day.isoweekday())
            if span and day not in closed_days:
                opens.append(to_us(dt.datetime.combine(day, span[0], tz)))
                closes.append(to_us(dt.datetime.combine(day, span[1], tz)))
            day += dt.timedelta(days=1)
        self.opens = np.array(opens, dtype=np.int64)
        self.closes = np.array(closes, dtype=np.int64)
        durations = self.closes - self.opens
        self.cum_end = np.cumsum(durations)
        self.cum_start = self.cum_end - durations

    def position(self, t: int) -> int:
        i = int(np.searchsorted(self.opens, t, side="right")) - 1
        if i < 0:
            return 0
        inside = min(max(t - int(self.opens[i]), 0), int(self.closes[i] - self.opens[i]))
        return int(self.cum_start[i]) + inside

    def elapsed_hours(self, start: int, stop: int) -> float:
        return (self.position(stop) - self.position(start)) / US_PER_HOUR

    def add_hours(self, start: int, hours: float) -> int:
        """start + hours of business time; a landing on closing time gives the next opening."""
        target = self.position(start) + round(hours * US_PER_HOUR)
        i = int(np.searchsorted(self.cum_end, target, side="right"))
        if i >= len(self.opens):
            raise ConfigError("an SLA deadline falls after calendar_end_date")
        return int(self.opens[i]) + (target - int(self.cum_start[i]))


def parse_hhmm(text: str) -> dt.time:
    hour, minute = text.split(":")[:2]
    return dt.time(int(hour), int(minute))


def load_vars(project_dir: Path, overrides: dict | None) -> dict:
    path = project_dir / "dbt_project.yml"
    if not path.exists():
        raise ConfigError(f"dbt_project.yml not found in {project_dir}")
    project = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values = dict(project.get("vars") or {})
    values.update(overrides or {})
    return values


def parse_as_of(value: object, tz: ZoneInfo) -> int | None:
    """The as_of var: ISO instant; no offset = business time zone; a date = end of that day."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, END_OF_DAY)
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            moment = dt.datetime.combine(dt.date.fromisoformat(text), END_OF_DAY)
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return to_us(moment)


def load_rules(project_dir: Path, var_overrides: dict | None = None) -> Rules:
    values = load_vars(project_dir, var_overrides)
    seeds = project_dir / "seeds"

    def need(name: str) -> object:
        if values.get(name) is None:
            raise ConfigError(f"var {name} is not set in dbt_project.yml (nor given with --vars)")
        return values[name]

    tz = ZoneInfo(str(need("business_timezone")))

    maps: dict[str, dict[str, str]] = {}
    for name, column in [
        ("map_lead_statuses", "stage"),
        ("map_lead_sources", "channel"),
        ("map_job_levels", "job_level"),
        ("map_user_roles", "role"),
        ("map_activity_types", "activity_type"),
        ("map_event_types", "event_type"),
    ]:
        table = {}
        for row in read_csv(seeds / "mappings" / f"{name}.csv"):
            key = norm_label(row["raw_label"])
            if key is not None and row[column] is not None:
                table[key] = norm_label(row[column])
        maps[name] = table

    stage_order, side_exits = {}, set()
    for row in read_csv(seeds / "rules" / "lifecycle_stages.csv"):
        if as_bool(row["is_side_exit"]):
            side_exits.add(row["stage"])
        elif row["stage_order"] is not None:
            stage_order[row["stage"]] = int(row["stage_order"])

    size_bands = [
        (r["company_size_band"], as_int(r["min_employees"]), as_int(r["max_employees"]))
        for r in read_csv(seeds / "rules" / "company_size_bands.csv")
    ]
    score_bands = [
        (r["score_band"], as_int(r["min_score"]), as_int(r["max_score"]))
        for r in read_csv(seeds / "scoring" / "score_bands.csv")
    ]
    behaviour_rules = [
        BehaviourRule(
            event_type=norm_label(r["event_type"]),
            pattern=like_to_regex(norm_label(r["asset_pattern"])) if r["asset_pattern"] else None,
            points=int(r["points"]),
            is_fast_track=as_bool(r["is_fast_track"]),
        )
        for r in read_csv(seeds / "scoring" / "scoring_behaviour_rules.csv")
    ]
    attribute_rules = [
        AttributeRule(
            attribute=norm_label(r["attribute"]),
            match_value=r["match_value"],
            min_value=as_int(r["min_value"]),
            max_value=as_int(r["max_value"]),
            points=int(r["points"]),
        )
        for r in read_csv(seeds / "scoring" / "scoring_attribute_rules.csv")
    ]
    policies = [
        Policy(
            name=r["policy_name"],
            applies_to=norm_label(r["applies_to"]),
            start_event=norm_label(r["start_event"]),
            stop_event=norm_label(r["stop_event"]),
            target_hours=float(r["target_business_hours"]),
        )
        for r in read_csv(seeds / "rules" / "sla_policies.csv")
    ]

    hours = {
        int(r["iso_weekday"]): (parse_hhmm(r["opens_at"]), parse_hhmm(r["closes_at"]))
        for r in read_csv(seeds / "calendar" / "business_hours.csv")
    }
    country = str(need("holiday_country"))
    closed = {
        dt.date.fromisoformat(r["holiday_date"])
        for r in read_csv(seeds / "calendar" / "holidays.csv")
        if r["country_code"] == country
    }
    for r in read_csv(seeds / "calendar" / "company_closures.csv"):
        day, last = dt.date.fromisoformat(r["start_date"]), dt.date.fromisoformat(r["end_date"])
        while day <= last:
            closed.add(day)
            day += dt.timedelta(days=1)
    calendar = BusinessCalendar(
        tz,
        dt.date.fromisoformat(str(need("calendar_start_date"))),
        dt.date.fromisoformat(str(need("calendar_end_date"))),
        hours,
        closed,
    )
    return Rules(
        vars=values,
        maps=maps,
        stage_order=stage_order,
        side_exits=side_exits,
        size_bands=size_bands,
        score_bands=score_bands,
        behaviour_rules=behaviour_rules,
        attribute_rules=attribute_rules,
        policies=policies,
        tz=tz,
        calendar=calendar,
    )
