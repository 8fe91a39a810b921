with

leads as (
    select * from {{ ref('dim_leads') }}
    where handed_off_at is not null
),

handed_off as (
    select
        leads.lead_id,
        cast({{ dbt.date_trunc('month', to_business_time('leads.handed_off_at')) }} as date) as period_month,
        leads.ignore_status,
        leads.acceptance_status,
        leads.channel,
        leads.lead_source,
        leads.handoff_rep_id as rep_id,
        leads.handoff_team as team_name,
        leads.industry,
        leads.company_size_band,
        leads.job_level
    from leads
),

aggregated as (
    select
        handed_off.period_month,
        breakdowns.breakdown,
        {{ breakdown_value('handed_off') }} as breakdown_value,
        count(*) as handed_off_leads,
        cast(sum(case when handed_off.ignore_status = 'touched' then 1 else 0 end) as bigint) as touched_leads,
        cast(sum(case when handed_off.ignore_status = 'ignored' then 1 else 0 end) as bigint) as ignored_leads,
        cast(sum(case when handed_off.ignore_status = 'pending' then 1 else 0 end) as bigint) as pending_leads,
        cast(sum(case when handed_off.acceptance_status = 'accepted' then 1 else 0 end) as bigint) as sal_leads,
        cast(sum(case when handed_off.acceptance_status = 'rejected' then 1 else 0 end) as bigint) as rejected_leads
    from handed_off
    cross join {{ breakdowns_relation() }} as breakdowns
    group by 1, 2, 3
),

final as (
    select
        period_month,
        breakdown,
        breakdown_value,
        handed_off_leads,
        touched_leads,
        ignored_leads,
        pending_leads,
        {{ safe_rate('ignored_leads', 'ignored_leads + touched_leads') }} as ignore_rate,
        sal_leads,
        rejected_leads,
        sal_leads + rejected_leads as acceptance_decided_leads,
        {{ safe_rate('sal_leads', 'sal_leads + rejected_leads') }} as sal_rate
    from aggregated
)

select * from final
