{#-
    The instant in `expression` as a timestamp without time zone, in UTC.
    Staging stores every instant this way so that models compare and subtract
    timestamps identically on DuckDB (timestamptz source columns) and on Spark
    (session time zone UTC).
-#}
{% macro to_utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'lead_handoff')(expression)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}
