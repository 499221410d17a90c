{#- One row per flow, Census period, country code and name as Census reports them in trade rows
    (every country level): the names dim_country falls back on, kept small so that no build reads
    the 48M raw rows for them. Incremental like the fact: the (flow, month) slices with partitions loaded
    after its latest build (the load manifest) are re-read whole, so it holds what a full rebuild would. -#}
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

reported as (

    select
        'imports' as flow,
        census_period,
        cty_code,
        cty_name,
        loaded_at
    from imports
    union all
    select
        'exports' as flow,
        census_period,
        cty_code,
        cty_name,
        loaded_at
    from exports

),

final as (

    select
        flow,
        census_period,
        cty_code,
        cty_name,
        max(loaded_at) as loaded_at

    from reported
    -- Months with partitions loaded (or revised) after this table's latest build, re-read whole.
    where {{ loaded_since_last_build() }}
    group by 1, 2, 3, 4

)

select * from final
