{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes every lead with new lead, history or opportunity rows.
-#}

{%- set inputs = stage_event_inputs() %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

stages as (
    select
        stage,
        is_side_exit
    from {{ ref('lifecycle_stages') }}
),

leads as (
    select
        lead_id,
        current_stage,
        created_at,
        updated_at
    from {{ ref('stg_crm__leads') }}
    {{- incremental_lead_filter('lead_id') }}
),

status_changes as (
    select
        lead_id,
        history_id,
        is_history_id_derived,
        old_stage,
        new_stage,
        changed_at,
        load_id,
        source_line_number,
        row_number() over (
            partition by lead_id
            order by {{ history_change_order() }}
        ) as change_number
    from {{ ref('stg_crm__lead_history') }}
    where changed_field = 'status'
    {{- incremental_lead_filter('lead_id', 'and') }}
),

opportunities as (
    select
        opportunity_id,
        lead_id,
        created_at,
        is_won,
        -- won at closed_at, else the start of close_date (business time zone), else created_at
        case
            when is_won
                then coalesce(
                        closed_at,
                        case
                            when close_date is not null
                                then {{ from_business_time('cast(close_date as timestamp)') }}
                        end,
                        created_at
                    )
        end as won_at
    from {{ ref('stg_crm__opportunities') }}
    where lead_id is not null
        -- an opportunity created after as_of does not exist yet, nor does its win
        and created_at <= (select as_of.as_of_at from as_of)
    {{- incremental_lead_filter('lead_id', 'and') }}
),

history_summary as (
    select
        lead_id,
        max(case when change_number = 1 then old_stage end) as initial_stage,
        max(changed_at) as last_changed_at
    from status_changes
    group by lead_id
),

last_known_stage as (
    select
        lead_id,
        new_stage as last_history_stage
    from (
        select
            lead_id,
            new_stage,
            row_number() over (partition by lead_id order by change_number desc) as recency
        from status_changes
        where new_stage is not null and new_stage <> 'unknown'
    ) as known_changes
    where recency = 1
),

-- Leads without any status history: the statuses earlier loads of the
-- leads export showed (stg_crm__lead_status_versions, from the snapshot of
-- full dumps) are their history. Versions that only changed the owner are
-- skipped. None on Spark (no snapshots there) or after a single load.
status_versions as (
    {%- if target.type != 'spark' %}
    select
        versions.lead_id,
        versions.stage,
        versions.observed_at,
        versions.load_id,
        row_number() over (
            partition by versions.lead_id
            order by versions.valid_from, versions.observed_at
        ) as version_number,
        lag(versions.stage) over (
            partition by versions.lead_id
            order by versions.valid_from, versions.observed_at
        ) as previous_stage
    from {{ ref('stg_crm__lead_status_versions') }} as versions
    left join history_summary
        on versions.lead_id = history_summary.lead_id
    where history_summary.lead_id is null
    {{- incremental_lead_filter('versions.lead_id', 'and') }}
    {%- else %}
    select
        cast(null as {{ dbt.type_string() }}) as lead_id,
        cast(null as {{ dbt.type_string() }}) as stage,
        cast(null as timestamp) as observed_at,
        cast(null as bigint) as load_id,
        cast(null as bigint) as version_number,
        cast(null as {{ dbt.type_string() }}) as previous_stage
    where 1 = 0
    {%- endif %}
),

version_summary as (
    select
        lead_id,
        max(case when version_number = 1 then stage end) as first_version_stage,
        max(version_number) as last_version_number,
        max(observed_at) as last_observed_at
    from status_versions
    group by lead_id
),

last_version_stage as (
    select
        status_versions.lead_id,
        status_versions.stage as last_version_stage
    from status_versions
    inner join version_summary
        on status_versions.lead_id = version_summary.lead_id
            and status_versions.version_number = version_summary.last_version_number
),

creation_events as (
    select
        lead_id,
        'lead' as stage,
        created_at as entered_at,
        'creation' as entry_source,
        0 as source_priority,
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        created_at as sequenced_at
    from leads
),

-- the status before the first recorded change, or, when there is no status
-- history at all, the first status an earlier load showed, else the current
-- status, holds from creation
initial_status_events as (
    select
        leads.lead_id,
        coalesce(
            history_summary.initial_stage,
            case
                when history_summary.lead_id is null
                    then coalesce(version_summary.first_version_stage, leads.current_stage)
            end
        ) as stage,
        leads.created_at as entered_at,
        case
            when history_summary.lead_id is not null then 'initial_status'
            when version_summary.lead_id is not null then 'status_version'
            else 'current_status'
        end as entry_source,
        1 as source_priority,
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        leads.created_at as sequenced_at
    from leads
    left join history_summary
        on leads.lead_id = history_summary.lead_id
    left join version_summary
        on leads.lead_id = version_summary.lead_id
),

-- each later status an earlier load showed, set at the version's last
-- modification at the latest
version_events as (
    select
        lead_id,
        stage,
        observed_at as entered_at,
        'status_version' as entry_source,
        2 as source_priority,
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        observed_at as sequenced_at
    from status_versions
    where version_number > 1
        and coalesce(stage, '') <> coalesce(previous_stage, '')
),

history_events as (
    select
        lead_id,
        new_stage as stage,
        changed_at as entered_at,
        'status_history' as entry_source,
        2 as source_priority,
        history_id as source_record_id,
        load_id,
        source_line_number,
        change_number as source_order,
        changed_at as sequenced_at
    from status_changes
),

-- a current status that differs from the last one in the history is newer
-- than it: reached at updated_at (created_at when absent), as the lead
-- export dates it, even when that is before the last change; being the
-- lead's latest state, it is sequenced after that change all the same
current_status_events as (
    select
        leads.lead_id,
        leads.current_stage as stage,
        coalesce(leads.updated_at, leads.created_at) as entered_at,
        'current_status' as entry_source,
        3 as source_priority,
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        greatest(coalesce(leads.updated_at, leads.created_at), history_summary.last_changed_at) as sequenced_at
    from leads
    inner join history_summary
        on leads.lead_id = history_summary.lead_id
    left join last_known_stage
        on leads.lead_id = last_known_stage.lead_id
    where last_known_stage.last_history_stage is null
        or leads.current_stage <> last_known_stage.last_history_stage
    union all
    -- the same for a lead whose history is the earlier loads' versions
    select
        leads.lead_id,
        leads.current_stage as stage,
        coalesce(leads.updated_at, leads.created_at) as entered_at,
        'current_status' as entry_source,
        3 as source_priority,
        cast(null as {{ dbt.type_string() }}) as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        greatest(coalesce(leads.updated_at, leads.created_at), version_summary.last_observed_at) as sequenced_at
    from leads
    inner join version_summary
        on leads.lead_id = version_summary.lead_id
    inner join last_version_stage
        on leads.lead_id = last_version_stage.lead_id
    where coalesce(leads.current_stage, '') <> coalesce(last_version_stage.last_version_stage, '')
),

opportunity_events as (
    select
        lead_id,
        'opportunity' as stage,
        created_at as entered_at,
        'opportunity' as entry_source,
        4 as source_priority,
        opportunity_id as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        created_at as sequenced_at
    from opportunities
),

-- sequenced after the opportunity's creation, even when close_date is earlier
won_events as (
    select
        lead_id,
        'won' as stage,
        won_at as entered_at,
        'won_opportunity' as entry_source,
        5 as source_priority,
        opportunity_id as source_record_id,
        cast(null as bigint) as load_id,
        cast(null as bigint) as source_line_number,
        cast(null as bigint) as source_order,
        greatest(won_at, created_at) as sequenced_at
    from opportunities
    where is_won
),

unioned as (
    select * from creation_events
    union all
    select * from initial_status_events
    union all
    select * from version_events
    union all
    select * from history_events
    union all
    select * from current_status_events
    union all
    select * from opportunity_events
    union all
    select * from won_events
),

known_until_as_of as (
    select unioned.*
    from unioned
    cross join as_of
    where unioned.stage is not null
        and unioned.stage <> 'unknown'
        and unioned.entered_at is not null
        and unioned.entered_at <= as_of.as_of_at
),

ordered as (
    select
        known_until_as_of.*,
        stages.is_side_exit,
        row_number() over (
            partition by known_until_as_of.lead_id
            order by
                known_until_as_of.sequenced_at,
                known_until_as_of.source_priority,
                known_until_as_of.source_order,
                known_until_as_of.source_record_id,
                known_until_as_of.load_id,
                known_until_as_of.source_line_number
        ) as event_order
    from known_until_as_of
    inner join stages
        on known_until_as_of.stage = stages.stage
),

final as (
    select
        lead_id,
        stage,
        entered_at,
        entry_source,
        source_record_id,
        event_order,
        is_side_exit,
        cast(coalesce(
            sum(case when is_side_exit then 1 else 0 end) over (
                partition by lead_id
                order by event_order
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as integer) as cycle_number,
        {{ incremental_bookkeeping_columns(inputs) }}
    from ordered
)

select * from final
