{#- Robustness table the study promised but never reported (methodology 3.10, 6.3): for each
    flow and scenario, the AI share in var base_year and var comparison_year (%), its change
    (pp) and AI growth (%), with the spread across scenarios. -#}

with

sensitivity as (

    select * from {{ ref('ai_trade_sensitivity') }}
    where year = {{ var('comparison_year') | int }}

),

final as (

    select
        flow,
        scenario,
        ai_code_count,
        round(100 * base_year_ai_share, 2) as ai_share_base_year_pct,
        round(100 * ai_share, 2) as ai_share_comparison_year_pct,
        round(100 * ai_share_change_vs_base_year, 2) as ai_share_change_pp,
        round(100 * ai_growth_vs_base_year, 1) as ai_growth_pct,
        round(100 * ai_share_spread, 2) as ai_share_spread_pp,
        round(100 * ai_growth_spread, 1) as ai_growth_spread_pp,
        is_headline
    from sensitivity

)

select * from final
order by 1, 10 desc, 2
