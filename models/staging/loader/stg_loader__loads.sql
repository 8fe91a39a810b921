with

source as (
    select * from {{ source('loader', '_load_audit') }}
),

final as (
    select
        _load_id as load_id,
        file_name,
        status as load_status,
        rows_read,
        rows_loaded,
        rows_quarantined,
        {{ to_utc_timestamp('loaded_at') }} as loaded_at,
        {{ to_utc_timestamp('exported_at') }} as exported_at

    from source
)

select * from final
