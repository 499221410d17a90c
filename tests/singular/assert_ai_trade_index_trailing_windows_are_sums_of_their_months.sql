-- The index's trailing 3- and 12-month indexes and its change vs a year before, recomputed by
-- joining each month to the months of its window by date (the mart counts rows in window
-- functions): a window counts only when all its months are in the data. Returns the months that
-- differ beyond floating-point precision or are null on one side only.
with

index_monthly as (

    select
        *,
        cast({{ dbt.dateadd('month', -2, 'month') }} as date) as full_3_month_start,
        cast({{ dbt.dateadd('month', -11, 'month') }} as date) as full_12_month_start,
        cast({{ dbt.dateadd('month', -12, 'month') }} as date) as same_month_year_before
    from {{ ref('ai_trade_index_monthly') }}

),

windows as (

    select
        index_month.flow,
        index_month.series,
        index_month.month,
        sum(
            case
                when window_month.month >= index_month.full_3_month_start then window_month.value
            end
        ) as value_3_months,
        sum(
            case when window_month.month >= index_month.full_3_month_start then 1 else 0 end
        ) as months_3,
        sum(window_month.value) as value_12_months,
        count(*) as months_12

    from index_monthly as index_month
    inner join index_monthly as window_month
        on
            index_month.flow = window_month.flow
            and index_month.series = window_month.series
            and index_month.full_12_month_start <= window_month.month
            and index_month.month >= window_month.month
    group by 1, 2, 3

),

recomputed as (

    select
        index_month.flow,
        index_month.series,
        index_month.month,
        index_month.trailing_3_month_index,
        index_month.trailing_12_month_index,
        index_month.growth_vs_year_before,
        case
            when windows.months_3 = 3
                then 100 * {{ safe_ratio(
                    'windows.value_3_months', '3 * index_month.base_monthly_mean'
                ) }}
        end as expected_3_month_index,
        case
            when windows.months_12 = 12
                then 100 * {{ safe_ratio(
                    'windows.value_12_months', '12 * index_month.base_monthly_mean'
                ) }}
        end as expected_12_month_index,
        {{ safe_ratio('index_month.value', 'year_before.value') }} - 1 as expected_growth

    from index_monthly as index_month
    inner join windows
        on
            index_month.flow = windows.flow
            and index_month.series = windows.series
            and index_month.month = windows.month
    left join index_monthly as year_before
        on
            index_month.flow = year_before.flow
            and index_month.series = year_before.series
            and index_month.same_month_year_before = year_before.month

)

select * from recomputed
where
    not (
        coalesce(abs(trailing_3_month_index - expected_3_month_index) <= 1e-9, false)
        or (trailing_3_month_index is null and expected_3_month_index is null)
    )
    or not (
        coalesce(abs(trailing_12_month_index - expected_12_month_index) <= 1e-9, false)
        or (trailing_12_month_index is null and expected_12_month_index is null)
    )
    or not (
        coalesce(abs(growth_vs_year_before - expected_growth) <= 1e-12, false)
        or (growth_vs_year_before is null and expected_growth is null)
    )
