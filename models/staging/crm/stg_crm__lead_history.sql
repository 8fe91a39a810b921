{{
    config(
        materialized=incremental_materialization(),
        pre_hook="{{ remap_if_rules_changed() }}",
        incremental_strategy='append',
    )
}}

with

source as (
    {{ loaded_source('crm', 'lead_history') }}
),

status_labels as (
    select new_value as raw_label from source
    where lower(trim(field)) = 'status'
    union
    select old_value as raw_label from source
    where lower(trim(field)) = 'status'
),

lead_statuses as (
    {{ select_label_mapping('status_labels', 'map_lead_statuses', 'stage') }}
),

renamed as (
    select
        coalesce(
            history_id,
            {{ dbt.hash(dbt.concat([
                "lead_id", "'|'", dbt.safe_cast("changed_at", api.Column.translate_type("string")),
                "'|'", "field", "'|'", "coalesce(new_value, '')",
            ])) }}
        ) as history_id,
        history_id is null as is_history_id_derived,
        lead_id,
        lower(trim(field)) as changed_field,
        old_value,
        new_value,
        reason,
        {{ to_utc_timestamp('changed_at') }} as changed_at,

        -- export order, to keep changes at the same instant in file order
        _load_id as load_id,
        _source_line as source_line_number

    from source
),

final as (
    select
        renamed.history_id,
        renamed.is_history_id_derived,
        renamed.lead_id,
        renamed.changed_field,
        renamed.old_value,
        renamed.new_value,
        case
            when renamed.changed_field = 'status' and renamed.old_value is not null
                then coalesce(old_statuses.stage, 'unknown')
        end as old_stage,
        case
            when renamed.changed_field = 'status' and renamed.new_value is not null
                then coalesce(new_statuses.stage, 'unknown')
        end as new_stage,
        renamed.reason,
        renamed.changed_at,
        renamed.load_id,
        renamed.source_line_number,
        {{ rules_fingerprint() }} as rules_fingerprint

    from renamed
    left join lead_statuses as new_statuses
        on renamed.new_value = new_statuses.raw_label
    left join lead_statuses as old_statuses
        on renamed.old_value = old_statuses.raw_label
)

select * from final
