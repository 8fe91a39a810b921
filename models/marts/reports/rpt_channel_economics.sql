with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

leads as (
    select
        lead_id,
        channel,
        campaign_id,
        created_at,
        reached_mql_at,
        reached_opportunity_at,
        won_at
    from {{ ref('dim_leads') }}
),

campaigns as (
    select
        campaign_id,
        campaign_name,
        channel,
        start_date,
        cost
    from {{ ref('dim_campaigns') }}
),

opportunities as (
    select
        lead_id,
        amount
    from {{ ref('int_opportunities_evaluated_as_of') }}
    where is_won
        and lead_id is not null
),

-- campaigns that had started by as_of (or carry no start date)
started_campaigns as (
    select campaigns.*
    from campaigns
    cross join as_of
    where campaigns.start_date is null
        or campaigns.start_date <= {{ business_date_of('as_of.as_of_at') }}
),

won_amounts as (
    select
        lead_id,
        sum(amount) as won_amount
    from opportunities
    group by 1
),

-- attribution: the lead's campaign_id; its channel is the campaign's channel
-- (the lead's own channel when the lead has no campaign or an unknown one)
attributed_leads as (
    select
        coalesce(campaigns.channel, leads.channel) as channel,
        coalesce(leads.campaign_id, 'none') as campaign_id,
        leads.lead_id,
        leads.created_at,
        leads.reached_mql_at,
        leads.reached_opportunity_at,
        leads.won_at,
        won_amounts.won_amount
    from leads
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
    left join won_amounts
        on leads.lead_id = won_amounts.lead_id
),

lead_counts as (
    select
        channel,
        campaign_id,
        count(*) as leads,
        count(reached_mql_at) as mqls,
        count(reached_opportunity_at) as opportunities,
        count(won_at) as wins,
        sum(case when won_at is not null then won_amount end) as won_amount,
        {{ percentile_cont(days_between('created_at', 'won_at'), 0.5) }} as median_days_lead_to_won
    from attributed_leads
    group by 1, 2
),

campaign_costs as (
    select
        channel,
        campaign_id,
        max(campaign_name) as campaign_name,
        sum(cast(cost as double)) as cost
    from started_campaigns
    group by 1, 2
),

joined as (
    select
        coalesce(campaign_costs.channel, lead_counts.channel) as channel,
        coalesce(campaign_costs.campaign_id, lead_counts.campaign_id) as campaign_id,
        campaign_costs.campaign_name,
        campaign_costs.cost,
        coalesce(lead_counts.leads, 0) as leads,
        coalesce(lead_counts.mqls, 0) as mqls,
        coalesce(lead_counts.opportunities, 0) as opportunities,
        coalesce(lead_counts.wins, 0) as wins,
        coalesce(lead_counts.won_amount, 0) as won_amount,
        lead_counts.median_days_lead_to_won
    from campaign_costs
    full outer join lead_counts
        on campaign_costs.channel = lead_counts.channel
            and campaign_costs.campaign_id = lead_counts.campaign_id
),

final as (
    select
        {{ dbt.concat(["channel", "'|'", "campaign_id"]) }} as channel_campaign_id,
        channel,
        campaign_id,
        campaign_name,
        cost,
        cast(leads as bigint) as leads,
        cast(mqls as bigint) as mqls,
        cast(opportunities as bigint) as opportunities,
        cast(wins as bigint) as wins,
        cast(won_amount as double) as won_amount,
        cost / nullif(leads, 0) as cost_per_lead,
        cost / nullif(mqls, 0) as cost_per_mql,
        cost / nullif(opportunities, 0) as cost_per_opportunity,
        cost / nullif(wins, 0) as cost_per_win,
        cast(median_days_lead_to_won as double) as median_days_lead_to_won
    from joined
)

select * from final
