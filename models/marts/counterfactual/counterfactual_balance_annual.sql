with

counterfactual as (

    select * from {{ ref('int_counterfactual__monthly') }}

),

variants as (

    select * from {{ ref('int_counterfactual__variants') }}

),

annual as (

    -- Monthly doubles are summed as decimals with 6 places (exact and independent of row
    -- order, which a double sum is not) and rounded to the cent once, in final: the closed
    -- form holds to the cent.
    select
        variant_id,
        year,
        count(*) as month_count,
        sum(total_imports) as total_imports,
        sum(total_exports) as total_exports,
        sum(ai_imports) as ai_imports,
        sum(ai_exports) as ai_exports,
        sum(non_ai_imports) as non_ai_imports,
        sum(non_ai_exports) as non_ai_exports,
        sum({{ exact_sum_operand('counterfactual_ai_imports') }}) as counterfactual_ai_imports,
        sum({{ exact_sum_operand('counterfactual_ai_exports') }}) as counterfactual_ai_exports,
        sum({{ exact_sum_operand('excess_ai_imports') }}) as excess_ai_imports,
        sum({{ exact_sum_operand('excess_ai_exports') }}) as excess_ai_exports,
        sum({{ exact_sum_operand('actual_balance') }}) as actual_balance,
        sum({{ exact_sum_operand('counterfactual_balance') }}) as counterfactual_balance,
        sum({{ exact_sum_operand('net_effect') }}) as net_effect,
        {{ any_true('is_synthetic') }} as is_synthetic
    from counterfactual
    group by 1, 2

),

final as (

    select
        annual.variant_id,
        variants.base_year,
        variants.non_ai_definition,
        variants.import_value_concept,
        variants.export_value_concept,
        variants.is_study_variant,
        cast(annual.year as integer) as year,
        cast(annual.month_count as integer) as month_count,
        annual.month_count = 12 as is_complete_year,
        {{ money('annual.total_imports') }} as total_imports,
        {{ money('annual.total_exports') }} as total_exports,
        {{ money('annual.ai_imports') }} as ai_imports,
        {{ money('annual.ai_exports') }} as ai_exports,
        {{ money('annual.non_ai_imports') }} as non_ai_imports,
        {{ money('annual.non_ai_exports') }} as non_ai_exports,
        {{ money('annual.counterfactual_ai_imports') }} as counterfactual_ai_imports,
        {{ money('annual.counterfactual_ai_exports') }} as counterfactual_ai_exports,
        {{ money('annual.excess_ai_imports') }} as excess_ai_imports,
        {{ money('annual.excess_ai_exports') }} as excess_ai_exports,
        {{ money('annual.actual_balance') }} as actual_balance,
        {{ money('annual.counterfactual_balance') }} as counterfactual_balance,
        {{ money('annual.net_effect') }} as net_effect,
        {{ safe_ratio(money('annual.net_effect'), 'abs(' ~ money('annual.actual_balance') ~ ')') }}
            as deficit_reduction_share,
        annual.is_synthetic
    from annual
    inner join variants
        on annual.variant_id = variants.variant_id

)

select * from final
