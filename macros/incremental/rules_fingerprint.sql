{#-
    The rules a build computed its rows with, as one digest: the rows of
    every rule seed (label mappings, scoring rules, score bands, lifecycle
    stages, SLA policies, business hours, holidays, closures, size bands) and
    the value of every var the incremental models read.

    Each incremental model stores it on every row it writes
    (rules_fingerprint). A run that finds another digest in the model
    recomputes all of it: the staging models map every load again and the
    per-lead models recompute every lead (incremental_by_lead.sql). So an
    edited rule seed or a var given with --vars takes effect in a plain
    `dbt build`, for old leads as well as new ones, with no --full-refresh.

    The seeds are hashed from their tables, as loaded: what the models read,
    whether the seed was loaded by this `dbt build` or by an earlier
    `dbt seed`. The vars are hashed when the model is compiled. A model that
    would stamp the new digest while a model it reads still has another
    stops the run instead (check_parents_have_current_rules, below).

    Left out, because they cannot change an incremental model's rows:
      - as_of, which has a mechanism of its own (as_of_setting);
      - incremental_lookback_days, which only widens what a run recomputes;
      - the vars only the reports read (they are rebuilt by every run):
        min_attempts_before_disqualify, plan_trailing_months, revenue_target
        and the textbook_* rates.
    tests/python/test_rules_fingerprint.py checks that every var of
    dbt_project.yml is either hashed or in that list, and that the
    report-only ones are read by reports only.

    Spark builds these models as tables (incremental_materialization()), so
    nothing is compared there and the column is null.
-#}

{% macro rule_seeds() -%}
    {{ return([
        'business_hours', 'company_closures', 'holidays',
        'map_activity_outcomes', 'map_activity_types', 'map_event_types',
        'map_job_levels', 'map_lead_sources', 'map_lead_statuses', 'map_user_roles',
        'score_bands', 'scoring_attribute_rules', 'scoring_behaviour_rules',
        'company_size_bands', 'lifecycle_stages', 'sla_policies',
    ]) }}
{%- endmacro %}

{% macro rule_vars() -%}
    {{ return([
        'pii_salt',
        'business_timezone', 'holiday_country', 'calendar_start_date', 'calendar_end_date',
        'sales_roles', 'sales_touch_activity_types', 'meeting_activity_types',
        'ignore_window_days',
        'score_decay_after_days', 'score_decay_points', 'score_reset_after_days',
        'hot_score_threshold', 'warm_score_threshold', 'fast_track_window_days',
        'mql_score_threshold', 'what_if_mql_score_threshold',
        'effective_call_seconds', 'connected_call_outcomes',
        'next_action_window_days', 'next_action_event_types',
    ]) }}
{%- endmacro %}


{#- The digest, as an SQL expression (one scalar subquery). -#}
{% macro rules_fingerprint() -%}
    {{ return(adapter.dispatch('rules_fingerprint', 'lead_handoff')()) }}
{%- endmacro %}

{% macro default__rules_fingerprint() -%}
    {%- if this is none -%}
    {#- unit tests: no relation, and only the given inputs exist #}
    cast(null as varchar)
    {%- else -%}
    {%- set var_values = {} -%}
    {%- for name in rule_vars() -%}
        {%- do var_values.update({name: var(name)}) -%}
    {%- endfor -%}
    (
        select md5('{{ local_md5(tojson(var_values, sort_keys=true)) }}' || string_agg(seed_digest, '|' order by seed_name))
        from (
            {%- for seed in rule_seeds() %}
            select
                '{{ seed }}' as seed_name,
                md5(coalesce(string_agg(cast(seed_rows as varchar), '|' order by cast(seed_rows as varchar)), '')) as seed_digest
            from {{ ref(seed) }} as seed_rows
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as seed_digests
    )
    {%- endif -%}
{%- endmacro %}

{% macro spark__rules_fingerprint() -%}
    cast(null as string)
{%- endmacro %}


{#-
    Whether the rows of the current model were computed with other rules
    than this run's (false where it is empty or on a full build). Run at
    execution time, from the pre-hooks.
-#}
{% macro rules_changed() -%}
    {%- if not is_incremental_run() or target.type == 'spark' -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set state = run_query('select ' ~ rules_differ() ~ ' from ' ~ this) -%}
    {{ return(state.columns[0].values()[0]) }}
{%- endmacro %}


{#- Aggregate over the current model's rows: built with other rules than this run's? -#}
{% macro rules_differ() -%}
    coalesce(bool_or(rules_fingerprint is distinct from {{ rules_fingerprint() }}), false)
{%- endmacro %}


{#-
    The pre-hook of the staging models that append new loads: when the
    rules changed, empty the model first, so the run maps every load again
    (its filter then takes every load: newest_load_in_this() is -1).
-#}
{% macro remap_if_rules_changed() -%}
    {%- if execute and rules_changed() -%}
        delete from {{ this }}
    {%- endif -%}
{%- endmacro %}


{#- The newest load already in the current model, -1 when it is empty. -#}
{% macro newest_load_in_this() -%}
    (select coalesce(max(load_id), -1) from {{ this }})
{%- endmacro %}


{#-
    A per-lead model must not stamp rows with this run's rules when a model
    it reads was built with other ones: after an edit of the rules, a
    selection that leaves the staging (or another parent) out, such as
    `dbt build --select dim_leads`, would compute from rows mapped by the
    old rules and hide them from later runs. Checked where the model writes
    rows for every lead (a full build; a run after a rules change), from the
    pre-hook; the message says what to run.
-#}
{% macro check_parents_have_current_rules() -%}
    {%- if not execute or target.type == 'spark' -%}
        {{ return('') }}
    {%- endif -%}
    {%- set parents = [] -%}
    {%- for node_id in model.depends_on.nodes -%}
        {%- set node = graph.nodes.get(node_id) -%}
        {%- if node and node.resource_type == 'model' and node.config.materialized == 'incremental' -%}
            {%- do parents.append(node) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parents | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set current = rules_fingerprint() -%}
    {%- set checks = [] -%}
    {%- for parent in parents -%}
        {%- do checks.append(
            "select '" ~ parent.name ~ "' as parent_name where exists (select 1 from "
            ~ ref(parent.name) ~ " where rules_fingerprint is distinct from " ~ current ~ ")"
        ) -%}
    {%- endfor -%}
    {%- set stale = run_query(checks | join(' union all ')).columns[0].values() -%}
    {%- if stale | length > 0 -%}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ ": " ~ (stale | join(', ')) ~ " was built with other rules (rule seeds or vars) "
            ~ "than this run; build the models it reads first: dbt build --select +" ~ this.identifier
        ) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
