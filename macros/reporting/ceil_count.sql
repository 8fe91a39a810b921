{#-
    A count that must cover a quotient, rounded up: ceil(quotient), except
    that floating-point noise never adds a whole unit. A double quotient
    such as 21 / 0.35 reads 60.00000000000001 (0.35 has no exact binary
    form), and a plain ceiling would ask for 61 opportunities. The quotient is
    lowered by a billionth of itself first: far above the noise of a double
    (about 1e-16 of the value) and far below any real excess in a plan
    (100,000,002 / 5,000,000 = 20.0000004 still needs 21 wins).
-#}
{% macro ceil_count(quotient) -%}
    cast(ceil(({{ quotient }}) - abs({{ quotient }}) * 1e-9) as bigint)
{%- endmacro %}
