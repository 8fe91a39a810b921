{#-
    The lead's last behaviour event before each instant is found with running
    maxima over one time-ordered stream of events and instants, so the
    evaluation never joins every event to every instant.
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the leads with new events, a new lead row or new history or
    opportunity rows (which can move the handoff), the leads ever owned by a
    user whose row changed (a new role moves the handoff), and the leads whose
    score or temperature at as_of changes by the new as_of alone
    (next_change_at).
-#}

{%- set inputs = [
    {'model': 'stg_ma__marketing_events', 'time_column': 'occurred_at'},
    {'model': 'stg_crm__lead_history', 'time_column': 'changed_at'},
    {'model': 'stg_crm__leads'},
    {'model': 'stg_crm__opportunities'},
    changed_user_input([owner_user_link()]),
] %}
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
    select
        lead_id,
        created_at
    from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

handoffs as (
    select
        lead_id,
        handed_off_at
    from {{ ref('int_lead_handoffs_detected') }}
    {{- incremental_lead_filter('lead_id') }}
),

behaviour_events as (
    select
        lead_id,
        occurred_at,
        is_fast_track,
        behaviour_event_number,
        behaviour_points_running
    from {{ ref('int_marketing_events_scored') }}
    {{- incremental_lead_filter('lead_id') }}
),

attribute_scores as (
    select
        lead_id,
        attribute_score
    from {{ ref('int_lead_attributes_scored') }}
    {{- incremental_lead_filter('lead_id') }}
),

instants as (
    select
        leads.lead_id,
        'as_of' as evaluated_for,
        as_of.as_of_at as evaluated_at
    from leads
    cross join as_of
    union all
    select
        lead_id,
        'handoff' as evaluated_for,
        handed_off_at as evaluated_at
    from handoffs
),

-- events sort before instants at the same time: "(last reset, t]" includes t
stream as (
    select
        lead_id,
        occurred_at as stream_at,
        0 as stream_kind,
        behaviour_event_number,
        case when is_fast_track then occurred_at end as fast_track_at,
        cast(null as {{ dbt.type_string() }}) as evaluated_for
    from behaviour_events
    union all
    select
        lead_id,
        evaluated_at as stream_at,
        1 as stream_kind,
        cast(null as bigint) as behaviour_event_number,
        cast(null as timestamp) as fast_track_at,
        evaluated_for
    from instants
),

running as (
    select
        lead_id,
        stream_at,
        stream_kind,
        evaluated_for,
        max(behaviour_event_number) over (
            partition by lead_id
            order by stream_at, stream_kind
            rows between unbounded preceding and current row
        ) as last_behaviour_event_number,
        max(fast_track_at) over (
            partition by lead_id
            order by stream_at, stream_kind
            rows between unbounded preceding and current row
        ) as last_fast_track_at
    from stream
),

evaluated as (
    select
        running.lead_id,
        running.evaluated_for,
        running.stream_at as evaluated_at,
        {{ behaviour_score_at('running.stream_at', 'behaviour_events.occurred_at', 'behaviour_events.behaviour_points_running') }}
            as behaviour_score,
        attribute_scores.attribute_score,
        coalesce(
            running.last_fast_track_at > {{ dbt.dateadd('day', -1 * var('fast_track_window_days'), 'running.stream_at') }},
            false
        ) as is_fast_track_recent,
        running.last_fast_track_at,
        behaviour_events.occurred_at as last_behaviour_event_at
    from running
    left join behaviour_events
        on running.lead_id = behaviour_events.lead_id
            and running.last_behaviour_event_number = behaviour_events.behaviour_event_number
    left join attribute_scores
        on running.lead_id = attribute_scores.lead_id
    where running.stream_kind = 1
),

scored as (
    select
        evaluated.*,
        evaluated.behaviour_score + coalesce(evaluated.attribute_score, 0) as score
    from evaluated
),

final as (
    select
        leads.lead_id,
        at_handoff.score as score_at_handoff,
        case
            when at_handoff.lead_id is not null
                then {{ temperature('at_handoff.score', 'at_handoff.is_fast_track_recent') }}
        end as temperature_at_handoff,
        at_handoff.is_fast_track_recent as is_fast_track_at_handoff,
        at_as_of.score,
        at_as_of.behaviour_score,
        at_as_of.attribute_score,
        {{ temperature('at_as_of.score', 'at_as_of.is_fast_track_recent') }} as temperature,
        at_as_of.is_fast_track_recent,
        at_as_of.last_fast_track_at is not null as is_fast_tracked,
        {{ next_change_at([
            dbt.dateadd('day', var('score_decay_after_days'), 'at_as_of.last_behaviour_event_at'),
            dbt.dateadd('day', var('score_reset_after_days'), 'at_as_of.last_behaviour_event_at'),
            dbt.dateadd('day', var('fast_track_window_days'), 'at_as_of.last_fast_track_at'),
        ], 'at_as_of.evaluated_at') }} as next_change_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from leads
    inner join scored as at_as_of
        on leads.lead_id = at_as_of.lead_id
            and at_as_of.evaluated_for = 'as_of'
    left join scored as at_handoff
        on leads.lead_id = at_handoff.lead_id
            and at_handoff.evaluated_for = 'handoff'
)

select * from final
