{#- The robustness mart reconciles: every scenario's total equals the code-month totals'
    (int_trade_monthly__codes, analysis panel), the headline scenario equals ai_trade_share_annual (AI value and share), and AI + non-
    AI never exceeds the total. -#}

with

sensitivity as (

    select * from {{ ref('ai_trade_sensitivity') }}

),

shares as (

    select * from {{ ref('ai_trade_share_annual') }}

),

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

fct_years as (

    select
        flow,
        year,
        sum(value) as total_value
    from trade
    group by 1, 2

),

final as (

    select
        sensitivity.flow,
        sensitivity.scenario,
        sensitivity.year
    from sensitivity
    left join fct_years
        on
            sensitivity.flow = fct_years.flow
            and sensitivity.year = fct_years.year
    left join shares
        on
            sensitivity.flow = shares.flow
            and sensitivity.year = shares.year
    where
        fct_years.total_value is null
        or sensitivity.total_value <> fct_years.total_value
        or sensitivity.ai_value + sensitivity.non_ai_value > sensitivity.total_value
        or (
            sensitivity.is_headline
            and (
                sensitivity.ai_value <> shares.ai_value
                or abs(sensitivity.ai_share - shares.ai_share) > 1e-12
            )
        )

)

select * from final
