{#- One row per flow, period, cty_code, relevance_group, primary_category and
    is_excluded_chapter over detail countries: single calendar years and the pooled window (var
    pooled_years) as periods. The country marts keep the analysis panel (not is_excluded_chapter);
    the excluded chapters stay for the all-chapter country totals (methodology 6.14: oil matters
    for Canada). -#}

with

trade as (

    select * from {{ ref('int_trade_monthly__countries') }}

),

annual as (

    select
        trade.flow,
        trade.year,
        trade.cty_code,
        trade.relevance_group,
        trade.primary_category,
        trade.is_excluded_chapter,
        sum(trade.value) as value,
        {{ any_true('trade.is_synthetic') }} as is_synthetic
    from trade
    group by 1, 2, 3, 4, 5, 6

),

flow_year_months as (

    {{ flow_year_months('trade') }}

),

pooled_months as (

    select
        flow,
        sum(months_covered) as months_covered
    from flow_year_months
    where year in {{ pooled_years_list() }}
    group by 1

),

single_years as (

    select
        annual.flow,
        cast(annual.year as {{ dbt.type_string() }}) as period,
        'year' as period_type,
        annual.year as period_start_year,
        annual.year as period_end_year,
        flow_year_months.months_covered,
        annual.cty_code,
        annual.relevance_group,
        annual.primary_category,
        annual.is_excluded_chapter,
        annual.value,
        annual.is_synthetic
    from annual
    inner join flow_year_months
        on
            annual.flow = flow_year_months.flow
            and annual.year = flow_year_months.year

),

pooled as (

    select
        annual.flow,
        '{{ pooled_period_label() }}' as period,
        'pooled' as period_type,
        {{ var('pooled_years') | map('int') | min }} as period_start_year,
        {{ var('pooled_years') | map('int') | max }} as period_end_year,
        pooled_months.months_covered,
        annual.cty_code,
        annual.relevance_group,
        annual.primary_category,
        annual.is_excluded_chapter,
        sum(annual.value) as value,
        {{ any_true('annual.is_synthetic') }} as is_synthetic
    from annual
    inner join pooled_months
        on annual.flow = pooled_months.flow
    where annual.year in {{ pooled_years_list() }}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

final as (

    select * from single_years
    union all
    select * from pooled

)

select * from final
