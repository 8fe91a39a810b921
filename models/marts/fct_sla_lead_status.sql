{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    inputs of int_sla_clocks_started; a pending clock is recomputed once
    as_of reaches its deadline (next_change_at), when it becomes breached.
-#}

{%- set inputs = all_lead_inputs() %}
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

clocks as (
    select
        lead_id,
        policy_name,
        target_business_hours,
        started_at,
        stopped_at
    from {{ ref('int_sla_clocks_started') }}
    {{- incremental_lead_filter('lead_id') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

-- Business days keyed by the day-long buckets (1440 business minutes) their
-- minute range touches: at most two, as a day has at most 1440 minutes.
-- Finding the day that contains a deadline is then an equality join on the
-- bucket plus a range check, instead of a range join of every clock with
-- every calendar day (20x slower at a million leads).
deadline_days as (
    select
        calendar_date,
        opens_at_minute,
        business_minutes,
        business_minutes_before,
        cast(floor(business_minutes_before / 1440) as bigint) as minute_bucket
    from calendar
    where business_minutes > 0
    union
    select
        calendar_date,
        opens_at_minute,
        business_minutes,
        business_minutes_before,
        cast(floor((business_minutes_before + business_minutes - 1) / 1440) as bigint) as minute_bucket
    from calendar
    where business_minutes > 0
),

indexed as (
    select
        clocks.lead_id,
        clocks.policy_name,
        clocks.target_business_hours,
        clocks.started_at,
        clocks.stopped_at,
        {{ business_minute_index('clocks.started_at', 'start_calendar') }} as start_minute_index,
        case
            when clocks.stopped_at is not null
                then {{ business_minute_index('clocks.stopped_at', 'stop_calendar') }}
        end as stop_minute_index
    from clocks
    left join calendar as start_calendar
        on {{ business_date_of('clocks.started_at') }} = start_calendar.calendar_date
    left join calendar as stop_calendar
        on {{ business_date_of('clocks.stopped_at') }} = stop_calendar.calendar_date
),

-- the deadline is where the business-minute index reaches start + target:
-- the business day whose minutes contain it (a deadline on closing time is
-- written as the next opening, the same business instant)
deadlines as (
    select
        indexed.lead_id,
        indexed.policy_name,
        {{ from_business_time(dbt.dateadd(
            'second',
            'cast(round((indexed.start_minute_index + indexed.target_business_hours * 60'
            ~ ' - deadline_calendar.business_minutes_before + deadline_calendar.opens_at_minute) * 60) as bigint)',
            'cast(deadline_calendar.calendar_date as timestamp)',
        )) }} as deadline_at
    from indexed
    inner join deadline_days as deadline_calendar
        on deadline_calendar.minute_bucket
            = cast(floor((indexed.start_minute_index + indexed.target_business_hours * 60) / 1440) as bigint)
            and indexed.start_minute_index + indexed.target_business_hours * 60 >= deadline_calendar.business_minutes_before
            and indexed.start_minute_index + indexed.target_business_hours * 60
            < deadline_calendar.business_minutes_before + deadline_calendar.business_minutes
),

statuses as (
    select
        {{ dbt.concat(["indexed.lead_id", "'|'", "indexed.policy_name"]) }} as sla_lead_status_id,
        indexed.lead_id,
        indexed.policy_name,
        indexed.target_business_hours,
        indexed.started_at,
        deadlines.deadline_at,
        indexed.stopped_at,
        (indexed.stop_minute_index - indexed.start_minute_index) / 60.0 as elapsed_business_hours,
        case
            when indexed.stopped_at is not null
                and (indexed.stop_minute_index - indexed.start_minute_index) / 60.0 <= indexed.target_business_hours
                then 'met'
            when indexed.stopped_at is not null then 'breached'
            when deadlines.deadline_at < as_of.as_of_at then 'breached'
            else 'pending'
        end as sla_status
    from indexed
    left join deadlines
        on indexed.lead_id = deadlines.lead_id
            and indexed.policy_name = deadlines.policy_name
    cross join as_of
),

final as (
    select
        statuses.*,
        -- breached once as_of is past the deadline: recheck from the deadline on
        case when statuses.sla_status = 'pending' then statuses.deadline_at end as next_change_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from statuses
)

select * from final
