{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes every lead with new history or a new version of its lead row.
-#}

{%- set inputs = [
    {'model': 'stg_crm__lead_history', 'time_column': 'changed_at'},
    {'model': 'stg_crm__leads'},
] %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

owner_changes as (
    select
        lead_id,
        history_id,
        is_history_id_derived,
        old_value as previous_owner_id,
        new_value as owner_id,
        changed_at,
        load_id,
        source_line_number
    from {{ ref('stg_crm__lead_history') }}
    where changed_field = 'owner'
    {{- incremental_lead_filter('lead_id', 'and') }}
),

leads as (
    select
        lead_id,
        owner_id
    from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

leads_with_owner_history as (
    select distinct lead_id from owner_changes
),

ordered_changes as (
    select
        lead_id,
        previous_owner_id,
        owner_id,
        changed_at,
        row_number() over (
            partition by lead_id
            order by {{ history_change_order() }}
        ) as change_number,
        lead(changed_at) over (
            partition by lead_id
            order by {{ history_change_order() }}
        ) as next_changed_at
    from owner_changes
),

before_first_change as (
    select
        lead_id,
        previous_owner_id as owner_id,
        cast(null as timestamp) as valid_from,
        changed_at as valid_to
    from ordered_changes
    where change_number = 1
),

after_each_change as (
    select
        lead_id,
        owner_id,
        changed_at as valid_from,
        next_changed_at as valid_to
    from ordered_changes
),

without_owner_history as (
    select
        leads.lead_id,
        leads.owner_id,
        cast(null as timestamp) as valid_from,
        cast(null as timestamp) as valid_to
    from leads
    left join leads_with_owner_history
        on leads.lead_id = leads_with_owner_history.lead_id
    where leads_with_owner_history.lead_id is null
),

unioned as (
    select * from before_first_change
    union all
    select * from after_each_change
    union all
    select * from without_owner_history
),

final as (
    select
        lead_id,
        owner_id,
        valid_from,
        valid_to,
        {{ incremental_bookkeeping_columns(inputs) }}
    from unioned
    -- several changes at one instant: only the last one is ever the owner
    where valid_from is null or valid_to is null or valid_from < valid_to
)

select * from final
