{#- The project's definitions behind its vars, rendered once so models and tests spell them alike. -#}

{#- Label of a relevance set, e.g. ['Medium', 'Low'] -> 'Low+Medium'. -#}
{% macro relevance_set_label(groups) -%}
    {{ return(groups | sort | join('+')) }}
{%- endmacro %}

{#- The non-AI relevance levels (var non_ai_relevance) as a SQL list, e.g. ('Low'). -#}
{% macro non_ai_relevance_list() -%}
    ('{{ var("non_ai_relevance") | join("', '") }}')
{%- endmacro %}

{#- The label of the pooled window of the country marts, e.g. '2024+2025'. -#}
{% macro pooled_period_label() -%}
    {{ return(var('pooled_years') | map('int') | sort | join('+')) }}
{%- endmacro %}

{#- The pooled years of the country marts (var pooled_years) as a SQL list, e.g. (2024, 2025). -#}
{% macro pooled_years_list() -%}
    ({{ var('pooled_years') | map('int') | join(', ') }})
{%- endmacro %}

{#- Growth between two values as a fraction (0.726 = +72.6%); null, never 0, when the base is 0 or missing. -#}
{% macro growth_rate(current_value, base_value) -%}
    {{ safe_ratio('(' ~ current_value ~ ') - (' ~ base_value ~ ')', base_value) }}
{%- endmacro %}

{#- Growth from one calendar year to another, given each year's months of data in the flow (flow_year_months):
    null unless both years have all 12, because a partial year (January 2026 alone) against a full year is not
    growth; the monthly index's trailing windows follow the latest months. -#}
{% macro annual_growth_rate(current_value, base_value, current_months, base_months) -%}
    case
        when {{ current_months }} = 12 and {{ base_months }} = 12
            then {{ growth_rate(current_value, base_value) }}
    end
{%- endmacro %}

{#- One row per flow and calendar year of a monthly relation (columns flow, year, month): the months with data,
    12 for a complete year. -#}
{% macro flow_year_months(monthly_relation) -%}
    select
        flow,
        year,
        count(distinct month) as months_covered
    from {{ monthly_relation }}
    group by 1, 2
{%- endmacro %}
