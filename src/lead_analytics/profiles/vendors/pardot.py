"""Pardot (Marketing Cloud Account Engagement): visitor activities and prospects, folded into
the contract's marketing events, with the same mechanism as Marketo's activity log.

- A visitor activity is an event by its type (Account Engagement's numbered types, or their
  names) and the kind of asset it touched (`typeName`: Email, Form, Landing Page, File,
  ...): an email open or click, a form or landing page success, a file click (a download),
  a page view, a webinar or event registration or attendance (option ``activity_types``:
  ``"<type>"`` or ``"<type>/<typeName>"`` -> event type). Sends, bounces, sessions,
  opportunity bookkeeping and the like are counted and left out.
- A form success is typed by its form's name like Marketo's form fills (option
  ``form_event_types``: `*demo*` -> demo_request, ...); other successes are form_submit.
- Its asset is `details` (the form, email or file name; a page's path for a page view).
- Its lead is the prospect's CRM lead (`crmLeadFid`) when the prospects export has one,
  else the prospect id.
"""

from __future__ import annotations

from lead_analytics.loader.sql import lit
from lead_analytics.profiles.vendors.base import FoldContext, Output, Step, Vendor, vendor_table
from lead_analytics.profiles.vendors.marketo import OPTIONS as MARKETO_OPTIONS
from lead_analytics.profiles.vendors.marketo import _like

SCHEMA = "raw_pardot"

TABLES = (
    vendor_table(
        SCHEMA,
        "prospect",
        "entity",
        [
            ("id", "text", True),
            ("email", "text"),
            ("crm_lead_fid", "text"),
            ("crm_contact_fid", "text"),
            ("created_at", "timestamp"),
            ("updated_at", "timestamp"),
        ],
        order_column="updated_at",
    ),
    vendor_table(
        SCHEMA,
        "visitor_activity",
        "history",
        [
            ("id", "text", True),
            ("prospect_id", "text", True),
            ("type", "text", True),
            ("type_name", "text"),
            ("details", "text"),
            ("created_at", "timestamp", True),
            ("campaign_id", "text"),
        ],
    ),
)

# Account Engagement's visitor activity types (API `type`), for exports that number them
TYPE_NAMES = {
    "1": "Click",
    "2": "View",
    "3": "Error",
    "4": "Success",
    "5": "Session",
    "6": "Sent",
    "7": "Search",
    "11": "Open",
    "12": "Unsubscribe Page",
    "13": "Bounced",
    "17": "Click (Third Party)",
    "20": "Visit",
    "21": "Custom URL Click",
    "23": "Invited to Webinar",
    "24": "Attended Webinar",
    "25": "Registered for Webinar",
    "27": "Video View",
    "28": "Event Registered",
    "29": "Event Checked In",
}

OPTIONS: dict[str, object] = {
    # "<type>" or "<type>/<typeName>" (names, case ignored) -> event type; the more
    # specific one wins
    "activity_types": {
        "Open/Email": "email_open",
        "Click/Email": "email_click",
        "Click/File": "content_download",
        "Success/Form": "form_submit",
        "Success/Form Handler": "form_submit",
        "Success/Landing Page": "form_submit",
        "View/Visitor": "page_view",
        "View/Page View": "page_view",
        "Visit": "page_view",
        "Registered for Webinar": "seminar_registered",
        "Attended Webinar": "webinar_attended",
        "Event Registered": "seminar_registered",
        "Event Checked In": "seminar_attended",
        # without typeName
        "Open": "email_open",
        "Click": "email_click",
    },
    "form_event_types": MARKETO_OPTIONS["form_event_types"],
}


def fold(context: FoldContext) -> tuple[list[Step], list[Output]]:
    options = context.options
    types = options["activity_types"]
    forms = options["form_event_types"]
    assert isinstance(types, dict) and isinstance(forms, dict)
    names = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in TYPE_NAMES.items())
    specific = " ".join(
        f"WHEN lower(a._type) || '/' || lower(coalesce(a.type_name, '')) = {lit(k.lower())} THEN {lit(v)}"
        for k, v in types.items()
        if "/" in k
    )
    general = " ".join(
        f"WHEN lower(a._type) = {lit(k.lower())} THEN {lit(v)}"
        for k, v in types.items()
        if "/" not in k
    )
    mapped = f"CASE {specific} {general} END" if types else "NULL"
    form_type = (
        "CASE "
        + " ".join(
            f"WHEN lower(details) LIKE {_like(p)} ESCAPE '\\' THEN {lit(t)}"
            for p, t in forms.items()
        )
        + " END"
        if forms
        else "NULL"
    )
    steps = [
        Step(
            "pd_activities",
            f"""WITH typed AS (
    SELECT a.*, coalesce(CASE trim(a.type) {names} END, a.type) AS _type
    FROM raw_pardot.visitor_activity AS a
),
classified AS (
    SELECT a.*, {mapped} AS _mapped FROM typed AS a
)
SELECT *,
    CASE WHEN _mapped = 'form_submit' THEN coalesce({form_type}, _mapped)
         ELSE _mapped END AS _event_type,
    CASE WHEN _mapped IS NULL
        THEN 'not an engagement (' || _type || coalesce(' / ' || type_name, '') || '): not a marketing event'
    END AS _use
FROM classified""",
            disposition_of="visitor_activity",
        )
    ]
    page = (
        "CASE WHEN a._event_type = 'page_view' AND regexp_matches(a.details, "
        "'^(https?://)?[A-Za-z0-9.-]+\\.[A-Za-z]{2,}(:\\d+)?(/|$)') THEN coalesce(nullif("
        "regexp_extract(a.details, '^(?:https?://)?[^/?#]+(/[^?#]*)?', 1), ''), '/') "
        "ELSE a.details END"
    )
    events = f"""SELECT
    a.id AS event_id,
    coalesce(prospects.crm_lead_fid, prospects.id, a.prospect_id) AS lead_id,
    a._event_type AS event_type,
    a.created_at AS occurred_at,
    {page} AS asset,
    NULL AS campaign_id,
    a._source_file, a._source_line, a._file_hash
FROM pd_activities AS a
LEFT JOIN raw_pardot.prospect AS prospects ON prospects.id = a.prospect_id
WHERE a._use IS NULL"""
    return steps, [Output("marketing_events", events, ("visitor_activity", "prospect"))]


PARDOT = Vendor(
    name="pardot",
    title="Pardot",
    tables=TABLES,
    fold=fold,
    options=OPTIONS,
    missing_column_notes={
        ("visitor_activity", "type_name"): (
            "no typeName: activities are typed by their type alone (an Open or a Click is "
            "taken as an email's)"
        ),
        ("prospect", "crm_lead_fid"): (
            "no CRM Lead FID: events keep the prospect ids, which match no Salesforce lead"
        ),
    },
    not_expressed=("Account Engagement's score and grade (the project scores from its own rules)",),
)
