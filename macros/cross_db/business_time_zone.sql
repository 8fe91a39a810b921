{#-
    Conversions between UTC instants (timestamps without time zone, as staging
    stores them) and wall-clock time in the business time zone (var
    `business_timezone`).
-#}
{% macro to_business_time(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_business_time', 'lead_handoff')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_business_time(utc_timestamp) -%}
    from_utc_timestamp({{ utc_timestamp }}, '{{ var("business_timezone") }}')
{%- endmacro %}

{% macro duckdb__to_business_time(utc_timestamp) -%}
    timezone('{{ var("business_timezone") }}', timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}


{% macro from_business_time(local_timestamp) -%}
    {{ return(adapter.dispatch('from_business_time', 'lead_handoff')(local_timestamp)) }}
{%- endmacro %}

{% macro default__from_business_time(local_timestamp) -%}
    to_utc_timestamp({{ local_timestamp }}, '{{ var("business_timezone") }}')
{%- endmacro %}

{% macro duckdb__from_business_time(local_timestamp) -%}
    timezone('UTC', timezone('{{ var("business_timezone") }}', {{ local_timestamp }}))
{%- endmacro %}


{#- The business-time-zone calendar date of a UTC instant. -#}
{% macro business_date_of(utc_timestamp) -%}
    cast({{ to_business_time(utc_timestamp) }} as date)
{%- endmacro %}
