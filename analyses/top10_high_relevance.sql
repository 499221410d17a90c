{#- Study table top10_high_relevance.tex (methodology 3.2): the 10 largest AI-related (High)
    import codes of var comparison_year; share = code / total imports of the year (all codes);
    change vs var base_year is null (the study printed 0) when the code had no base-year
    imports; the code family's change (codes linked across HS vintages) is next to it. -#}

with

products as (

    select * from {{ ref('top_ai_products_annual') }}
    where
        flow = 'imports'
        and year = {{ var('comparison_year') | int }}
        and value_rank <= 10

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
        round(100 * products.share_of_total_trade, 2) as share_of_total_imports_pct,
        round(100 * products.change_vs_base_year, 1) as change_vs_base_year_pct,
        round(100 * consistent_growth.family_growth_vs_base_year, 1)
            as code_family_change_vs_base_year_pct,
        products.exemption_lists_matched
    from products
    left join consistent_growth
        on products.hs10 = consistent_growth.hs10

)

select * from final
order by 1
