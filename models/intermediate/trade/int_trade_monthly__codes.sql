{#- One row per flow, month and HS10 code: the fact summed over partner countries, with the code's
    labels. Every code-level mart reads this instead of the 30M-row fact. Incremental like the fact:
    it re-aggregates the (flow, month) slices the fact wrote after this model's latest build. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['flow', 'month'],
        on_schema_change='fail'
    )
}}

with

trade as (

    {{ slices_written_since_last_build(ref('fct_trade_monthly')) }}

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
