{#- The columns of the year before and of var base_year next to each year (absent = 0; a year
    not in the data = null). -#}
{%- set compared_columns = [
    ('previous', ['total_value', 'ai_value', 'non_ai_value', 'total_value_all_chapters']),
    ('base', ['total_value', 'ai_value', 'non_ai_value']),
] -%}

with

period_totals as (

    select * from {{ ref('int_country__period_totals') }}

),

world_periods as (

    select * from {{ ref('int_country__world_periods') }}

),

countries as (

    select * from {{ ref('dim_country') }}

),

country_periods as (

    -- A country with trade in the analysis panel; period_totals also holds the years it traded
    -- only in excluded chapters, which count as its year before.
    select * from period_totals
    where has_panel_trade

),

detail_denominators as (

    select
        flow,
        period,
        sum(total_value) as detail_total_value,
        sum(ai_value) as detail_ai_value
    from country_periods
    group by 1, 2

),

world_denominators as (

    select
        flow,
        period,
        sum(value) as world_total_value,
        sum(case when relevance_group = 'High' then value else 0 end) as world_ai_value
    from world_periods
    group by 1, 2

),

flow_years as (

    -- The years in the data: a country absent from one of them traded 0; another year is unknown.
    select
        flow,
        period_start_year as year,
        max(months_covered) as months_covered
    from period_totals
    where period_type = 'year'
    group by 1, 2

),

comparisons as (

    -- Single years only: the same country one year and var base_year earlier.
    select
        current_year.flow,
        current_year.period,
        current_year.cty_code,
        {%- for year, columns in compared_columns %}
            {%- for column in columns %}
                case
                    when {{ year }}_flow_year.year is not null
                        then coalesce({{ year }}_year.{{ column }}, 0)
                end as {{ year }}_year_{{ column }},
            {%- endfor %}
        {%- endfor %}
        previous_flow_year.months_covered as previous_year_months_covered,
        base_flow_year.months_covered as base_year_months_covered
    from country_periods as current_year
    left join period_totals as previous_year
        on
            current_year.flow = previous_year.flow
            and current_year.cty_code = previous_year.cty_code
            and previous_year.period_type = 'year'
            and previous_year.period_start_year = current_year.period_start_year - 1
    left join period_totals as base_year
        on
            current_year.flow = base_year.flow
            and current_year.cty_code = base_year.cty_code
            and base_year.period_type = 'year'
            and base_year.period_start_year = {{ var('base_year') | int }}
    left join flow_years as previous_flow_year
        on
            current_year.flow = previous_flow_year.flow
            and previous_flow_year.year = current_year.period_start_year - 1
    left join flow_years as base_flow_year
        on
            current_year.flow = base_flow_year.flow
            and base_flow_year.year = {{ var('base_year') | int }}
    where current_year.period_type = 'year'

),

joined as (

    select
        country_periods.flow,
        country_periods.period,
        country_periods.period_type,
        country_periods.period_start_year,
        country_periods.period_end_year,
        country_periods.months_covered,
        country_periods.cty_code,
        countries.iso_alpha2,
        countries.cty_name,
        country_periods.total_value,
        country_periods.ai_value,
        country_periods.medium_value,
        country_periods.low_value,
        country_periods.unclassified_value,
        country_periods.non_ai_value,
        detail_denominators.detail_total_value,
        world_denominators.world_total_value,
        detail_denominators.detail_ai_value,
        world_denominators.world_ai_value,
        comparisons.previous_year_months_covered,
        comparisons.base_year_months_covered,
        comparisons.previous_year_total_value,
        comparisons.previous_year_ai_value,
        comparisons.previous_year_non_ai_value,
        comparisons.base_year_total_value,
        comparisons.base_year_ai_value,
        comparisons.base_year_non_ai_value,
        country_periods.total_value_all_chapters,
        comparisons.previous_year_total_value_all_chapters,
        country_periods.is_synthetic
    from country_periods
    inner join detail_denominators
        on
            country_periods.flow = detail_denominators.flow
            and country_periods.period = detail_denominators.period
    left join world_denominators
        on
            country_periods.flow = world_denominators.flow
            and country_periods.period = world_denominators.period
    left join countries
        on country_periods.cty_code = countries.cty_code
    left join comparisons
        on
            country_periods.flow = comparisons.flow
            and country_periods.period = comparisons.period
            and country_periods.cty_code = comparisons.cty_code

),

final as (

    select
        flow,
        period,
        period_type,
        cast(period_start_year as integer) as period_start_year,
        cast(period_end_year as integer) as period_end_year,
        cast(months_covered as integer) as months_covered,
        cty_code,
        iso_alpha2,
        cty_name,
        {{ money('total_value') }} as total_value,
        {{ money('ai_value') }} as ai_value,
        {{ money('medium_value') }} as medium_value,
        {{ money('low_value') }} as low_value,
        {{ money('unclassified_value') }} as unclassified_value,
        {{ money('non_ai_value') }} as non_ai_value,
        {{ safe_ratio('ai_value', 'total_value') }} as ai_share_of_country_total,
        {{ money('detail_total_value') }} as detail_total_value,
        {{ money('world_total_value') }} as world_total_value,
        {{ money('detail_ai_value') }} as detail_ai_value,
        {{ money('world_ai_value') }} as world_ai_value,
        {{ safe_ratio('total_value', 'detail_total_value') }} as total_share_of_detail_countries,
        {{ safe_ratio('total_value', 'world_total_value') }} as total_share_of_world_total,
        {{ safe_ratio('ai_value', 'detail_ai_value') }} as ai_share_of_detail_countries,
        {{ safe_ratio('ai_value', 'world_ai_value') }} as ai_share_of_world_total,
        cast(
            rank() over (partition by flow, period order by ai_value desc, cty_code asc)
            as integer
        ) as ai_rank,
        cast(
            rank() over (partition by flow, period order by total_value desc, cty_code asc)
            as integer
        ) as total_rank,
        {{ money('previous_year_total_value') }} as previous_year_total_value,
        {{ money('previous_year_ai_value') }} as previous_year_ai_value,
        {{ money('previous_year_non_ai_value') }} as previous_year_non_ai_value,
        {{ annual_growth_rate(
            'total_value', 'previous_year_total_value', 'months_covered', 'previous_year_months_covered'
        ) }} as total_growth_vs_previous_year,
        {{ annual_growth_rate(
            'ai_value', 'previous_year_ai_value', 'months_covered', 'previous_year_months_covered'
        ) }} as ai_growth_vs_previous_year,
        {{ annual_growth_rate(
            'non_ai_value', 'previous_year_non_ai_value', 'months_covered', 'previous_year_months_covered'
        ) }} as non_ai_growth_vs_previous_year,
        cast({{ var('base_year') | int }} as integer) as base_year,
        {{ money('base_year_total_value') }} as base_year_total_value,
        {{ money('base_year_ai_value') }} as base_year_ai_value,
        {{ money('base_year_non_ai_value') }} as base_year_non_ai_value,
        {{ annual_growth_rate(
            'total_value', 'base_year_total_value', 'months_covered', 'base_year_months_covered'
        ) }} as total_growth_vs_base_year,
        {{ annual_growth_rate(
            'ai_value', 'base_year_ai_value', 'months_covered', 'base_year_months_covered'
        ) }} as ai_growth_vs_base_year,
        {{ annual_growth_rate(
            'non_ai_value', 'base_year_non_ai_value', 'months_covered', 'base_year_months_covered'
        ) }} as non_ai_growth_vs_base_year,
        {{ money('total_value_all_chapters') }} as total_value_all_chapters,
        {{ money('previous_year_total_value_all_chapters') }}
            as previous_year_total_value_all_chapters,
        {{ annual_growth_rate(
            'total_value_all_chapters',
            'previous_year_total_value_all_chapters',
            'months_covered',
            'previous_year_months_covered'
        ) }}
            as total_all_chapters_growth_vs_previous_year,
        is_synthetic
    from joined

)

select * from final
