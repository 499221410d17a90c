{#- Census's own all-countries total (`-`): the alternative denominator to the sum over
    detail countries. -#}
with

imports as (

    select * from {{ ref('stg_census__imports') }}

),

exports as (

    select * from {{ ref('stg_census__exports') }}

),

unioned as (

    select
        'imports' as flow,
        month,
        census_period,
        {{ calendar_year('month') }} as year,
        hs10,
        value_consumption as value,
        value_general_imports,
        duty_calculated,
        is_synthetic,
        loaded_at

    from imports
    where {{ is_census_country_level('cty_code', 'world') }}

    union all

    select
        'exports' as flow,
        month,
        census_period,
        {{ calendar_year('month') }} as year,
        hs10,
        value_total_exports as value,
        {{ money('null') }} as value_general_imports,
        {{ money('null') }} as duty_calculated,
        is_synthetic,
        loaded_at

    from exports
    where {{ is_census_country_level('cty_code', 'world') }}

)

select * from unioned
