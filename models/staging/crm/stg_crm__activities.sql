{{
    config(
        materialized=incremental_materialization(),
        pre_hook="{{ remap_if_rules_changed() }}",
        incremental_strategy='append',
    )
}}

with

source as (
    {{ loaded_source('crm', 'activities') }}
),

activity_type_labels as (
    select distinct activity_type as raw_label from source
),

activity_types as (
    {{ select_label_mapping('activity_type_labels', 'map_activity_types', 'activity_type') }}
),

outcome_labels as (
    select distinct outcome as raw_label from source
),

activity_outcomes as (
    {{ select_label_mapping('outcome_labels', 'map_activity_outcomes', 'outcome') }}
),

renamed as (
    select
        activity_id,
        lead_id,
        user_id,
        activity_type as activity_type_label,
        lower(trim(direction)) as direction,
        outcome as outcome_label,
        duration_seconds,
        coalesce(is_automated, false) as is_automated,
        {{ to_utc_timestamp('occurred_at') }} as occurred_at,
        _load_id as load_id,
        _source_line as source_line_number

    from source
),

final as (
    select
        renamed.activity_id,
        renamed.lead_id,
        renamed.user_id,
        renamed.activity_type_label,
        coalesce(activity_types.activity_type, 'other') as activity_type,
        renamed.direction,
        renamed.outcome_label,
        case
            when renamed.outcome_label is not null
                then coalesce(activity_outcomes.outcome, 'other')
        end as outcome,
        renamed.duration_seconds,
        renamed.is_automated,
        renamed.occurred_at,
        renamed.load_id,
        renamed.source_line_number,
        {{ rules_fingerprint() }} as rules_fingerprint

    from renamed
    left join activity_types
        on renamed.activity_type_label = activity_types.raw_label
    left join activity_outcomes
        on renamed.outcome_label = activity_outcomes.raw_label
)

select * from final
