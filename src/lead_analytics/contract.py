"""The export contract (see README, "Export contract"): files, columns, types and keys.

This module is the single Python description of the input interface. The generator
writes files that follow it, the loader validates and types files against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnType = Literal["text", "timestamp", "date", "boolean", "integer", "decimal"]
FileKind = Literal["entity", "history"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    # a timestamp that may lie after the load instant (a planned meeting's start): only
    # the floor of plausible instants applies to it (see loader_sql.TimeBounds)
    may_be_future: bool = False

    @property
    def is_id(self) -> bool:
        """An identifier or a reference to one (``lead_id``, ``owner_id``, Salesforce's
        ``Id``, HubSpot's ``associated_contact_ids``): width-folded at load, like labels."""
        return self.type == "text" and (
            self.name == "id" or self.name.endswith("_id") or self.name.endswith("_ids")
        )


@dataclass(frozen=True)
class ExportFile:
    name: str  # file stem and raw table name
    kind: FileKind  # entity: upsert by id; history: append and de-duplicate by id
    key: tuple[str, ...]  # columns identifying a row
    columns: tuple[Column, ...]
    fallback_key: tuple[str, ...] = ()  # used when the key column is absent or empty
    order_column: str | None = None  # entity files: the newest version wins by this column
    # the schema of its raw table: "raw" for the contract; a vendor's own files (see
    # lead_analytics.profiles.vendors) load as they are into raw_<vendor>, then fold into "raw"
    schema: str = "raw"

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)


def _c(name: str, type_: ColumnType = "text", required: bool = False) -> Column:
    return Column(name, type_, required)


LEADS = ExportFile(
    name="leads",
    kind="entity",
    key=("lead_id",),
    order_column="updated_at",
    columns=(
        _c("lead_id", required=True),
        _c("created_at", "timestamp", required=True),
        _c("updated_at", "timestamp"),
        _c("email"),
        _c("phone"),
        _c("company_name"),
        _c("industry"),
        _c("employee_count", "integer"),
        _c("job_title"),
        _c("job_level"),
        _c("country"),
        _c("region"),
        _c("lead_source"),
        _c("campaign_id"),
        _c("owner_id"),
        _c("status"),
        _c("budget_confirmed", "boolean"),
        _c("authority_confirmed", "boolean"),
        _c("need_confirmed", "boolean"),
        _c("timeframe_months", "integer"),
        _c("is_opted_out", "boolean"),
    ),
)

LEAD_HISTORY = ExportFile(
    name="lead_history",
    kind="history",
    key=("history_id",),
    fallback_key=("lead_id", "changed_at", "field", "new_value"),
    columns=(
        _c("history_id"),
        _c("lead_id", required=True),
        _c("changed_at", "timestamp", required=True),
        _c("field", required=True),
        _c("old_value"),
        _c("new_value"),
        _c("reason"),
    ),
)

ACTIVITIES = ExportFile(
    name="activities",
    kind="history",
    key=("activity_id",),
    columns=(
        _c("activity_id", required=True),
        _c("lead_id", required=True),
        _c("user_id"),
        _c("activity_type", required=True),
        _c("direction"),
        _c("occurred_at", "timestamp", required=True),
        _c("outcome"),
        _c("duration_seconds", "integer"),
        _c("is_automated", "boolean"),
    ),
)

MARKETING_EVENTS = ExportFile(
    name="marketing_events",
    kind="history",
    key=("event_id",),
    columns=(
        _c("event_id", required=True),
        _c("lead_id", required=True),
        _c("event_type", required=True),
        _c("occurred_at", "timestamp", required=True),
        _c("asset"),
        _c("campaign_id"),
    ),
)

OPPORTUNITIES = ExportFile(
    name="opportunities",
    kind="entity",
    key=("opportunity_id",),
    columns=(
        _c("opportunity_id", required=True),
        _c("lead_id"),
        _c("owner_id"),
        _c("created_at", "timestamp", required=True),
        _c("stage"),
        _c("amount", "decimal"),
        _c("currency"),
        _c("close_date", "date"),
        _c("is_closed", "boolean"),
        _c("is_won", "boolean"),
        _c("closed_at", "timestamp"),
    ),
)

USERS = ExportFile(
    name="users",
    kind="entity",
    key=("user_id",),
    columns=(
        _c("user_id", required=True),
        _c("name"),
        _c("team"),
        _c("role", required=True),
        _c("is_active", "boolean"),
        _c("manager_id"),
    ),
)

CAMPAIGNS = ExportFile(
    name="campaigns",
    kind="entity",
    key=("campaign_id",),
    columns=(
        _c("campaign_id", required=True),
        _c("name"),
        _c("channel"),
        _c("started_at", "date"),
        _c("ended_at", "date"),
        _c("cost", "decimal"),
        _c("currency"),
    ),
)

EXPORT_FILES: tuple[ExportFile, ...] = (
    LEADS,
    LEAD_HISTORY,
    ACTIVITIES,
    MARKETING_EVENTS,
    OPPORTUNITIES,
    USERS,
    CAMPAIGNS,
)
BY_NAME = {f.name: f for f in EXPORT_FILES}

# Metadata columns the loader adds to every raw table.
META_COLUMNS = ("_load_id", "_source_file", "_source_line", "_file_hash", "_loaded_at")
