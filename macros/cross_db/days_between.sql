{#-
    Days between two instants as a double (whole seconds / 86400). The
    explicit double keeps the quotient a binary float on every engine: with a
    decimal literal (/ 86400.0) DuckDB divides in double but Spark in
    decimal, and the medians of the two would differ in the last digits.
-#}
{% macro days_between(start_timestamp, end_timestamp) -%}
    cast({{ dbt.datediff(start_timestamp, end_timestamp, 'second') }} as double) / 86400
{%- endmacro %}
