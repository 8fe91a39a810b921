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

per_asset as (
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

-- asset 'all': every lead that downloaded anything, once. It took a next step
-- when it did within the window of any of its downloads (the days counted
-- from the nearest such download); else it is pending while a window is
-- still open; else it took none.
per_lead as (
    select
        downloads.lead_id,
        leads.channel,
        case
            when max(case when downloads.next_action_status = 'next_action' then 1 else 0 end) = 1
                then 'next_action'
            when max(case when downloads.next_action_status = 'pending' then 1 else 0 end) = 1
                then 'pending'
            else 'no_next_action'
        end as next_action_status,
        min(downloads.downloaded_at) as first_downloaded_at,
        max(downloads.downloaded_at) as last_downloaded_at,
        min(
            case
                when downloads.next_action_status = 'next_action'
                    then {{ days_between('downloads.downloaded_at', 'downloads.next_action_at') }}
            end
        ) as days_to_next_action
    from downloads
    inner join leads
        on downloads.lead_id = leads.lead_id
    group by 1, 2
),

per_lead_by_channel as (
    select
        lead_id,
        channel,
        next_action_status,
        first_downloaded_at,
        last_downloaded_at,
        days_to_next_action
    from per_lead
    union all
    select
        lead_id,
        'all' as channel,
        next_action_status,
        first_downloaded_at,
        last_downloaded_at,
        days_to_next_action
    from per_lead
),

all_assets as (
    select
        'all' as asset,
        channel,
        count(*) as downloaded_leads,
        cast(sum(case when next_action_status = 'next_action' then 1 else 0 end) as bigint) as next_action_leads,
        cast(sum(case when next_action_status = 'no_next_action' then 1 else 0 end) as bigint) as no_next_action_leads,
        cast(sum(case when next_action_status = 'pending' then 1 else 0 end) as bigint) as pending_leads,
        min(first_downloaded_at) as first_downloaded_at,
        max(last_downloaded_at) as last_downloaded_at,
        {{ percentile_cont('days_to_next_action', 0.5) }} as median_days_to_next_action
    from per_lead_by_channel
    group by 1, 2
),

aggregated as (
    select * from per_asset
    union all
    select * from all_assets
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
