with

source as (
    select * from {{ source('crm', 'activities') }}
),

activity_types as (
    {{ select_label_mapping('map_activity_types', 'activity_type') }}
),

activity_outcomes as (
    {{ select_label_mapping('map_activity_outcomes', 'outcome') }}
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
        _source_line as source_line_number,

        {{ normalize_label('activity_type') }} as activity_type_key,
        {{ normalize_label('outcome') }} as outcome_key

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
        renamed.source_line_number

    from renamed
    left join activity_types
        on renamed.activity_type_key = activity_types.label_key
    left join activity_outcomes
        on renamed.outcome_key = activity_outcomes.label_key
)

select * from final
