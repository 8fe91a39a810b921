{#-
    Lists the raw labels that no row of the mapping seed matches (they fell
    back to 'other' / 'unknown'), with how often each occurs. Meant to run
    with severity warn: an unmapped label is kept, never dropped, and this
    test says which ones to add to the seed. Labels are folded once per
    distinct value, not once per row.
-#}
{% test label_is_mapped(model, column_name, mapping) %}

with

labels as (
    select
        {{ column_name }} as raw_label,
        count(*) as occurrences
    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}
),

mapped_labels as (
    select distinct {{ normalize_label('raw_label') }} as label_key
    from {{ mapping }}
)

select
    labels.raw_label,
    labels.occurrences
from labels
left join mapped_labels
    on {{ normalize_label('labels.raw_label') }} = mapped_labels.label_key
where {{ normalize_label('labels.raw_label') }} is not null and mapped_labels.label_key is null

{% endtest %}
