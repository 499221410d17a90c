{#- Money and ratios, one definition each. -#}

{#- Census reports whole dollars; decimal(38, 2) keeps every sum exact on any adapter. -#}
{% macro money(expression) -%}
    cast({{ expression }} as decimal(38, 2))
{%- endmacro %}

{#- A double made summable exactly: a sum of doubles depends on row order (parallel scans), a decimal sum
    does not. Six decimal places keep far more precision than the cents the marts publish. -#}
{% macro exact_sum_operand(expression) -%}
    cast({{ expression }} as decimal(38, 6))
{%- endmacro %}

{#- A value as an 8-byte float. `double precision` is the standard spelling (dbt.type_float() is a 4-byte
    float on DuckDB, too coarse for dollar amounts). -#}
{% macro as_double(expression) -%}
    cast({{ expression }} as double precision)
{%- endmacro %}

{#- A ratio of sums as a double; null (never 0 or an error) when the denominator is 0 or null. -#}
{% macro safe_ratio(numerator, denominator) -%}
    {{ as_double(numerator) }} / nullif({{ as_double(denominator) }}, 0)
{%- endmacro %}

{#- True when any row of the group is true (bool_or is not portable across adapters). -#}
{% macro any_true(boolean_expression) -%}
    (max(case when {{ boolean_expression }} then 1 else 0 end) = 1)
{%- endmacro %}

{#- Equality that treats two nulls as equal (`is not distinct from` is not on every adapter). -#}
{% macro null_safe_equal(left, right) -%}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}
