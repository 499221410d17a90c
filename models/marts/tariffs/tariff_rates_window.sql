{#- Tariff rates over windows, always sum(duty) / sum(value) over the window's months (never an
    average of monthly rates). Windows: each calendar year, and trailing windows of 1, 3 and 12
    months ending at each month (only windows whose months are all in the data). The study's
    windows are labelled in study_window: the full year before var comparison_year (2024),
    December of comparison_year (2025, the final paper) and the full comparison year (the README
    and early draft). -#}
{%- set comparison_year = var('comparison_year') | int -%}
{%- set trailing_lengths = [1, 3, 12] -%}

with

-- One row per breakdown, month and dimension values (its tested key), so a group's row count is
-- its number of months.
monthly as (

    select * from {{ ref('tariff_rates_monthly') }}

),

months as (

    select distinct month from monthly

),

trailing_windows as (

    {% for length in trailing_lengths %}
        select
            {{ length }} as window_months,
            cast({{ dbt.dateadd('month', 1 - length, 'months.month') }} as date) as window_start,
            months.month as window_end
        from months
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

complete_trailing_windows as (

    select
        trailing_windows.window_months,
        trailing_windows.window_start,
        trailing_windows.window_end

    from trailing_windows
    inner join months
        on
            trailing_windows.window_start <= months.month
            and trailing_windows.window_end >= months.month
    group by 1, 2, 3
    having count(*) = trailing_windows.window_months

),

-- Each complete trailing window's months: monthly rows join their windows on the month, an
-- equi-join (a range join on the window's bounds took half as long again at full size).
months_in_window as (

    select
        complete_trailing_windows.window_months,
        complete_trailing_windows.window_start,
        complete_trailing_windows.window_end,
        months.month

    from complete_trailing_windows
    inner join months
        on
            complete_trailing_windows.window_start <= months.month
            and complete_trailing_windows.window_end >= months.month

),

trailing_sums as (

    select
        'trailing' as window_type,
        months_in_window.window_months,
        months_in_window.window_start,
        months_in_window.window_end,
        {{ calendar_year('months_in_window.window_end') }} as year,
        monthly.breakdown,
        monthly.relevance_group,
        monthly.primary_category,
        monthly.cty_code,
        monthly.cty_name,
        count(*) as months_with_trade,
        sum(monthly.value) as value,
        sum(monthly.duty_calculated) as duty_calculated,
        {{ any_true('monthly.is_synthetic') }} as is_synthetic

    from months_in_window
    inner join monthly
        on months_in_window.month = monthly.month
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

year_months as (

    select
        {{ calendar_year('month') }} as year,
        count(*) as months_in_data
    from months
    group by 1

),

calendar_sums as (

    select
        'calendar_year' as window_type,
        12 as window_months,
        cast({{ dbt.date_trunc('year', 'monthly.month') }} as date) as window_start,
        cast(
            {{ dbt.dateadd('month', 11, dbt.date_trunc('year', 'monthly.month')) }} as date
        ) as window_end,
        monthly.year,
        monthly.breakdown,
        monthly.relevance_group,
        monthly.primary_category,
        monthly.cty_code,
        monthly.cty_name,
        count(*) as months_with_trade,
        sum(monthly.value) as value,
        sum(monthly.duty_calculated) as duty_calculated,
        {{ any_true('monthly.is_synthetic') }} as is_synthetic

    from monthly
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

windows as (

    select
        trailing_sums.*,
        true as is_complete
    from trailing_sums
    union all
    select
        calendar_sums.*,
        year_months.months_in_data = 12 as is_complete
    from calendar_sums
    inner join year_months
        on calendar_sums.year = year_months.year

),

final as (

    select
        window_type,
        window_months,
        window_start,
        window_end,
        year,
        is_complete,
        case
            when window_type = 'calendar_year' and year = {{ comparison_year - 1 }}
                then 'full_year_{{ comparison_year - 1 }}'
            when
                window_type = 'trailing'
                and window_months = 1
                and window_end = cast('{{ comparison_year }}-12-01' as date)
                then 'december_{{ comparison_year }}'
            when window_type = 'calendar_year' and year = {{ comparison_year }}
                then 'full_year_{{ comparison_year }}'
        end as study_window,
        breakdown,
        relevance_group,
        primary_category,
        cty_code,
        cty_name,
        months_with_trade,
        {{ money('value') }} as value,
        {{ money('duty_calculated') }} as duty_calculated,
        {{ safe_ratio('duty_calculated', 'value') }} as effective_rate,
        is_synthetic

    from windows

)

select * from final
