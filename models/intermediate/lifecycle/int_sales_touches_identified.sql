{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the touches of every lead with new activities or with new
    history, lead or opportunity rows (which can move its handoff).
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

-- the activities of sales users, not automated, by as_of (each classified once)
activities as (
    select * from {{ ref('int_sales_activities_classified') }}
    {{- incremental_lead_filter('lead_id') }}
),

handoffs as (
    select * from {{ ref('int_lead_handoffs_detected') }}
),

touches as (
    select
        activities.activity_id,
        activities.lead_id,
        activities.rep_id,
        activities.rep_role,
        activities.activity_type,
        activities.direction,
        activities.outcome,
        activities.duration_seconds,
        activities.occurred_at,
        handoffs.handed_off_at,
        handoffs.handoff_rep_id,
        activities.load_id,
        activities.source_line_number
    from activities
    inner join handoffs
        on activities.lead_id = handoffs.lead_id
    where activities.activity_type in {{ sql_list(var('sales_touch_activity_types')) }}
        and activities.occurred_at >= handoffs.handed_off_at
),

final as (
    select
        activity_id,
        lead_id,
        rep_id,
        rep_role,
        activity_type,
        direction,
        outcome,
        duration_seconds,
        occurred_at,
        handed_off_at,
        handoff_rep_id,
        row_number() over (
            partition by lead_id
            order by {{ activity_order() }}
        ) as touch_number,
        {{ incremental_bookkeeping_columns(inputs) }}
    from touches
)

select * from final
