{#- One row per variant_id, month (months from January of the variant's base year on that both
    flows have): the study's counterfactual (methodology 3.9) in unrounded doubles. The base-year
    monthly means are computed here once; the monthly and annual marts only round or sum these
    columns.
      g_t          = non-AI_t / mean_base(non-AI)              (imports and exports separately)
      cf AI_t      = mean_base(AI) * g_t
      excess_t     = AI_t - cf AI_t
      balance_t    = total exports_t - total imports_t
      cf balance_t = balance_t + excess imports_t - excess exports_t -#}

with

series as (

    select * from {{ ref('int_counterfactual__series_monthly') }}

),

variants as (

    select * from {{ ref('int_counterfactual__variants') }}

),

variant_series as (

    select
        variants.variant_id,
        variants.base_year,
        series.flow,
        series.month,
        series.year,
        {{ as_double('series.ai_value') }} as ai_value,
        {{ as_double(variant_non_ai_value('variants', 'series')) }} as non_ai_value,
        {{ as_double('series.total_value') }} as total_value,
        series.is_synthetic
    from variants
    inner join series
        on
            (series.flow = 'imports' and variants.import_value_concept = series.value_concept)
            or (series.flow = 'exports' and variants.export_value_concept = series.value_concept)
    where series.year >= variants.base_year

),

base_year_means as (

    select
        variant_id,
        flow,
        avg(ai_value) as base_ai_monthly_mean,
        avg(non_ai_value) as base_non_ai_monthly_mean
    from variant_series
    where year = base_year
    group by 1, 2

),

flow_counterfactual as (

    select
        variant_series.variant_id,
        variant_series.flow,
        variant_series.month,
        variant_series.year,
        variant_series.ai_value,
        variant_series.non_ai_value,
        variant_series.total_value,
        base_year_means.base_ai_monthly_mean,
        base_year_means.base_non_ai_monthly_mean,
        variant_series.non_ai_value
        / nullif(base_year_means.base_non_ai_monthly_mean, 0) as non_ai_growth_index,
        variant_series.is_synthetic
    from variant_series
    inner join base_year_means
        on
            variant_series.variant_id = base_year_means.variant_id
            and variant_series.flow = base_year_means.flow

),

imports as (

    select
        *,
        base_ai_monthly_mean * non_ai_growth_index as counterfactual_ai_value
    from flow_counterfactual
    where flow = 'imports'

),

exports as (

    select
        *,
        base_ai_monthly_mean * non_ai_growth_index as counterfactual_ai_value
    from flow_counterfactual
    where flow = 'exports'

),

final as (

    select
        imports.variant_id,
        imports.month,
        imports.year,
        imports.total_value as total_imports,
        exports.total_value as total_exports,
        imports.ai_value as ai_imports,
        exports.ai_value as ai_exports,
        imports.non_ai_value as non_ai_imports,
        exports.non_ai_value as non_ai_exports,
        imports.base_ai_monthly_mean as base_ai_imports_monthly_mean,
        exports.base_ai_monthly_mean as base_ai_exports_monthly_mean,
        imports.base_non_ai_monthly_mean as base_non_ai_imports_monthly_mean,
        exports.base_non_ai_monthly_mean as base_non_ai_exports_monthly_mean,
        imports.non_ai_growth_index as non_ai_imports_growth_index,
        exports.non_ai_growth_index as non_ai_exports_growth_index,
        imports.counterfactual_ai_value as counterfactual_ai_imports,
        exports.counterfactual_ai_value as counterfactual_ai_exports,
        imports.ai_value - imports.counterfactual_ai_value as excess_ai_imports,
        exports.ai_value - exports.counterfactual_ai_value as excess_ai_exports,
        exports.total_value - imports.total_value as actual_balance,
        exports.total_value - imports.total_value
        + (imports.ai_value - imports.counterfactual_ai_value)
        - (exports.ai_value - exports.counterfactual_ai_value) as counterfactual_balance,
        (imports.ai_value - imports.counterfactual_ai_value)
        - (exports.ai_value - exports.counterfactual_ai_value) as net_effect,
        imports.is_synthetic or exports.is_synthetic as is_synthetic
    from imports
    inner join exports
        on
            imports.variant_id = exports.variant_id
            and imports.month = exports.month

)

select * from final
