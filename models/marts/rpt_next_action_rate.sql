with

downloads as (
    select
        lead_id,
        asset,
        downloaded_at,
        next_action_at,
        next_action_status
    from {{ ref('int_content_downloads_joined_to_next_actions') }}
),

leads as (
    select
        lead_id,
        channel
    from {{ ref('dim_leads') }}
),

aggregated as (
    select
        downloads.asset,
        leads.channel,
        count(*) as downloaded_leads,
        cast(sum(case when downloads.next_action_status = 'next_action' then 1 else 0 end) as bigint) as next_action_leads,
        cast(sum(case when downloads.next_action_status = 'no_next_action' then 1 else 0 end) as bigint) as no_next_action_leads,
        cast(sum(case when downloads.next_action_status = 'pending' then 1 else 0 end) as bigint) as pending_leads,
        min(downloads.downloaded_at) as first_downloaded_at,
        max(downloads.downloaded_at) as last_downloaded_at,
        {{ percentile_cont(days_between('downloads.downloaded_at', 'downloads.next_action_at'), 0.5) }}
            as median_days_to_next_action
    from downloads
    inner join leads
        on downloads.lead_id = leads.lead_id
    group by 1, 2
),

final as (
    select
        {{ dbt.concat(["asset", "'|'", "channel"]) }} as asset_channel_id,
        asset,
        channel,
        cast(downloaded_leads as bigint) as downloaded_leads,
        next_action_leads,
        no_next_action_leads,
        pending_leads,
        {{ safe_rate('next_action_leads', 'next_action_leads + no_next_action_leads') }} as next_action_rate,
        cast(median_days_to_next_action as double) as median_days_to_next_action,
        first_downloaded_at,
        last_downloaded_at
    from aggregated
)

select * from final
