{#- Post-hooks of the rule seeds: each lists what makes a row malformed. -#}

{% macro validate_label_mapping(seed_relation, canonical_column, kind) -%}
    {{ validate_rule_seed(seed_relation, [
        ["raw_label is null", "raw_label is empty"],
        [canonical_column ~ " is null or " ~ canonical_column ~ " not in " ~ sql_list(canonical_values(kind)),
            canonical_column ~ " must be one of " ~ (canonical_values(kind) | join(', '))],
        [normalize_label('raw_label') ~ " in (select " ~ normalize_label('raw_label') ~ " from " ~ seed_relation
            ~ " group by 1 having count(*) > 1)",
            "raw_label appears twice (ignoring case, width and spaces)"],
    ], 'raw_label') }}
{%- endmacro %}

{% macro validate_lifecycle_stages(seed_relation) -%}
    {{ validate_rule_seed(seed_relation, [
        ["stage is null or stage not in " ~ sql_list(canonical_values('stage')),
            "stage must be one of " ~ (canonical_values('stage') | join(', '))],
        ["stage in (select stage from " ~ seed_relation ~ " group by 1 having count(*) > 1)", "stage is listed twice"],
        ["stage in " ~ sql_list(canonical_values('ordered_stage')) ~ " and (stage_order is null or is_side_exit)",
            "an ordered stage needs a stage_order and is_side_exit = false"],
        ["stage not in " ~ sql_list(canonical_values('ordered_stage')) ~ " and (stage_order is not null or not is_side_exit)",
            "a side exit has no stage_order and is_side_exit = true"],
        ["stage_order in (select stage_order from " ~ seed_relation ~ " where stage_order is not null group by 1 having count(*) > 1)",
            "stage_order is used twice"],
        ["stage_order is not null and stage_order < 1", "stage_order must be 1 or more"],
    ], 'stage') }}
{%- endmacro %}

{% macro validate_sla_policies(seed_relation) -%}
    {%- set audiences = ['hot_or_fast_track', 'not_hot', 'all_handed_off', 'reached_sql'] -%}
    {%- set starts = ['handoff', 'first_sql_entry'] -%}
    {%- set stops = ['first_sales_touch', 'opportunity_or_meeting'] -%}
    {{ validate_rule_seed(seed_relation, [
        ["policy_name is null", "policy_name is empty"],
        ["policy_name in (select policy_name from " ~ seed_relation ~ " group by 1 having count(*) > 1)", "policy_name is used twice"],
        ["applies_to is null or applies_to not in " ~ sql_list(audiences), "applies_to must be one of " ~ (audiences | join(', '))],
        ["start_event is null or start_event not in " ~ sql_list(starts), "start_event must be one of " ~ (starts | join(', '))],
        ["stop_event is null or stop_event not in " ~ sql_list(stops), "stop_event must be one of " ~ (stops | join(', '))],
        ["target_business_hours is null or target_business_hours < 0", "target_business_hours must be a number >= 0"],
        ["(applies_to = 'reached_sql') <> (start_event = 'first_sql_entry')",
            "reached_sql policies start at first_sql_entry, the others at handoff"],
        ["applies_to <> 'reached_sql' and (select count(*) from " ~ seed_relation ~ " as other"
            ~ " where other.applies_to <> 'reached_sql' and (other.applies_to = numbered.applies_to"
            ~ " or other.applies_to = 'all_handed_off' or numbered.applies_to = 'all_handed_off')) > 1",
            "overlapping first-touch policies: a handed-off lead must fall under exactly one"
            ~ " (one all_handed_off, or one hot_or_fast_track and one not_hot)"],
        ["applies_to in ('hot_or_fast_track', 'not_hot') and (select count(distinct other.applies_to) from "
            ~ seed_relation ~ " as other where other.applies_to in ('hot_or_fast_track', 'not_hot')) < 2",
            "hot_or_fast_track and not_hot policies come in pairs, so every handed-off lead has a first-touch policy"],
    ], 'policy_name') }}
{%- endmacro %}

{% macro validate_business_hours(seed_relation) -%}
    {{ validate_rule_seed(seed_relation, [
        ["iso_weekday is null or iso_weekday not between 1 and 7", "iso_weekday must be 1 (Monday) .. 7 (Sunday)"],
        ["iso_weekday in (select iso_weekday from " ~ seed_relation ~ " group by 1 having count(*) > 1)", "iso_weekday is listed twice"],
        ["not " ~ regexp_like("coalesce(opens_at, '')", '^([01][0-9]|2[0-3]):[0-5][0-9]$') ~ " or not " ~ regexp_like("coalesce(closes_at, '')", '^([01][0-9]|2[0-4]):[0-5][0-9]$'),
            "opens_at and closes_at must be HH:MM"],
        ["coalesce(opens_at, '') >= coalesce(closes_at, '')", "opens_at must be before closes_at"],
    ], 'iso_weekday') }}
{%- endmacro %}

{% macro validate_company_closures(seed_relation) -%}
    {{ validate_rule_seed(seed_relation, [
        ["start_date is null or end_date is null", "start_date and end_date are required"],
        ["start_date > end_date", "start_date must not be after end_date"],
    ], 'closure_name') }}
{%- endmacro %}

{% macro validate_company_size_bands(seed_relation) -%}
    {{ validate_rule_seed(seed_relation, [
        ["min_employees is null or min_employees < 0", "min_employees must be a number >= 0"],
        ["max_employees is not null and max_employees < min_employees", "max_employees must not be below min_employees"],
        ["exists (select 1 from " ~ seed_relation ~ " as other where other.company_size_band <> numbered.company_size_band"
            ~ " and other.min_employees <= coalesce(numbered.max_employees, 2147483647)"
            ~ " and coalesce(other.max_employees, 2147483647) >= numbered.min_employees)",
            "overlaps another band"],
    ], 'company_size_band') }}
{%- endmacro %}

{% macro validate_scoring_behaviour_rules(seed_relation) -%}
    {%- set scored_event_types = canonical_values('event_type') -%}
    {{ validate_rule_seed(seed_relation, [
        ["rule_name is null", "rule_name is empty"],
        ["rule_name in (select rule_name from " ~ seed_relation ~ " group by 1 having count(*) > 1)", "rule_name is used twice"],
        ["event_type is null or event_type not in " ~ sql_list(scored_event_types),
            "event_type must be a canonical event type: " ~ (scored_event_types | join(', '))],
        ["points is null", "points must be a whole number (negative allowed)"],
        ["is_fast_track is null", "is_fast_track must be true or false"],
    ], 'rule_name') }}
{%- endmacro %}

{% macro validate_scoring_attribute_rules(seed_relation) -%}
    {%- set attributes = ['job_level', 'employee_count', 'industry'] -%}
    {{ validate_rule_seed(seed_relation, [
        ["rule_name is null", "rule_name is empty"],
        ["rule_name in (select rule_name from " ~ seed_relation ~ " group by 1 having count(*) > 1)", "rule_name is used twice"],
        ["attribute is null or attribute not in " ~ sql_list(attributes), "attribute must be one of " ~ (attributes | join(', '))],
        ["attribute = 'job_level' and (match_value is null or match_value not in " ~ sql_list(canonical_values('job_level')) ~ ")",
            "a job_level rule needs match_value, one of " ~ (canonical_values('job_level') | join(', '))],
        ["attribute = 'industry' and match_value is null", "an industry rule needs match_value (the industry label)"],
        ["attribute = 'employee_count' and (min_value is null and max_value is null or min_value > max_value)",
            "an employee_count rule needs min_value and/or max_value, min_value <= max_value"],
        ["attribute <> 'employee_count' and (min_value is not null or max_value is not null)",
            "min_value and max_value are for employee_count rules only"],
        ["points is null", "points must be a whole number (negative allowed)"],
    ], 'rule_name') }}
{%- endmacro %}

{% macro validate_score_bands(seed_relation) -%}
    {{ validate_rule_seed(seed_relation, [
        ["score_band is null", "score_band is empty"],
        ["min_score is null", "min_score is required (the lowest score of the band)"],
        ["max_score is not null and max_score < min_score", "max_score must not be below min_score"],
        ["exists (select 1 from " ~ seed_relation ~ " as other where other.score_band <> numbered.score_band"
            ~ " and other.min_score <= coalesce(numbered.max_score, 2147483647)"
            ~ " and coalesce(other.max_score, 2147483647) >= numbered.min_score)",
            "overlaps another band"],
    ], 'score_band') }}
{%- endmacro %}
