{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    inputs of int_sales_touches_identified; a pending lead is recomputed once
    as_of reaches the close of its window (next_change_at).
-#}

{%- set inputs = sales_touch_inputs() %}
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

handoffs as (
    select
        lead_id,
        handed_off_at,
        handoff_rep_id,
        handoff_team
    from {{ ref('int_lead_handoffs_detected') }}
    {{- incremental_lead_filter('lead_id') }}
),

first_touches as (
    select
        lead_id,
        activity_id as first_touch_activity_id,
        rep_id as first_touch_rep_id,
        occurred_at as first_touch_at
    from {{ ref('int_sales_touches_identified') }}
    where touch_number = 1
    {{- incremental_lead_filter('lead_id', 'and') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

joined as (
    select
        handoffs.lead_id,
        handoffs.handed_off_at,
        handoffs.handoff_rep_id,
        handoffs.handoff_team,
        first_touches.first_touch_activity_id,
        first_touches.first_touch_rep_id,
        first_touches.first_touch_at,
        {{ dbt.dateadd('day', var('ignore_window_days'), 'handoffs.handed_off_at') }} as ignore_window_closes_at,
        as_of.as_of_at
    from handoffs
    left join first_touches
        on handoffs.lead_id = first_touches.lead_id
    cross join as_of
),

final as (
    select
        joined.lead_id,
        joined.handed_off_at,
        joined.handoff_rep_id,
        joined.handoff_team,
        joined.first_touch_activity_id,
        joined.first_touch_rep_id,
        joined.first_touch_at,
        case
            when joined.first_touch_at is not null
                then {{ business_hours_between('joined.handed_off_at', 'handoff_calendar', 'joined.first_touch_at', 'touch_calendar') }}
        end as first_touch_business_hours,
        joined.ignore_window_closes_at,
        case
            when joined.first_touch_at <= joined.ignore_window_closes_at then 'touched'
            when joined.ignore_window_closes_at <= joined.as_of_at then 'ignored'
            else 'pending'
        end as ignore_status,
        {{ next_change_at(
            ['case when joined.first_touch_at is null then joined.ignore_window_closes_at end'],
            'joined.as_of_at'
        ) }} as next_change_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from joined
    left join calendar as handoff_calendar
        on {{ business_date_of('joined.handed_off_at') }} = handoff_calendar.calendar_date
    left join calendar as touch_calendar
        on {{ business_date_of('joined.first_touch_at') }} = touch_calendar.calendar_date
)

select * from final
