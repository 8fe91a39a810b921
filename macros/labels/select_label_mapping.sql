{#-
    The body of a CTE mapping each distinct raw label of `labels_cte` (a CTE
    with one column, raw_label) to the canonical value of a mapping seed.
    Labels are folded with normalize_label on both sides, but only once per
    distinct label, so a million rows with a dozen labels cost a dozen
    foldings; the model then joins back on the raw label itself. Staging
    models fall back to 'other' / 'unknown' when no seed row matches.
-#}
{% macro select_label_mapping(labels_cte, seed_name, canonical_column) -%}
    select
        {{ labels_cte }}.raw_label,
        mapping_seed.{{ canonical_column }}
    from {{ labels_cte }}
    left join {{ ref(seed_name) }} as mapping_seed
        on {{ normalize_label(labels_cte ~ '.raw_label') }} = {{ normalize_label('mapping_seed.raw_label') }}
{%- endmacro %}
