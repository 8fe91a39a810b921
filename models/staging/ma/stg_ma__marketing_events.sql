{{
    config(
        materialized=incremental_materialization(),
        pre_hook="{{ remap_if_rules_changed() }}",
        incremental_strategy='append',
    )
}}

with

source as (
    {{ loaded_source('ma', 'marketing_events') }}
),

event_type_labels as (
    select distinct event_type as raw_label from source
),

event_types as (
    {{ select_label_mapping('event_type_labels', 'map_event_types', 'event_type') }}
),

renamed as (
    select
        event_id,
        lead_id,
        event_type as event_type_label,
        asset,
        campaign_id,
        {{ to_utc_timestamp('occurred_at') }} as occurred_at,
        _load_id as load_id,
        _source_line as source_line_number

    from source
),

final as (
    select
        renamed.event_id,
        renamed.lead_id,
        renamed.event_type_label,
        coalesce(event_types.event_type, 'other') as event_type,
        renamed.asset,
        renamed.campaign_id,
        renamed.occurred_at,
        renamed.load_id,
        renamed.source_line_number,
        {{ rules_fingerprint() }} as rules_fingerprint

    from renamed
    left join event_types
        on renamed.event_type_label = event_types.raw_label
)

select * from final
