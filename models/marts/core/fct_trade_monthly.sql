{#- Incremental by flow and month: a build replaces only the months with Census partitions
    loaded (or revised, or refetched empty) after its latest build (the load manifest), and every
    month of a flow whose labels or chapter exclusions changed (macro relabelled_flows). The
    pre-hook deletes those months first, so one left with no detail row keeps none. The
    post-hooks record the labels and the loads each build took in.
    `dbt build --full-refresh --select fct_trade_monthly+` rebuilds everything; both paths give the
    same table (tests/python/test_incremental.py). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_slices_to_rebuild(loaded_since_last_build(relabelled_flows(), on_month=true)) }}",
        post_hook=["{{ record_applied_labels() }}", "{{ record_loads_applied() }}"]
    )
}}

-- depends_on: {{ ref('stg_census__load_manifest') }}

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

    {%- do require_not_null_constraints() -%}
    -- Months with partitions loaded (or revised, or refetched empty) after the fact's latest
    -- build, rebuilt whole; filtered by constants, so only those months get labelled.
    trade_in_scope as (

        select * from trade
        where {{ loaded_since_last_build(relabelled_flows()) }}

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
        trade.description_short,
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
        trade.loaded_at,
        {{ build_timestamp() }} as built_at

    from trade_in_scope as trade
    left join labels
        on
            trade.flow = labels.flow
            and trade.hs10 = labels.hs10
    left join excluded_chapters
        on {{ hs_prefix('trade.hs10', 2) }} = excluded_chapters.hs2

)

select * from final
