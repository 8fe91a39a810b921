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

keyed_labels as (
    select
        raw_label,
        occurrences,
        {{ normalize_label('raw_label') }} as label_key
    from labels
),

mapped_labels as (
    select distinct {{ normalize_label('raw_label') }} as label_key
    from {{ mapping }}
)

-- "the label folds to something" is tested after the join, on both sides:
-- a filter on the folded label alone would be pushed below the group by
-- and fold every row of the model again (seconds per million rows)
select
    keyed_labels.raw_label,
    keyed_labels.occurrences
from keyed_labels
left join mapped_labels
    on keyed_labels.label_key = mapped_labels.label_key
where mapped_labels.label_key is null
    and coalesce(keyed_labels.label_key, mapped_labels.label_key) is not null

{% endtest %}
