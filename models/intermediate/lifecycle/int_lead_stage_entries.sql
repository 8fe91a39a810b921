{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    same inputs as int_lead_stage_events_unioned.
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

events as (
    select
        lead_id,
        stage,
        entered_at,
        entry_source,
        source_record_id,
        event_order,
        is_side_exit,
        cycle_number
    from {{ ref('int_lead_stage_events_unioned') }}
    {{- incremental_lead_filter('lead_id') }}
),

stages as (
    select
        stage,
        stage_order
    from {{ ref('lifecycle_stages') }}
),

mql_order as (
    select stage_order from stages
    where stage = 'mql'
),

implied_events as (
    select
        events.lead_id,
        implied_stages.stage,
        events.entered_at,
        'implied_by_' || events.stage as entry_source,
        events.source_record_id,
        events.event_order,
        events.cycle_number,
        true as is_implied
    from events
    inner join stages as event_stages
        on events.stage = event_stages.stage
    inner join stages as implied_stages
        on event_stages.stage_order > implied_stages.stage_order
    cross join mql_order
    where implied_stages.stage_order >= mql_order.stage_order
),

candidates as (
    select
        lead_id,
        stage,
        entered_at,
        entry_source,
        source_record_id,
        event_order,
        cycle_number,
        entry_source in ('opportunity', 'won_opportunity') as is_implied
    from events
    union all
    select * from implied_events
),

first_in_cycle as (
    select
        candidates.*,
        row_number() over (
            partition by candidates.lead_id, candidates.cycle_number, candidates.stage
            order by candidates.entered_at, candidates.event_order, candidates.is_implied
        ) as occurrence_in_cycle
    from candidates
),

entries as (
    select
        lead_id,
        stage,
        entered_at,
        cycle_number,
        entry_source,
        source_record_id,
        is_implied,
        event_order
    from first_in_cycle
    where occurrence_in_cycle = 1
),

final as (
    select
        entries.lead_id,
        entries.stage,
        entries.entered_at,
        row_number() over (
            partition by entries.lead_id, entries.stage
            order by entries.cycle_number, entries.entered_at
        ) as entry_number,
        entries.cycle_number,
        stages.stage_order,
        entries.entry_source,
        entries.source_record_id,
        entries.is_implied,
        entries.event_order,
        {{ incremental_bookkeeping_columns(inputs) }}
    from entries
    inner join stages
        on entries.stage = stages.stage
)

select * from final
