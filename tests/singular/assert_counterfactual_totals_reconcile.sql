{#- Actual trade in the counterfactual marts equals the code-month totals
    (int_trade_monthly__codes, analysis panel) for every variant, month and flow: total, AI and non-AI, in the variant's value concept. -#}

with

monthly as (

    select * from {{ ref('counterfactual_balance_monthly') }}

),

annual as (

    select * from {{ ref('counterfactual_balance_annual') }}

),

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

fct_monthly as (

    select
        month,
        sum(case when flow = 'imports' then value else 0 end) as imports_consumption,
        sum(case when flow = 'imports' then value_general_imports else 0 end) as imports_general,
        sum(case when flow = 'exports' then value else 0 end) as exports_total,
        sum(case when flow = 'imports' and relevance_group = 'High' then value else 0 end)
            as ai_imports_consumption,
        sum(case when flow = 'exports' and relevance_group = 'High' then value else 0 end)
            as ai_exports
    from trade
    group by 1

),

monthly_mismatches as (

    select
        monthly.variant_id,
        monthly.month,
        'monthly' as grain
    from monthly
    inner join fct_monthly
        on monthly.month = fct_monthly.month
    where
        monthly.total_imports <> case
            when monthly.import_value_concept = 'general' then fct_monthly.imports_general
            else fct_monthly.imports_consumption
        end
        or monthly.total_exports <> fct_monthly.exports_total
        or monthly.ai_exports <> fct_monthly.ai_exports
        or (
            monthly.import_value_concept = 'consumption'
            and monthly.ai_imports <> fct_monthly.ai_imports_consumption
        )

),

monthly_summed as (

    select
        variant_id,
        year,
        sum(total_imports) as total_imports,
        sum(total_exports) as total_exports,
        sum(ai_imports) as ai_imports
    from monthly
    group by 1, 2

),

annual_mismatches as (

    select
        annual.variant_id,
        cast(null as date) as month,
        'annual' as grain
    from annual
    inner join monthly_summed as summed
        on
            annual.variant_id = summed.variant_id
            and annual.year = summed.year
    where
        annual.total_imports <> summed.total_imports
        or annual.total_exports <> summed.total_exports
        or annual.ai_imports <> summed.ai_imports

),

final as (

    select * from monthly_mismatches
    union all
    select * from annual_mismatches

)

select * from final
