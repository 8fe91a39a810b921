{#- Hex SHA-256 of a text expression. -#}
{% macro sha256(expression) -%}
    {{ return(adapter.dispatch('sha256', 'lead_handoff')(expression)) }}
{%- endmacro %}

{% macro default__sha256(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{% macro duckdb__sha256(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
