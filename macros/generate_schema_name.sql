{#-
    Models land in the schema named by their folder (staging, intermediate,
    marts, seeds) rather than dbt's default "<target schema>_<folder>", so BI
    tools read a stable `marts.dim_leads` whatever the target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
