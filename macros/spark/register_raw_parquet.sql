{#-
    On Spark the raw tables are Parquet files written by
    `scripts/load_exports.py FOLDER --format parquet --out DIR`, one folder per
    table. This on-run-start hook (re)registers each folder as an external
    table of schema raw, so the sources read them like the DuckDB raw schema.
    The folder is the var `raw_parquet_dir` (env var RAW_PARQUET_DIR); use an
    absolute path or a URI the cluster reads (s3://, abfss://, dbfs:/).
    Dropping an external table leaves its files alone. On any other adapter
    the hook does nothing (an empty hook runs no SQL): DuckDB reads the
    loader's raw schema directly.
-#}
{% macro register_raw_parquet() -%}
    {{ return(adapter.dispatch('register_raw_parquet', 'lead_handoff')()) }}
{%- endmacro %}

{% macro default__register_raw_parquet() -%}
{%- endmacro %}

{% macro spark__register_raw_parquet() -%}
    {%- set folder = var('raw_parquet_dir', env_var('RAW_PARQUET_DIR', '')) | string | trim -%}
    {%- if execute and folder == '' -%}
        {{ exceptions.raise_compiler_error("On Spark the raw tables are Parquet files: set RAW_PARQUET_DIR (or --vars '{raw_parquet_dir: ...}') to the folder written by `scripts/load_exports.py FOLDER --format parquet --out DIR`.") }}
    {%- endif -%}
    {%- set tables = ['leads', 'lead_history', 'activities', 'marketing_events', 'opportunities', 'users', 'campaigns', '_quarantine', '_load_audit'] -%}
    {%- if execute -%}
        {%- do run_query('create schema if not exists raw') -%}
        {%- for table in tables -%}
            {%- do run_query('drop table if exists raw.`' ~ table ~ '`') -%}
            {%- do run_query("create table raw.`" ~ table ~ "` using parquet location '" ~ (folder.rstrip('/') ~ '/' ~ table) | replace("'", "\\'") ~ "'") -%}
        {%- endfor -%}
        {{ log("raw: registered " ~ tables | length ~ " Parquet tables from " ~ folder, info=true) }}
    {%- endif -%}
{%- endmacro %}
