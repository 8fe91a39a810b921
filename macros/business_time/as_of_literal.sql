{#-
    The var `as_of` as a UTC timestamp literal, or none when it is not set.
    Accepts an ISO 8601 instant; without an offset it is read in
    `business_timezone`; a bare date (2025-06-30) means the end of that day.
-#}
{% macro as_of_literal() -%}
    {%- set raw = var('as_of', none) -%}
    {%- if raw is none or (raw | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = raw | string | trim -%}
    {%- set zone = modules.pytz.timezone(var('business_timezone')) -%}
    {%- if text | length == 10 -%}
        {%- set parsed = modules.datetime.datetime.fromisoformat(text ~ 'T23:59:59.999999') if modules.re.match('^\d{4}-\d{2}-\d{2}$', text) else none -%}
    {%- else -%}
        {%- set parsed = modules.datetime.datetime.fromisoformat(text.replace('Z', '+00:00')) if modules.re.match('^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}', text) else none -%}
    {%- endif -%}
    {%- if parsed is none -%}
        {{ exceptions.raise_compiler_error("var as_of: '" ~ text ~ "' is not an ISO 8601 date or instant (e.g. 2025-06-30 or 2025-06-30T23:59:59+09:00)") }}
    {%- endif -%}
    {%- if parsed.tzinfo is none -%}
        {%- set parsed = zone.localize(parsed) -%}
    {%- endif -%}
    {%- set utc = parsed.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {{ return("cast('" ~ utc.strftime('%Y-%m-%d %H:%M:%S.%f') ~ "' as timestamp)") }}
{%- endmacro %}
