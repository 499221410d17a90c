{#- Census's own all-countries total (`-`): the alternative denominator to the sum over detail
    countries. A table, incremental like the fact: the (flow, month) slices with partitions loaded after
    its latest build (the load manifest) are re-read whole, so no incremental build reads every raw row. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_slices_to_rebuild(loaded_since_last_build()) }}",
        post_hook="{{ record_loads_applied() }}"
    )
}}

-- depends_on: {{ ref('stg_census__load_manifest') }}

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

),

-- Months with partitions loaded (or revised) after this table's latest build, re-read whole.
final as (

    select * from unioned
    where {{ loaded_since_last_build() }}

)

select * from final
