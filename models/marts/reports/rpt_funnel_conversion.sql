with

leads as (
    select * from {{ ref('dim_leads') }}
),

cohorts as (
    select
        leads.lead_id,
        cast({{ dbt.date_trunc('month', to_business_time('leads.created_at')) }} as date) as cohort_month,
        leads.channel,
        leads.lead_source,
        leads.current_owner_id as rep_id,
        leads.current_owner_team as team_name,
        leads.industry,
        leads.company_size_band,
        leads.job_level,
        leads.created_at,
        leads.reached_mql_at,
        leads.reached_sal_at,
        leads.reached_sql_at,
        leads.reached_opportunity_at,
        leads.won_at
    from leads
),

aggregated as (
    select
        cohorts.cohort_month,
        breakdowns.breakdown,
        {{ breakdown_value('cohorts') }} as breakdown_value,
        count(*) as leads,
        count(cohorts.reached_mql_at) as mql,
        count(cohorts.reached_sal_at) as sal,
        count(cohorts.reached_sql_at) as sql,
        count(cohorts.reached_opportunity_at) as opportunities,
        count(cohorts.won_at) as won,
        {{ percentile_cont(days_between('cohorts.created_at', 'cohorts.reached_mql_at'), 0.5) }}
            as median_days_lead_to_mql,
        {{ percentile_cont(days_between('cohorts.reached_mql_at', 'cohorts.reached_sal_at'), 0.5) }}
            as median_days_mql_to_sal,
        {{ percentile_cont(days_between('cohorts.reached_sal_at', 'cohorts.reached_sql_at'), 0.5) }}
            as median_days_sal_to_sql,
        {{ percentile_cont(days_between('cohorts.reached_sql_at', 'cohorts.reached_opportunity_at'), 0.5) }}
            as median_days_sql_to_opportunity,
        {{ percentile_cont(days_between('cohorts.reached_opportunity_at', 'cohorts.won_at'), 0.5) }}
            as median_days_opportunity_to_won
    from cohorts
    cross join {{ breakdowns_relation() }} as breakdowns
    group by 1, 2, 3
),

final as (
    select
        cohort_month,
        breakdown,
        breakdown_value,
        leads,
        mql,
        sal,
        sql,
        opportunities,
        won,
        {{ safe_rate('mql', 'leads') }} as lead_to_mql_rate,
        {{ safe_rate('sal', 'mql') }} as mql_to_sal_rate,
        {{ safe_rate('sql', 'sal') }} as sal_to_sql_rate,
        {{ safe_rate('opportunities', 'sql') }} as sql_to_opportunity_rate,
        {{ safe_rate('won', 'opportunities') }} as opportunity_to_won_rate,
        {{ safe_rate('opportunities', 'leads') }} as lead_to_opportunity_rate,
        {{ safe_rate('won', 'leads') }} as lead_to_won_rate,
        median_days_lead_to_mql,
        median_days_mql_to_sal,
        median_days_sal_to_sql,
        median_days_sql_to_opportunity,
        median_days_opportunity_to_won
    from aggregated
)

select * from final
