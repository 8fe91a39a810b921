"""Aggregate the checker's per-lead facts into the marts' grain and compare with the marts."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import polars as pl

from lead_analytics.checker.leads import LeadFacts
from lead_analytics.checker.rules import Rules, from_us

BREAKDOWNS = [
    "overall",
    "channel",
    "lead_source",
    "rep",
    "team",
    "industry",
    "company_size_band",
    "job_level",
]
RATE_TOLERANCE = 1e-9
MISSING = "<no row>"


@dataclass
class Mismatch:
    metric: str
    key: str
    column: str
    mart: object
    checker: object


@dataclass
class MetricResult:
    metric: str
    rows_compared: int
    values_compared: int
    mismatches: list[Mismatch]


# -- per-lead frame ------------------------------------------------------------------------


def local_date(us: int | None, rules: Rules) -> dt.date | None:
    return None if us is None else from_us(us).astimezone(rules.tz).date()


def month_of(us: int | None, rules: Rules) -> dt.date | None:
    day = local_date(us, rules)
    return None if day is None else day.replace(day=1)


def week_of(us: int | None, rules: Rules) -> dt.date | None:
    day = local_date(us, rules)
    return None if day is None else day - dt.timedelta(days=day.weekday())


def lead_frame(facts: list[LeadFacts], rules: Rules, teams: dict[str, str | None]) -> pl.DataFrame:
    def value(v: object) -> str:
        return "unknown" if v is None else str(v)

    rows = []
    for f in facts:
        rows.append(
            {
                "lead_id": f.lead_id,
                "cohort_month": month_of(f.created_at, rules),
                "period_month": month_of(f.handed_off_at, rules),
                "created_at": f.created_at,
                "handed_off_at": f.handed_off_at,
                "overall": "all",
                "channel": f.channel,
                "lead_source": value(f.lead_source),
                "industry": value(f.industry),
                "company_size_band": f.size_band,
                "job_level": f.job_level,
                "handoff_rep": value(f.handoff_rep),
                "handoff_team": value(teams.get(f.handoff_rep) if f.handoff_rep else None),
                "owner_rep": value(f.current_owner),
                "owner_team": value(teams.get(f.current_owner) if f.current_owner else None),
                "ignore_status": f.ignore_status,
                "acceptance_status": f.acceptance_status,
                "score_at_handoff": f.score_at_handoff,
                **{f"reached_{s}": f.reached.get(s) for s in rules.stage_order},
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def long_by_breakdown(frame: pl.DataFrame, keys: list[str], rep: str, team: str) -> pl.DataFrame:
    source = {b: b for b in BREAKDOWNS} | {"rep": rep, "team": team}
    parts = [
        frame.with_columns(
            pl.lit(b).alias("breakdown"), pl.col(source[b]).cast(pl.String).alias("breakdown_value")
        )
        for b in BREAKDOWNS
    ]
    return pl.concat(parts, how="vertical_relaxed").sort(keys)


def ratio(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
        .cast(pl.Float64)
    )


# -- checker-side reports ------------------------------------------------------------------


def ignore_rate_report(leads: pl.DataFrame) -> pl.DataFrame:
    handed = leads.filter(pl.col("handed_off_at").is_not_null())
    long = long_by_breakdown(handed, ["period_month"], "handoff_rep", "handoff_team")
    status, accept = pl.col("ignore_status"), pl.col("acceptance_status")
    return (
        long.group_by("period_month", "breakdown", "breakdown_value")
        .agg(
            pl.len().alias("handed_off_leads"),
            (status == "touched").sum().alias("touched_leads"),
            (status == "ignored").sum().alias("ignored_leads"),
            (status == "pending").sum().alias("pending_leads"),
            (accept == "accepted").sum().alias("sal_leads"),
            (accept == "rejected").sum().alias("rejected_leads"),
        )
        .with_columns(
            (pl.col("ignored_leads") + pl.col("touched_leads")).alias("_decided"),
            (pl.col("sal_leads") + pl.col("rejected_leads")).alias("acceptance_decided_leads"),
        )
        .with_columns(
            ratio("ignored_leads", "_decided").alias("ignore_rate"),
            ratio("sal_leads", "acceptance_decided_leads").alias("sal_rate"),
        )
        .drop("_decided")
    )


def sla_frames(facts: list[LeadFacts], leads: pl.DataFrame, rules: Rules):
    rows = [
        {
            "lead_id": f.lead_id,
            "policy_name": c.policy,
            "started_at": c.started_at,
            "deadline_at": c.deadline_at,
            "stopped_at": c.stopped_at,
            "elapsed_business_hours": c.elapsed_hours,
            "sla_status": c.status,
            # the week the clock started: at the next opening when started outside hours
            "period_week": week_of(rules.calendar.add_hours(c.started_at, 0), rules),
        }
        for f in facts
        for c in f.sla
    ]
    schema = {
        "lead_id": pl.String,
        "policy_name": pl.String,
        "started_at": pl.Int64,
        "deadline_at": pl.Int64,
        "stopped_at": pl.Int64,
        "elapsed_business_hours": pl.Float64,
        "sla_status": pl.String,
        "period_week": pl.Date,
    }
    status = pl.DataFrame(rows, schema=schema)
    joined = status.join(leads, on="lead_id", how="left")
    long = long_by_breakdown(joined, ["period_week"], "handoff_rep", "handoff_team")
    hours = pl.col("elapsed_business_hours")
    report = (
        long.group_by("period_week", "policy_name", "breakdown", "breakdown_value")
        .agg(
            (pl.col("sla_status") == "met").sum().alias("met"),
            (pl.col("sla_status") == "breached").sum().alias("breached"),
            (pl.col("sla_status") == "pending").sum().alias("pending"),
            hours.drop_nulls().quantile(0.5, "linear").alias("median_business_hours"),
            hours.drop_nulls().quantile(0.9, "linear").alias("p90_business_hours"),
        )
        .with_columns((pl.col("met") + pl.col("breached")).alias("_decided"))
        .with_columns(ratio("met", "_decided").alias("compliance_rate"))
        .drop("_decided")
    )
    return status.drop("period_week"), report


FUNNEL_STAGES = [
    ("mql", "mql"),
    ("sal", "sal"),
    ("sql", "sql"),
    ("opportunities", "opportunity"),
    ("won", "won"),
]


def funnel_report(leads: pl.DataFrame) -> pl.DataFrame:
    long = long_by_breakdown(leads, ["cohort_month"], "owner_rep", "owner_team")
    counts = [
        pl.col(f"reached_{stage}").is_not_null().sum().alias(name) for name, stage in FUNNEL_STAGES
    ]
    velocity = []
    previous = "created_at"
    for _name, stage in FUNNEL_STAGES:
        days = (pl.col(f"reached_{stage}") - pl.col(previous)) / 86_400_000_000
        label = "lead" if previous == "created_at" else previous.removeprefix("reached_")
        velocity.append(days.drop_nulls().median().alias(f"median_days_{label}_to_{stage}"))
        previous = f"reached_{stage}"
    report = (
        long.group_by("cohort_month", "breakdown", "breakdown_value")
        .agg(pl.len().alias("leads"), *counts, *velocity)
        .with_columns(
            ratio("mql", "leads").alias("lead_to_mql_rate"),
            ratio("sal", "mql").alias("mql_to_sal_rate"),
            ratio("sql", "sal").alias("sal_to_sql_rate"),
            ratio("opportunities", "sql").alias("sql_to_opportunity_rate"),
            ratio("won", "opportunities").alias("opportunity_to_won_rate"),
            ratio("opportunities", "leads").alias("lead_to_opportunity_rate"),
            ratio("won", "leads").alias("lead_to_won_rate"),
        )
    )
    return report


def score_calibration_report(leads: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    threshold = int(rules.var("mql_score_threshold"))
    handed = leads.filter(pl.col("handed_off_at").is_not_null())
    rows = []
    for band, low, high in rules.score_bands:
        members = handed.filter(
            (pl.lit(low is None) | (pl.col("score_at_handoff") >= (low or 0)))
            & (pl.lit(high is None) | (pl.col("score_at_handoff") <= (high or 0)))
        )
        rows.append(
            {
                "score_band": band,
                "is_below_mql_threshold": low is None or low < threshold,
                "handed_off_leads": members.height,
                "opportunities": members["reached_opportunity"].is_not_null().sum(),
                "wins": members["reached_won"].is_not_null().sum(),
            }
        )
    frame = pl.DataFrame(rows)
    total = frame["opportunities"].sum()
    below = frame.filter(pl.col("is_below_mql_threshold"))["opportunities"].sum()
    return frame.with_columns(
        pl.lit(below / total if total else None, dtype=pl.Float64).alias(
            "share_of_opportunities_below_threshold"
        ),
        ratio("opportunities", "handed_off_leads").alias("opportunity_rate"),
        ratio("wins", "handed_off_leads").alias("win_rate"),
        ratio("wins", "opportunities").alias("opportunity_win_rate"),
        (pl.col("opportunities") / total if total else pl.lit(None))
        .cast(pl.Float64)
        .alias("share_of_opportunities"),
    )


def dim_leads_frame(facts: list[LeadFacts]) -> pl.DataFrame:
    rows = [
        {
            "lead_id": f.lead_id,
            "channel": f.channel,
            "company_size_band": f.size_band,
            "job_level": f.job_level,
            "current_owner_id": f.current_owner,
            "handoff_rep_id": f.handoff_rep,
            "handed_off_at": f.handed_off_at,
            "first_touch_at": f.first_touch_at,
            "first_touch_business_hours": f.first_touch_hours,
            "ignore_status": f.ignore_status,
            "acceptance_status": f.acceptance_status,
            "reached_mql_at": f.reached.get("mql"),
            "reached_sal_at": f.reached.get("sal"),
            "reached_sql_at": f.reached.get("sql"),
            "reached_opportunity_at": f.reached.get("opportunity"),
            "won_at": f.reached.get("won"),
            "score": f.score,
            "temperature": f.temperature,
            "score_at_handoff": f.score_at_handoff,
            "temperature_at_handoff": f.temperature_at_handoff,
        }
        for f in facts
    ]
    return pl.DataFrame(rows, infer_schema_length=None)


# -- marts ---------------------------------------------------------------------------------


def read_mart(
    connection: duckdb.DuckDBPyConnection, table: str, columns: list[str]
) -> pl.DataFrame:
    described = {row[0]: row[1] for row in connection.sql(f"describe marts.{table}").fetchall()}
    missing = [c for c in columns if c not in described]
    if missing:
        raise KeyError(f"marts.{table} lacks the columns {missing}")
    select = ", ".join(
        f"epoch_us({c}) as {c}" if described[c].startswith("TIMESTAMP") else c for c in columns
    )
    return connection.sql(f"select {select} from marts.{table}").pl()


# -- comparison ----------------------------------------------------------------------------


def same(mart: object, checker: object) -> bool:
    if mart is None or checker is None:
        return mart is None and checker is None
    if isinstance(mart, float) or isinstance(checker, float):
        if math.isnan(float(mart)) or math.isnan(float(checker)):
            return False
        return abs(float(mart) - float(checker)) <= RATE_TOLERANCE
    return mart == checker


def show(value: object, column: str) -> object:
    if isinstance(value, int) and column.endswith("_at") and value is not None:
        return from_us(value).strftime("%Y-%m-%d %H:%M:%S.%f").removesuffix(".000000") + "Z"
    if isinstance(value, float):
        return round(value, 10)
    return value


def compare(
    metric: str,
    mart: pl.DataFrame,
    checker: pl.DataFrame,
    keys: list[str],
    columns: list[str],
    key_filter: Callable[[dict], bool] | None = None,
) -> MetricResult:
    mart = mart.select(*keys, *columns).with_columns(pl.lit(True).alias("_in_mart"))
    checker = checker.select(*keys, *columns).with_columns(pl.lit(True).alias("_in_checker"))
    for key in keys:
        checker = checker.with_columns(pl.col(key).cast(mart.schema[key]))
    joined = mart.join(
        checker, on=keys, how="full", coalesce=True, suffix="_checker", nulls_equal=True
    )
    mismatches, rows, values = [], 0, 0
    for row in joined.iter_rows(named=True):
        if key_filter and not key_filter(row):
            continue
        rows += 1
        key = " ".join(f"{k}={row[k]}" for k in keys)
        if not row["_in_mart"] or not row["_in_checker"]:
            side_mart = "present" if row["_in_mart"] else MISSING
            side_checker = "present" if row["_in_checker"] else MISSING
            mismatches.append(Mismatch(metric, key, "(row)", side_mart, side_checker))
            continue
        for column in columns:
            values += 1
            a, b = row[column], row[f"{column}_checker"]
            if not same(a, b):
                mismatches.append(Mismatch(metric, key, column, show(a, column), show(b, column)))
    return MetricResult(metric, rows, values, mismatches)
