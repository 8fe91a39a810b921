{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql), on the
    same inputs as int_lead_stage_entries.
-#}

{%- set inputs = stage_event_inputs() %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

stage_entries as (
    select
        lead_id,
        entered_at,
        stage_order
    from {{ ref('int_lead_stage_entries') }}
    {{- incremental_lead_filter('lead_id') }}
),

stage_orders as (
    select
        max(case when stage = 'mql' then stage_order end) as mql_order,
        max(case when stage = 'sal' then stage_order end) as sal_order,
        max(case when stage = 'sql' then stage_order end) as sql_order,
        max(case when stage = 'opportunity' then stage_order end) as opportunity_order,
        max(case when stage = 'won' then stage_order end) as won_order
    from {{ ref('lifecycle_stages') }}
),

reached as (
    select
        stage_entries.lead_id,
        min(case when stage_entries.stage_order >= stage_orders.mql_order then stage_entries.entered_at end) as reached_mql_at,
        min(case when stage_entries.stage_order >= stage_orders.sal_order then stage_entries.entered_at end) as reached_sal_at,
        min(case when stage_entries.stage_order >= stage_orders.sql_order then stage_entries.entered_at end) as reached_sql_at,
        min(case when stage_entries.stage_order >= stage_orders.opportunity_order then stage_entries.entered_at end)
            as reached_opportunity_at,
        min(case when stage_entries.stage_order >= stage_orders.won_order then stage_entries.entered_at end) as won_at
    from stage_entries
    cross join stage_orders
    group by stage_entries.lead_id
),

final as (
    select
        reached.*,
        {{ incremental_bookkeeping_columns(inputs) }}
    from reached
)

select * from final
