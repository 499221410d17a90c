-- Every breakdown of tariff_rates_monthly partitions the month's imports: its rows sum to the
-- value and calculated duty of int_trade_monthly__codes (chapters excluded), and the calendar-year
-- windows sum to the year's.

with

facts as (

    {{ panel_imports_by_month() }}

),

fact_years as (

    select
        year,
        sum(value) as value,
        sum(duty) as duty
    from facts
    group by 1

),

monthly as (

    select
        breakdown,
        month,
        sum(value) as value,
        sum(duty_calculated) as duty
    from {{ ref('tariff_rates_monthly') }}
    group by 1, 2

),

yearly as (

    select
        breakdown,
        year,
        sum(value) as value,
        sum(duty_calculated) as duty
    from {{ ref('tariff_rates_window') }}
    where window_type = 'calendar_year'
    group by 1, 2

),

breakdowns as (

    select distinct breakdown from monthly

),

monthly_gaps as (

    select
        breakdowns.breakdown,
        facts.month as period_start,
        facts.value as fact_value,
        monthly.value as mart_value
    from facts
    cross join breakdowns
    left join monthly
        on
            breakdowns.breakdown = monthly.breakdown
            and facts.month = monthly.month
    where
        monthly.value is null
        or monthly.value <> facts.value
        or monthly.duty <> facts.duty

),

yearly_gaps as (

    select
        breakdowns.breakdown,
        cast(fact_years.year as {{ dbt.type_string() }}) as period_start,
        fact_years.value as fact_value,
        yearly.value as mart_value
    from fact_years
    cross join breakdowns
    left join yearly
        on
            breakdowns.breakdown = yearly.breakdown
            and fact_years.year = yearly.year
    where
        yearly.value is null
        or yearly.value <> fact_years.value
        or yearly.duty <> fact_years.duty

)

select
    breakdown,
    cast(period_start as {{ dbt.type_string() }}) as period_start,
    fact_value,
    mart_value
from monthly_gaps
union all
select
    breakdown,
    period_start,
    fact_value,
    mart_value
from yearly_gaps
