{#- Study figures ai-by-country-category.png (imports, methodology 3.5) and ai-exports-by-
    country-category.png (export destinations, 3.8): for each of the four large AI categories,
    the three partners with the largest share of the category's trade over the pooled window
    (var pooled_years), share of all detail countries in %. -#}

with

categories as (

    select * from {{ ref('ai_trade_by_country_category') }}
    where
        period_type = 'pooled'
        and category_rank <= 3
        and primary_category in (
            'Compute_Hardware', 'Electrical_Power', 'Networking_Telecom', 'Cooling_HVAC'
        )

),

final as (

    select
        flow,
        replace(primary_category, '_', ' ') as category,
        category_rank as rank,
        cty_code,
        cty_name,
        round(100 * share_of_detail_countries, 1) as share_pct,
        case primary_category
            when 'Compute_Hardware' then 1
            when 'Electrical_Power' then 2
            when 'Networking_Telecom' then 3
            else 4
        end as category_order
    from categories

)

select
    row_number() over (order by flow desc, category_order asc, rank asc) as row_order,
    flow,
    category,
    rank,
    cty_code,
    cty_name,
    share_pct
from final
order by 1
