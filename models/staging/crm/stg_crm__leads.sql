{#-
    Incremental (delete+insert by lead): the loader keeps one row per lead in
    raw leads, replaced by each newer version (entity upsert), so the rows of
    loads newer than the newest here are exactly the leads added or changed
    since the last build. After a change of the rule seeds or vars, every
    lead again (remap_if_rules_changed).
-#}

{{
    config(
        materialized=incremental_materialization(),
        pre_hook="{{ remap_if_rules_changed() }}",
        incremental_strategy='delete+insert',
        unique_key='lead_id',
    )
}}

with

source as (
    select * from {{ source('crm', 'leads') }}
    {%- if is_incremental_run() %}
    where _load_id > {{ newest_load_in_this() }}
    {%- endif %}
),

status_labels as (
    select distinct status as raw_label from source
),

lead_statuses as (
    {{ select_label_mapping('status_labels', 'map_lead_statuses', 'stage') }}
),

lead_source_labels as (
    select distinct lead_source as raw_label from source
),

lead_sources as (
    {{ select_label_mapping('lead_source_labels', 'map_lead_sources', 'channel') }}
),

job_level_labels as (
    select distinct job_level as raw_label from source
),

job_levels as (
    {{ select_label_mapping('job_level_labels', 'map_job_levels', 'job_level') }}
),

renamed as (
    select
        -- ids
        lead_id,
        campaign_id,
        owner_id,

        -- personal data: hashed, never passed on in the clear
        {{ hash_pii('email') }} as email_hash,
        {{ hash_pii('phone', kind='phone') }} as phone_hash,

        -- company and person
        company_name,
        industry,
        employee_count,
        job_title,
        job_level as job_level_label,
        country,
        region,

        -- source and status as exported
        lead_source,
        status as status_label,

        -- BANT and consent
        budget_confirmed as is_budget_confirmed,
        authority_confirmed as is_authority_confirmed,
        need_confirmed as is_need_confirmed,
        timeframe_months,
        coalesce(is_opted_out, false) as is_opted_out,

        -- timestamps (UTC)
        {{ to_utc_timestamp('created_at') }} as created_at,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ to_utc_timestamp('_loaded_at') }} as loaded_at,
        _load_id as load_id

    from source
),

final as (
    select
        renamed.lead_id,
        renamed.campaign_id,
        renamed.owner_id,
        renamed.email_hash,
        renamed.phone_hash,
        renamed.company_name,
        renamed.industry,
        renamed.employee_count,
        renamed.job_title,
        renamed.job_level_label,
        coalesce(job_levels.job_level, 'unknown') as job_level,
        renamed.country,
        renamed.region,
        renamed.lead_source,
        coalesce(lead_sources.channel, 'other') as channel,
        renamed.status_label,
        case
            when renamed.status_label is not null
                then coalesce(lead_statuses.stage, 'unknown')
        end as current_stage,
        renamed.is_budget_confirmed,
        renamed.is_authority_confirmed,
        renamed.is_need_confirmed,
        renamed.timeframe_months,
        renamed.is_opted_out,
        renamed.created_at,
        renamed.updated_at,
        renamed.loaded_at,
        renamed.load_id,
        {{ rules_fingerprint() }} as rules_fingerprint

    from renamed
    left join lead_statuses
        on renamed.status_label = lead_statuses.raw_label
    left join lead_sources
        on renamed.lead_source = lead_sources.raw_label
    left join job_levels
        on renamed.job_level_label = job_levels.raw_label
)

select * from final
