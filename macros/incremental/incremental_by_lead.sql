{#-
    Incremental builds, per lead.

    The models keyed by lead, from the event models to dim_leads and the fact
    marts, are rebuilt per lead: an incremental run recomputes every row of
    each lead whose input changed, or whose values move with as_of (4.
    below), and leaves all other leads as they are. Whole leads, not single
    rows, because their numbers are running per lead (touch numbers, score
    segments, cycles): a late-arriving event from last month changes the
    rows after it, and is handled exactly. The reports aggregate over all
    leads and are rebuilt (at most tens of thousands of rows).

    Which leads are reprocessed (leads_to_reprocess):
      1. Leads with an input row from a load newer than the model's watermark.
         Every row the loader writes carries its `_load_id` (one per file
         load, increasing); each incremental model stores, on every row it
         writes, the newest load id of its inputs at build time
         (`processed_load_id`), so the watermark is max(processed_load_id).
      2. The lookback: leads with an input row in the last
         var `incremental_lookback_days` (default 3) days of event time before
         the newest one. Redundant with 1 when loads are complete; a margin
         for anything that changes a lead without a new load.
      3. Every lead, when the model was last built with another as_of setting
         (var `as_of`): the as_of filters then moved for all leads at once;
         and when it was built with other rules (another rule seed or var,
         rules_fingerprint.sql).
      4. In models whose values move with as_of itself (a score decays, a
         window closes, a deadline passes), the leads whose stored
         `next_change_at` is at or before the new as_of: each such model
         stores, per lead, the first instant after as_of at which its row
         would change with no new input (null: none), and an unchanged lead
         is left alone until that instant. By default as_of is the newest
         timestamp of the data, so a lead with no new rows has no event
         after the old as_of: its filters `<= as_of` keep the same rows and
         only those instants can change it.
    The pre-hook (reprocess_hook) computes that set once, into a temporary
    table of the model's connection; each input CTE of the model reads only
    the leads of that table (incremental_lead_filter). The incremental
    strategy `per_lead` (get_incremental_per_lead_sql) then deletes every row
    of those leads, so a lead that now has no rows at all loses its old ones,
    and inserts the recomputed rows, in one transaction.

    A user is not a lead, but a user's row (role) changes the leads it
    worked or owned: the inputs of the models that read users include
    changed_user_input(), whose leads are those linked to a user of a newer
    load (below).

    On engines where incremental merges need a table format the project does
    not assume (Spark with plain Parquet tables), these models build as
    tables: incremental_materialization() says which.
-#}

{% macro incremental_materialization() -%}
    {{ return(adapter.dispatch('incremental_materialization', 'lead_handoff')()) }}
{%- endmacro %}

{% macro default__incremental_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__incremental_materialization() -%}
    {{ return('table') }}
{%- endmacro %}


{#- is_incremental(), false where there is no relation at all (unit tests). -#}
{% macro is_incremental_run() -%}
    {{ return(this is not none and is_incremental()) }}
{%- endmacro %}


{#- The as_of setting a model was built with: the var as written, or 'latest'. -#}
{% macro as_of_setting() -%}
    '{{ var("as_of") if var("as_of") is not none else "latest" }}'
{%- endmacro %}


{#- The newest load id among `inputs` (model names with a load_id column). -#}
{% macro newest_load_id(inputs) -%}
    (
        select max(input_load_ids.newest_load_id) from (
            {%- for input in inputs %}
            select max(load_id) as newest_load_id from {{ ref(input.model) }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as input_load_ids
    )
{%- endmacro %}


{#-
    Lead ids to recompute in an incremental run of the current model.
    inputs: list of {model: name, time_column: column (optional)}; each model
    has lead_id and load_id. Run at execution time (in the pre-hook): the
    model's watermark and whether its as_of setting changed are read first
    and written into the query as constants, and each condition is a branch
    of its own, so DuckDB skips the row groups of older loads (min/max of
    load_id per row group) instead of testing every input row.
-#}
{% macro leads_to_reprocess(inputs, recheck_column=none) -%}
    {%- set lookback_days = var('incremental_lookback_days') | int -%}
    {%- set state = run_query(
        'select coalesce(max(processed_load_id), -1), coalesce(bool_or(as_of_setting <> '
        ~ as_of_setting() ~ '), false), ' ~ rules_differ() ~ ' from ' ~ this
    ) -%}
    {%- set watermark = state.columns[0].values()[0] | int -%}
    {%- set every_lead = state.columns[1].values()[0] or state.columns[2].values()[0] -%}
    {%- if state.columns[2].values()[0] -%}
        {{ check_parents_have_current_rules() }}
    {%- endif -%}
    select lead_id from (
        {%- for input in inputs %}
        {%- if input.links %}
        {%- for link in input.links %}
        -- the leads linked to a {{ input.model }} row of a newer load
        select lead_id from {{ ref(link.model) }}
        {%- if not every_lead %}
        where {{ link.column }} in (
            select {{ input.key }} from {{ ref(input.model) }} where load_id > {{ watermark }}
        )
        {%- endif %}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
        {%- elif every_lead %}
        -- built with another as_of setting or other rules: every lead again
        select lead_id from {{ ref(input.model) }}
        {%- else %}
        select lead_id from {{ ref(input.model) }}
        where load_id > {{ watermark }}
        {%- if input.time_column and lookback_days > 0 %}
        union all
        select lead_id from {{ ref(input.model) }}
        where {{ input.time_column }} > (
            select {{ dbt.dateadd('day', -1 * lookback_days, 'max(' ~ input.time_column ~ ')') }}
            from {{ ref(input.model) }}
        )
        {%- endif %}
        {%- endif %}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
        {%- if recheck_column %}
        union all
        -- rows that as_of has caught up with
        select lead_id
        from {{ this }}
        where {{ recheck_column }} <= (select as_of_at from {{ ref('int_as_of') }})
        {%- endif %}
    ) as changed_leads
    where lead_id is not null
    group by lead_id
{%- endmacro %}


{#-
    The config of a per-lead incremental model (the hook is rendered again
    at run time):

        {%- set inputs = [{'model': 'stg_crm__activities', 'time_column': 'occurred_at'}] %}
        {{ config(..., incremental_strategy='per_lead', pre_hook=reprocess_hook(inputs)) }}

    recheck_column: the model's next_change_at column, if it has one (4.).
-#}
{% macro reprocess_hook(inputs, recheck_column=none) -%}
    {%- set arguments = tojson(inputs) ~ (', ' ~ tojson(recheck_column) if recheck_column else '') %}
    {{ return(['{{ create_leads_to_reprocess(' ~ arguments ~ ') }}']) }}
{%- endmacro %}


{#-
    The incremental strategy `per_lead`: replace every row of the leads
    reprocessed by the rows just computed for them. dbt's delete+insert
    would delete by the keys of the new rows only, missing a lead whose
    rows are all gone, and scans the target a second time.
-#}
{% macro get_incremental_per_lead_sql(arg_dict) -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where lead_id in (select lead_id from {{ leads_to_reprocess_table() }});

    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#- The inputs of a lead's stage events: int_lead_stage_events_unioned and
    int_lead_stage_entries are reprocessed for the same leads. -#}
{% macro stage_event_inputs() -%}
    {{ return([
        {'model': 'stg_crm__lead_history', 'time_column': 'changed_at'},
        {'model': 'stg_crm__leads'},
        {'model': 'stg_crm__opportunities'},
    ]) }}
{%- endmacro %}


{#- The inputs of a lead's sales touches: its activities, the history,
    lead and opportunity rows that place its handoff, and the users who
    touched or owned it (their role). The models built on the touches are
    reprocessed for the same leads. -#}
{% macro sales_touch_inputs() -%}
    {{ return([
        {'model': 'stg_crm__activities', 'time_column': 'occurred_at'},
        {'model': 'stg_crm__lead_history', 'time_column': 'changed_at'},
        {'model': 'stg_crm__leads'},
        {'model': 'stg_crm__opportunities'},
        changed_user_input([activity_user_link(), owner_user_link()]),
    ]) }}
{%- endmacro %}


{#- The inputs of the lead-level models that read every kind of lead
    event, and the users who touched or owned the lead: SLA clocks and
    statuses, and dim_leads. -#}
{% macro all_lead_inputs() -%}
    {{ return([
        {'model': 'stg_ma__marketing_events', 'time_column': 'occurred_at'},
        {'model': 'stg_crm__activities', 'time_column': 'occurred_at'},
        {'model': 'stg_crm__lead_history', 'time_column': 'changed_at'},
        {'model': 'stg_crm__leads'},
        {'model': 'stg_crm__opportunities'},
        changed_user_input([activity_user_link(), owner_user_link()]),
    ]) }}
{%- endmacro %}


{#-
    The input of the models that read users (stg_crm__users: a user's role
    decides whether its activities are sales touches and whether owning a
    lead is a handoff). The users export is a full dump without history; the
    loader gives a new load id only to a user whose row changed, or is new,
    so the users of loads newer than a model's watermark are those that
    changed since its last build, and it recomputes the leads linked to
    them. links: where a lead names a user, as
    {model: a model with lead_id, column: its user id column}; each must be
    a model the model reads (incremental_bookkeeping_columns refs them).
-#}
{% macro changed_user_input(links) -%}
    {{ return({'model': 'stg_crm__users', 'key': 'user_id', 'links': links}) }}
{%- endmacro %}

{#- The leads' links to users: the author of each activity, the owners. -#}
{% macro activity_user_link() -%}
    {{ return({'model': 'stg_crm__activities', 'column': 'user_id'}) }}
{%- endmacro %}

{% macro owner_user_link() -%}
    {{ return({'model': 'int_lead_owner_intervals', 'column': 'owner_id'}) }}
{%- endmacro %}


{#- The temporary table of the leads a run reprocesses (one per model). -#}
{% macro leads_to_reprocess_table() -%}
    {{ this.identifier }}__leads_to_reprocess
{%- endmacro %}


{#- The pre-hook of the per-lead incremental models (a no-op on a full build). -#}
{% macro create_leads_to_reprocess(inputs, recheck_column=none) -%}
    {%- if is_incremental_run() -%}
        create or replace temporary table {{ leads_to_reprocess_table() }} as
        {{ leads_to_reprocess(inputs, recheck_column) }}
    {%- else -%}
        {{ check_parents_have_current_rules() }}
    {%- endif -%}
{%- endmacro %}


{#-
    The filter of a per-lead incremental model's inputs, and the two
    bookkeeping columns its rows must carry: use as

        select ..., {{ incremental_bookkeeping_columns(inputs) }}
        from ...
        {{ incremental_lead_filter('leads_alias.lead_id') }}

    in each input CTE of the model (keyword 'and' after a where clause of
    its own), so the per-lead windows only run on the leads reprocessed.
-#}
{% macro incremental_bookkeeping_columns(inputs) -%}
    {%- if this is none %}
    {#- unit tests: no relation, and only the given inputs exist #}
    cast(null as bigint) as processed_load_id,
    {%- else %}
    {%- for input in inputs if input.links %}
    {%- for link in input.links %}
    -- depends_on: {{ ref(link.model) }} (the pre-hook reads it)
    {%- endfor %}
    {%- endfor %}
    {{ newest_load_id(inputs) }} as processed_load_id,
    {%- endif %}
    {{ as_of_setting() }} as as_of_setting,
    {{ rules_fingerprint() }} as rules_fingerprint
{%- endmacro %}

{% macro incremental_lead_filter(lead_id_column, keyword='where') -%}
    {%- if is_incremental_run() %}
    {{ keyword }} {{ lead_id_column }} in (select lead_id from {{ leads_to_reprocess_table() }})
    {%- endif %}
{%- endmacro %}


{#-
    next_change_at (see 4. above): the earliest of `instants` (SQL
    expressions, null allowed) that is after `as_of`; null when none is.
    A model stores it per lead, and an incremental run recomputes the lead
    once as_of reaches it.
-#}
{% macro next_change_at(instants, as_of) -%}
    {%- if instants | length == 1 -%}
        case when {{ instants[0] }} > {{ as_of }} then {{ instants[0] }} end
    {%- else -%}
    {#- least() skips nulls on DuckDB and Spark; Spark wants two arguments or more -#}
    least(
        {%- for instant in instants %}
        case when {{ instant }} > {{ as_of }} then {{ instant }} end
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}
