{#-
    Exact time arithmetic on timestamps without time zone, to the
    microsecond. dbt's datediff(..., 'second') counts whole-second boundaries
    and its Spark dateadd drops fractions, so a touch 24 h and 0.4 s after a
    handoff would read as exactly 24 h: these keep the fraction on every
    engine.

    seconds_between(start, end): end - start in seconds, a double.
    add_seconds(seconds, timestamp): the timestamp plus a number of seconds
    (a double), rounded to the microsecond.
-#}
{% macro seconds_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('seconds_between', 'lead_handoff')(start_timestamp, end_timestamp)) }}
{%- endmacro %}

{% macro default__seconds_between(start_timestamp, end_timestamp) -%}
    cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as double)
{%- endmacro %}

{% macro duckdb__seconds_between(start_timestamp, end_timestamp) -%}
    cast(epoch_us({{ end_timestamp }}) - epoch_us({{ start_timestamp }}) as double) / 1000000
{%- endmacro %}

{% macro spark__seconds_between(start_timestamp, end_timestamp) -%}
    cast(unix_micros({{ end_timestamp }}) - unix_micros({{ start_timestamp }}) as double) / 1000000
{%- endmacro %}


{% macro add_seconds(seconds, timestamp) -%}
    {{ return(adapter.dispatch('add_seconds', 'lead_handoff')(seconds, timestamp)) }}
{%- endmacro %}

{% macro default__add_seconds(seconds, timestamp) -%}
    {{ dbt.dateadd('second', 'cast(round(' ~ seconds ~ ') as bigint)', timestamp) }}
{%- endmacro %}

{% macro duckdb__add_seconds(seconds, timestamp) -%}
    ({{ timestamp }} + to_microseconds(cast(round(({{ seconds }}) * 1000000) as bigint)))
{%- endmacro %}

{% macro spark__add_seconds(seconds, timestamp) -%}
    timestamp_micros(unix_micros({{ timestamp }}) + cast(round(({{ seconds }}) * 1000000) as bigint))
{%- endmacro %}
