{#-
    Behaviour score at `instant`, given the lead's last behaviour event at or
    before it (its time and running points since the last reset, see
    int_marketing_events_scored). No event = 0. After var
    `score_reset_after_days` without behaviour: 0 (reset). After var
    `score_decay_after_days`: var `score_decay_points` taken off once. Never
    below 0.
-#}
{% macro behaviour_score_at(instant, last_event_at, running_points) -%}
    case
        when {{ last_event_at }} is null then 0
        when {{ instant }} >= {{ dbt.dateadd('day', var('score_reset_after_days'), last_event_at) }} then 0
        when {{ instant }} >= {{ dbt.dateadd('day', var('score_decay_after_days'), last_event_at) }}
            then greatest({{ running_points }} - {{ var('score_decay_points') }}, 0)
        else greatest({{ running_points }}, 0)
    end
{%- endmacro %}

{#- hot / warm / cold from a score and whether a fast-track event is recent. -#}
{% macro temperature(score, is_fast_track_recent) -%}
    case
        when {{ score }} >= {{ var('hot_score_threshold') }} or {{ is_fast_track_recent }} then 'hot'
        when {{ score }} >= {{ var('warm_score_threshold') }} then 'warm'
        else 'cold'
    end
{%- endmacro %}
