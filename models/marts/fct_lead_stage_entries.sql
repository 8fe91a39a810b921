with

entries as (
    select * from {{ ref('int_lead_stage_entries') }}
),

final as (
    select
        lead_id || '|' || stage || '|' || cast(entry_number as {{ dbt.type_string() }}) as stage_entry_id,
        lead_id,
        stage,
        entered_at,
        cast(entry_number as bigint) as entry_number,
        cast(cycle_number as bigint) as cycle_number,
        entry_source,
        is_implied
    from entries
)

select * from final
