{#- Study table top11to20_high_relevance_landscape.tex (methodology 3.2): ranks 11-20 of the
    same ranking; as in the study, share = code / all High imports of the year (a different
    denominator from the top 10, methodology 6.16). -#}

with

products as (

    select * from {{ ref('top_ai_products_annual') }}
    where
        flow = 'imports'
        and year = {{ var('comparison_year') | int }}
        and value_rank between 11 and 20

),

consistent_growth as (

    select * from {{ ref('hs10_consistent_growth_annual') }}
    where flow = 'imports' and year = {{ var('comparison_year') | int }}

),

final as (

    select
        products.value_rank as rank,
        products.hs10,
        products.description_short as description,
        replace(products.primary_category, '_', ' ') as category,
        round(products.value / 1e9, 2) as usd_bn,
        round(100 * products.share_of_ai_trade, 2) as share_of_ai_imports_pct,
        round(100 * products.change_vs_base_year, 1) as change_vs_base_year_pct,
        round(100 * consistent_growth.family_growth_vs_base_year, 1)
            as code_family_change_vs_base_year_pct
    from products
    left join consistent_growth
        on products.hs10 = consistent_growth.hs10

)

select * from final
order by 1
