{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes every lead with a new row of any kind, and the leads whose
    score, temperature or ignore status moves with as_of alone
    (next_change_at: the earliest of those of int_lead_scores_evaluated and
    int_leads_joined_to_first_touch).
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

leads as (
    select * from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

size_bands as (
    select * from {{ ref('company_size_bands') }}
),

reached as (
    select * from {{ ref('int_lead_stages_reached') }}
    {{- incremental_lead_filter('lead_id') }}
),

stage_entries as (
    select * from {{ ref('int_lead_stage_entries') }}
    {{- incremental_lead_filter('lead_id') }}
),

stage_events as (
    select * from {{ ref('int_lead_stage_events_unioned') }}
    {{- incremental_lead_filter('lead_id') }}
),

first_touches as (
    select * from {{ ref('int_leads_joined_to_first_touch') }}
    {{- incremental_lead_filter('lead_id') }}
),

scores as (
    select * from {{ ref('int_lead_scores_evaluated') }}
    {{- incremental_lead_filter('lead_id') }}
),

owner_intervals as (
    select * from {{ ref('int_lead_owner_intervals') }}
    {{- incremental_lead_filter('lead_id') }}
),

score_thresholds as (
    select * from {{ ref('int_lead_score_thresholds_crossed') }}
    {{- incremental_lead_filter('lead_id') }}
),

returned_after_handoff as (
    select
        stage_entries.lead_id,
        min(stage_entries.entered_at) as returned_at
    from stage_entries
    inner join first_touches
        on stage_entries.lead_id = first_touches.lead_id
    where stage_entries.stage in ('rejected', 'disqualified')
        and stage_entries.entered_at >= first_touches.handed_off_at
    group by stage_entries.lead_id
),

current_stages as (
    select
        lead_id,
        stage as current_stage
    from (
        select
            lead_id,
            stage,
            row_number() over (partition by lead_id order by event_order desc) as recency
        from stage_events
    ) as ranked_events
    where recency = 1
),

users as (
    select
        user_id,
        team_name
    from {{ ref('stg_crm__users') }}
),

owners_as_of as (
    select
        owner_intervals.lead_id,
        owner_intervals.owner_id,
        users.team_name as owner_team
    from owner_intervals
    cross join as_of
    left join users
        on owner_intervals.owner_id = users.user_id
    where (owner_intervals.valid_from is null or owner_intervals.valid_from <= as_of.as_of_at)
        and (owner_intervals.valid_to is null or owner_intervals.valid_to > as_of.as_of_at)
),

final as (
    select
        leads.lead_id,
        leads.created_at,
        leads.channel,
        leads.lead_source,
        leads.industry,
        coalesce(size_bands.company_size_band, 'unknown') as company_size_band,
        leads.job_level,
        leads.region,
        leads.campaign_id,
        owners_as_of.owner_id as current_owner_id,
        owners_as_of.owner_team as current_owner_team,
        first_touches.handoff_rep_id,
        first_touches.handoff_team,
        first_touches.handed_off_at,
        first_touches.first_touch_at,
        first_touches.first_touch_business_hours,
        coalesce(first_touches.ignore_status, 'not_handed_off') as ignore_status,
        case
            when first_touches.lead_id is null then 'not_handed_off'
            when reached.reached_sal_at is not null then 'accepted'
            when returned_after_handoff.returned_at is not null then 'rejected'
            else 'undecided'
        end as acceptance_status,
        reached.reached_mql_at,
        reached.reached_sal_at,
        reached.reached_sql_at,
        reached.reached_opportunity_at,
        reached.won_at,
        current_stages.current_stage,
        cast(scores.score as integer) as score,
        scores.temperature,
        cast(scores.score_at_handoff as integer) as score_at_handoff,
        scores.temperature_at_handoff,
        scores.is_fast_tracked,
        score_thresholds.score_mql_at,
        leads.is_budget_confirmed,
        leads.is_authority_confirmed,
        leads.is_need_confirmed,
        leads.timeframe_months,
        leads.is_opted_out,
        least(scores.next_change_at, first_touches.next_change_at) as next_change_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from leads
    cross join as_of
    left join size_bands
        on leads.employee_count >= size_bands.min_employees
            and (size_bands.max_employees is null or leads.employee_count <= size_bands.max_employees)
    left join first_touches
        on leads.lead_id = first_touches.lead_id
    left join reached
        on leads.lead_id = reached.lead_id
    left join returned_after_handoff
        on leads.lead_id = returned_after_handoff.lead_id
    left join current_stages
        on leads.lead_id = current_stages.lead_id
    left join scores
        on leads.lead_id = scores.lead_id
    left join owners_as_of
        on leads.lead_id = owners_as_of.lead_id
    left join score_thresholds
        on leads.lead_id = score_thresholds.lead_id
    -- a build as of an instant behaves as if the data ended there
    where leads.created_at <= as_of.as_of_at
)

select * from final
