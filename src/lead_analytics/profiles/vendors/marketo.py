"""Marketo: the activity log export (Bulk Extract or a smart list's activity export) and the
lead (person) export, folded into the contract's marketing events.

- An activity is a marketing event when it is an engagement (option
  ``engagement_activity_types``: Visit Web Page, Fill Out Form, Click Link, Open Email, Click
  Email, Change Status in Progression); Change Score, Change Data Value, Send Email and the
  like are bookkeeping, counted and left out. Types are named (`Activity Type`) or numbered
  (`Activity Type ID`, Marketo's standard ids).
- Its event type is the activity type (mapped by seeds/mappings/map_event_types.csv), except
  that a form fill is typed by its form's name (option ``form_event_types``: `*demo*` ->
  demo_request, `*見積*` -> quote_request, ...) and a program status change by its new status
  (option ``program_statuses``: Registered -> seminar_registered, Attended ->
  seminar_attended); other program statuses (Invited, No Show, ...) are left out.
- Its asset is the primary attribute: the page's path for a page visit or a link click
  (`www.example.com/pricing?x=1` -> `/pricing`), the form's or email's name otherwise.
- Its lead is the person's CRM lead: `SFDC Lead ID` of the lead export when Marketo is synced
  with Salesforce (so the events join the Salesforce leads of `--profile salesforce,marketo`),
  else the Marketo lead id.
"""

from __future__ import annotations

from lead_analytics.loader.sql import lit
from lead_analytics.profiles.vendors.base import FoldContext, Output, Step, Vendor, vendor_table

SCHEMA = "raw_marketo"

TABLES = (
    vendor_table(
        SCHEMA,
        "lead",
        "entity",
        [
            ("id", "text", True),
            ("email", "text"),
            ("created_at", "timestamp"),
            ("updated_at", "timestamp"),
            ("sfdc_type", "text"),
            ("sfdc_lead_id", "text"),
            ("sfdc_contact_id", "text"),
        ],
        order_column="updated_at",
    ),
    vendor_table(
        SCHEMA,
        "activity",
        "history",
        [
            ("id", "text", True),
            ("lead_id", "text", True),
            ("activity_date", "timestamp", True),
            ("activity_type", "text"),
            ("activity_type_id", "integer"),
            ("primary_attribute_value", "text"),
            ("campaign_name", "text"),
            ("campaign_id", "text"),
            ("attributes", "text"),
        ],
    ),
)

# Marketo's standard activity type ids, for exports that only number them
ACTIVITY_TYPE_NAMES = {
    1: "Visit Web Page",
    2: "Fill Out Form",
    3: "Click Link",
    6: "Send Email",
    7: "Email Delivered",
    8: "Email Bounced",
    9: "Unsubscribe Email",
    10: "Open Email",
    11: "Click Email",
    12: "New Lead",
    13: "Change Data Value",
    22: "Change Score",
    104: "Change Status in Progression",
}

OPTIONS: dict[str, object] = {
    "engagement_activity_types": [
        "Visit Web Page",
        "Visit Webpage",
        "Fill Out Form",
        "Click Link",
        "Open Email",
        "Click Email",
        "Change Status in Progression",
    ],
    # form name pattern (* = anything, case ignored) -> event type, first match wins
    "form_event_types": {
        "*demo*": "demo_request",
        "*デモ*": "demo_request",
        "*quote*": "quote_request",
        "*見積*": "quote_request",
        "*contact*": "contact_request",
        "*inquiry*": "contact_request",
        "*問い合わせ*": "contact_request",
        "*問合せ*": "contact_request",
        "*download*": "content_download",
        "*資料*": "content_download",
    },
    # a program's new status -> event type; other statuses are not marketing events
    "program_statuses": {
        "Registered": "seminar_registered",
        "Attended": "seminar_attended",
        "Attended On-demand": "webinar_attended",
        "申込": "seminar_registered",
        "参加": "seminar_attended",
    },
}


def _like(pattern: str) -> str:
    return lit(pattern.lower().replace("%", "\\%").replace("_", "\\_").replace("*", "%"))


def fold(context: FoldContext) -> tuple[list[Step], list[Output]]:
    options = context.options
    engagement = ", ".join(
        lit(str(v).strip().lower()) for v in options["engagement_activity_types"]
    )  # type: ignore[union-attr]
    forms = options["form_event_types"]
    statuses = options["program_statuses"]
    assert isinstance(forms, dict) and isinstance(statuses, dict)
    form_type = (
        "CASE "
        + " ".join(
            f"WHEN lower(a.primary_attribute_value) LIKE {_like(p)} ESCAPE '\\' THEN {lit(t)}"
            for p, t in forms.items()
        )
        + " END"
        if forms
        else "NULL"
    )
    status_type = (
        "CASE "
        + " ".join(
            f"WHEN lower(a._new_status) = {lit(k.lower())} THEN {lit(v)}"
            for k, v in statuses.items()
        )
        + " END"
        if statuses
        else "NULL"
    )
    names = " ".join(f"WHEN {i} THEN {lit(n)}" for i, n in ACTIVITY_TYPE_NAMES.items())
    steps = [
        Step(
            "mk_activities",
            f"""WITH typed AS (
    SELECT a.*,
        coalesce(a.activity_type, CASE a.activity_type_id {names} END,
                 'activity type ' || a.activity_type_id) AS _type,
        coalesce(
            try(json_extract_string(a.attributes, '$."New Status"')),
            try(json_extract_string(a.attributes, '$.newStatus'))
        ) AS _new_status
    FROM raw_marketo.activity AS a
),
classified AS (
    SELECT a.*, lower(a._type) AS _type_key,
        CASE
            WHEN lower(a._type) = 'fill out form' THEN coalesce({form_type}, a._type)
            WHEN lower(a._type) = 'change status in progression' THEN {status_type}
            ELSE a._type
        END AS _event_type
    FROM typed AS a
)
SELECT *, CASE
    WHEN _type_key NOT IN ({engagement})
        THEN 'not an engagement (' || _type || '): not a marketing event'
    WHEN _event_type IS NULL
        THEN 'a program status that is no marketing event (' || coalesce(_new_status, 'no new status') || ')'
END AS _use
FROM classified""",
            disposition_of="activity",
        ),
    ]
    page = "lower(a._type) IN ('visit web page', 'visit webpage', 'click link')"
    url = "'^(https?://)?[A-Za-z0-9.-]+\\.[A-Za-z]{2,}(:\\d+)?(/|$)'"
    events = f"""SELECT
    a.id AS event_id,
    coalesce(persons.sfdc_lead_id, persons.id, a.lead_id) AS lead_id,
    a._event_type AS event_type,
    a.activity_date AS occurred_at,
    CASE
        WHEN {page} AND regexp_matches(a.primary_attribute_value, {url})
            THEN coalesce(nullif(regexp_extract(
                a.primary_attribute_value, '^(?:https?://)?[^/?#]+(/[^?#]*)?', 1), ''), '/')
        ELSE a.primary_attribute_value
    END AS asset,
    NULL AS campaign_id,
    a._source_file, a._source_line, a._file_hash
FROM mk_activities AS a
LEFT JOIN raw_marketo.lead AS persons ON persons.id = a.lead_id
WHERE a._use IS NULL"""
    return steps, [Output("marketing_events", events, ("activity", "lead"))]


MARKETO = Vendor(
    name="marketo",
    title="Marketo",
    tables=TABLES,
    fold=fold,
    options=OPTIONS,
    missing_column_notes={
        ("activity", "primary_attribute_value"): (
            "no Primary Attribute Value: events have no asset (pages, forms), so asset-based "
            "scoring rules and form types do not apply"
        ),
        ("lead", "sfdc_lead_id"): (
            "no SFDC Lead ID: events keep Marketo's lead ids, which match no Salesforce lead"
        ),
    },
    not_expressed=(
        "Marketo's lead score (the project scores from its own rules)",
        "smart campaign and program membership beyond registration and attendance",
    ),
)
