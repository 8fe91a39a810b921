{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes the leads with new history, lead, opportunity or activity
    rows (stage entries, handoffs and touches all come from those).
-#}

{%- set inputs = sales_touch_inputs() %}

{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='per_lead',
        pre_hook=reprocess_hook(inputs),
    )
}}

with

returns as (
    select
        lead_id,
        stage as return_stage,
        entry_number,
        entered_at as returned_at,
        -- the history row behind the entry, when the entry is a recorded status change
        case when entry_source = 'status_history' then source_record_id end as history_id
    from {{ ref('int_lead_stage_entries') }}
    where stage in ('rejected', 'disqualified')
    {{- incremental_lead_filter('lead_id', 'and') }}
),

status_changes as (
    select
        history_id,
        reason
    from {{ ref('stg_crm__lead_history') }}
    where changed_field = 'status'
    {{- incremental_lead_filter('lead_id', 'and') }}
),

handoffs as (
    select
        lead_id,
        handed_off_at,
        handoff_rep_id
    from {{ ref('int_lead_handoffs_detected') }}
    {{- incremental_lead_filter('lead_id') }}
),

touches as (
    select
        lead_id,
        occurred_at
    from {{ ref('int_sales_touches_identified') }}
    {{- incremental_lead_filter('lead_id') }}
),

with_handoff as (
    select
        returns.lead_id,
        returns.return_stage,
        returns.entry_number,
        returns.returned_at,
        coalesce(nullif(trim(status_changes.reason), ''), 'unknown') as reason,
        handoffs.handed_off_at,
        handoffs.handoff_rep_id,
        coalesce(returns.returned_at >= handoffs.handed_off_at, false) as is_after_handoff
    from returns
    left join status_changes
        on returns.history_id = status_changes.history_id
    left join handoffs
        on returns.lead_id = handoffs.lead_id
),

touches_before_return as (
    select
        with_handoff.lead_id,
        with_handoff.return_stage,
        with_handoff.entry_number,
        count(*) as sales_touches_before_return
    from with_handoff
    inner join touches
        on with_handoff.lead_id = touches.lead_id
            and with_handoff.returned_at >= touches.occurred_at
    group by with_handoff.lead_id, with_handoff.return_stage, with_handoff.entry_number
),

final as (
    select
        {{ dbt.concat([
            "with_handoff.lead_id", "'|'", "with_handoff.return_stage", "'|'",
            "cast(with_handoff.entry_number as " ~ dbt.type_string() ~ ")",
        ]) }} as lead_return_id,
        with_handoff.lead_id,
        with_handoff.return_stage,
        with_handoff.entry_number,
        with_handoff.returned_at,
        with_handoff.reason,
        with_handoff.handed_off_at,
        with_handoff.handoff_rep_id,
        with_handoff.is_after_handoff,
        with_handoff.is_after_handoff
        and row_number() over (
            partition by with_handoff.lead_id, with_handoff.is_after_handoff
            order by with_handoff.returned_at, with_handoff.return_stage
        ) = 1 as is_first_return_after_handoff,
        cast(coalesce(touches_before_return.sales_touches_before_return, 0) as integer) as sales_touches_before_return,
        {{ incremental_bookkeeping_columns(inputs) }}
    from with_handoff
    left join touches_before_return
        on with_handoff.lead_id = touches_before_return.lead_id
            and with_handoff.return_stage = touches_before_return.return_stage
            and with_handoff.entry_number = touches_before_return.entry_number
)

select * from final
