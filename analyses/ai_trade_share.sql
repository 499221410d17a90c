{#- Study figures ai-trade-share.png and ai-exports-share.png (methodology 3.4, 3.8): AI (High)
    share of imports and exports by year from var base_year to var comparison_year, in %. -#}

with

shares as (

    select * from {{ ref('ai_trade_share_annual') }}
    where year between {{ var('base_year') | int }} and {{ var('comparison_year') | int }}

),

final as (

    select
        flow,
        year,
        round(100 * ai_share, 2) as ai_share_pct
    from shares

)

select * from final
order by 1 desc, 2
