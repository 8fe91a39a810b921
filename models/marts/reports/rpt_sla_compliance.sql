with

sla_statuses as (
    select * from {{ ref('fct_sla_lead_status') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

clocks as (
    select
        sla_statuses.lead_id,
        sla_statuses.policy_name,
        cast({{ dbt.date_trunc('week', to_business_time('sla_statuses.clock_started_at')) }} as date) as period_week,
        sla_statuses.sla_status,
        case when sla_statuses.stopped_at is not null then sla_statuses.elapsed_business_hours end as stopped_business_hours,
        leads.channel,
        leads.lead_source,
        leads.handoff_rep_id as rep_id,
        leads.handoff_team as team_name,
        leads.industry,
        leads.company_size_band,
        leads.job_level
    from sla_statuses
    inner join leads
        on sla_statuses.lead_id = leads.lead_id
),

aggregated as (
    select
        clocks.period_week,
        clocks.policy_name,
        breakdowns.breakdown,
        {{ breakdown_value('clocks') }} as breakdown_value,
        cast(sum(case when clocks.sla_status = 'met' then 1 else 0 end) as bigint) as met,
        cast(sum(case when clocks.sla_status = 'breached' then 1 else 0 end) as bigint) as breached,
        cast(sum(case when clocks.sla_status = 'pending' then 1 else 0 end) as bigint) as pending,
        {{ percentile_cont('clocks.stopped_business_hours', 0.5) }} as median_business_hours,
        {{ percentile_cont('clocks.stopped_business_hours', 0.9) }} as p90_business_hours
    from clocks
    cross join {{ breakdowns_relation() }} as breakdowns
    group by 1, 2, 3, 4
),

final as (
    select
        period_week,
        policy_name,
        breakdown,
        breakdown_value,
        met,
        breached,
        pending,
        {{ safe_rate('met', 'met + breached') }} as compliance_rate,
        median_business_hours,
        p90_business_hours
    from aggregated
)

select * from final
