{#- Detail countries only: Census groupings and the world total would double count. -#}
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
        hs10,
        cty_code,
        description_short,
        value_consumption as value,
        value_general_imports,
        duty_calculated,
        value_dutiable,
        quantity_1,
        quantity_2,
        unit_1,
        unit_2,
        is_synthetic,
        loaded_at

    from imports
    where {{ is_census_country_level('cty_code', 'detail') }}

    union all

    select
        'exports' as flow,
        month,
        census_period,
        hs10,
        cty_code,
        description_short,
        value_total_exports as value,
        {{ money('null') }} as value_general_imports,
        {{ money('null') }} as duty_calculated,
        {{ money('null') }} as value_dutiable,
        quantity_1,
        quantity_2,
        unit_1,
        unit_2,
        is_synthetic,
        loaded_at

    from exports
    where {{ is_census_country_level('cty_code', 'detail') }}

)

select * from unioned
