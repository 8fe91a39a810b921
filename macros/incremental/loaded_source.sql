{#-
    The rows of an append-only raw table (activities, lead history, marketing
    events) that an incremental staging model does not hold yet: those of
    loads newer than its newest. The loader only appends to these tables (a
    known id or row is never inserted again), so appending them is exact;
    after a rules change the model is emptied first and every load is read
    again (remap_if_rules_changed). A full build reads the whole table.
-#}
{% macro loaded_source(source_name, table_name) -%}
    select * from {{ source(source_name, table_name) }}
    {%- if is_incremental_run() %}
    where _load_id > {{ newest_load_in_this() }}
    {%- endif %}
{%- endmacro %}
