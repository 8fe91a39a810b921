with

returns as (
    select
        lead_id,
        return_stage,
        returned_at,
        reason,
        is_after_handoff
    from {{ ref('int_lead_returns_joined_to_reasons') }}
),

leads as (
    select
        lead_id,
        channel,
        campaign_id
    from {{ ref('dim_leads') }}
),

campaigns as (
    select
        campaign_id,
        campaign_name
    from {{ ref('dim_campaigns') }}
),

returned as (
    select
        cast({{ dbt.date_trunc('month', to_business_time('returns.returned_at')) }} as date) as period_month,
        leads.channel,
        coalesce(leads.campaign_id, 'none') as campaign_id,
        campaigns.campaign_name,
        returns.return_stage,
        returns.reason,
        returns.lead_id,
        returns.is_after_handoff
    from returns
    inner join leads
        on returns.lead_id = leads.lead_id
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
),

aggregated as (
    select
        period_month,
        channel,
        campaign_id,
        campaign_name,
        return_stage,
        reason,
        count(distinct lead_id) as returned_leads,
        count(distinct case when is_after_handoff then lead_id end) as returned_after_handoff_leads
    from returned
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select
        {{ dbt.concat([
            "cast(period_month as " ~ dbt.type_string() ~ ")", "'|'", "channel", "'|'", "campaign_id",
            "'|'", "return_stage", "'|'", "reason",
        ]) }} as rejection_reason_id,
        period_month,
        channel,
        campaign_id,
        campaign_name,
        return_stage,
        reason,
        cast(returned_leads as bigint) as returned_leads,
        cast(returned_after_handoff_leads as bigint) as returned_after_handoff_leads,
        cast(returned_leads as double)
        / sum(returned_leads) over (partition by period_month, channel, campaign_id) as reason_share
    from aggregated
)

select * from final
