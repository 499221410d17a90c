{#- delete+insert for a unique_key that is not unique in the new rows (fct_trade_monthly replaces whole
    (flow, month) slices). dbt's and dbt-duckdb's versions join the target to every new row
    (`delete ... using`), so a revised month of n rows costs n x n comparisons: minutes per month at
    Census size. A semi-join (`exists`) costs one pass, and is standard SQL. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ delete_insert_by_key(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ delete_insert_by_key(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro delete_insert_by_key(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set dest_cols_csv = get_quoted_csv(dest_columns | map(attribute="name")) -%}
    {%- set keys = unique_key if unique_key is sequence and unique_key is not string else [unique_key] -%}
    {%- if unique_key %}
        delete from {{ target }}
        where exists (
            select 1
            from {{ source }} as incoming
            where
            {%- for key in keys %}
                incoming.{{ key }} = {{ target }}.{{ key }}{{ " and" if not loop.last }}
            {%- endfor %}
        )
        {%- for predicate in incremental_predicates or [] %}
            and {{ predicate }}
        {%- endfor %};
    {%- endif %}

    insert into {{ target }} ({{ dest_cols_csv }})
    (
        select {{ dest_cols_csv }}
        from {{ source }}
    )
{%- endmacro %}
