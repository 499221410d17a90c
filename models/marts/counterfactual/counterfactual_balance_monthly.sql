with

counterfactual as (

    select * from {{ ref('int_counterfactual__monthly') }}

),

variants as (

    select * from {{ ref('int_counterfactual__variants') }}

),

final as (

    select
        counterfactual.variant_id,
        variants.base_year,
        variants.non_ai_definition,
        variants.import_value_concept,
        variants.export_value_concept,
        variants.is_study_variant,
        counterfactual.month,
        cast(counterfactual.year as integer) as year,
        {{ money('counterfactual.total_imports') }} as total_imports,
        {{ money('counterfactual.total_exports') }} as total_exports,
        {{ money('counterfactual.ai_imports') }} as ai_imports,
        {{ money('counterfactual.ai_exports') }} as ai_exports,
        {{ money('counterfactual.non_ai_imports') }} as non_ai_imports,
        {{ money('counterfactual.non_ai_exports') }} as non_ai_exports,
        counterfactual.base_ai_imports_monthly_mean,
        counterfactual.base_ai_exports_monthly_mean,
        counterfactual.base_non_ai_imports_monthly_mean,
        counterfactual.base_non_ai_exports_monthly_mean,
        counterfactual.non_ai_imports_growth_index,
        counterfactual.non_ai_exports_growth_index,
        {{ money('counterfactual.counterfactual_ai_imports') }} as counterfactual_ai_imports,
        {{ money('counterfactual.counterfactual_ai_exports') }} as counterfactual_ai_exports,
        {{ money('counterfactual.excess_ai_imports') }} as excess_ai_imports,
        {{ money('counterfactual.excess_ai_exports') }} as excess_ai_exports,
        {{ money('counterfactual.actual_balance') }} as actual_balance,
        {{ money('counterfactual.counterfactual_balance') }} as counterfactual_balance,
        {{ money('counterfactual.net_effect') }} as net_effect,
        {{ money('12 * counterfactual.actual_balance') }} as actual_balance_annual_rate,
        {{ money('12 * counterfactual.counterfactual_balance') }}
            as counterfactual_balance_annual_rate,
        counterfactual.is_synthetic
    from counterfactual
    inner join variants
        on counterfactual.variant_id = variants.variant_id

)

select * from final
