{#-
    The breakdowns every report is cut by. A report unpivots its leads once
    (`cross join {{ breakdowns_relation() }} as breakdowns`) and groups by
    (breakdown, {{ breakdown_value('leads') }}), so each lead is aggregated
    once per breakdown without one query per breakdown.
    The relation alias must carry the columns channel, lead_source, rep_id,
    team_name, industry, company_size_band and job_level.
-#}
{% macro breakdown_names() -%}
    {{ return(['overall', 'channel', 'lead_source', 'rep', 'team', 'industry', 'company_size_band', 'job_level']) }}
{%- endmacro %}

{% macro breakdowns_relation() -%}
    (
        {%- for name in breakdown_names() %}
        select '{{ name }}' as breakdown
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )
{%- endmacro %}

{% macro breakdown_value(alias) -%}
    coalesce(
        case breakdowns.breakdown
            when 'overall' then 'all'
            when 'channel' then {{ alias }}.channel
            when 'lead_source' then {{ alias }}.lead_source
            when 'rep' then {{ alias }}.rep_id
            when 'team' then {{ alias }}.team_name
            when 'industry' then {{ alias }}.industry
            when 'company_size_band' then {{ alias }}.company_size_band
            when 'job_level' then {{ alias }}.job_level
        end,
        'unknown'
    )
{%- endmacro %}

{#- A rate as a decimal in [0, 1]; null when the denominator is 0. -#}
{% macro safe_rate(numerator, denominator) -%}
    cast({{ numerator }} as double) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Continuous percentile (linear interpolation) of an aggregate's values; nulls are skipped. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'lead_handoff')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}
