{#- Methodology 3.9: for every variant and year, annual excess AI imports (exports) = base-year AI
    x (AI growth - non-AI growth) = H_y - H_base x L_y / L_base, to the cent. H and L are
    recomputed from int_trade_monthly__codes here, independently of the counterfactual models. -#}

with

annual as (

    select * from {{ ref('counterfactual_balance_annual') }}

),

variants as (

    select * from {{ ref('int_counterfactual__variants') }}

),

monthly as (

    select * from {{ ref('counterfactual_balance_monthly') }}

),

codes as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

-- Summed over codes before the variants multiply the rows (exact: the sums are decimal).
trade as (

    select
        flow,
        month,
        year,
        relevance_group,
        sum(value) as value,
        sum(value_general_imports) as value_general_imports
    from codes
    group by 1, 2, 3, 4

),

variant_months as (

    -- The months the counterfactual covers (months both flows have).
    select distinct
        variant_id,
        month
    from monthly

),

flow_years as (

    select
        variants.variant_id,
        trade.flow,
        trade.year,
        sum(
            case
                when trade.relevance_group <> 'High' then 0
                when trade.flow = 'imports' and variants.import_value_concept = 'general'
                    then trade.value_general_imports
                else trade.value
            end
        ) as ai_value,
        sum(
            case
                when
                    (trade.relevance_group = 'Low' and variants.non_ai_includes_low)
                    or (trade.relevance_group = 'Medium' and variants.non_ai_includes_medium)
                    or (
                        trade.relevance_group = 'Unclassified'
                        and variants.non_ai_includes_unclassified
                    )
                    then
                        case
                            when
                                trade.flow = 'imports' and variants.import_value_concept = 'general'
                                then trade.value_general_imports
                            else trade.value
                        end
                else 0
            end
        ) as non_ai_value
    from variants
    inner join variant_months
        on variants.variant_id = variant_months.variant_id
    inner join trade
        on variant_months.month = trade.month
    group by 1, 2, 3

),

closed_form as (

    select
        flow_years.variant_id,
        flow_years.flow,
        flow_years.year,
        {{ as_double('flow_years.ai_value') }}
        - {{ as_double('base.ai_value') }} * {{ as_double('flow_years.non_ai_value') }}
        / {{ as_double('base.non_ai_value') }} as expected_excess
    from flow_years
    inner join variants
        on flow_years.variant_id = variants.variant_id
    inner join flow_years as base
        on
            flow_years.variant_id = base.variant_id
            and flow_years.flow = base.flow
            and variants.base_year = base.year

),

compared as (

    select
        annual.variant_id,
        annual.year,
        closed_form.flow,
        case
            when closed_form.flow = 'imports' then annual.excess_ai_imports
            else annual.excess_ai_exports
        end as actual_excess,
        closed_form.expected_excess
    from annual
    inner join closed_form
        on
            annual.variant_id = closed_form.variant_id
            and annual.year = closed_form.year

),

final as (

    select *
    from compared
    where abs({{ as_double('actual_excess') }} - expected_excess) > 0.01

)

select * from final
