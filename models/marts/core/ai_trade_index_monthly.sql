{%- set series_names = ['ai', 'non_ai', 'aggregate', 'ai_ex_compute', 'medium', 'unclassified'] -%}
{%- set trailing_lengths = [3, 12] -%}

with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

monthly as (

    select
        flow,
        month,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(
            case when relevance_group in {{ non_ai_relevance_list() }} then value else 0 end
        ) as non_ai_value,
        sum(value) as aggregate_value,
        sum(
            case
                when
                    relevance_group = 'High'
                    and coalesce(primary_category, '') <> 'Compute_Hardware'
                    then value
                else 0
            end
        ) as ai_ex_compute_value,
        sum(case when relevance_group = 'Medium' then value else 0 end) as medium_value,
        sum(case when relevance_group = 'Unclassified' then value else 0 end) as unclassified_value,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2

),

series as (

    {%- for series_name in series_names %}
        select
            flow,
            month,
            '{{ series_name }}' as series,
            {{ series_name }}_value as value,
            is_synthetic
        from monthly
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

base as (

    select
        flow,
        series,
        avg(value) as base_monthly_mean

    from series
    where {{ calendar_year('month') }} = {{ var('base_year') }}
    group by 1, 2

),

-- Trailing sums over the series' own months (flaw 11: a single month is a noisy endpoint). A window
-- counts only when its first month is exactly the one it should be: the months are unique per
-- series, so then every month of the window is in the data.
windowed as (

    select
        flow,
        month,
        series,
        value,
        is_synthetic,
        {%- for length in trailing_lengths %}
            sum(value) over (
                partition by flow, series
                order by month rows between {{ length - 1 }} preceding and current row
            ) as trailing_{{ length }}_month_value,
            min(month) over (
                partition by flow, series
                order by month rows between {{ length - 1 }} preceding and current row
            ) as trailing_{{ length }}_month_start,
            cast(
                {{ dbt.dateadd('month', 1 - length, 'month') }} as date
            ) as full_{{ length }}_month_start,
        {%- endfor %}
        lag(value, 12) over (partition by flow, series order by month) as value_year_before,
        lag(month, 12) over (partition by flow, series order by month) as month_year_before,
        cast({{ dbt.dateadd('month', -12, 'month') }} as date) as same_month_year_before

    from series

),

final as (

    select
        windowed.flow,
        windowed.month,
        windowed.series,
        windowed.value,
        {{ var('base_year') }} as base_year,
        base.base_monthly_mean,
        100 * {{ safe_ratio('windowed.value', 'base.base_monthly_mean') }} as index_value,
        {%- for length in trailing_lengths %}
            case
                when
                    windowed.trailing_{{ length }}_month_start
                    = windowed.full_{{ length }}_month_start
                    then 100 * {{ safe_ratio(
                        'windowed.trailing_' ~ length ~ '_month_value', length ~ ' * base.base_monthly_mean'
                    ) }}
            end as trailing_{{ length }}_month_index,
        {%- endfor %}
        case
            when windowed.month_year_before = windowed.same_month_year_before
                then {{ safe_ratio('windowed.value', 'windowed.value_year_before') }} - 1
        end as growth_vs_year_before,
        windowed.is_synthetic

    from windowed
    left join base
        on
            windowed.flow = base.flow
            and windowed.series = base.series

)

select * from final
