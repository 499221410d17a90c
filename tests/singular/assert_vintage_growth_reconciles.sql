{#- hs10_consistent_growth_annual reconciles with the code-month totals (int_trade_monthly__codes,
    analysis panel) per flow and year; growth is null exactly when its base is 0 (never a "+0.0%" for a code without base-year
    trade); and every linked code pair shares its family. -#}

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
        sum(value) as value
    from trade
    group by 1, 2

),

growth_years as (

    select
        flow,
        year,
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
    where growth_years.value is null or growth_years.value <> fct_years.value

    union all

    select
        flow,
        'growth null iff base 0' as check_name,
        hs10
    from growth
    where
        (base_year_value = 0) <> (growth_vs_base_year is null)
        or (previous_year_value = 0) <> (growth_vs_previous_year is null)
        or (family_base_year_value = 0) <> (family_growth_vs_base_year is null)

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
