{#-
    A count that must cover a quotient, rounded up: ceil(quotient), except
    that floating-point noise never adds a whole unit. A double quotient
    such as 21 / 0.35 reads 60.00000000000001 (0.35 has no exact binary
    form), and a plain ceiling would ask for 61 opportunities. The quotient is
    lowered by a trillionth (1e-12) of itself first: far above the noise of
    a double (about 1e-16 of the value, a few times that after three
    divisions) and below any real excess in a plan: 5,000,000,001 /
    5,000,000 = 1000.0000002, 2e-10 above 1000, still needs 1001 wins.
-#}
{% macro ceil_count(quotient) -%}
    cast(ceil(({{ quotient }}) - abs({{ quotient }}) * 1e-12) as bigint)
{%- endmacro %}
