{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    inputs of int_lead_stage_entries.
-#}

{%- set inputs = stage_event_inputs() %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

entries as (
    select * from {{ ref('int_lead_stage_entries') }}
    {{ known_lead_filter('lead_id') }}
    {{- incremental_lead_filter('lead_id', 'and') }}
),

final as (
    select
        lead_id || '|' || stage || '|' || cast(entry_number as {{ dbt.type_string() }}) as stage_entry_id,
        lead_id,
        stage,
        entered_at,
        cast(entry_number as bigint) as entry_number,
        cast(cycle_number as bigint) as cycle_number,
        entry_source,
        is_implied,
        {{ incremental_bookkeeping_columns(inputs) }}
    from entries
)

select * from final
