with

source as (
    select * from {{ source('crm', 'opportunities') }}
),

final as (
    select
        opportunity_id,
        lead_id,
        owner_id,
        stage as stage_label,
        amount,
        coalesce(upper(trim(currency)), 'JPY') as currency,
        coalesce(is_closed, false) or coalesce(is_won, false) as is_closed,
        coalesce(is_won, false) as is_won,
        close_date,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        _load_id as load_id

    from source
)

select * from final
