with

campaigns as (
    select * from {{ ref('stg_crm__campaigns') }}
),

final as (
    select
        campaign_id,
        campaign_name,
        channel,
        channel_label,
        start_date,
        end_date,
        cost,
        currency
    from campaigns
)

select * from final
