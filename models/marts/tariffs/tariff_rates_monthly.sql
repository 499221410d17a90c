{#- Effective tariff rates by month: sum(calculated duty) / sum(imports for consumption), a ratio
    of sums. Breakdowns (one set of rows each; dimensions a breakdown does not split by hold 'All'):
    total, relevance_group, relevance_group_category (from the code-month totals), country,
    relevance_group_country (from the country-month totals). A code has one relevance group and
    category, so the codes with trade of a country add up across them. -#}
{%- set breakdowns = [
    {'name': 'total', 'source': 'category_months', 'relevance_group': "'All'", 'primary_category': "'All'",
     'cty_code': "'All'"},
    {'name': 'relevance_group', 'source': 'category_months', 'relevance_group': 'relevance_group',
     'primary_category': "'All'", 'cty_code': "'All'"},
    {'name': 'relevance_group_category', 'source': 'category_months', 'relevance_group': 'relevance_group',
     'primary_category': 'primary_category', 'cty_code': "'All'"},
    {'name': 'country', 'source': 'relevance_country_months', 'relevance_group': "'All'",
     'primary_category': "'All'", 'cty_code': 'cty_code'},
    {'name': 'relevance_group_country', 'source': 'relevance_country_months', 'relevance_group': 'relevance_group',
     'primary_category': "'All'", 'cty_code': 'cty_code'},
] -%}

with

code_months as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where flow = 'imports' and not is_excluded_chapter

),

country_months as (

    select * from {{ ref('int_trade_monthly__countries') }}
    where flow = 'imports' and not is_excluded_chapter

),

countries as (

    select * from {{ ref('dim_country') }}

),

-- Each input is read once, at the finest grain a breakdown needs; the breakdowns add these up.
-- The code-month totals have one row per code and month, so counting rows counts distinct codes;
-- a code has one relevance group and category, so code counts add up across them.
category_months as (

    select
        month,
        year,
        relevance_group,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as value,
        sum(coalesce(duty_calculated, 0)) as duty_calculated,
        count(case when has_trade then hs10 end) as code_count,
        {{ any_true('is_synthetic') }} as is_synthetic

    from code_months
    group by 1, 2, 3, 4

),

relevance_country_months as (

    select
        month,
        year,
        relevance_group,
        cty_code,
        sum(value) as value,
        sum(coalesce(duty_calculated, 0)) as duty_calculated,
        sum(codes_with_trade) as code_count,
        {{ any_true('is_synthetic') }} as is_synthetic

    from country_months
    group by 1, 2, 3, 4

),

aggregated as (

    {% for breakdown in breakdowns %}
        select
            '{{ breakdown.name }}' as breakdown,
            month,
            year,
            {{ breakdown.relevance_group }} as relevance_group,
            {{ breakdown.primary_category }} as primary_category,
            {{ breakdown.cty_code }} as cty_code,
            sum(value) as value,
            sum(duty_calculated) as duty_calculated,
            cast(sum(code_count) as bigint) as code_count,
            {{ any_true('is_synthetic') }} as is_synthetic

        from {{ breakdown.source }}
        group by 1, 2, 3, 4, 5, 6
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        aggregated.breakdown,
        aggregated.month,
        aggregated.year,
        aggregated.relevance_group,
        aggregated.primary_category,
        aggregated.cty_code,
        countries.cty_name,
        {{ money('aggregated.value') }} as value,
        {{ money('aggregated.duty_calculated') }} as duty_calculated,
        {{ safe_ratio('aggregated.duty_calculated', 'aggregated.value') }} as effective_rate,
        aggregated.code_count,
        aggregated.is_synthetic

    from aggregated
    left join countries
        on aggregated.cty_code = countries.cty_code

)

select * from final
