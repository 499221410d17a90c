{#- Census codes and periods. -#}

{#- 'world' for the all-countries total ('-'), 'aggregate' for groupings (00xx such as 0003 EU and 0020 USMCA,
    and continents such as 1XXX), 'detail' for an individual Schedule C country (four digits, not 00xx). -#}
{% macro census_country_level(cty_code) -%}
    case
        when {{ is_census_country_level(cty_code, 'world') }} then 'world'
        when {{ is_census_country_level(cty_code, 'aggregate') }} then 'aggregate'
        else 'detail'
    end
{%- endmacro %}

{#- Whether `cty_code` is of `level`, as census_country_level classifies it. Readers of the raw trade
    tables filter with this instead of comparing the classified column: a condition on the raw code
    reaches the table scan (the world total's 3M rows are read without classifying all 48M). -#}
{% macro is_census_country_level(cty_code, level) -%}
    {%- set world = cty_code ~ " = '-'" -%}
    {%- set aggregate = "(" ~ cty_code ~ " like '00%' or " ~ cty_code ~ " like '%X%')" -%}
    {%- if level == 'world' -%}
        {{ world }}
    {%- elif level == 'aggregate' -%}
        {{ aggregate }}
    {%- elif level == 'detail' -%}
        ({{ cty_code }} <> '-' and not {{ aggregate }})
    {%- else -%}
        {{ exceptions.raise_compiler_error("Unknown Census country level '" ~ level ~ "': use world, aggregate or detail.") }}
    {%- endif -%}
{%- endmacro %}

{#- Census `time` is 'YYYY-MM'; the month is its first day. -#}
{% macro census_month(time_column) -%}
    cast({{ time_column }} || '-01' as date)
{%- endmacro %}

{#- The leading digits of a zero-padded HS10 code (hs2 .. hs8). -#}
{% macro hs_prefix(hs10_column, digits) -%}
    substring({{ hs10_column }}, 1, {{ digits }})
{%- endmacro %}

{#- Calendar year of a date as an integer (standard SQL extract; dbt has no cross-database date_part). -#}
{% macro calendar_year(date_column) -%}
    cast(extract(year from {{ date_column }}) as integer)
{%- endmacro %}
