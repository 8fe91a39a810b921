with

days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start_date') ~ "' as date)",
        "cast('" ~ var('calendar_end_date') ~ "' as date)",
    ) }}
),

business_hours as (
    select
        cast(iso_weekday as integer) as iso_weekday,
        cast(substr(opens_at, 1, 2) as integer) * 60 + cast(substr(opens_at, 4, 2) as integer) as opens_at_minute,
        cast(substr(closes_at, 1, 2) as integer) * 60 + cast(substr(closes_at, 4, 2) as integer) as closes_at_minute
    from {{ ref('business_hours') }}
),

holidays as (
    select
        cast(holiday_date as date) as holiday_date,
        min(holiday_name) as holiday_name
    from {{ ref('holidays') }}
    where country_code = '{{ var("holiday_country") }}'
    group by 1
),

closures as (
    select
        closure_name,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date
    from {{ ref('company_closures') }}
),

day_numbers as (
    select
        cast(date_day as date) as calendar_date,
        -- days since Monday 2001-01-01, for the weekday
        {{ dbt.datediff("cast('2001-01-01' as date)", 'cast(date_day as date)', 'day') }} as days_since_monday  -- noqa: LT05
    from days
),

dated as (
    select
        calendar_date,
        -- ISO weekday: 1 = Monday .. 7 = Sunday
        mod(mod(days_since_monday, 7) + 7, 7) + 1 as iso_weekday
    from day_numbers
),

closed_days as (
    select
        dated.calendar_date,
        min(closures.closure_name) as closure_name
    from dated
    inner join closures
        on dated.calendar_date between closures.start_date and closures.end_date
    group by 1
),

flagged as (
    select
        dated.calendar_date,
        dated.iso_weekday,
        holidays.holiday_name,
        closed_days.closure_name,
        holidays.holiday_date is not null as is_holiday,
        closed_days.calendar_date is not null as is_company_closure,
        business_hours.iso_weekday is not null
        and holidays.holiday_date is null
        and closed_days.calendar_date is null as is_business_day,
        business_hours.opens_at_minute,
        business_hours.closes_at_minute
    from dated
    left join business_hours
        on dated.iso_weekday = business_hours.iso_weekday
    left join holidays
        on dated.calendar_date = holidays.holiday_date
    left join closed_days
        on dated.calendar_date = closed_days.calendar_date
),

final as (
    select
        calendar_date,
        iso_weekday,
        is_business_day,
        is_holiday,
        holiday_name,
        is_company_closure,
        closure_name,
        case when is_business_day then opens_at_minute else 0 end as opens_at_minute,
        case when is_business_day then closes_at_minute - opens_at_minute else 0 end as business_minutes,
        cast(coalesce(
            sum(case when is_business_day then closes_at_minute - opens_at_minute else 0 end) over (
                order by calendar_date rows between unbounded preceding and 1 preceding
            ),
            0
        ) as bigint) as business_minutes_before
    from flagged
)

select * from final
