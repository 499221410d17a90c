{#- Over detail countries, AI and total shares sum to 1 in every flow and period (country annual
    mart), and category shares sum to 1 in every flow, period and category (country x category
    mart). -#}

with

annual as (

    select * from {{ ref('ai_trade_by_country_annual') }}

),

categories as (

    select * from {{ ref('ai_trade_by_country_category') }}

),

annual_sums as (

    select
        flow,
        period,
        'annual' as mart,
        cast(null as {{ dbt.type_string() }}) as primary_category,
        sum(ai_share_of_detail_countries) as ai_share_sum,
        sum(total_share_of_detail_countries) as total_share_sum
    from annual
    group by 1, 2

),

category_sums as (

    select
        flow,
        period,
        'category' as mart,
        primary_category,
        sum(share_of_detail_countries) as ai_share_sum,
        1.0 as total_share_sum
    from categories
    group by 1, 2, 4

),

final as (

    select * from annual_sums
    where
        abs(total_share_sum - 1) > 1e-9
        or (ai_share_sum is not null and abs(ai_share_sum - 1) > 1e-9)
    union all
    select * from category_sums
    where abs(ai_share_sum - 1) > 1e-9

)

select * from final
