with

source as (
    select * from {{ source('crm', 'opportunities') }}
),

-- the stage labels mapped with the lead statuses' seed (受注 -> won,
-- 失注 -> lost): the outcome of an export without is_won / is_closed
stage_labels as (
    select distinct stage as raw_label from source
),

stages as (
    {{ select_label_mapping('stage_labels', 'map_lead_statuses', 'stage') }}
),

outcomes as (
    select
        source.*,
        coalesce(source.is_won, stages.stage = 'won', false) as is_won_or_stage_won,
        coalesce(source.is_closed, stages.stage in ('won', 'lost'), false) as is_closed_or_stage_closed
    from source
    left join stages
        on source.stage = stages.raw_label
),

final as (
    select
        opportunity_id,
        lead_id,
        owner_id,
        stage as stage_label,
        amount,
        coalesce(upper(trim(currency)), 'JPY') as currency,
        is_closed_or_stage_closed or is_won_or_stage_won as is_closed,
        is_won_or_stage_won as is_won,
        close_date,
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        _load_id as load_id

    from outcomes
)

select * from final
