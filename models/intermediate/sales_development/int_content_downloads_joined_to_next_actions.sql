{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the leads with new marketing events, and a pending download
    once as_of reaches the close of its window (next_change_at).
-#}

{%- set next_action_event_types = var('next_action_event_types') %}
{%- set inputs = [{'model': 'stg_ma__marketing_events', 'time_column': 'occurred_at'}] %}
{%- set recheck = 'next_change_at' %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs, recheck),
    )
}}

with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

events as (
    select
        event_id,
        lead_id,
        event_type,
        asset,
        occurred_at,
        load_id,
        source_line_number
    from {{ ref('stg_ma__marketing_events') }}
    {{- incremental_lead_filter('lead_id') }}
),

-- the lead's downloads and next steps by as_of, numbered in event order
-- (same-instant events in the export's order)
ordered_events as (
    select
        events.lead_id,
        events.event_type,
        coalesce(nullif(trim(events.asset), ''), 'unknown') as asset,
        events.occurred_at,
        row_number() over (
            partition by events.lead_id
            order by events.occurred_at, events.event_id, events.load_id, events.source_line_number
        ) as event_number
    from events
    cross join as_of
    where
        events.occurred_at <= as_of.as_of_at
        and (
            events.event_type = 'content_download'
            or events.event_type in {{ sql_list(next_action_event_types) }}
        )
),

downloads as (
    select
        lead_id,
        asset,
        occurred_at as downloaded_at,
        event_number as download_event_number
    from (
        select
            ordered_events.*,
            row_number() over (
                partition by ordered_events.lead_id, ordered_events.asset
                order by ordered_events.event_number
            ) as download_number
        from ordered_events
        where ordered_events.event_type = 'content_download'
    ) as numbered_downloads
    where download_number = 1
),

next_steps as (
    select
        lead_id,
        event_type,
        occurred_at,
        event_number
    from ordered_events
    where event_type in {{ sql_list(next_action_event_types) }}
),

windows as (
    select
        lead_id,
        asset,
        downloaded_at,
        download_event_number,
        {{ dbt.dateadd('day', var('next_action_window_days'), 'downloaded_at') }} as window_closes_at
    from downloads
),

first_next_steps as (
    select
        lead_id,
        asset,
        event_type as next_action_event_type,
        occurred_at as next_action_at
    from (
        select
            windows.lead_id,
            windows.asset,
            next_steps.event_type,
            next_steps.occurred_at,
            row_number() over (
                partition by windows.lead_id, windows.asset
                order by next_steps.event_number
            ) as next_step_number
        from windows
        inner join next_steps
            on windows.lead_id = next_steps.lead_id
                and windows.download_event_number < next_steps.event_number
                and windows.window_closes_at >= next_steps.occurred_at
    ) as ranked_next_steps
    where next_step_number = 1
),

final as (
    select
        {{ dbt.concat(["windows.lead_id", "'|'", "windows.asset"]) }} as lead_download_id,
        windows.lead_id,
        windows.asset,
        windows.downloaded_at,
        windows.window_closes_at,
        first_next_steps.next_action_at,
        first_next_steps.next_action_event_type,
        case
            when first_next_steps.next_action_at is not null then 'next_action'
            when windows.window_closes_at <= as_of.as_of_at then 'no_next_action'
            else 'pending'
        end as next_action_status,
        {{ next_change_at(
            ['case when first_next_steps.next_action_at is null then windows.window_closes_at end'],
            'as_of.as_of_at'
        ) }} as next_change_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from windows
    cross join as_of
    left join first_next_steps
        on windows.lead_id = first_next_steps.lead_id
            and windows.asset = first_next_steps.asset
)

select * from final
