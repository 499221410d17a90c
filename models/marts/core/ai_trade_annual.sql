with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

final as (

    select
        flow,
        year,
        relevance_group,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as value,
        count(distinct case when has_trade then hs10 end) as code_count,
        count(distinct month) as months_covered,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2, 3, 4

)

select * from final
