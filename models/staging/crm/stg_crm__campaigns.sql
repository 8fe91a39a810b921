with

source as (
    select * from {{ source('crm', 'campaigns') }}
),

channel_labels as (
    select distinct channel as raw_label from source
),

lead_sources as (
    {{ select_label_mapping('channel_labels', 'map_lead_sources', 'channel') }}
),

renamed as (
    select
        campaign_id,
        name as campaign_name,
        channel as channel_label,
        started_at as start_date,
        ended_at as end_date,
        cost,
        coalesce(upper(trim(currency)), 'JPY') as currency

    from source
),

final as (
    select
        renamed.campaign_id,
        renamed.campaign_name,
        renamed.channel_label,
        coalesce(lead_sources.channel, 'other') as channel,
        renamed.start_date,
        renamed.end_date,
        renamed.cost,
        renamed.currency

    from renamed
    left join lead_sources
        on renamed.channel_label = lead_sources.raw_label
)

select * from final
