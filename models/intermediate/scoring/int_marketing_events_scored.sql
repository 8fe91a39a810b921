{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): a run
    recomputes every event of the leads with new events.
-#}

{%- set inputs = [{'model': 'stg_ma__marketing_events', 'time_column': 'occurred_at'}] %}

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

events as (
    select
        event_id,
        lead_id,
        event_type,
        asset,
        occurred_at,
        load_id,
        source_line_number
    from {{ ref('stg_ma__marketing_events') }}
    {{- incremental_lead_filter('lead_id') }}
),

rules as (
    select
        rule_name,
        event_type,
        {{ normalize_label('asset_pattern') }} as asset_pattern,
        points,
        is_fast_track
    from {{ ref('scoring_behaviour_rules') }}
),

-- Rules are matched once per distinct (event type, asset), not per event:
-- a few hundred pairs instead of millions of LIKE tests and a group by.
-- Asset and pattern are folded like labels (case, full-width and half-width
-- forms), so '/ＰＲＩＣＩＮＧ' matches '%/pricing%'.
event_kinds as (
    select distinct
        event_type,
        coalesce(asset, '') as asset_key
    from events
),

scored_kinds as (
    select
        event_kinds.event_type,
        event_kinds.asset_key,
        cast(sum(rules.points) as integer) as points,
        max(case when rules.is_fast_track then 1 else 0 end) = 1 as is_fast_track
    from event_kinds
    inner join rules
        on event_kinds.event_type = rules.event_type
            and (rules.asset_pattern is null or {{ normalize_label('event_kinds.asset_key') }} like rules.asset_pattern)
    group by
        event_kinds.event_type,
        event_kinds.asset_key
),

matched as (
    select
        events.event_id,
        events.lead_id,
        events.occurred_at,
        events.load_id,
        events.source_line_number,
        scored_kinds.points,
        scored_kinds.is_fast_track
    from events
    inner join scored_kinds
        on events.event_type = scored_kinds.event_type
            and coalesce(events.asset, '') = scored_kinds.asset_key
    cross join as_of
    where events.occurred_at <= as_of.as_of_at
),

sequenced as (
    select
        matched.*,
        row_number() over (
            partition by matched.lead_id
            order by matched.occurred_at, matched.event_id, matched.load_id, matched.source_line_number
        ) as behaviour_event_number,
        lag(matched.occurred_at) over (
            partition by matched.lead_id
            order by matched.occurred_at, matched.event_id, matched.load_id, matched.source_line_number
        ) as previous_occurred_at
    from matched
),

segmented as (
    select
        sequenced.*,
        cast(sum(
            case
                when sequenced.previous_occurred_at is not null
                    and sequenced.occurred_at >= {{ dbt.dateadd('day', var('score_reset_after_days'), 'previous_occurred_at') }}
                    then 1
                else 0
            end
        ) over (
            partition by sequenced.lead_id
            order by sequenced.behaviour_event_number
            rows between unbounded preceding and current row
        ) as integer) as segment_number
    from sequenced
),

final as (
    select
        event_id,
        lead_id,
        occurred_at,
        points,
        is_fast_track,
        behaviour_event_number,
        segment_number,
        -- a range frame: the events at the same instant are peers, all
        -- counted, so this is the lead's behaviour points at that instant
        cast(sum(points) over (
            partition by lead_id, segment_number
            order by occurred_at
            range between unbounded preceding and current row
        ) as integer) as behaviour_points_running,
        {{ incremental_bookkeeping_columns(inputs) }}
    from segmented
)

select * from final
