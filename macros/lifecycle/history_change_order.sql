{#-
    The order of a lead's field changes (stg_crm__lead_history), for the
    `order by` of a window: time, then, at the same instant, the export's
    order: history_id, then file order (load_id, source_line_number).
    history_id sorts shorter first, then as text, so sequential ids keep
    their sequence (h9 before h10, 9 before 10). A history_id the export did
    not have (derived from the row's values, is_history_id_derived) says
    nothing about order: such changes keep file order.
-#}
{% macro history_change_order(relation_alias=none) -%}
    {%- set prefix = relation_alias ~ '.' if relation_alias else '' -%}
    {{ prefix }}changed_at,
    case when not {{ prefix }}is_history_id_derived then length({{ prefix }}history_id) end nulls last,
    case when not {{ prefix }}is_history_id_derived then {{ prefix }}history_id end nulls last,
    {{ prefix }}load_id,
    {{ prefix }}source_line_number
{%- endmacro %}


{#-
    The same order for activities (activity_id is required, never derived):
    time, then activity_id shorter first and as text (A9 before A10), then
    file order.
-#}
{% macro activity_order() -%}
    occurred_at, length(activity_id), activity_id, load_id, source_line_number
{%- endmacro %}
