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
        trade.is_synthetic

    from trade
    left join labels
        on
            trade.flow = labels.flow
            and trade.hs10 = labels.hs10
    left join excluded_chapters
        on {{ hs_prefix('trade.hs10', 2) }} = excluded_chapters.hs2

)

select * from final
