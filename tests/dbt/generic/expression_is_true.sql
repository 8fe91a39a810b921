{#-
    Fails on every row where the boolean expression is not true, e.g.
    `expression: "handed_off_at >= created_at"`. Rows where the expression is
    null pass (use not_null for those columns). Optional `where` narrows rows.
-#}
{% test expression_is_true(model, expression) %}

select *
from {{ model }}
where not ({{ expression }})

{% endtest %}
