{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    inputs of int_sales_touches_identified.
-#}

{%- set inputs = sales_touch_inputs() %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

touches as (
    select * from {{ ref('int_sales_touches_identified') }}
    {{ known_lead_filter('lead_id') }}
    {{- incremental_lead_filter('lead_id', 'and') }}
),

calendar as (
    select * from {{ ref('int_business_calendar') }}
),

final as (
    select
        touches.activity_id,
        touches.lead_id,
        touches.rep_id,
        touches.rep_role,
        touches.activity_type,
        touches.direction,
        touches.outcome,
        touches.duration_seconds,
        touches.occurred_at,
        touches.handed_off_at,
        touches.handoff_rep_id,
        cast(touches.touch_number as bigint) as touch_number,
        touches.touch_number = 1 as is_first_touch,
        {{ business_hours_between('touches.handed_off_at', 'handoff_calendar', 'touches.occurred_at', 'touch_calendar') }}
            as business_hours_since_handoff,
        {{ incremental_bookkeeping_columns(inputs) }}
    from touches
    left join calendar as handoff_calendar
        on {{ business_date_of('touches.handed_off_at') }} = handoff_calendar.calendar_date
    left join calendar as touch_calendar
        on {{ business_date_of('touches.occurred_at') }} = touch_calendar.calendar_date
)

select * from final
