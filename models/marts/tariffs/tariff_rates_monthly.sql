{#- Effective tariff rates by month: sum(calculated duty) / sum(imports for consumption), a ratio
    of sums. Breakdowns (one set of rows each; dimensions a breakdown does not split by hold 'All'):
    total, relevance_group, relevance_group_category, country, relevance_group_country. -#}
{%- set breakdowns = [
    {'name': 'total', 'relevance_group': "'All'", 'primary_category': "'All'", 'cty_code': "'All'"},
    {'name': 'relevance_group', 'relevance_group': 'relevance_group', 'primary_category': "'All'",
     'cty_code': "'All'"},
    {'name': 'relevance_group_category', 'relevance_group': 'relevance_group',
     'primary_category': 'primary_category', 'cty_code': "'All'"},
    {'name': 'country', 'relevance_group': "'All'", 'primary_category': "'All'", 'cty_code': 'cty_code'},
    {'name': 'relevance_group_country', 'relevance_group': 'relevance_group', 'primary_category': "'All'",
     'cty_code': 'cty_code'},
] -%}

with

trade as (

    select * from {{ ref('fct_trade_monthly') }}
    where flow = 'imports' and not is_excluded_chapter

),

countries as (

    select * from {{ ref('dim_country') }}

),

prepared as (

    select
        month,
        year,
        hs10,
        relevance_group,
        cty_code,
        value,
        is_synthetic,
        coalesce(primary_category, 'Unclassified') as primary_category,
        coalesce(duty_calculated, 0) as duty_calculated

    from trade

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
            count(distinct case when value <> 0 then hs10 end) as code_count,
            {{ any_true('is_synthetic') }} as is_synthetic

        from prepared
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
