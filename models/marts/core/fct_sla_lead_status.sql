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
    {{ known_lead_filter('lead_id') }}
    {{- incremental_lead_filter('lead_id', 'and') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

-- Business days keyed by the day-long buckets (1440 business minutes) their
-- minute range touches: at most two, as a day has at most 1440 minutes.
-- Finding the day that contains a business-minute index is then an equality
-- join on the bucket plus a range check, instead of a range join of every
-- clock with every calendar day (20x slower at a million leads).
bucketed_business_days as (
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

-- the two instants a clock needs back from its business-minute index: where
-- it starts (started_at, or the next opening when that is outside business
-- hours) and its deadline (start + target)
business_minutes_wanted as (
    select
        lead_id,
        policy_name,
        'clock_start' as instant_kind,
        start_minute_index as minute_index
    from indexed
    union all
    select
        lead_id,
        policy_name,
        'deadline' as instant_kind,
        start_minute_index + target_business_hours * 60 as minute_index
    from indexed
),

-- the instant of an index: in the business day whose minutes contain it (an
-- index on closing time is written as the next opening, the same business
-- instant)
business_instants as (
    select
        wanted.lead_id,
        wanted.policy_name,
        wanted.instant_kind,
        {{ from_business_time(add_seconds(
            '(wanted.minute_index - business_day.business_minutes_before + business_day.opens_at_minute) * 60',
            'cast(business_day.calendar_date as timestamp)',
        )) }} as instant_at
    from business_minutes_wanted as wanted
    inner join bucketed_business_days as business_day
        on business_day.minute_bucket = cast(floor(wanted.minute_index / 1440) as bigint)
            and wanted.minute_index >= business_day.business_minutes_before
            and wanted.minute_index < business_day.business_minutes_before + business_day.business_minutes
),

statuses as (
    select
        {{ dbt.concat(["indexed.lead_id", "'|'", "indexed.policy_name"]) }} as sla_lead_status_id,
        indexed.lead_id,
        indexed.policy_name,
        indexed.target_business_hours,
        indexed.started_at,
        clock_starts.instant_at as clock_started_at,
        deadlines.instant_at as deadline_at,
        indexed.stopped_at,
        (indexed.stop_minute_index - indexed.start_minute_index) / 60.0 as elapsed_business_hours,
        case
            when indexed.stopped_at is not null
                and (indexed.stop_minute_index - indexed.start_minute_index) / 60.0 <= indexed.target_business_hours
                then 'met'
            when indexed.stopped_at is not null then 'breached'
            when deadlines.instant_at < as_of.as_of_at then 'breached'
            else 'pending'
        end as sla_status
    from indexed
    left join business_instants as clock_starts
        on indexed.lead_id = clock_starts.lead_id
            and indexed.policy_name = clock_starts.policy_name
            and clock_starts.instant_kind = 'clock_start'
    left join business_instants as deadlines
        on indexed.lead_id = deadlines.lead_id
            and indexed.policy_name = deadlines.policy_name
            and deadlines.instant_kind = 'deadline'
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
