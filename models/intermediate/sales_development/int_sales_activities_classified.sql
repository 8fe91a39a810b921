{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the activities of every lead with new activities, and of
    every lead worked by a user whose row changed (a new role).
-#}

{%- set inputs = [
    {'model': 'stg_crm__activities', 'time_column': 'occurred_at'},
    changed_user_input([activity_user_link()]),
] %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

activities as (
    select
        activity_id,
        lead_id,
        user_id,
        activity_type,
        direction,
        outcome,
        duration_seconds,
        is_automated,
        occurred_at,
        load_id,
        source_line_number
    from {{ ref('stg_crm__activities') }}
    {{- incremental_lead_filter('lead_id') }}
),

sales_users as (
    select
        user_id,
        role
    from {{ ref('stg_crm__users') }}
    where is_sales_user
),

rep_activities as (
    select
        activities.activity_id,
        activities.lead_id,
        activities.user_id as rep_id,
        sales_users.role as rep_role,
        activities.activity_type,
        activities.direction,
        activities.outcome,
        activities.duration_seconds,
        activities.occurred_at,
        activities.load_id,
        activities.source_line_number,
        activities.activity_type = 'call' and coalesce(activities.direction, 'outbound') <> 'inbound' as is_call,
        activities.activity_type = 'email' and coalesce(activities.direction, 'outbound') <> 'inbound' as is_email_sent,
        activities.activity_type in {{ sql_list(var('meeting_activity_types')) }} as is_meeting_held,
        coalesce(
            activities.outcome in {{ sql_list(var('connected_call_outcomes')) }},
            false
        ) as is_connected_outcome
    from activities
    inner join sales_users
        on activities.user_id = sales_users.user_id
    cross join as_of
    where not activities.is_automated
        and activities.occurred_at <= as_of.as_of_at
),

flagged as (
    select
        rep_activities.*,
        rep_activities.is_call and rep_activities.is_connected_outcome as is_connected_call,
        rep_activities.is_call
        and rep_activities.is_connected_outcome
        and coalesce(rep_activities.duration_seconds, 0) >= {{ var('effective_call_seconds') }} as is_effective_call,
        -- a meeting held is the evidence of a booking only when nobody logged
        -- one for the lead before it: the rep who holds a meeting another rep
        -- booked did not book it (so the reps' bookings add up per team)
        coalesce(rep_activities.outcome = 'meeting_booked', false)
        or (
            rep_activities.is_meeting_held
            and coalesce(
                rep_activities.occurred_at < min(
                    case when rep_activities.outcome = 'meeting_booked' then rep_activities.occurred_at end
                ) over (partition by rep_activities.lead_id),
                true
            )
        ) as is_meeting_evidence
    from rep_activities
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
        load_id,
        source_line_number,
        cast({{ dbt.date_trunc('week', to_business_time('occurred_at')) }} as date) as period_week,
        is_call,
        is_connected_call,
        is_effective_call,
        is_email_sent,
        is_meeting_held,
        is_meeting_evidence
        and row_number() over (
            partition by rep_id, lead_id, is_meeting_evidence
            order by {{ activity_order() }}
        ) = 1 as is_meeting_booked,
        {{ incremental_bookkeeping_columns(inputs) }}
    from flagged
)

select * from final
