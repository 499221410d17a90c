with

trade as (

    select * from {{ ref('fct_trade_monthly') }}
    where not is_excluded_chapter

),

final as (

    select
        flow,
        year,
        relevance_group,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as value,
        count(distinct case when value <> 0 then hs10 end) as code_count,
        count(distinct month) as months_covered,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2, 3, 4

)

select * from final
