"""HubSpot: the CRM's own exports (Contacts, Deals, Calls, Emails, Meetings index pages ->
Export, property labels as headers; the users export of Settings -> Users & Teams), folded into
the export contract.

HubSpot exports hold no field history. What they say, and how it is read
(docs/vendors/hubspot.md):

- Stage history: the "Became a ... Date" properties (`Became a Marketing Qualified Lead Date`,
  ...): one status change per lifecycle stage a contact entered, at that date, in date order.
  Only the first entry into each stage is known: re-entries after recycling, and the sal
  stage (HubSpot has no lifecycle stage for it), are not.
- Current status: the contact's `Lead Status` where it says more than its lifecycle stage
  (In Progress, Attempted to Contact, Connected, Open Deal, Unqualified, Bad Timing: option
  ``lead_status_overrides``) and the contact has no deal-side stage yet (Opportunity,
  Customer, Evangelist: option ``deal_lifecycle_stages``); else its `Lifecycle Stage`. The
  models date a current status that differs from the last history entry at Last Modified Date.
- Owner: only the current `Contact owner`, and since when (`Owner assigned date`): one owner
  change at that date from no owner. Before it the contact had no owner (so no handoff);
  earlier owners are unknown. Owners are named, not Id'd, in the exports: a name (`First
  Last` or `Last First`, spaces ignored), an email or a user id is matched to the users export.
- Deals: `Associated Contact IDs` may hold several contacts (`101;102`); the deal is the
  opportunity of the associated contact in the contacts export created first. Its closing
  instant is `Date entered "Closed Won (...)"` (or Closed Lost); `Is Closed Won` / `Is
  closed` as exported.
- Calls, emails and meetings are activities of each associated contact in the contacts
  export; a meeting counts once it has started, unless its outcome is Canceled or No show;
  an email sent by a sequence is automated; call duration is in milliseconds (HubSpot's unit)
  or `H:MM:SS`.
"""

from __future__ import annotations

from lead_analytics.loader.sql import lit
from lead_analytics.profiles.vendors.base import FoldContext, Output, Step, Vendor, vendor_table

SCHEMA = "raw_hubspot"

LIFECYCLE_DATES = (
    # (column, history id suffix, the stage's label as HubSpot exports it)
    ("became_subscriber_date", "subscriber", "Subscriber"),
    ("became_lead_date", "lead", "Lead"),
    ("became_mql_date", "marketingqualifiedlead", "Marketing Qualified Lead"),
    ("became_sql_date", "salesqualifiedlead", "Sales Qualified Lead"),
    ("became_opportunity_date", "opportunity", "Opportunity"),
    ("became_customer_date", "customer", "Customer"),
    ("became_evangelist_date", "evangelist", "Evangelist"),
    ("became_other_date", "other", "Other"),
)


def _t(name: str, columns, **kwargs):
    return vendor_table(SCHEMA, name, "entity", columns, **kwargs)


TABLES = (
    _t(
        "contact",
        [
            ("record_id", "text", True),
            ("create_date", "timestamp", True),
            ("last_modified_date", "timestamp"),
            ("first_name", "text"),
            ("last_name", "text"),
            ("email", "text"),
            ("phone_number", "text"),
            ("mobile_phone_number", "text"),
            ("company_name", "text"),
            ("industry", "text"),
            ("number_of_employees", "integer"),
            ("job_title", "text"),
            ("country_region", "text"),
            ("state_region", "text"),
            ("lifecycle_stage", "text"),
            ("lead_status", "text"),
            ("contact_owner", "text"),
            ("owner_assigned_date", "timestamp"),
            ("original_source", "text"),
            *[(column, "timestamp") for column, _key, _label in LIFECYCLE_DATES],
            ("hubspot_score", "decimal"),
            ("unsubscribed_from_all_email", "boolean"),
            ("job_level", "text"),
            ("budget_confirmed", "boolean"),
            ("authority_confirmed", "boolean"),
            ("need_confirmed", "boolean"),
            ("timeframe_months", "integer"),
            ("rejection_reason", "text"),
            ("campaign_id", "text"),
        ],
        key=("record_id",),
        order_column="last_modified_date",
    ),
    _t(
        "deal",
        [
            ("record_id", "text", True),
            ("deal_name", "text"),
            ("pipeline", "text"),
            ("deal_stage", "text"),
            ("amount", "decimal"),
            ("deal_currency_code", "text"),
            ("close_date", "timestamp"),
            ("create_date", "timestamp", True),
            ("last_modified_date", "timestamp"),
            ("deal_owner", "text"),
            ("associated_contact_ids", "text"),
            ("is_closed_won", "boolean"),
            ("is_closed", "boolean"),
            ("closed_lost_reason", "text"),
            ("closed_won_entered_at", "timestamp"),
            ("closed_lost_entered_at", "timestamp"),
        ],
        key=("record_id",),
        order_column="last_modified_date",
        future=("close_date",),  # an open deal's expected close
    ),
    _t(
        "call",
        [
            ("record_id", "text", True),
            ("activity_date", "timestamp", True),
            ("call_title", "text"),
            ("call_outcome", "text"),
            ("call_direction", "text"),
            ("call_duration", "text"),
            ("call_status", "text"),
            ("activity_assigned_to", "text"),
            ("associated_contact_ids", "text"),
            ("create_date", "timestamp"),
            ("last_modified_date", "timestamp"),
        ],
        key=("record_id",),
        order_column="last_modified_date",
    ),
    _t(
        "email",
        [
            ("record_id", "text", True),
            ("activity_date", "timestamp", True),
            ("email_subject", "text"),
            ("email_direction", "text"),
            ("email_send_status", "text"),
            ("sequence_name", "text"),
            ("activity_assigned_to", "text"),
            ("associated_contact_ids", "text"),
            ("create_date", "timestamp"),
            ("last_modified_date", "timestamp"),
        ],
        key=("record_id",),
        order_column="last_modified_date",
    ),
    _t(
        "meeting",
        [
            ("record_id", "text", True),
            ("meeting_start_time", "timestamp", True),
            ("meeting_end_time", "timestamp"),
            ("meeting_name", "text"),
            ("meeting_outcome", "text"),
            ("call_and_meeting_type", "text"),
            ("activity_assigned_to", "text"),
            ("associated_contact_ids", "text"),
            ("create_date", "timestamp"),
            ("last_modified_date", "timestamp"),
        ],
        key=("record_id",),
        order_column="last_modified_date",
        future=("meeting_start_time", "meeting_end_time"),  # a meeting booked ahead
    ),
    _t(
        "user",
        [
            ("user_id", "text"),
            ("first_name", "text"),
            ("last_name", "text"),
            ("name", "text"),
            ("email", "text"),
            ("primary_team", "text"),
            ("additional_teams", "text"),
            ("role", "text"),
            ("is_active", "boolean"),
        ],
        # Settings -> Users & Teams -> Export writes no user id: a user is then its email
        key=("user_id",),
        fallback_key=("email",),
    ),
)

OPTIONS: dict[str, object] = {
    # Lead Status values that say more than a pre-deal lifecycle stage (labels, Japanese
    # labels, internal values): the contact's status is then its Lead Status
    "lead_status_overrides": [
        "In Progress",
        "Attempted to Contact",
        "Connected",
        "Open Deal",
        "Unqualified",
        "Bad Timing",
        "IN_PROGRESS",
        "ATTEMPTED_TO_CONTACT",
        "CONNECTED",
        "OPEN_DEAL",
        "UNQUALIFIED",
        "BAD_TIMING",
        "進行中",
        "連絡を試行",
        "接続済み",
        "商談中",
        "見込みなし",
        "タイミングが悪い",
    ],
    # lifecycle stages a deal has been opened for: the lifecycle stage stays the status
    "deal_lifecycle_stages": [
        "Opportunity",
        "Customer",
        "Evangelist",
        "opportunity",
        "customer",
        "evangelist",
        "商談",
        "顧客",
        "エバンジェリスト",
    ],
    # meeting outcomes of meetings that did not take place
    "meetings_not_held": ["Canceled", "Cancelled", "No show", "CANCELED", "NO_SHOW"],
    # call statuses of calls that were not made
    "calls_not_made": ["Canceled", "Cancelled", "Queued", "CANCELED", "QUEUED"],
}


def _table(name: str) -> str:
    return f'{SCHEMA}."{name}"'


def _labels(values: object) -> str:
    """A SQL list of the lower-cased labels (compared with lower(trim(...)))."""
    assert isinstance(values, list)
    return ", ".join(lit(str(v).strip().lower()) for v in values) or "NULL"


def _name_key(expression: str) -> str:
    """A person's name as names are matched: lower-case, without blanks."""
    return f"lower(regexp_replace({expression}, '[\\s\u3000]+', '', 'g'))"


def _contact_ids(table: str) -> str:
    """One row per (activity or deal, associated contact id): the ids of a multi-valued cell
    split on ';' or ',', with their position and how many the cell lists."""
    return f"""SELECT record_id, trim(parts[position]) AS contact_id, position, len(parts) AS listed
FROM (
    SELECT record_id, parts, generate_subscripts(parts, 1) AS position
    FROM (
        SELECT record_id, string_split_regex(associated_contact_ids, '[;,]') AS parts
        FROM {_table(table)} WHERE associated_contact_ids IS NOT NULL
    )
)
WHERE trim(parts[position]) <> ''"""


def fold(context: FoldContext) -> tuple[list[Step], list[Output]]:
    options = context.options
    overrides = _labels(options["lead_status_overrides"])
    deal_stages = _labels(options["deal_lifecycle_stages"])
    not_held = _labels(options["meetings_not_held"])
    not_made = _labels(options["calls_not_made"])
    steps = [
        # a user without a user id (the users export of Settings writes none) is its email
        Step(
            "hs_users",
            f"""SELECT * REPLACE (coalesce(user_id, lower(trim(email))) AS user_id)
FROM {_table("user")} WHERE coalesce(user_id, trim(email)) <> ''""",
        ),
        # every way an owner is written in an export -> the user; a key two users share
        # (a name) is left out
        Step(
            "hs_owner_keys",
            f"""WITH keys AS (
    SELECT user_id AS owner_key, user_id FROM hs_users
    UNION ALL SELECT lower(trim(email)), user_id FROM hs_users WHERE email IS NOT NULL
    UNION ALL SELECT {_name_key("concat(first_name, last_name)")}, user_id FROM hs_users
    UNION ALL SELECT {_name_key("concat(last_name, first_name)")}, user_id FROM hs_users
    UNION ALL SELECT {_name_key("name")}, user_id FROM hs_users WHERE name IS NOT NULL
)
SELECT owner_key, min(user_id) AS user_id FROM keys WHERE owner_key <> ''
GROUP BY owner_key HAVING count(DISTINCT user_id) = 1""",
        ),
        Step("hs_contacts", f"SELECT *, NULL::VARCHAR AS _use FROM {_table('contact')}"),
        Step(
            "hs_deal_contacts",
            f"""SELECT ids.record_id, contacts.record_id AS contact_id FROM ({_contact_ids("deal")}) AS ids
INNER JOIN hs_contacts AS contacts ON contacts.record_id = ids.contact_id
QUALIFY row_number() OVER (
    PARTITION BY ids.record_id ORDER BY contacts.create_date, ids.position) = 1""",
        ),
    ]

    def activity_step(table: str, skip: str) -> Step:
        # one row per (activity, associated contact); an activity listing several contacts
        # gets one id per contact, stable whatever the contacts export holds
        return Step(
            f"hs_{table}s",
            f"""WITH per_contact AS (
    SELECT t.*, ids.contact_id AS _listed_contact, ids.listed AS _listed,
        contacts.record_id AS _lead_id
    FROM {_table(table)} AS t
    LEFT JOIN ({_contact_ids(table)}) AS ids ON ids.record_id = t.record_id
    LEFT JOIN hs_contacts AS contacts ON contacts.record_id = ids.contact_id
)
SELECT *,
    CASE WHEN _listed > 1 THEN record_id || ':' || _listed_contact ELSE record_id END AS _activity_id,
    CASE
        {skip}
        WHEN _listed_contact IS NULL THEN 'no associated contact'
        WHEN _lead_id IS NULL
            THEN 'associated with a contact outside the contacts export: it counts once the contact is exported'
    END AS _use
FROM per_contact""",
            disposition_of=table,
        )

    steps += [
        activity_step(
            "call",
            f"WHEN lower(trim(call_status)) IN ({not_made}) THEN 'a call not made (Call status ' || call_status || ')'",
        ),
        activity_step("email", ""),
        activity_step(
            "meeting",
            f"""WHEN lower(trim(meeting_outcome)) IN ({not_held})
            THEN 'a meeting that did not take place (outcome ' || meeting_outcome || ')'
        WHEN meeting_start_time > now()
            THEN 'not held yet (it starts after this load): it counts once it has started'""",
        ),
    ]

    def owner(expression: str) -> str:
        return f"""coalesce(
        (SELECT k.user_id FROM hs_owner_keys AS k WHERE k.owner_key IN (
            trim({expression}), lower(trim({expression})), {_name_key(expression)})
         LIMIT 1),
        {expression})"""

    leads = f"""SELECT
    c.record_id AS lead_id,
    c.create_date AS created_at,
    c.last_modified_date AS updated_at,
    c.email,
    coalesce(c.phone_number, c.mobile_phone_number) AS phone,
    c.company_name,
    c.industry,
    c.number_of_employees AS employee_count,
    c.job_title,
    c.job_level,
    c.country_region AS country,
    c.state_region AS region,
    c.original_source AS lead_source,
    c.campaign_id,
    {owner("c.contact_owner")} AS owner_id,
    CASE
        WHEN lower(trim(c.lead_status)) IN ({overrides})
            AND coalesce(lower(trim(c.lifecycle_stage)), '') NOT IN ({deal_stages})
            THEN c.lead_status
        ELSE coalesce(c.lifecycle_stage, c.lead_status)
    END AS status,
    c.budget_confirmed,
    c.authority_confirmed,
    c.need_confirmed,
    c.timeframe_months,
    c.unsubscribed_from_all_email AS is_opted_out,
    c._source_file, c._source_line, c._file_hash
FROM hs_contacts AS c"""

    stage_rows = " UNION ALL ".join(
        f"SELECT record_id, {lit(key)} AS stage_key, {lit(label)} AS stage_label, {column} AS changed_at, "
        f"{number} AS stage_order, _source_file, _source_line, _file_hash FROM hs_contacts "
        f"WHERE {column} IS NOT NULL"
        for number, (column, key, label) in enumerate(LIFECYCLE_DATES)
    )
    lead_history = f"""WITH stages AS ({stage_rows})
SELECT
    record_id || ':lifecycle:' || stage_key AS history_id,
    record_id AS lead_id,
    changed_at,
    'status' AS field,
    lag(stage_label) OVER (PARTITION BY record_id ORDER BY changed_at, stage_order) AS old_value,
    stage_label AS new_value,
    NULL AS reason,
    _source_file, _source_line, _file_hash
FROM stages
UNION ALL
SELECT
    c.record_id || ':owner',
    c.record_id,
    c.owner_assigned_date,
    'owner',
    NULL,
    {owner("c.contact_owner")},
    NULL,
    c._source_file, c._source_line, c._file_hash
FROM hs_contacts AS c
WHERE c.owner_assigned_date IS NOT NULL AND c.contact_owner IS NOT NULL"""

    duration = """CASE
        WHEN regexp_full_match(trim(c.call_duration), '\\d+(\\.\\d+)?')
            THEN CAST(round(CAST(trim(c.call_duration) AS DOUBLE) / 1000) AS BIGINT)
        WHEN regexp_full_match(trim(c.call_duration), '\\d+:\\d{2}(:\\d{2})?')
            THEN list_reduce(
                list_transform(string_split(trim(c.call_duration), ':'), x -> CAST(x AS BIGINT)),
                (acc, x) -> acc * 60 + x)
    END"""
    activities = f"""SELECT
    c._activity_id AS activity_id,
    c._lead_id AS lead_id,
    {owner("c.activity_assigned_to")} AS user_id,
    'call' AS activity_type,
    lower(trim(c.call_direction)) AS direction,
    c.activity_date AS occurred_at,
    c.call_outcome AS outcome,
    {duration} AS duration_seconds,
    false AS is_automated,
    c._source_file, c._source_line, c._file_hash
FROM hs_calls AS c WHERE c._use IS NULL
UNION ALL
SELECT
    e._activity_id,
    e._lead_id,
    {owner("e.activity_assigned_to")},
    'email',
    CASE WHEN lower(e.email_direction) LIKE '%incoming%' THEN 'inbound' ELSE 'outbound' END,
    e.activity_date,
    NULL,
    NULL,
    e.sequence_name IS NOT NULL,
    e._source_file, e._source_line, e._file_hash
FROM hs_emails AS e WHERE e._use IS NULL
UNION ALL
SELECT
    m._activity_id,
    m._lead_id,
    {owner("m.activity_assigned_to")},
    coalesce(m.call_and_meeting_type, 'meeting'),
    NULL,
    m.meeting_start_time,
    NULL,
    CAST(epoch(m.meeting_end_time) - epoch(m.meeting_start_time) AS BIGINT),
    false,
    m._source_file, m._source_line, m._file_hash
FROM hs_meetings AS m WHERE m._use IS NULL"""

    opportunities = f"""SELECT
    d.record_id AS opportunity_id,
    contacts.contact_id AS lead_id,
    {owner("d.deal_owner")} AS owner_id,
    d.create_date AS created_at,
    d.deal_stage AS stage,
    d.amount,
    d.deal_currency_code AS currency,
    CAST(d.close_date AS DATE) AS close_date,
    d.is_closed,
    d.is_closed_won AS is_won,
    CASE
        WHEN d.is_closed_won THEN d.closed_won_entered_at
        WHEN d.is_closed THEN d.closed_lost_entered_at
    END AS closed_at,
    d._source_file, d._source_line, d._file_hash
FROM {_table("deal")} AS d
LEFT JOIN hs_deal_contacts AS contacts ON contacts.record_id = d.record_id"""

    users = """SELECT
    user_id,
    coalesce(name, nullif(trim(concat_ws(' ', first_name, last_name)), '')) AS name,
    primary_team AS team,
    coalesce(role, primary_team) AS role,
    coalesce(is_active, true) AS is_active,
    NULL AS manager_id,
    _source_file, _source_line, _file_hash
FROM hs_users"""

    outputs = [
        Output("users", users, ("user",)),
        Output("leads", leads, ("contact", "user")),
        Output("lead_history", lead_history, ("contact",)),
        Output("activities", activities, ("call", "email", "meeting")),
        Output("opportunities", opportunities, ("deal",)),
    ]
    return steps, outputs


HUBSPOT = Vendor(
    name="hubspot",
    title="HubSpot",
    tables=TABLES,
    fold=fold,
    options=OPTIONS,
    missing_column_notes={
        ("contact", "became_mql_date"): (
            "no 'Became a Marketing Qualified Lead Date': no MQL instants, so no handoffs; "
            "add the lifecycle stage date properties to the export"
        ),
        ("contact", "owner_assigned_date"): (
            "no 'Owner assigned date': the contact owner is taken as the owner from creation"
        ),
        ("contact", "lifecycle_stage"): "no 'Lifecycle Stage': the current stage is unknown",
        ("deal", "associated_contact_ids"): (
            "no 'Associated Contact IDs': deals cannot be linked to contacts (no opportunity "
            "for any lead); export deals with their associations"
        ),
        ("deal", "closed_won_entered_at"): (
            "no 'Date entered \"Closed Won ...\"': won deals are won on their Close Date"
        ),
        ("call", "associated_contact_ids"): (
            "no 'Associated Contact IDs': calls cannot be linked to contacts"
        ),
        ("email", "associated_contact_ids"): (
            "no 'Associated Contact IDs': emails cannot be linked to contacts"
        ),
        ("meeting", "associated_contact_ids"): (
            "no 'Associated Contact IDs': meetings cannot be linked to contacts"
        ),
    },
    not_expressed=(
        "owner history (only the current owner and its assignment date)",
        "status history beyond the first entry into each lifecycle stage (re-entries, sal, "
        "rejections and their reasons, except the current Lead Status)",
        "HubSpot Score (the project scores from its own rules)",
        "campaigns and their costs",
    ),
)
