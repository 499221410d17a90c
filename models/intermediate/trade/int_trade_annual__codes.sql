{#- One row per flow, calendar year and HS10 code with trade, analysis panel (excluded chapters
    dropped): the code-year totals that the product, growth, robustness and label-audit marts all
    start from, computed once. -#}

with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

final as (

    select
        flow,
        year,
        hs10,
        relevance_group,
        primary_category,
        sum(value) as value,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2, 3, 4, 5

)

select * from final
