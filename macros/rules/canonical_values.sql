{#-
    The canonical values of the export contract, for the seed validations.
    (The accepted_values tests in the YAML files list the same values.)
-#}
{% macro canonical_values(kind) -%}
    {%- set values = {
        'stage': ['lead', 'mql', 'sal', 'sql', 'opportunity', 'won', 'lost', 'rejected', 'disqualified', 'recycled'],
        'ordered_stage': ['lead', 'mql', 'sal', 'sql', 'opportunity', 'won'],
        'channel': ['webinar', 'seminar', 'trade_show', 'content_download', 'web_form', 'paid_ads', 'referral', 'outbound', 'partner', 'other'],
        'job_level': ['executive', 'director', 'manager', 'staff', 'unknown'],
        'role': ['sdr', 'bdr', 'adr', 'ae', 'manager', 'marketing', 'system', 'other'],
        'activity_type': ['call', 'email', 'meeting', 'web_meeting', 'sms', 'linkedin', 'other'],
        'outcome': ['connected', 'no_answer', 'voicemail', 'wrong_number', 'replied', 'meeting_booked', 'other'],
        'event_type': ['page_view', 'email_open', 'email_click', 'content_download', 'seminar_registered', 'seminar_attended', 'webinar_attended', 'form_submit', 'demo_request', 'quote_request', 'contact_request', 'other'],
    } -%}
    {%- if kind not in values -%}
        {{ exceptions.raise_compiler_error("canonical_values: unknown kind '" ~ kind ~ "'") }}
    {%- endif -%}
    {{ return(values[kind]) }}
{%- endmacro %}

{#- A SQL list literal: ('a', 'b') -#}
{% macro sql_list(values) -%}
    ({%- for value in values -%}'{{ value }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%})
{%- endmacro %}
