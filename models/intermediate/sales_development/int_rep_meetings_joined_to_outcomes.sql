{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the leads with new activity, history, lead or opportunity
    rows.
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

meetings as (
    select
        activity_id,
        lead_id,
        rep_id,
        occurred_at,
        period_week
    from {{ ref('int_sales_activities_classified') }}
    where is_meeting_booked
    {{- incremental_lead_filter('lead_id', 'and') }}
),

stage_entries as (
    select
        lead_id,
        stage,
        entered_at
    from {{ ref('int_lead_stage_entries') }}
    where stage in ('opportunity', 'won')
    {{- incremental_lead_filter('lead_id', 'and') }}
),

outcomes as (
    select
        meetings.rep_id,
        meetings.lead_id,
        min(case when stage_entries.stage = 'opportunity' then stage_entries.entered_at end) as opportunity_at,
        min(case when stage_entries.stage = 'won' then stage_entries.entered_at end) as won_at
    from meetings
    inner join stage_entries
        on meetings.lead_id = stage_entries.lead_id
            and meetings.occurred_at <= stage_entries.entered_at
    group by meetings.rep_id, meetings.lead_id
),

final as (
    select
        {{ dbt.concat(["meetings.rep_id", "'|'", "meetings.lead_id"]) }} as rep_meeting_id,
        meetings.rep_id,
        meetings.lead_id,
        meetings.activity_id as booking_activity_id,
        meetings.occurred_at as booked_at,
        meetings.period_week,
        outcomes.opportunity_at,
        -- won counts in the chain only after an opportunity that followed the meeting
        case when outcomes.opportunity_at is not null then outcomes.won_at end as won_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from meetings
    left join outcomes
        on meetings.rep_id = outcomes.rep_id
            and meetings.lead_id = outcomes.lead_id
)

select * from final
