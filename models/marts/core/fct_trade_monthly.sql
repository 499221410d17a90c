{#- Incremental by flow and month: a build reprocesses only the months whose raw rows were
    loaded (or revised) after the last build, and every month of a flow whose labels or chapter
    exclusions changed. `dbt build --full-refresh --select fct_trade_monthly+` rebuilds everything;
    both paths give the same table (tests/python/test_incremental.py). -#}
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

    select * from {{ ref('int_trade_monthly__detail') }}

),

labels as (

    select * from {{ ref('int_hs10_labels__current') }}

),

excluded_chapters as (

    select * from {{ ref('excluded_hs2_chapters') }}

),

{% if is_incremental() %}


    built as (

        select * from {{ this }}

    ),

    built_labels as (

        select distinct
            flow,
            hs10,
            relevance_group,
            primary_category,
            label_confidence,
            label_source,
            is_excluded_chapter
        from built

    ),

    flows_with_changed_labels as (

        select distinct built_labels.flow
        from built_labels
        left join labels
            on
                built_labels.flow = labels.flow
                and built_labels.hs10 = labels.hs10
        left join excluded_chapters
            on {{ hs_prefix('built_labels.hs10', 2) }} = excluded_chapters.hs2
        where
            built_labels.relevance_group <> coalesce(labels.relevance, 'Unclassified')
            or not {{ null_safe_equal('built_labels.primary_category', 'labels.primary_category') }}
            or not {{ null_safe_equal('built_labels.label_confidence', 'labels.confidence') }}
            or not {{ null_safe_equal('built_labels.label_source', 'labels.label_source') }}
            or built_labels.is_excluded_chapter <> (excluded_chapters.hs2 is not null)

    ),

    last_build as (

        select
            flow,
            max(loaded_at) as last_loaded_at
        from built
        group by 1

    ),

    months_to_build as (

        select distinct
            trade.flow,
            trade.month
        from trade
        left join last_build on trade.flow = last_build.flow
        where
            last_build.last_loaded_at is null
            or trade.loaded_at > last_build.last_loaded_at
            or trade.flow in (select flows_with_changed_labels.flow from flows_with_changed_labels)

    ),

    -- Only the months to rebuild get labelled: filter first, then join the labels.
    trade_in_scope as (

        select trade.*
        from trade
        inner join months_to_build
            on
                trade.flow = months_to_build.flow
                and trade.month = months_to_build.month

    ),

{% else %}

trade_in_scope as (

    select * from trade

),

{% endif %}

final as (

    select
        trade.flow,
        trade.month,
        {{ calendar_year('trade.month') }} as year,
        trade.hs10,
        {{ hs_prefix('trade.hs10', 2) }} as hs2,
        {{ hs_prefix('trade.hs10', 4) }} as hs4,
        {{ hs_prefix('trade.hs10', 6) }} as hs6,
        {{ hs_prefix('trade.hs10', 8) }} as hs8,
        trade.cty_code,
        trade.value,
        trade.value_general_imports,
        trade.duty_calculated,
        trade.value_dutiable,
        trade.quantity_1,
        trade.quantity_2,
        trade.unit_1,
        trade.unit_2,
        coalesce(labels.relevance, 'Unclassified') as relevance_group,
        labels.primary_category,
        labels.confidence as label_confidence,
        labels.label_source,
        coalesce(labels.relevance = 'High', false) as is_ai,
        excluded_chapters.hs2 is not null as is_excluded_chapter,
        trade.is_synthetic,
        trade.loaded_at

    from trade_in_scope as trade
    left join labels
        on
            trade.flow = labels.flow
            and trade.hs10 = labels.hs10
    left join excluded_chapters
        on {{ hs_prefix('trade.hs10', 2) }} = excluded_chapters.hs2

)

select * from final
