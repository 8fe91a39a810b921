with

leads as (
    select * from {{ ref('dim_leads') }}
),

score_thresholds as (
    select * from {{ ref('int_lead_score_thresholds_crossed') }}
),

crossings as (
    select
        cast({{ dbt.date_trunc('month', to_business_time('score_thresholds.score_mql_at')) }} as date) as period_month,
        'score_mql' as crossing,
        score_thresholds.lead_id
    from score_thresholds
    where score_thresholds.score_mql_at is not null
    union all
    select
        cast({{ dbt.date_trunc('month', to_business_time('score_thresholds.what_if_score_mql_at')) }} as date) as period_month,
        'what_if_score_mql' as crossing,
        score_thresholds.lead_id
    from score_thresholds
    where score_thresholds.what_if_score_mql_at is not null
    union all
    select
        cast({{ dbt.date_trunc('month', to_business_time('leads.reached_mql_at')) }} as date) as period_month,
        'status_mql' as crossing,
        leads.lead_id
    from leads
    where leads.reached_mql_at is not null
),

final as (
    select
        period_month,
        {{ var('mql_score_threshold') }} as mql_score_threshold,
        cast(sum(case when crossing = 'score_mql' then 1 else 0 end) as bigint) as score_mqls,
        {{ var('what_if_mql_score_threshold') }} as what_if_mql_score_threshold,
        cast(sum(case when crossing = 'what_if_score_mql' then 1 else 0 end) as bigint) as what_if_score_mqls,
        cast(sum(case when crossing = 'status_mql' then 1 else 0 end) as bigint) as status_mqls
    from crossings
    group by period_month
)

select * from final
