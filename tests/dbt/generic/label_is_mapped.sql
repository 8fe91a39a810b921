{#-
    Counts raw labels that no row of the mapping seed matches (they fell back
    to 'other' / 'unknown'). Meant to run with severity warn: an unmapped label
    is kept, never dropped, and this test says which ones to add to the seed.
-#}
{% test label_is_mapped(model, column_name, mapping) %}

with

labels as (
    select
        {{ column_name }} as raw_label,
        {{ normalize_label(column_name) }} as label_key
    from {{ model }}
    where {{ column_name }} is not null
),

mapped_labels as (
    select distinct {{ normalize_label('raw_label') }} as label_key
    from {{ mapping }}
)

select
    labels.raw_label,
    count(*) as occurrences
from labels
left join mapped_labels
    on labels.label_key = mapped_labels.label_key
where labels.label_key is not null and mapped_labels.label_key is null
group by labels.raw_label

{% endtest %}
