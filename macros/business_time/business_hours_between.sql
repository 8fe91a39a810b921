{#-
    Business time without expanding rows per hour. The model
    int_business_calendar holds, per local date, the opening minute, the
    business minutes of the day and the business minutes of all earlier days
    (`business_minutes_before`). The business-minute index of an instant is
    that running total plus the minutes since opening, clamped to the day's
    opening hours; elapsed business time is the difference of two indexes.
    An instant at night, on a weekend, a holiday or a closure gets the index of
    the next business opening, so the clock starts there. Minutes are doubles
    on every engine (a decimal literal would make Spark compute in decimal).

    Usage: join the calendar once per instant, then use the expressions.

        left join {{ ref('int_business_calendar') }} as start_calendar
            on {{ business_date_of('clocks.started_at') }} = start_calendar.calendar_date
        ...
        {{ business_hours_between('clocks.started_at', 'start_calendar',
                                  'clocks.stopped_at', 'stop_calendar') }}
-#}
{% macro business_minute_index(utc_timestamp, calendar_alias) -%}
    (
        {{ calendar_alias }}.business_minutes_before
        + least(
            greatest(
                {{ seconds_between(dbt.date_trunc('day', to_business_time(utc_timestamp)), to_business_time(utc_timestamp)) }} / 60
                - {{ calendar_alias }}.opens_at_minute,
                0
            ),
            {{ calendar_alias }}.business_minutes
        )
    )
{%- endmacro %}

{% macro business_hours_between(start_timestamp, start_calendar_alias, stop_timestamp, stop_calendar_alias) -%}
    (
        {{ business_minute_index(stop_timestamp, stop_calendar_alias) }}
        - {{ business_minute_index(start_timestamp, start_calendar_alias) }}
    ) / 60
{%- endmacro %}
