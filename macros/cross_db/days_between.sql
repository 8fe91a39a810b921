{#-
    Days between two instants as a double (seconds, to the microsecond, / 86400). The
    explicit double keeps the quotient a binary float on every engine: with a
    decimal literal (/ 86400.0) DuckDB divides in double but Spark in
    decimal, and the medians of the two would differ in the last digits.
-#}
{% macro days_between(start_timestamp, end_timestamp) -%}
    {{ seconds_between(start_timestamp, end_timestamp) }} / 86400
{%- endmacro %}
