with

returns as (
    select * from {{ ref('int_lead_returns_joined_to_reasons') }}
    where is_first_return_after_handoff
),

reps as (
    select
        rep_id,
        team
    from {{ ref('dim_reps') }}
),

returned as (
    select
        cast({{ dbt.date_trunc('month', to_business_time('returns.returned_at')) }} as date) as period_month,
        returns.handoff_rep_id as rep_id,
        reps.team,
        returns.return_stage,
        returns.sales_touches_before_return,
        returns.sales_touches_before_return < {{ var('min_attempts_before_disqualify') }} as is_under_attempted
    from returns
    left join reps
        on returns.handoff_rep_id = reps.rep_id
),

aggregated as (
    select
        period_month,
        rep_id,
        team,
        count(*) as returned_leads,
        cast(sum(case when return_stage = 'rejected' then 1 else 0 end) as bigint) as rejected_leads,
        cast(sum(case when return_stage = 'disqualified' then 1 else 0 end) as bigint) as disqualified_leads,
        cast(sum(case when is_under_attempted then 1 else 0 end) as bigint) as under_attempted_leads,
        cast(sum(case when sales_touches_before_return = 0 then 1 else 0 end) as bigint) as untouched_returned_leads,
        avg(cast(sales_touches_before_return as double)) as average_touches_before_return
    from returned
    group by 1, 2, 3
),

final as (
    select
        {{ dbt.concat(["cast(period_month as " ~ dbt.type_string() ~ ")", "'|'", "rep_id"]) }} as rep_month_id,
        period_month,
        rep_id,
        team,
        cast({{ var('min_attempts_before_disqualify') }} as integer) as min_attempts_before_disqualify,
        cast(returned_leads as bigint) as returned_leads,
        rejected_leads,
        disqualified_leads,
        under_attempted_leads,
        {{ safe_rate('under_attempted_leads', 'returned_leads') }} as under_attempted_share,
        untouched_returned_leads,
        average_touches_before_return
    from aggregated
)

select * from final
