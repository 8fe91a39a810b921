{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the clocks of every lead with a new row of any kind (the
    temperature at handoff reads marketing events, stops read activities and
    opportunities, the starts read history).
-#}

{%- set inputs = all_lead_inputs() %}

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

policies as (
    select * from {{ ref('sla_policies') }}
),

handoffs as (
    select
        lead_id,
        handed_off_at
    from {{ ref('int_lead_handoffs_detected') }}
    {{- incremental_lead_filter('lead_id') }}
),

scores as (
    select
        lead_id,
        temperature_at_handoff
    from {{ ref('int_lead_scores_evaluated') }}
    {{- incremental_lead_filter('lead_id') }}
),

first_sql_entries as (
    select
        lead_id,
        reached_sql_at
    from {{ ref('int_lead_stages_reached') }}
    where reached_sql_at is not null
    {{- incremental_lead_filter('lead_id', 'and') }}
),

sales_touches as (
    select
        lead_id,
        'first_sales_touch' as stop_event,
        occurred_at as stop_at
    from {{ ref('int_sales_touches_identified') }}
    {{- incremental_lead_filter('lead_id') }}
),

opportunities as (
    select
        lead_id,
        'opportunity_or_meeting' as stop_event,
        created_at as stop_at
    from {{ ref('stg_crm__opportunities') }}
    where lead_id is not null
    {{- incremental_lead_filter('lead_id', 'and') }}
),

meetings as (
    select
        lead_id,
        'opportunity_or_meeting' as stop_event,
        occurred_at as stop_at
    from {{ ref('stg_crm__activities') }}
    where activity_type in {{ sql_list(var('meeting_activity_types')) }}
    {{- incremental_lead_filter('lead_id', 'and') }}
),

stop_events as (
    select * from sales_touches
    union all
    select * from opportunities
    union all
    select * from meetings
),

handoff_clocks as (
    select
        handoffs.lead_id,
        policies.policy_name,
        policies.stop_event,
        policies.target_business_hours,
        handoffs.handed_off_at as started_at
    from handoffs
    left join scores
        on handoffs.lead_id = scores.lead_id
    inner join policies
        on
            policies.start_event = 'handoff'
            and (
                policies.applies_to = 'all_handed_off'
                or (policies.applies_to = 'hot_or_fast_track' and scores.temperature_at_handoff = 'hot')
                or (policies.applies_to = 'not_hot' and coalesce(scores.temperature_at_handoff, 'cold') <> 'hot')
            )
),

sql_clocks as (
    select
        first_sql_entries.lead_id,
        policies.policy_name,
        policies.stop_event,
        policies.target_business_hours,
        first_sql_entries.reached_sql_at as started_at
    from first_sql_entries
    inner join policies
        on
            policies.start_event = 'first_sql_entry'
            and policies.applies_to = 'reached_sql'
),

clocks as (
    select * from handoff_clocks
    union all
    select * from sql_clocks
),

stops as (
    select
        clocks.lead_id,
        clocks.policy_name,
        min(stop_events.stop_at) as stopped_at
    from clocks
    inner join stop_events
        on
            clocks.lead_id = stop_events.lead_id
            and clocks.stop_event = stop_events.stop_event
            and clocks.started_at <= stop_events.stop_at
    cross join as_of
    where stop_events.stop_at <= as_of.as_of_at
    group by
        clocks.lead_id,
        clocks.policy_name
),

final as (
    select
        clocks.lead_id,
        clocks.policy_name,
        clocks.target_business_hours,
        clocks.started_at,
        stops.stopped_at,
        {{ incremental_bookkeeping_columns(inputs) }}
    from clocks
    left join stops
        on
            clocks.lead_id = stops.lead_id
            and clocks.policy_name = stops.policy_name
)

select * from final
