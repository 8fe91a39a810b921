{%- set as_of = as_of_literal() -%}

{#- the inputs whatever the branch, so that the DAG (and the unit tests, which give
    these inputs with var as_of null) does not depend on the var -#}
-- depends_on: {{ ref('stg_crm__leads') }}, {{ ref('stg_crm__lead_history') }}
-- depends_on: {{ ref('stg_crm__activities') }}, {{ ref('stg_ma__marketing_events') }}
-- depends_on: {{ ref('stg_crm__opportunities') }}, {{ ref('stg_loader__loads') }}

with

{% if as_of is not none -%}

final as (
    select
        {{ as_of }} as as_of_at,
        true as is_as_of_configured,
        'var' as as_of_source
)

{%- else -%}

leads as (
    select
        max(created_at) as latest_created_at,
        max(updated_at) as latest_updated_at
    from {{ ref('stg_crm__leads') }}
),

lead_history as (
    select max(changed_at) as latest_at from {{ ref('stg_crm__lead_history') }}
),

activities as (
    select max(occurred_at) as latest_at from {{ ref('stg_crm__activities') }}
),

marketing_events as (
    select max(occurred_at) as latest_at from {{ ref('stg_ma__marketing_events') }}
),

opportunities as (
    select
        max(created_at) as latest_created_at,
        max(closed_at) as latest_closed_at
    from {{ ref('stg_crm__opportunities') }}
),

loads as (
    select max(exported_at) as latest_exported_at from {{ ref('stg_loader__loads') }}
),

latest_in_data as (
    select max(latest_at) as latest_at
    from (
        select latest_created_at as latest_at from leads
        union all
        select latest_updated_at from leads
        union all
        select latest_at from lead_history
        union all
        select latest_at from activities
        union all
        select latest_at from marketing_events
        union all
        select latest_created_at from opportunities
        union all
        select latest_closed_at from opportunities
    ) as maxima
),

final as (
    select
        case
            when loads.latest_exported_at > latest_in_data.latest_at
                or latest_in_data.latest_at is null
                then loads.latest_exported_at
            else latest_in_data.latest_at
        end as as_of_at,
        false as is_as_of_configured,
        case
            when loads.latest_exported_at > latest_in_data.latest_at
                or (latest_in_data.latest_at is null and loads.latest_exported_at is not null)
                then 'export_instant'
            else 'latest_data'
        end as as_of_source
    from latest_in_data
    cross join loads
)

{%- endif %}

select * from final
