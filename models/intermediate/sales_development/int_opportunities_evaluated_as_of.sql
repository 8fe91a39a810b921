with

as_of as (
    select as_of_at from {{ ref('int_as_of') }}
),

opportunities as (
    select
        opportunity_id,
        lead_id,
        amount,
        currency,
        is_closed,
        is_won,
        created_at,
        closed_at,
        close_date
    from {{ ref('stg_crm__opportunities') }}
),

closing as (
    select
        opportunity_id,
        lead_id,
        amount,
        currency,
        is_closed,
        is_won,
        created_at,
        case
            when is_closed
                then coalesce(
                        closed_at,
                        case
                            when close_date is not null
                                then {{ from_business_time('cast(close_date as timestamp)') }}
                        end,
                        created_at
                    )
        end as closed_effective_at
    from opportunities
),

final as (
    select
        closing.opportunity_id,
        closing.lead_id,
        cast(closing.amount as double) as amount,
        closing.currency,
        closing.created_at,
        case when closing.closed_effective_at <= as_of.as_of_at then closing.closed_effective_at end as closed_at,
        coalesce(closing.closed_effective_at <= as_of.as_of_at, false) as is_closed,
        coalesce(closing.is_won and closing.closed_effective_at <= as_of.as_of_at, false) as is_won
    from closing
    cross join as_of
    where closing.created_at <= as_of.as_of_at
)

select * from final
