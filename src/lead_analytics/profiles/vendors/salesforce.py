"""Salesforce: the objects of a Data Export (Setup -> Data Export), a Data Loader or a Bulk API
export, as Salesforce writes them, folded into the export contract.

What a header rename cannot do, and this fold does (docs/vendors/salesforce.md):

- Conversion. On conversion Salesforce moves a lead's Tasks and Events to the new Contact
  (``WhoId`` = the Contact's Id) and the lead points at its opportunity
  (``Lead.ConvertedOpportunityId``, ``ConvertedContactId``); the Opportunity has no lead field.
  An activity belongs to the lead whose Id is its ``WhoId``, or whose ``ConvertedContactId``
  is its ``WhoId``, or whose ``ConvertedOpportunityId`` is its ``WhatId``; an opportunity to
  the lead converted into it.
- Tasks and Events are both activities. An open Task (``IsClosed = false``) is a to-do and
  waits until it is completed; an Event counts once it has started (``StartDateTime`` at or
  before the load), an invitee's copy of a group event (``IsChild``) not at all.
- LeadHistory writes each owner change twice, a ``DataType = EntityId`` row with the Ids and
  a ``DataType = Text`` row with the names: one change is one owner row, the Ids' (a name row
  is used only where no Id row exists, its name resolved to the user of that name).
  ``created`` rows are left out (the lead's CreatedDate says it), ``leadConverted`` is a
  status change to the lead's converted status where no Status row has the same instant, and
  the rejection reason field's rows (``Disqualified_Reason__c``, as named in the profile)
  give the reason of the status change at their instant. Lead queues (``00G`` owners) are
  not users, so never sales reps.
- Roles are the names of ``UserRole.csv`` through ``User.UserRoleId`` (a custom
  ``Sales_Role__c`` first when the org has one, the user's Title last).
- An opportunity's closing instant is when it entered its current, closed stage, from
  ``OpportunityHistory`` (``StageName`` per change) or ``OpportunityFieldHistory`` (Field
  ``StageName``); ``IsWon`` / ``IsClosed`` as exported.
- A lead's campaign is its first ``CampaignMember`` (the lead's own, or its converted
  contact's), unless the Lead export carries a campaign field.
- Records Salesforce marks deleted (``IsDeleted = true``, as the Bulk API's queryAll and a
  Data Export "with deleted records" write them) are left out.

References are matched on the first 15 characters of an Id, so the 15-character Ids of a
report export match the 18-character ones of a Data Export; a derived row carries the Id as
the referenced object's own file writes it.
"""

from __future__ import annotations

from lead_analytics.loader.sql import lit
from lead_analytics.profiles.vendors.base import FoldContext, Output, Step, Vendor, vendor_table

SCHEMA = "raw_salesforce"


def _t(name: str, kind: str, columns, **kwargs):
    return vendor_table(SCHEMA, name, kind, columns, **kwargs)


TABLES = (
    _t(
        "lead",
        "entity",
        [
            ("id", "text", True),
            ("created_date", "timestamp", True),
            ("last_modified_date", "timestamp"),
            ("system_modstamp", "timestamp"),
            ("is_deleted", "boolean"),
            ("first_name", "text"),
            ("last_name", "text"),
            ("name", "text"),
            ("email", "text"),
            ("phone", "text"),
            ("mobile_phone", "text"),
            ("company", "text"),
            ("industry", "text"),
            ("number_of_employees", "integer"),
            ("title", "text"),
            ("country", "text"),
            ("state", "text"),
            ("lead_source", "text"),
            ("owner_id", "text"),
            ("status", "text"),
            ("is_converted", "boolean"),
            ("converted_date", "date"),
            ("converted_account_id", "text"),
            ("converted_contact_id", "text"),
            ("converted_opportunity_id", "text"),
            ("has_opted_out_of_email", "boolean"),
            # custom fields: their names are the profile's (import_profiles/salesforce.yml)
            ("job_level", "text"),
            ("budget_confirmed", "boolean"),
            ("authority_confirmed", "boolean"),
            ("need_confirmed", "boolean"),
            ("timeframe_months", "integer"),
            ("rejection_reason", "text"),
            ("campaign_id", "text"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "lead_history",
        "history",
        [
            ("id", "text"),
            ("lead_id", "text", True),
            ("created_date", "timestamp", True),
            ("field", "text", True),
            ("data_type", "text"),
            ("old_value", "text"),
            ("new_value", "text"),
            ("is_deleted", "boolean"),
            ("created_by_id", "text"),
        ],
        fallback_key=("lead_id", "created_date", "field", "data_type", "new_value"),
    ),
    _t(
        "task",
        "entity",
        [
            ("id", "text", True),
            ("who_id", "text"),
            ("what_id", "text"),
            ("owner_id", "text"),
            ("subject", "text"),
            ("type", "text"),
            ("task_subtype", "text"),
            ("status", "text"),
            ("is_closed", "boolean"),
            ("activity_date", "date"),
            ("completed_date_time", "timestamp"),
            ("created_date", "timestamp", True),
            ("last_modified_date", "timestamp"),
            ("system_modstamp", "timestamp"),
            ("call_type", "text"),
            ("call_disposition", "text"),
            ("call_duration_in_seconds", "integer"),
            ("is_deleted", "boolean"),
            ("is_automated", "boolean"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "event",
        "entity",
        [
            ("id", "text", True),
            ("who_id", "text"),
            ("what_id", "text"),
            ("owner_id", "text"),
            ("subject", "text"),
            ("type", "text"),
            ("event_subtype", "text"),
            ("start_date_time", "timestamp"),
            ("end_date_time", "timestamp"),
            ("activity_date_time", "timestamp"),
            ("activity_date", "date"),
            ("duration_in_minutes", "integer"),
            ("is_all_day_event", "boolean"),
            ("is_child", "boolean"),
            ("is_deleted", "boolean"),
            ("created_date", "timestamp", True),
            ("last_modified_date", "timestamp"),
            ("system_modstamp", "timestamp"),
        ],
        order_column="system_modstamp",
        # a meeting booked for next week (it becomes an activity once it has started)
        future=("start_date_time", "end_date_time", "activity_date_time"),
    ),
    _t(
        "opportunity",
        "entity",
        [
            ("id", "text", True),
            ("created_date", "timestamp", True),
            ("owner_id", "text"),
            ("name", "text"),
            ("stage_name", "text"),
            ("amount", "decimal"),
            ("currency_iso_code", "text"),
            ("close_date", "date"),
            ("is_closed", "boolean"),
            ("is_won", "boolean"),
            ("is_deleted", "boolean"),
            ("account_id", "text"),
            ("lead_source", "text"),
            ("campaign_id", "text"),
            ("last_modified_date", "timestamp"),
            ("system_modstamp", "timestamp"),
            # custom fields some orgs add (the profile names them)
            ("lead_id", "text"),
            ("closed_at", "timestamp"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "opportunity_history",
        "history",
        [
            ("id", "text", True),
            ("opportunity_id", "text", True),
            ("created_date", "timestamp", True),
            ("stage_name", "text"),
            ("amount", "decimal"),
            ("close_date", "date"),
            ("probability", "decimal"),
            ("is_deleted", "boolean"),
        ],
    ),
    _t(
        "opportunity_field_history",
        "history",
        [
            ("id", "text", True),
            ("opportunity_id", "text", True),
            ("created_date", "timestamp", True),
            ("field", "text", True),
            ("data_type", "text"),
            ("old_value", "text"),
            ("new_value", "text"),
            ("is_deleted", "boolean"),
        ],
    ),
    _t(
        "user",
        "entity",
        [
            ("id", "text", True),
            ("name", "text"),
            ("first_name", "text"),
            ("last_name", "text"),
            ("username", "text"),
            ("email", "text"),
            ("department", "text"),
            ("division", "text"),
            ("title", "text"),
            ("user_role_id", "text"),
            ("is_active", "boolean"),
            ("manager_id", "text"),
            ("user_type", "text"),
            ("profile_id", "text"),
            ("last_modified_date", "timestamp"),
            ("system_modstamp", "timestamp"),
            ("sales_role", "text"),
            ("role_name", "text"),  # UserRole.Name of a Data Loader / Bulk API query
        ],
        order_column="system_modstamp",
    ),
    _t(
        "user_role",
        "entity",
        [
            ("id", "text", True),
            ("name", "text"),
            ("developer_name", "text"),
            ("parent_role_id", "text"),
            ("system_modstamp", "timestamp"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "campaign",
        "entity",
        [
            ("id", "text", True),
            ("name", "text"),
            ("type", "text"),
            ("status", "text"),
            ("start_date", "date"),
            ("end_date", "date"),
            ("actual_cost", "decimal"),
            ("budgeted_cost", "decimal"),
            ("currency_iso_code", "text"),
            ("is_deleted", "boolean"),
            ("parent_id", "text"),
            ("system_modstamp", "timestamp"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "campaign_member",
        "entity",
        [
            ("id", "text", True),
            ("campaign_id", "text", True),
            ("lead_id", "text"),
            ("contact_id", "text"),
            ("status", "text"),
            ("has_responded", "boolean"),
            ("first_responded_date", "date"),
            ("created_date", "timestamp", True),
            ("is_deleted", "boolean"),
            ("system_modstamp", "timestamp"),
        ],
        order_column="system_modstamp",
    ),
    _t(
        "contact",
        "entity",
        [
            ("id", "text", True),
            ("created_date", "timestamp"),
            ("account_id", "text"),
            ("owner_id", "text"),
            ("lead_source", "text"),
            ("is_deleted", "boolean"),
            ("system_modstamp", "timestamp"),
        ],
        order_column="system_modstamp",
    ),
)

OWNER_FIELDS = ("owner", "ownerassignment", "owneraccepted")
# the shape of a user or queue Id, for LeadHistory files exported without DataType
OWNER_ID_RE = r"(005|00G)[0-9A-Za-z]{12}([0-9A-Za-z]{3})?"
DELETED = "'deleted in Salesforce (IsDeleted = true)'"


def _key(expression: str) -> str:
    """The part of an Id references are matched on: 15 characters, case-sensitive."""
    return f"left({expression}, 15)"


def _table(name: str) -> str:
    return f'{SCHEMA}."{name}"'


def fold(context: FoldContext) -> tuple[list[Step], list[Output]]:
    # the API names of the rejection reason field, as the profile lists them for the Lead
    # export (folded): LeadHistory's Field names the same field
    reason_fields = [
        name
        for name in context.column_names.get("lead", {}).get("rejection_reason", ())
        if "*" not in name
    ]
    reason_list = ", ".join(lit(name) for name in reason_fields) or "NULL"
    owner_list = ", ".join(lit(name) for name in OWNER_FIELDS)
    not_deleted = "NOT coalesce(is_deleted, false)"
    steps = [
        Step(
            "sf_leads",
            f"""SELECT *, CASE WHEN coalesce(is_deleted, false) THEN {DELETED} END AS _use
FROM {_table("lead")}""",
            disposition_of="lead",
        ),
        Step(
            "sf_lead_keys",
            f"""SELECT id AS lead_id, {_key("id")} AS lead_key,
       {_key("converted_contact_id")} AS contact_key,
       {_key("converted_opportunity_id")} AS opportunity_key,
       converted_date, created_date, status, rejection_reason
FROM sf_leads WHERE _use IS NULL""",
        ),
        # one lead per converted contact and per converted opportunity: the first converted
        # (two leads converted into one existing opportunity: the earlier one)
        Step(
            "sf_contact_leads",
            """SELECT contact_key, lead_id FROM (
    SELECT contact_key, lead_id, row_number() OVER (
        PARTITION BY contact_key ORDER BY converted_date NULLS LAST, created_date, lead_id) AS n
    FROM sf_lead_keys WHERE contact_key IS NOT NULL
) WHERE n = 1""",
        ),
        Step(
            "sf_opportunity_leads",
            """SELECT opportunity_key, lead_id FROM (
    SELECT opportunity_key, lead_id, row_number() OVER (
        PARTITION BY opportunity_key ORDER BY converted_date NULLS LAST, created_date, lead_id) AS n
    FROM sf_lead_keys WHERE opportunity_key IS NOT NULL
) WHERE n = 1""",
        ),
        Step(
            "sf_user_keys", f"SELECT id AS user_id, {_key('id')} AS user_key FROM {_table('user')}"
        ),
        # a name row of LeadHistory (no Id row beside it) names its user: the one user of
        # that name, if there is exactly one
        Step(
            "sf_users_by_name",
            f"""SELECT lower(trim(name)) AS user_name, min(id) AS user_id FROM {_table("user")}
WHERE name IS NOT NULL GROUP BY lower(trim(name)) HAVING count(*) = 1""",
        ),
        Step(
            "sf_campaign_members",
            f"""WITH members AS (
    SELECT m.*, coalesce(by_lead.lead_id, by_contact.lead_id) AS _lead_id
    FROM {_table("campaign_member")} AS m
    LEFT JOIN sf_lead_keys AS by_lead ON {_key("m.lead_id")} = by_lead.lead_key
    LEFT JOIN sf_contact_leads AS by_contact ON {_key("m.contact_id")} = by_contact.contact_key
),
ranked AS (
    SELECT id, row_number() OVER (PARTITION BY _lead_id ORDER BY created_date, id) AS n
    FROM members WHERE {not_deleted} AND _lead_id IS NOT NULL
)
SELECT members.*, CASE
    WHEN coalesce(members.is_deleted, false) THEN {DELETED}
    WHEN members._lead_id IS NULL
        THEN 'not a member of an exported lead (a contact no lead was converted into, or a lead outside the export)'
    WHEN ranked.n > 1 THEN 'a later campaign of the lead: a lead keeps its first campaign (campaign_id)'
END AS _use
FROM members LEFT JOIN ranked ON members.id = ranked.id""",
            disposition_of="campaign_member",
        ),
        Step(
            "sf_campaigns",
            f"""SELECT *, CASE WHEN coalesce(is_deleted, false) THEN {DELETED} END AS _use
FROM {_table("campaign")}""",
            disposition_of="campaign",
        ),
        Step(
            "sf_campaign_keys",
            f"SELECT id AS campaign_id, {_key('id')} AS campaign_key FROM sf_campaigns WHERE _use IS NULL",
        ),
        Step(
            "sf_tasks",
            f"""WITH tasks AS (
    SELECT t.*, coalesce(
        by_who.lead_id, by_contact.lead_id, by_what.lead_id,
        CASE WHEN t.who_id LIKE '00Q%' THEN t.who_id END
    ) AS _lead_id
    FROM {_table("task")} AS t
    LEFT JOIN sf_lead_keys AS by_who ON {_key("t.who_id")} = by_who.lead_key
    LEFT JOIN sf_contact_leads AS by_contact ON {_key("t.who_id")} = by_contact.contact_key
    LEFT JOIN sf_opportunity_leads AS by_what ON {_key("t.what_id")} = by_what.opportunity_key
)
SELECT *, CASE
    WHEN coalesce(is_deleted, false) THEN {DELETED}
    WHEN NOT coalesce(is_closed, true)
        THEN 'an open task (IsClosed = false): a to-do, not an activity yet; it counts once completed'
    WHEN _lead_id IS NULL
        THEN 'not on a lead: its WhoId / WhatId is no exported lead, nor a contact or opportunity a lead was converted into'
END AS _use
FROM tasks""",
            disposition_of="task",
        ),
        Step(
            "sf_events",
            f"""WITH events AS (
    SELECT e.*, coalesce(
        by_who.lead_id, by_contact.lead_id, by_what.lead_id,
        CASE WHEN e.who_id LIKE '00Q%' THEN e.who_id END
    ) AS _lead_id,
    coalesce(e.start_date_time, e.activity_date_time, e.created_date) AS _starts_at
    FROM {_table("event")} AS e
    LEFT JOIN sf_lead_keys AS by_who ON {_key("e.who_id")} = by_who.lead_key
    LEFT JOIN sf_contact_leads AS by_contact ON {_key("e.who_id")} = by_contact.contact_key
    LEFT JOIN sf_opportunity_leads AS by_what ON {_key("e.what_id")} = by_what.opportunity_key
)
SELECT *, CASE
    WHEN coalesce(is_deleted, false) THEN {DELETED}
    WHEN coalesce(is_child, false)
        THEN 'an invitee''s copy of a group event (IsChild = true): the organiser''s event counts'
    WHEN _starts_at > now()
        THEN 'not held yet (it starts after this load): it counts once it has started'
    WHEN _lead_id IS NULL
        THEN 'not on a lead: its WhoId / WhatId is no exported lead, nor a contact or opportunity a lead was converted into'
END AS _use
FROM events""",
            disposition_of="event",
        ),
        Step(
            "sf_history",
            f"""WITH history AS (
    SELECT h.*,
        -- the field's name folded like header names (Disqualified_Reason__c -> disqualifiedreasonc)
        regexp_replace(lower(trim(h.field)), '[\\s_-]+', '', 'g') AS _field,
        coalesce(keys.lead_id, h.lead_id) AS _lead_id,
        coalesce(
            h.data_type = 'EntityId',
            regexp_full_match(coalesce(h.new_value, h.old_value, ''), {lit(OWNER_ID_RE)})
        ) AS _is_ids
    FROM {_table("lead_history")} AS h
    LEFT JOIN sf_lead_keys AS keys ON {_key("h.lead_id")} = keys.lead_key
),
instants AS (
    SELECT _lead_id, created_date,
        bool_or(_field IN ({owner_list}) AND _is_ids) AS has_owner_ids,
        bool_or(_field = 'status') AS has_status
    FROM history WHERE {not_deleted}
    GROUP BY _lead_id, created_date
)
SELECT history.*, CASE
    WHEN coalesce(history.is_deleted, false) THEN {DELETED}
    WHEN history._field = 'created' THEN 'creation row: the lead''s CreatedDate dates it'
    WHEN history._field IN ({owner_list}) AND NOT history._is_ids AND instants.has_owner_ids
        THEN 'the name twin of an owner change (DataType Text): its EntityId row carries the Ids'
    WHEN history._field = 'leadconverted' AND instants.has_status
        THEN 'conversion row: the Status change at the same instant records the conversion'
    WHEN history._field IN (SELECT unnest([{reason_list}]::VARCHAR[]))
        THEN CASE WHEN instants.has_status
            THEN 'rejection reason: set as the reason of the status change at the same instant'
            ELSE 'a change of the rejection reason without a status change at the same instant: not used'
        END
END AS _use
FROM history LEFT JOIN instants
    ON history._lead_id IS NOT DISTINCT FROM instants._lead_id
    AND history.created_date = instants.created_date""",
            disposition_of="lead_history",
        ),
        Step(
            "sf_reasons",
            f"""SELECT _lead_id, created_date, max(new_value) AS reason FROM sf_history
WHERE NOT coalesce(is_deleted, false) AND _field IN (SELECT unnest([{reason_list}]::VARCHAR[]))
GROUP BY _lead_id, created_date""",
        ),
        Step(
            "sf_opportunities",
            f"""SELECT *, CASE WHEN coalesce(is_deleted, false) THEN {DELETED} END AS _use
FROM {_table("opportunity")}""",
            disposition_of="opportunity",
        ),
        # when each opportunity entered each stage, from either history file
        Step(
            "sf_stage_starts",
            f"""WITH history AS (
    SELECT {_key("opportunity_id")} AS opportunity_key, created_date, stage_name,
        lag(stage_name) OVER (
            PARTITION BY {_key("opportunity_id")} ORDER BY created_date, id) AS previous_stage
    FROM {_table("opportunity_history")} WHERE {not_deleted}
)
SELECT opportunity_key, stage_name, created_date AS entered_at FROM history
WHERE previous_stage IS DISTINCT FROM stage_name
UNION ALL
SELECT {_key("opportunity_id")}, new_value, created_date FROM {_table("opportunity_field_history")}
WHERE {not_deleted} AND lower(trim(field)) = 'stagename'""",
        ),
    ]

    leads = f"""SELECT
    l.id AS lead_id,
    l.created_date AS created_at,
    coalesce(l.last_modified_date, l.system_modstamp) AS updated_at,
    l.email,
    coalesce(l.phone, l.mobile_phone) AS phone,
    l.company AS company_name,
    l.industry,
    l.number_of_employees AS employee_count,
    l.title AS job_title,
    l.job_level,
    l.country,
    l.state AS region,
    l.lead_source,
    coalesce(campaigns.campaign_id, l.campaign_id, members.campaign_id) AS campaign_id,
    coalesce(owners.user_id, l.owner_id) AS owner_id,
    l.status,
    l.budget_confirmed,
    l.authority_confirmed,
    l.need_confirmed,
    l.timeframe_months,
    l.has_opted_out_of_email AS is_opted_out,
    l._source_file, l._source_line, l._file_hash
FROM sf_leads AS l
LEFT JOIN (SELECT _lead_id, campaign_id FROM sf_campaign_members WHERE _use IS NULL) AS members
    ON members._lead_id = l.id
LEFT JOIN sf_campaign_keys AS campaigns
    ON campaigns.campaign_key = {_key("coalesce(l.campaign_id, members.campaign_id)")}
LEFT JOIN sf_user_keys AS owners ON owners.user_key = {_key("l.owner_id")}
WHERE l._use IS NULL"""

    # the name of a name-only owner row -> the user of that name (else the name stays)
    def owner_value(column: str) -> str:
        return f"""CASE WHEN h._is_ids THEN coalesce(
            (SELECT u.user_id FROM sf_user_keys AS u WHERE u.user_key = {_key(f"h.{column}")}),
            h.{column})
        ELSE coalesce(
            (SELECT u.user_id FROM sf_users_by_name AS u WHERE u.user_name = lower(trim(h.{column}))),
            h.{column})
        END"""

    lead_history = f"""WITH status_rows AS (
    SELECT id, row_number() OVER (
        PARTITION BY _lead_id ORDER BY created_date DESC, length(id) DESC, id DESC) AS recency
    FROM sf_history
    WHERE _use IS NULL AND _field IN ('status', 'leadconverted')
)
SELECT
    coalesce(h.id, 'sf-' || md5(concat_ws('|', h.lead_id, h.created_date, h.field, h.data_type, h.new_value)))
        AS history_id,
    h._lead_id AS lead_id,
    h.created_date AS changed_at,
    CASE
        WHEN h._field IN ({owner_list}) THEN 'owner'
        WHEN h._field IN ('status', 'leadconverted') THEN 'status'
        ELSE h.field
    END AS field,
    CASE
        WHEN h._field IN ({owner_list}) THEN {owner_value("old_value")}
        WHEN h._field = 'leadconverted' THEN NULL
        ELSE h.old_value
    END AS old_value,
    CASE
        WHEN h._field IN ({owner_list}) THEN {owner_value("new_value")}
        WHEN h._field = 'leadconverted' THEN leads.status
        ELSE h.new_value
    END AS new_value,
    CASE WHEN h._field IN ('status', 'leadconverted') THEN coalesce(
        reasons.reason,
        -- the lead's current reason belongs to the change into its current status
        CASE WHEN status_rows.recency = 1 AND h.new_value IS NOT DISTINCT FROM leads.status
            THEN leads.rejection_reason END
    ) END AS reason,
    h._source_file, h._source_line, h._file_hash
FROM sf_history AS h
LEFT JOIN sf_lead_keys AS leads ON leads.lead_id = h._lead_id
LEFT JOIN sf_reasons AS reasons
    ON reasons._lead_id = h._lead_id AND reasons.created_date = h.created_date
LEFT JOIN status_rows ON status_rows.id = h.id
WHERE h._use IS NULL AND NOT (h._field = 'leadconverted' AND leads.status IS NULL)"""

    activities = f"""SELECT
    t.id AS activity_id,
    t._lead_id AS lead_id,
    coalesce(owners.user_id, t.owner_id) AS user_id,
    CASE
        WHEN t.task_subtype IN ('Call', 'Email', 'ListEmail', 'LinkedIn') THEN t.task_subtype
        ELSE coalesce(t.type, t.task_subtype)
    END AS activity_type,
    t.call_type AS direction,
    coalesce(t.completed_date_time, t.created_date) AS occurred_at,
    t.call_disposition AS outcome,
    t.call_duration_in_seconds AS duration_seconds,
    coalesce(t.is_automated, t.task_subtype = 'ListEmail', false) AS is_automated,
    t._source_file, t._source_line, t._file_hash
FROM sf_tasks AS t
LEFT JOIN sf_user_keys AS owners ON owners.user_key = {_key("t.owner_id")}
WHERE t._use IS NULL
UNION ALL
SELECT
    e.id,
    e._lead_id,
    coalesce(owners.user_id, e.owner_id),
    coalesce(e.type, 'Meeting'),
    NULL,
    e._starts_at,
    NULL,
    coalesce(
        e.duration_in_minutes * 60,
        CAST(epoch(e.end_date_time) - epoch(e.start_date_time) AS BIGINT)
    ),
    false,
    e._source_file, e._source_line, e._file_hash
FROM sf_events AS e
LEFT JOIN sf_user_keys AS owners ON owners.user_key = {_key("e.owner_id")}
WHERE e._use IS NULL"""

    opportunities = f"""WITH closings AS (
    SELECT o.id, max(starts.entered_at) AS closed_at
    FROM sf_opportunities AS o
    INNER JOIN sf_stage_starts AS starts
        ON starts.opportunity_key = {_key("o.id")} AND starts.stage_name = o.stage_name
    WHERE o._use IS NULL AND o.is_closed
    GROUP BY o.id
)
SELECT
    o.id AS opportunity_id,
    coalesce(converted.lead_id, o.lead_id) AS lead_id,
    coalesce(owners.user_id, o.owner_id) AS owner_id,
    o.created_date AS created_at,
    o.stage_name AS stage,
    o.amount,
    o.currency_iso_code AS currency,
    o.close_date,
    o.is_closed,
    o.is_won,
    CASE WHEN o.is_closed THEN coalesce(closings.closed_at, o.closed_at) END AS closed_at,
    o._source_file, o._source_line, o._file_hash
FROM sf_opportunities AS o
LEFT JOIN sf_opportunity_leads AS converted ON converted.opportunity_key = {_key("o.id")}
LEFT JOIN sf_user_keys AS owners ON owners.user_key = {_key("o.owner_id")}
LEFT JOIN closings ON closings.id = o.id
WHERE o._use IS NULL"""

    users = f"""SELECT
    u.id AS user_id,
    coalesce(u.name, nullif(trim(concat_ws(' ', u.first_name, u.last_name)), '')) AS name,
    coalesce(u.department, u.division) AS team,
    coalesce(u.sales_role, roles.name, u.role_name, u.title) AS role,
    u.is_active,
    coalesce(managers.user_id, u.manager_id) AS manager_id,
    u._source_file, u._source_line, u._file_hash
FROM {_table("user")} AS u
LEFT JOIN {_table("user_role")} AS roles ON {_key("roles.id")} = {_key("u.user_role_id")}
LEFT JOIN sf_user_keys AS managers ON managers.user_key = {_key("u.manager_id")}"""

    campaigns = """SELECT
    id AS campaign_id,
    name,
    type AS channel,
    start_date AS started_at,
    end_date AS ended_at,
    coalesce(actual_cost, budgeted_cost) AS cost,
    currency_iso_code AS currency,
    _source_file, _source_line, _file_hash
FROM sf_campaigns WHERE _use IS NULL"""

    outputs = [
        Output("users", users, ("user", "user_role")),
        Output("campaigns", campaigns, ("campaign",)),
        Output("leads", leads, ("lead", "campaign_member")),
        Output("lead_history", lead_history, ("lead_history", "lead")),
        Output("activities", activities, ("task", "event", "lead")),
        Output(
            "opportunities",
            opportunities,
            ("opportunity", "opportunity_history", "opportunity_field_history", "lead"),
        ),
    ]
    return steps, outputs


SALESFORCE = Vendor(
    name="salesforce",
    title="Salesforce",
    tables=TABLES,
    fold=fold,
    missing_column_notes={
        ("lead", "converted_opportunity_id"): (
            "no ConvertedOpportunityId: converted leads cannot be linked to their "
            "opportunities (no opportunity and no win for any lead); export Lead with all fields"
        ),
        ("lead", "converted_contact_id"): (
            "no ConvertedContactId: the activities Salesforce moved to a converted lead's "
            "contact are not the lead's, so a converted lead may look ignored"
        ),
        ("lead_history", "data_type"): (
            "no DataType: owner changes written twice (Ids and names) are told apart by "
            "the shape of their values (005... / 00G... Ids)"
        ),
        ("task", "completed_date_time"): (
            "no CompletedDateTime: tasks are dated by CreatedDate (when they were logged)"
        ),
        ("task", "is_closed"): "no IsClosed: every task counts as done, open to-dos included",
        ("event", "start_date_time"): (
            "no StartDateTime: meetings are dated by ActivityDateTime, else CreatedDate"
        ),
        ("opportunity", "is_closed"): (
            "no IsClosed: closing instants are unknown and the stage label decides the "
            "outcome (seeds/mappings/map_lead_statuses.csv)"
        ),
        ("opportunity", "is_won"): (
            "no IsWon: the stage label decides won and lost (seeds/mappings/map_lead_statuses.csv)"
        ),
        ("user", "user_role_id"): (
            "no UserRoleId: roles come from Sales_Role__c, UserRole.Name or Title; export "
            "User with UserRoleId, and UserRole.csv"
        ),
    },
    not_expressed=(
        "a direction for emails and meetings (Salesforce records CallType for calls only)",
        "edits of a task or event after it became an activity (activities are append-only)",
        "accounts and contacts beyond the link of a converted lead",
        "opportunity stages other than the closing one",
    ),
)
