{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes every lead with new events or a new version of its lead row
    (attributes).
-#}

{%- set inputs = [
    {'model': 'stg_ma__marketing_events', 'time_column': 'occurred_at'},
    {'model': 'stg_crm__leads'},
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

leads as (
    select
        lead_id,
        created_at
    from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

attribute_scores as (
    select * from {{ ref('int_lead_attributes_scored') }}
),

-- behaviour_points_running counts every event of its instant, so a sum
-- partway through an instant is never taken for a score
behaviour_events as (
    select
        lead_id,
        occurred_at,
        behaviour_points_running
    from {{ ref('int_marketing_events_scored') }}
    {{- incremental_lead_filter('lead_id') }}
),

scored_instants as (
    select
        leads.lead_id,
        leads.created_at as scored_at,
        attribute_scores.attribute_score as score
    from leads
    inner join attribute_scores
        on leads.lead_id = attribute_scores.lead_id
    cross join as_of
    where leads.created_at <= as_of.as_of_at
    union all
    select
        behaviour_events.lead_id,
        behaviour_events.occurred_at as scored_at,
        greatest(behaviour_events.behaviour_points_running, 0) + attribute_scores.attribute_score as score
    from behaviour_events
    inner join attribute_scores
        on behaviour_events.lead_id = attribute_scores.lead_id
),

thresholds as (
    select
        lead_id,
        min(case when score >= {{ var('mql_score_threshold') }} then scored_at end) as score_mql_at,
        min(case when score >= {{ var('what_if_mql_score_threshold') }} then scored_at end) as what_if_score_mql_at,
        max(score) as max_score
    from scored_instants
    group by lead_id
),

final as (
    select
        thresholds.*,
        {{ incremental_bookkeeping_columns(inputs) }}
    from thresholds
)

select * from final
