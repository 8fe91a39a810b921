{#-
    Incremental per lead (macros/incremental/incremental_by_lead.sql): its
    inputs (stages reached, owner intervals) are recomputed for the leads of
    new history, lead or opportunity rows, and so is the handoff; so are the
    leads ever owned by a user whose row changed (a new role).
-#}

{%- set inputs = stage_event_inputs() + [changed_user_input([owner_user_link()])] %}

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

reached_mql as (
    select
        lead_id,
        reached_mql_at
    from {{ ref('int_lead_stages_reached') }}
    where reached_mql_at is not null
    {{- incremental_lead_filter('lead_id', 'and') }}
),

owner_intervals as (
    select * from {{ ref('int_lead_owner_intervals') }}
    {{- incremental_lead_filter('lead_id') }}
),

sales_users as (
    select
        user_id,
        team_name
    from {{ ref('stg_crm__users') }}
    where is_sales_user
),

candidates as (
    select
        reached_mql.lead_id,
        owner_intervals.owner_id,
        sales_users.team_name,
        case
            when owner_intervals.valid_from is null or owner_intervals.valid_from < reached_mql.reached_mql_at
                then reached_mql.reached_mql_at
            else owner_intervals.valid_from
        end as handed_off_at,
        owner_intervals.valid_to
    from reached_mql
    inner join owner_intervals
        on reached_mql.lead_id = owner_intervals.lead_id
    inner join sales_users
        on owner_intervals.owner_id = sales_users.user_id
),

ranked as (
    select
        candidates.lead_id,
        candidates.owner_id,
        candidates.team_name,
        candidates.handed_off_at,
        row_number() over (partition by candidates.lead_id order by candidates.handed_off_at) as handoff_rank
    from candidates
    cross join as_of
    where (candidates.valid_to is null or candidates.handed_off_at < candidates.valid_to)
        and candidates.handed_off_at <= as_of.as_of_at
),

final as (
    select
        lead_id,
        handed_off_at,
        owner_id as handoff_rep_id,
        team_name as handoff_team,
        {{ incremental_bookkeeping_columns(inputs) }}
    from ranked
    where handoff_rank = 1
)

select * from final
