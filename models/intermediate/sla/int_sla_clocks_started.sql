{#-
    One row per lead and SLA policy that applies to it (seed sla_policies),
    with the start and stop instants; stops after as_of are left out.
    - first-touch policies (start_event handoff): every handed-off lead falls
      under exactly one: hot_or_fast_track when it was hot or fast-tracked at
      the handoff instant, else not_hot (or all_handed_off). Stop: the first
      sales touch.
    - reached_sql (start_event first_sql_entry): the first entry into sql
      (or a later main-path stage, which implies it). Stop: the earliest
      opportunity created, or meeting / web meeting activity, at or after the
      start.
-#}

with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

policies as (
    select * from {{ ref('sla_policies') }}
),

first_touches as (
    select
        lead_id,
        handed_off_at,
        first_touch_at
    from {{ ref('int_leads_joined_to_first_touch') }}
),

scores as (
    select
        lead_id,
        temperature_at_handoff
    from {{ ref('int_lead_scores_evaluated') }}
),

stage_entries as (
    select
        lead_id,
        entered_at,
        stage_order
    from {{ ref('int_lead_stage_entries') }}
),

sql_order as (
    select stage_order from {{ ref('lifecycle_stages') }}
    where stage = 'sql'
),

opportunities as (
    select
        lead_id,
        created_at as stop_at
    from {{ ref('stg_crm__opportunities') }}
    where lead_id is not null
),

meetings as (
    select
        lead_id,
        occurred_at as stop_at
    from {{ ref('stg_crm__activities') }}
    where activity_type in ('meeting', 'web_meeting')
        and not is_automated
),

first_touch_clocks as (
    select
        first_touches.lead_id,
        policies.policy_name,
        policies.target_business_hours,
        first_touches.handed_off_at as started_at,
        first_touches.first_touch_at as stopped_at
    from first_touches
    inner join scores
        on first_touches.lead_id = scores.lead_id
    inner join policies
        on policies.start_event = 'handoff'
            and (
                policies.applies_to = 'all_handed_off'
                or (policies.applies_to = 'hot_or_fast_track' and scores.temperature_at_handoff = 'hot')
                or (policies.applies_to = 'not_hot' and scores.temperature_at_handoff <> 'hot')
            )
),

first_sql_entries as (
    select
        stage_entries.lead_id,
        min(stage_entries.entered_at) as reached_sql_at
    from stage_entries
    cross join sql_order
    where stage_entries.stage_order >= sql_order.stage_order
    group by stage_entries.lead_id
),

sql_stop_candidates as (
    select * from opportunities
    union all
    select * from meetings
),

sql_stops as (
    select
        first_sql_entries.lead_id,
        min(sql_stop_candidates.stop_at) as stopped_at
    from first_sql_entries
    inner join sql_stop_candidates
        on first_sql_entries.lead_id = sql_stop_candidates.lead_id
            and first_sql_entries.reached_sql_at <= sql_stop_candidates.stop_at
    cross join as_of
    where sql_stop_candidates.stop_at <= as_of.as_of_at
    group by first_sql_entries.lead_id
),

sql_clocks as (
    select
        first_sql_entries.lead_id,
        policies.policy_name,
        policies.target_business_hours,
        first_sql_entries.reached_sql_at as started_at,
        sql_stops.stopped_at
    from first_sql_entries
    inner join policies
        on policies.start_event = 'first_sql_entry'
    left join sql_stops
        on first_sql_entries.lead_id = sql_stops.lead_id
),

final as (
    select * from first_touch_clocks
    union all
    select * from sql_clocks
)

select * from final
