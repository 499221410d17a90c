{#- Study table counterfactual_summary.tex (methodology 3.9): the study's variant, annual sums
    in $B rounded to integers; excess and net are null (the study's "---") when they round to 0
    (the base year), plus the deficit-reduction macro in %. Other variants: filter on variant_id
    instead. -#}

with

annual as (

    select * from {{ ref('counterfactual_balance_annual') }}
    where is_study_variant and is_complete_year

),

final as (

    select
        year,
        round(total_imports / 1e9, 0) as actual_imports_usd_bn,
        round(total_exports / 1e9, 0) as actual_exports_usd_bn,
        case
            when round(excess_ai_imports / 1e9, 0) <> 0 then round(excess_ai_imports / 1e9, 0)
        end as excess_ai_imports_usd_bn,
        case
            when round(excess_ai_exports / 1e9, 0) <> 0 then round(excess_ai_exports / 1e9, 0)
        end as excess_ai_exports_usd_bn,
        case
            when round(net_effect / 1e9, 0) <> 0 then round(net_effect / 1e9, 0)
        end as net_usd_bn,
        round(actual_balance / 1e9, 0) as actual_balance_usd_bn,
        round(counterfactual_balance / 1e9, 0) as counterfactual_balance_usd_bn,
        round(100 * deficit_reduction_share, 0) as deficit_reduction_pct
    from annual

)

select * from final
order by 1
