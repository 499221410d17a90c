{#- Excess AI imports and exports sum to 0 over the base year, by construction (methodology 3.9,
    6.12). -#}

with

annual as (

    select * from {{ ref('counterfactual_balance_annual') }}

),

final as (

    select *
    from annual
    where
        year = base_year
        and (
            abs(excess_ai_imports) > 0.01 or abs(excess_ai_exports) > 0.01 or abs(net_effect) > 0.01
        )

)

select * from final
