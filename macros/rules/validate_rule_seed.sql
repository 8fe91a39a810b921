{#-
    Fails the build with a message naming each bad row of a rule seed.

    `checks` is a list of [condition, message] pairs: a row for which the SQL
    condition is true is reported with the message, e.g.
        [["target_business_hours < 0", "target_business_hours must not be negative"]]
    Rows are numbered as lines of the seed's CSV file (header = line 1).
    Call it from the seed's post-hook (`{{ validate_<seed>(this) }}`), so a
    bad file fails its own seed node with a message naming the line, and
    nothing downstream is built from it. At parse time it does nothing.
-#}
{% macro validate_rule_seed(seed_relation, checks, label_column) -%}
    {%- set seed_path = model.original_file_path if model is defined and model.original_file_path else seed_relation | string -%}
    {%- if execute -%}
        {%- set problems_sql -%}
            with numbered as (
                select
                    *,
                    {{ row_number_in_load_order() }} + 1 as csv_line
                from {{ seed_relation }}
            ),

            problems as (
                {% for check in checks -%}
                    select
                        csv_line,
                        cast({{ label_column }} as {{ dbt.type_string() }}) as row_label,
                        '{{ check[1] | replace("'", "''") }}' as problem
                    from numbered
                    where {{ check[0] }}
                    {% if not loop.last %}union all{% endif %}
                {% endfor %}
            )

            select csv_line, row_label, problem
            from problems
            order by csv_line, problem
        {%- endset -%}
        {%- set problems = run_query(problems_sql) -%}
        {%- if problems.rows | length > 0 -%}
            {%- set lines = [] -%}
            {%- for row in problems.rows -%}
                {%- do lines.append("  " ~ seed_path ~ " line " ~ row[0] ~ " (" ~ label_column ~ " = '" ~ row[1] ~ "'): " ~ row[2]) -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error("Malformed rule seed " ~ seed_path ~ ":\n" ~ (lines | join("\n")) ~ "\nFix the file and run `dbt seed` (or `dbt build`) again.") }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
