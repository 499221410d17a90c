-- top_ai_products_annual reconciles with the code-month totals (int_trade_monthly__codes): per
-- flow and year its codes' values sum to the High (AI) value, its denominators equal the High and
-- total values (chapters excluded), and the shares of AI trade sum to 1.

with

facts as (

    select
        flow,
        year,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(value) as total_value
    from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter
    group by 1, 2

),

products as (

    select
        flow,
        year,
        sum(value) as ai_value,
        min(ai_trade_value) as min_ai_denominator,
        max(ai_trade_value) as max_ai_denominator,
        min(total_trade_value) as min_total_denominator,
        max(total_trade_value) as max_total_denominator,
        sum(share_of_ai_trade) as ai_share_sum
    from {{ ref('top_ai_products_annual') }}
    group by 1, 2

)

select
    facts.flow,
    facts.year,
    facts.ai_value,
    products.ai_value as product_ai_value,
    products.ai_share_sum
from facts
left join products
    on
        facts.flow = products.flow
        and facts.year = products.year
where
    (facts.ai_value <> 0 and products.ai_value is null)
    or products.ai_value <> facts.ai_value
    or products.min_ai_denominator <> facts.ai_value
    or products.max_ai_denominator <> facts.ai_value
    or products.min_total_denominator <> facts.total_value
    or products.max_total_denominator <> facts.total_value
    or abs(products.ai_share_sum - 1) > 1e-9
