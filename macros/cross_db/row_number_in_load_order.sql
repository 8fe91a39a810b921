{#-
    row_number() in the order the rows were stored (for CSV line numbers of
    seeds). DuckDB keeps insertion order and accepts an empty window; Spark
    requires an ordered window, so the rows are numbered by
    monotonically_increasing_id(), which follows file and row order of a
    freshly loaded seed table.
-#}
{% macro row_number_in_load_order() -%}
    {{ return(adapter.dispatch('row_number_in_load_order', 'lead_handoff')()) }}
{%- endmacro %}

{% macro default__row_number_in_load_order() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__row_number_in_load_order() -%}
    row_number() over (order by monotonically_increasing_id())
{%- endmacro %}
