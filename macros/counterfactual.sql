{#- Parameters of the counterfactual (methodology 3.9) and of the robustness marts, one definition each. -#}

{#- Non-AI definitions the counterfactual is built for: the project's (var non_ai_relevance, the study's Low),
    Low, and Low + Medium (methodology 6.3). Each is a sorted list of relevance groups; duplicates removed. -#}
{% macro counterfactual_non_ai_definitions() -%}
    {%- set definitions = [] -%}
    {%- for candidate in [var('non_ai_relevance'), ['Low'], ['Low', 'Medium']] -%}
        {%- set normalized = candidate | sort -%}
        {%- if normalized not in definitions -%}
            {%- do definitions.append(normalized) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(definitions) }}
{%- endmacro %}

{#- Base years the counterfactual is built for: the project's base year first, then var
    counterfactual_base_years. Years without 12 months of both flows are dropped later (int_counterfactual__variants). -#}
{% macro counterfactual_base_years() -%}
    {%- set years = [var('base_year') | int] -%}
    {%- for year in var('counterfactual_base_years') -%}
        {%- if (year | int) not in years -%}
            {%- do years.append(year | int) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(years) }}
{%- endmacro %}

{#- Every counterfactual variant as a dict: base year x non-AI definition x import value concept. -#}
{% macro counterfactual_variants() -%}
    {%- set study_label = relevance_set_label(var('non_ai_relevance')) -%}
    {%- set variants = [] -%}
    {%- for base_year in counterfactual_base_years() -%}
        {%- for definition in counterfactual_non_ai_definitions() -%}
            {%- set label = relevance_set_label(definition) -%}
            {%- for import_concept in ['consumption', 'general'] -%}
                {%- do variants.append({
                    'variant_id': base_year ~ '_' ~ (label | lower | replace('+', '_')) ~ '_' ~ import_concept,
                    'base_year': base_year,
                    'non_ai_definition': label,
                    'includes_low': 'Low' in definition,
                    'includes_medium': 'Medium' in definition,
                    'includes_unclassified': 'Unclassified' in definition,
                    'import_value_concept': import_concept,
                    'is_study_variant': base_year == (var('base_year') | int)
                        and label == study_label and import_concept == 'consumption',
                }) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(variants) }}
{%- endmacro %}

{#- A variant's non-AI value of a series row: the relevance groups the variant counts as non-AI. -#}
{% macro variant_non_ai_value(variant, series) -%}
    case when {{ variant }}.non_ai_includes_low then {{ series }}.low_value else 0 end
    + case when {{ variant }}.non_ai_includes_medium then {{ series }}.medium_value else 0 end
    + case when {{ variant }}.non_ai_includes_unclassified then {{ series }}.unclassified_value else 0 end
{%- endmacro %}

{#- The study's product table (methodology 3.1 imports, 3.8 exports: trade_hierarchical[_exports].tex) for one
    flow, from the marts: High row, one row per High category (sorted by base-year value; every category,
    so Maintenance_Operations is not lost between rows), Low row, then the Medium and Unclassified rows the
    study hid, and Total. Code counts as in the study: distinct codes with trade over the whole panel, and
    for Total over var comparison_year - 1 (the study's 2024). $B rounded to 0.1, change in % to 0.1. -#}
{% macro study_product_table(flow) -%}
{%- set base_year = var('base_year') | int -%}
{%- set comparison_year = var('comparison_year') | int -%}
with

annual as (

    select * from {{ ref('ai_trade_annual') }}
    where flow = '{{ flow }}'

),

trade as (

    select * from {{ ref('fct_trade_monthly') }}
    where flow = '{{ flow }}' and not is_excluded_chapter

),

group_rows as (

    select
        relevance_group as row_label,
        case relevance_group
            when 'High' then 1 when 'Low' then 3 when 'Medium' then 4 else 5
        end as row_order,
        relevance_group,
        cast(null as {{ dbt.type_string() }}) as primary_category
    from annual
    group by 1, 2, 3

),

category_rows as (

    select
        replace(primary_category, '_', ' ') as row_label,
        2 as row_order,
        relevance_group,
        primary_category
    from annual
    where relevance_group = 'High'
    group by 1, 2, 3, 4

),

labelled_rows as (

    select * from group_rows
    union all
    select * from category_rows

),

row_values as (

    select
        labelled_rows.row_label,
        labelled_rows.row_order,
        labelled_rows.relevance_group,
        labelled_rows.primary_category,
        sum(case when annual.year = {{ base_year }} then annual.value else 0 end) as base_value,
        sum(case when annual.year = {{ comparison_year }} then annual.value else 0 end) as comparison_value
    from labelled_rows
    inner join annual
        on
            labelled_rows.relevance_group = annual.relevance_group
            and (
                labelled_rows.primary_category is null
                or labelled_rows.primary_category = annual.primary_category
            )
    group by 1, 2, 3, 4

),

row_codes as (

    select
        labelled_rows.row_label,
        count(distinct trade.hs10) as code_count
    from labelled_rows
    inner join trade
        on
            labelled_rows.relevance_group = trade.relevance_group
            and (
                labelled_rows.primary_category is null
                or labelled_rows.primary_category = trade.primary_category
            )
    group by 1

),

total_row as (

    select
        'Total' as row_label,
        6 as row_order,
        (
            select count(distinct trade.hs10) from trade
            where trade.year = {{ comparison_year - 1 }}
        ) as code_count,
        sum(case when year = {{ base_year }} then value else 0 end) as base_value,
        sum(case when year = {{ comparison_year }} then value else 0 end) as comparison_value
    from annual

),

table_rows as (

    select
        row_values.row_label,
        row_values.row_order,
        row_codes.code_count,
        row_values.base_value,
        row_values.comparison_value
    from row_values
    left join row_codes
        on row_values.row_label = row_codes.row_label
    union all
    select
        row_label,
        row_order,
        code_count,
        base_value,
        comparison_value
    from total_row

),

final as (

    select
        row_label as product,
        code_count as hs10_codes,
        round(base_value / 1e9, 1) as usd_bn_{{ base_year }},
        round(comparison_value / 1e9, 1) as usd_bn_{{ comparison_year }},
        round(100 * {{ growth_rate('comparison_value', 'base_value') }}, 1) as pct_change,
        row_order,
        base_value
    from table_rows

)

select
    row_number() over (order by row_order asc, base_value desc) as row_order,
    product,
    hs10_codes,
    usd_bn_{{ base_year }},
    usd_bn_{{ comparison_year }},
    pct_change
from final
order by 1
{%- endmacro %}
