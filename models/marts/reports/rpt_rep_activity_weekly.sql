with

activities as (
    select * from {{ ref('int_sales_activities_classified') }}
),

meetings as (
    select * from {{ ref('int_rep_meetings_joined_to_outcomes') }}
),

leads as (
    select
        lead_id,
        handed_off_at,
        handoff_rep_id,
        reached_sql_at,
        reached_opportunity_at
    from {{ ref('dim_leads') }}
    where handed_off_at is not null
),

first_touches as (
    select
        lead_id,
        rep_id,
        occurred_at
    from {{ ref('fct_sales_touches') }}
    where is_first_touch
),

sla_statuses as (
    select
        lead_id,
        policy_name,
        sla_status
    from {{ ref('fct_sla_lead_status') }}
),

first_touch_policies as (
    select policy_name from {{ ref('sla_policies') }}
    where stop_event = 'first_sales_touch'
),

-- each handed-off lead falls under exactly one first-touch policy
first_touch_sla_statuses as (
    select
        sla_statuses.lead_id,
        sla_statuses.sla_status
    from sla_statuses
    inner join first_touch_policies
        on sla_statuses.policy_name = first_touch_policies.policy_name
),

reps as (
    select
        rep_id,
        role,
        team
    from {{ ref('dim_reps') }}
    where is_sales_user
),

activity_counts as (
    select
        period_week,
        rep_id,
        cast(sum(case when is_call then 1 else 0 end) as bigint) as calls,
        cast(sum(case when is_connected_call then 1 else 0 end) as bigint) as connected_calls,
        cast(sum(case when is_effective_call then 1 else 0 end) as bigint) as effective_calls,
        cast(sum(case when is_meeting_held then 1 else 0 end) as bigint) as meetings_held,
        cast(sum(case when is_email_sent then 1 else 0 end) as bigint) as emails,
        cast(sum(case when is_meeting_booked then 1 else 0 end) as bigint) as meetings_booked,
        count(distinct lead_id) as leads_worked
    from activities
    group by 1, 2
),

meeting_outcomes as (
    select
        period_week,
        rep_id,
        count(opportunity_at) as meetings_reached_opportunity,
        count(won_at) as meetings_won
    from meetings
    group by 1, 2
),

handoff_counts as (
    select
        cast({{ dbt.date_trunc('week', to_business_time('handed_off_at')) }} as date) as period_week,
        handoff_rep_id as rep_id,
        count(*) as leads_handed_off,
        count(reached_sql_at) as handed_off_leads_reached_sql,
        count(reached_opportunity_at) as handed_off_leads_reached_opportunity
    from leads
    group by 1, 2
),

first_touch_counts as (
    select
        cast({{ dbt.date_trunc('week', to_business_time('first_touches.occurred_at')) }} as date) as period_week,
        first_touches.rep_id,
        count(*) as first_touches,
        cast(sum(case when first_touch_sla_statuses.sla_status = 'met' then 1 else 0 end) as bigint) as first_touches_within_sla
    from first_touches
    left join first_touch_sla_statuses
        on first_touches.lead_id = first_touch_sla_statuses.lead_id
    group by 1, 2
),

rep_weeks as (
    select
        period_week,
        rep_id
    from activity_counts
    union
    select
        period_week,
        rep_id
    from handoff_counts
    union
    select
        period_week,
        rep_id
    from first_touch_counts
),

joined as (
    select
        rep_weeks.period_week,
        rep_weeks.rep_id,
        reps.role as rep_role,
        reps.team,
        coalesce(activity_counts.calls, 0) as calls,
        coalesce(activity_counts.connected_calls, 0) as connected_calls,
        coalesce(activity_counts.effective_calls, 0) as effective_calls,
        coalesce(activity_counts.meetings_held, 0) as meetings_held,
        coalesce(activity_counts.emails, 0) as emails,
        coalesce(activity_counts.meetings_booked, 0) as meetings_booked,
        coalesce(activity_counts.leads_worked, 0) as leads_worked,
        coalesce(handoff_counts.leads_handed_off, 0) as leads_handed_off,
        coalesce(handoff_counts.handed_off_leads_reached_sql, 0) as handed_off_leads_reached_sql,
        coalesce(handoff_counts.handed_off_leads_reached_opportunity, 0) as handed_off_leads_reached_opportunity,
        coalesce(first_touch_counts.first_touches, 0) as first_touches,
        coalesce(first_touch_counts.first_touches_within_sla, 0) as first_touches_within_sla,
        coalesce(meeting_outcomes.meetings_reached_opportunity, 0) as meetings_reached_opportunity,
        coalesce(meeting_outcomes.meetings_won, 0) as meetings_won
    from rep_weeks
    inner join reps
        on rep_weeks.rep_id = reps.rep_id
    left join activity_counts
        on rep_weeks.period_week = activity_counts.period_week
            and rep_weeks.rep_id = activity_counts.rep_id
    left join handoff_counts
        on rep_weeks.period_week = handoff_counts.period_week
            and rep_weeks.rep_id = handoff_counts.rep_id
    left join first_touch_counts
        on rep_weeks.period_week = first_touch_counts.period_week
            and rep_weeks.rep_id = first_touch_counts.rep_id
    left join meeting_outcomes
        on rep_weeks.period_week = meeting_outcomes.period_week
            and rep_weeks.rep_id = meeting_outcomes.rep_id
),

final as (
    select
        {{ dbt.concat(["cast(period_week as " ~ dbt.type_string() ~ ")", "'|'", "rep_id"]) }} as rep_week_id,
        period_week,
        rep_id,
        rep_role,
        team,
        cast(calls as bigint) as calls,
        cast(connected_calls as bigint) as connected_calls,
        {{ safe_rate('connected_calls', 'calls') }} as contact_rate,
        cast(effective_calls as bigint) as effective_calls,
        {{ safe_rate('effective_calls', 'calls') }} as effective_call_rate,
        cast(meetings_held as bigint) as meetings_held,
        cast(effective_calls + meetings_held as bigint) as effective_conversations,
        cast(emails as bigint) as emails,
        cast(leads_worked as bigint) as leads_worked,
        cast(meetings_booked as bigint) as meetings_booked,
        cast(meetings_reached_opportunity as bigint) as meetings_reached_opportunity,
        cast(meetings_won as bigint) as meetings_won,
        {{ safe_rate('meetings_reached_opportunity', 'meetings_booked') }} as meeting_to_opportunity_rate,
        {{ safe_rate('meetings_won', 'meetings_reached_opportunity') }} as opportunity_to_won_rate,
        cast(leads_handed_off as bigint) as leads_handed_off,
        cast(handed_off_leads_reached_sql as bigint) as handed_off_leads_reached_sql,
        cast(handed_off_leads_reached_opportunity as bigint) as handed_off_leads_reached_opportunity,
        {{ safe_rate('handed_off_leads_reached_sql', 'leads_handed_off') }} as sql_conversion_rate,
        {{ safe_rate('handed_off_leads_reached_opportunity', 'leads_handed_off') }} as opportunity_rate,
        cast(first_touches as bigint) as first_touches,
        cast(first_touches_within_sla as bigint) as first_touches_within_sla,
        {{ safe_rate('first_touches_within_sla', 'first_touches') }} as first_touch_sla_rate
    from joined
)

select * from final
