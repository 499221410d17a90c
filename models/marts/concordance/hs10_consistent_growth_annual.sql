{#- Incremental by (flow, year): a build deletes and rebuilds the years whose code-year totals or
    previous year changed, a whole flow when its base year or its code families changed
    (macro consistent_growth_years_to_rebuild). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_slices_to_rebuild(consistent_growth_years_to_rebuild()) }}",
        post_hook="{{ record_loads_applied(taken_from=ref('int_trade_annual__codes')) }}"
    )
}}

-- depends_on: {{ ref('stg_census__load_manifest') }}

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

-- The rows this build writes; every year stays readable as a previous or base year.
rows_to_build as (

    select * from with_family
    where {{ consistent_growth_years_to_rebuild() }}

),

family_years as (

    select
        flow,
        family_hs10,
        year,
        max(months_covered) as months_covered,
        sum(value) as family_value
    from with_family
    group by 1, 2, 3

),

joined as (

    select
        rows_to_build.flow,
        rows_to_build.hs10,
        rows_to_build.year,
        rows_to_build.months_covered,
        coalesce(previous_family.months_covered, 0) as previous_year_months_covered,
        coalesce(base_family.months_covered, 0) as base_year_months_covered,
        rows_to_build.family_hs10,
        rows_to_build.family_size,
        rows_to_build.relevance_group,
        rows_to_build.primary_category,
        rows_to_build.value,
        coalesce(previous_code.value, 0) as previous_year_value,
        coalesce(base_code.value, 0) as base_year_value,
        family_years.family_value,
        coalesce(previous_family.family_value, 0) as family_previous_year_value,
        coalesce(base_family.family_value, 0) as family_base_year_value,
        rows_to_build.is_synthetic
    from rows_to_build
    inner join family_years
        on
            rows_to_build.flow = family_years.flow
            and rows_to_build.family_hs10 = family_years.family_hs10
            and rows_to_build.year = family_years.year
    left join code_years as previous_code
        on
            rows_to_build.flow = previous_code.flow
            and rows_to_build.hs10 = previous_code.hs10
            and previous_code.year = rows_to_build.year - 1
    left join code_years as base_code
        on
            rows_to_build.flow = base_code.flow
            and rows_to_build.hs10 = base_code.hs10
            and base_code.year = {{ var('base_year') | int }}
    left join family_years as previous_family
        on
            rows_to_build.flow = previous_family.flow
            and rows_to_build.family_hs10 = previous_family.family_hs10
            and previous_family.year = rows_to_build.year - 1
    left join family_years as base_family
        on
            rows_to_build.flow = base_family.flow
            and rows_to_build.family_hs10 = base_family.family_hs10
            and base_family.year = {{ var('base_year') | int }}

),

final as (

    select
        flow,
        hs10,
        cast(year as integer) as year,
        cast(months_covered as integer) as months_covered,
        family_hs10,
        cast(family_size as integer) as family_size,
        relevance_group,
        primary_category,
        {{ money('value') }} as value,
        {{ money('previous_year_value') }} as previous_year_value,
        {{ annual_growth_rate(
            'value', 'previous_year_value', 'months_covered', 'previous_year_months_covered'
        ) }} as growth_vs_previous_year,
        cast({{ var('base_year') | int }} as integer) as base_year,
        {{ money('base_year_value') }} as base_year_value,
        {{ annual_growth_rate(
            'value', 'base_year_value', 'months_covered', 'base_year_months_covered'
        ) }} as growth_vs_base_year,
        {{ money('family_value') }} as family_value,
        {{ money('family_previous_year_value') }} as family_previous_year_value,
        {{ annual_growth_rate(
            'family_value',
            'family_previous_year_value',
            'months_covered',
            'previous_year_months_covered'
        ) }} as family_growth_vs_previous_year,
        {{ money('family_base_year_value') }} as family_base_year_value,
        {{ annual_growth_rate(
            'family_value', 'family_base_year_value', 'months_covered', 'base_year_months_covered'
        ) }} as family_growth_vs_base_year,
        is_synthetic,
        {{ build_timestamp() }} as built_at
    from joined

)

select * from final
