{#- dbt's safe_cast is a plain cast on DuckDB (dbt-duckdb does not implement it), so a bad value stops the
    query instead of giving null; DuckDB's try_cast gives null. Other adapters keep their own. -#}
{% macro duckdb__safe_cast(field, type) -%}
    try_cast({{ field }} as {{ type }})
{%- endmacro %}
