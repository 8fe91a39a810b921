{#-
    Personal data never leaves staging in the clear: this returns a salted
    SHA-256 of the normalised value (null stays null), stable across loads so
    it still works as a join or de-duplication key. The salt is the var
    `pii_salt` (env var LEAD_PII_SALT).

    kind='email': trimmed, lowercased.
    kind='phone': digits only, so "03-1234-5678" and "0312345678" agree.
-#}
{% macro hash_pii(expression, kind='email') -%}
    {%- if kind == 'phone' -%}
        {%- set normalised = regexp_replace_all(expression, '[^0-9]', '') -%}
    {%- elif kind == 'email' -%}
        {%- set normalised = "lower(trim(" ~ expression ~ "))" -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("hash_pii: kind must be 'email' or 'phone', got '" ~ kind ~ "'") }}
    {%- endif -%}
    case
        when nullif({{ normalised }}, '') is not null
            then {{ sha256("concat('" ~ var('pii_salt') ~ "', " ~ normalised ~ ")") }}
    end
{%- endmacro %}
