with

leads as (
    select * from {{ ref('dim_leads') }}
    where reached_sql_at is not null
),

sql_leads as (
    select
        leads.lead_id,
        leads.handoff_rep_id as rep_id,
        leads.handoff_team as team_name,
        coalesce(leads.is_budget_confirmed, false) as is_budget_confirmed,
        coalesce(leads.is_authority_confirmed, false) as is_authority_confirmed,
        coalesce(leads.is_need_confirmed, false) as is_need_confirmed,
        leads.timeframe_months is not null as is_timeframe_confirmed
    from leads
),

breakdowns as (
    select
        'overall' as breakdown,
        'all' as breakdown_value,
        sql_leads.*
    from sql_leads
    union all
    select
        'rep' as breakdown,
        coalesce(sql_leads.rep_id, 'unknown') as breakdown_value,
        sql_leads.*
    from sql_leads
    union all
    select
        'team' as breakdown,
        coalesce(sql_leads.team_name, 'unknown') as breakdown_value,
        sql_leads.*
    from sql_leads
),

aggregated as (
    select
        breakdown,
        breakdown_value,
        count(*) as sql_leads,
        cast(sum(case when is_budget_confirmed then 1 else 0 end) as bigint) as budget_confirmed,
        cast(sum(case when is_authority_confirmed then 1 else 0 end) as bigint) as authority_confirmed,
        cast(sum(case when is_need_confirmed then 1 else 0 end) as bigint) as need_confirmed,
        cast(sum(case when is_timeframe_confirmed then 1 else 0 end) as bigint) as timeframe_confirmed,
        cast(sum(
            case
                when is_budget_confirmed and is_authority_confirmed and is_need_confirmed and is_timeframe_confirmed
                    then 1
                else 0
            end
        ) as bigint) as bant_complete
    from breakdowns
    group by 1, 2
),

final as (
    select
        breakdown,
        breakdown_value,
        sql_leads,
        budget_confirmed,
        authority_confirmed,
        need_confirmed,
        timeframe_confirmed,
        bant_complete,
        {{ safe_rate('budget_confirmed', 'sql_leads') }} as budget_confirmed_rate,
        {{ safe_rate('authority_confirmed', 'sql_leads') }} as authority_confirmed_rate,
        {{ safe_rate('need_confirmed', 'sql_leads') }} as need_confirmed_rate,
        {{ safe_rate('timeframe_confirmed', 'sql_leads') }} as timeframe_confirmed_rate,
        {{ safe_rate('bant_complete', 'sql_leads') }} as bant_complete_rate
    from aggregated
)

select * from final
