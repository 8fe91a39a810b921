{#-
    The leads the marts cover: those of the leads export (stg_crm__leads),
    as in dim_leads. History, activities or events of a lead missing from
    leads.csv load and stay in staging, where the `relationships` warning
    tests count them; a fact mart leaves them out until the lead arrives
    (its row in stg_crm__leads then reprocesses the lead incrementally).
-#}
{% macro known_lead_filter(lead_id_column, keyword='where') -%}
    {{ keyword }} {{ lead_id_column }} in (select known_leads.lead_id from {{ ref('stg_crm__leads') }} as known_leads)
{%- endmacro %}
