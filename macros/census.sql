{#- Census codes and periods. -#}

{#- 'world' for the all-countries total ('-'), 'aggregate' for groupings (00xx such as 0003 EU and 0020 USMCA,
    and continents such as 1XXX), 'detail' for an individual Schedule C country (four digits, not 00xx). -#}
{% macro census_country_level(cty_code) -%}
    case
        when {{ cty_code }} = '-' then 'world'
        when {{ cty_code }} like '00%' or {{ cty_code }} like '%X%' then 'aggregate'
        else 'detail'
    end
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
