{#- One row per flow, month and HS10 code: the fact summed over partner countries, with the code's
    labels. Every code-level mart reads this instead of the 32M-row fact. Incremental like the fact:
    it re-aggregates the (flow, month) slices the fact rewrote after this model's latest build
    (written_since_last_build), and drops those the fact no longer has. -#}
{#- Built after the world total, so that in `dbt build` a failing
    assert_detail_countries_sum_to_world_total (a pull of some countries; it reads the detail and the
    world total) skips this sum and every mart after it: dbt holds back only the models that descend
    from all of a test's parents. The fact, one true row per country, is built. -#}
-- depends_on: {{ ref('int_trade_monthly__world_total') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_slices_to_rebuild(written_since_last_build(ref('fct_trade_monthly'))) }}",
        post_hook="{{ record_loads_applied(taken_from=ref('fct_trade_monthly')) }}"
    )
}}

-- depends_on: {{ ref('stg_census__load_manifest') }}

with

trade as (

    select * from {{ ref('fct_trade_monthly') }}
    where {{ written_since_last_build(ref('fct_trade_monthly')) }}

),

final as (

    select
        flow,
        month,
        year,
        hs10,
        relevance_group,
        primary_category,
        is_excluded_chapter,
        -- The greatest when partner rows differ (dim_hs10 takes the latest month's).
        max(description_short) as description_short,
        sum(value) as value,
        sum(value_general_imports) as value_general_imports,
        sum(duty_calculated) as duty_calculated,
        sum(value_dutiable) as value_dutiable,
        {{ any_true('value <> 0') }} as has_trade,
        {{ any_true('is_synthetic') }} as is_synthetic,
        {{ build_timestamp() }} as built_at

    from trade
    group by 1, 2, 3, 4, 5, 6, 7

)

select * from final
