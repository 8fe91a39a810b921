{{ config(enabled=target.type != 'spark') }}

with

versions as (
    select
        lead_id,
        status,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        -- dbt writes snapshot times as UTC timestamps (the session time zone)
        cast(dbt_valid_from as timestamp) as valid_from,
        _load_id as load_id
    from {{ ref('snap_crm__lead_statuses') }}
    where dbt_valid_to is not null
),

status_labels as (
    select distinct status as raw_label from versions
),

lead_statuses as (
    {{ select_label_mapping('status_labels', 'map_lead_statuses', 'stage') }}
),

final as (
    select
        versions.lead_id,
        versions.status as status_label,
        case
            when versions.status is not null
                then coalesce(lead_statuses.stage, 'unknown')
        end as stage,
        -- the CRM's last modification of that version: when the status was
        -- set at the latest (the load time when the export has no updated_at)
        coalesce(versions.updated_at, versions.valid_from) as observed_at,
        versions.valid_from,
        versions.load_id
    from versions
    left join lead_statuses
        on versions.status = lead_statuses.raw_label
)

select * from final
