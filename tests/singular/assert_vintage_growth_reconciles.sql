{#- hs10_consistent_growth_annual reconciles with the code-month totals (int_trade_monthly__codes,
    analysis panel) per flow and year, its months_covered with their months; growth is null exactly when
    its base is 0 (never a "+0.0%" for a code without base-year trade) or either year has fewer than 12
    months; and every linked code pair shares its family. -#}
{%- set growth_checks = [
    ('base_year_value', 'growth_vs_base_year', 'base_years'),
    ('previous_year_value', 'growth_vs_previous_year', 'previous_years'),
    ('family_base_year_value', 'family_growth_vs_base_year', 'base_years'),
    ('family_previous_year_value', 'family_growth_vs_previous_year', 'previous_years'),
] -%}

with

growth as (

    select * from {{ ref('hs10_consistent_growth_annual') }}

),

links as (

    select * from {{ ref('hs10_vintage_links') }}

),

families as (

    select * from {{ ref('int_vintage__code_families') }}

),

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

fct_years as (

    select
        flow,
        year,
        count(distinct month) as months_covered,
        sum(value) as value
    from trade
    group by 1, 2

),

growth_years as (

    select
        flow,
        year,
        max(months_covered) as months_covered,
        sum(value) as value
    from growth
    group by 1, 2

),

final as (

    select
        fct_years.flow,
        'total vs fct' as check_name,
        cast(null as {{ dbt.type_string() }}) as hs10
    from fct_years
    left join growth_years
        on
            fct_years.flow = growth_years.flow
            and fct_years.year = growth_years.year
    where
        growth_years.value is null
        or growth_years.value <> fct_years.value
        or growth_years.months_covered <> fct_years.months_covered

    union all

    select
        growth.flow,
        'growth null iff base 0 or a partial year' as check_name,
        growth.hs10
    from growth
    left join growth_years as previous_years
        on
            growth.flow = previous_years.flow
            and previous_years.year = growth.year - 1
    left join growth_years as base_years
        on
            growth.flow = base_years.flow
            and growth.base_year = base_years.year
    where
        1 = 0
        {%- for denominator, growth_column, compared in growth_checks %}
            or (
                growth.{{ denominator }} = 0
                or growth.months_covered < 12
                or coalesce({{ compared }}.months_covered, 0) < 12
            ) <> (growth.{{ growth_column }} is null)
        {%- endfor %}

    union all

    select
        links.flow,
        'link crosses families' as check_name,
        links.new_hs10 as hs10
    from links
    inner join families
        on
            links.flow = families.flow
            and links.new_hs10 = families.hs10
    where families.family_hs10 <> links.family_hs10

)

select * from final
