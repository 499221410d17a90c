with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

annual as (

    select
        flow,
        year,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(case when relevance_group = 'Medium' then value else 0 end) as medium_value,
        sum(case when relevance_group = 'Low' then value else 0 end) as low_value,
        sum(case when relevance_group = 'Unclassified' then value else 0 end) as unclassified_value,
        sum(value) as total_value,
        count(distinct month) as months_covered,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2

),

final as (

    select
        flow,
        year,
        ai_value,
        medium_value,
        low_value,
        unclassified_value,
        total_value,
        {{ safe_ratio('ai_value', 'total_value') }} as ai_share,
        {{ safe_ratio('unclassified_value', 'total_value') }} as unclassified_share,
        months_covered,
        is_synthetic

    from annual

)

select * from final
