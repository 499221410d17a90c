with

code_years as (

    select * from {{ ref('int_trade_annual__codes') }}

),

scenario_codes as (

    select * from {{ ref('int_sensitivity__scenario_codes') }}

),

totals as (

    select
        flow,
        year,
        max(months_covered) as months_covered,
        sum(value) as total_value,
        {{ any_true('is_synthetic') }} as is_synthetic
    from code_years
    group by 1, 2

),

scenarios as (

    select distinct
        flow,
        scenario,
        scenario_type,
        label_source
    from scenario_codes

),

scenario_values as (

    select
        scenario_codes.flow,
        scenario_codes.scenario,
        code_years.year,
        sum(case when scenario_codes.is_ai then code_years.value else 0 end) as ai_value,
        sum(case when scenario_codes.is_non_ai then code_years.value else 0 end) as non_ai_value,
        count(
            distinct case
                when scenario_codes.is_ai and code_years.value <> 0 then code_years.hs10
            end
        )
            as ai_code_count
    from scenario_codes
    inner join code_years
        on
            scenario_codes.flow = code_years.flow
            and scenario_codes.hs10 = code_years.hs10
    group by 1, 2, 3

),

scenario_years as (

    -- Every scenario of the flow gets every year of the flow (no AI trade in a year = 0).
    select
        scenarios.flow,
        scenarios.scenario,
        scenarios.scenario_type,
        scenarios.label_source,
        totals.year,
        totals.months_covered,
        totals.total_value,
        coalesce(scenario_values.ai_value, 0) as ai_value,
        coalesce(scenario_values.non_ai_value, 0) as non_ai_value,
        coalesce(scenario_values.ai_code_count, 0) as ai_code_count,
        totals.is_synthetic
    from scenarios
    inner join totals
        on scenarios.flow = totals.flow
    left join scenario_values
        on
            scenarios.flow = scenario_values.flow
            and scenarios.scenario = scenario_values.scenario
            and totals.year = scenario_values.year

),

with_base as (

    select
        scenario_years.*,
        base_year.ai_value as base_year_ai_value,
        base_year.non_ai_value as base_year_non_ai_value,
        {{ safe_ratio('base_year.ai_value', 'base_year.total_value') }} as base_year_ai_share,
        {{ safe_ratio('scenario_years.ai_value', 'scenario_years.total_value') }} as ai_share,
        {{ annual_growth_rate(
            'scenario_years.ai_value',
            'base_year.ai_value',
            'scenario_years.months_covered',
            'base_year.months_covered'
        ) }} as ai_growth_vs_base_year,
        {{ annual_growth_rate(
            'scenario_years.non_ai_value',
            'base_year.non_ai_value',
            'scenario_years.months_covered',
            'base_year.months_covered'
        ) }} as non_ai_growth_vs_base_year
    from scenario_years
    left join scenario_years as base_year
        on
            scenario_years.flow = base_year.flow
            and scenario_years.scenario = base_year.scenario
            and base_year.year = {{ var('base_year') | int }}

),

final as (

    select
        flow,
        scenario,
        scenario_type,
        label_source,
        cast(year as integer) as year,
        cast(months_covered as integer) as months_covered,
        scenario = 'headline' as is_headline,
        cast(ai_code_count as bigint) as ai_code_count,
        {{ money('ai_value') }} as ai_value,
        {{ money('non_ai_value') }} as non_ai_value,
        {{ money('total_value') }} as total_value,
        ai_share,
        cast({{ var('base_year') | int }} as integer) as base_year,
        {{ money('base_year_ai_value') }} as base_year_ai_value,
        {{ money('base_year_non_ai_value') }} as base_year_non_ai_value,
        base_year_ai_share,
        ai_share - base_year_ai_share as ai_share_change_vs_base_year,
        ai_growth_vs_base_year,
        non_ai_growth_vs_base_year,
        max(case when scenario = 'headline' then ai_share end)
            over (partition by flow, year) as headline_ai_share,
        max(case when scenario = 'headline' then ai_growth_vs_base_year end)
            over (partition by flow, year) as headline_ai_growth_vs_base_year,
        min(ai_share) over (partition by flow, year) as ai_share_min,
        max(ai_share) over (partition by flow, year) as ai_share_max,
        max(ai_share) over (partition by flow, year)
        - min(ai_share) over (partition by flow, year) as ai_share_spread,
        min(ai_growth_vs_base_year) over (partition by flow, year) as ai_growth_min,
        max(ai_growth_vs_base_year) over (partition by flow, year) as ai_growth_max,
        max(ai_growth_vs_base_year) over (partition by flow, year)
        - min(ai_growth_vs_base_year) over (partition by flow, year) as ai_growth_spread,
        is_synthetic
    from with_base

)

select * from final
