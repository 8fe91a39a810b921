{#-
    The body of a CTE that reads a mapping seed keyed by normalised label:
    `label_key` (join it to normalize_label(<raw column>)) and the canonical
    column. Staging models left join it and fall back to 'other' / 'unknown'.
-#}
{% macro select_label_mapping(seed_name, canonical_column) -%}
    select
        {{ normalize_label('raw_label') }} as label_key,
        {{ canonical_column }}
    from {{ ref(seed_name) }}
{%- endmacro %}
