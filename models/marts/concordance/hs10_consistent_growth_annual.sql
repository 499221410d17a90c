with

code_years as (

    select * from {{ ref('int_trade_annual__codes') }}

),

families as (

    select * from {{ ref('int_vintage__code_families') }}

),

with_family as (

    select
        code_years.*,
        coalesce(families.family_hs10, code_years.hs10) as family_hs10,
        coalesce(families.family_size, 1) as family_size
    from code_years
    left join families
        on
            code_years.flow = families.flow
            and code_years.hs10 = families.hs10

),

family_years as (

    select
        flow,
        family_hs10,
        year,
        sum(value) as family_value
    from with_family
    group by 1, 2, 3

),

joined as (

    select
        with_family.flow,
        with_family.hs10,
        with_family.year,
        with_family.family_hs10,
        with_family.family_size,
        with_family.relevance_group,
        with_family.primary_category,
        with_family.value,
        coalesce(previous_code.value, 0) as previous_year_value,
        coalesce(base_code.value, 0) as base_year_value,
        family_years.family_value,
        coalesce(previous_family.family_value, 0) as family_previous_year_value,
        coalesce(base_family.family_value, 0) as family_base_year_value,
        with_family.is_synthetic
    from with_family
    inner join family_years
        on
            with_family.flow = family_years.flow
            and with_family.family_hs10 = family_years.family_hs10
            and with_family.year = family_years.year
    left join code_years as previous_code
        on
            with_family.flow = previous_code.flow
            and with_family.hs10 = previous_code.hs10
            and previous_code.year = with_family.year - 1
    left join code_years as base_code
        on
            with_family.flow = base_code.flow
            and with_family.hs10 = base_code.hs10
            and base_code.year = {{ var('base_year') | int }}
    left join family_years as previous_family
        on
            with_family.flow = previous_family.flow
            and with_family.family_hs10 = previous_family.family_hs10
            and previous_family.year = with_family.year - 1
    left join family_years as base_family
        on
            with_family.flow = base_family.flow
            and with_family.family_hs10 = base_family.family_hs10
            and base_family.year = {{ var('base_year') | int }}

),

final as (

    select
        flow,
        hs10,
        cast(year as integer) as year,
        family_hs10,
        cast(family_size as integer) as family_size,
        relevance_group,
        primary_category,
        {{ money('value') }} as value,
        {{ money('previous_year_value') }} as previous_year_value,
        {{ growth_rate('value', 'previous_year_value') }} as growth_vs_previous_year,
        cast({{ var('base_year') | int }} as integer) as base_year,
        {{ money('base_year_value') }} as base_year_value,
        {{ growth_rate('value', 'base_year_value') }} as growth_vs_base_year,
        {{ money('family_value') }} as family_value,
        {{ money('family_previous_year_value') }} as family_previous_year_value,
        {{ growth_rate('family_value', 'family_previous_year_value') }}
            as family_growth_vs_previous_year,
        {{ money('family_base_year_value') }} as family_base_year_value,
        {{ growth_rate('family_value', 'family_base_year_value') }} as family_growth_vs_base_year,
        is_synthetic
    from joined

)

select * from final
