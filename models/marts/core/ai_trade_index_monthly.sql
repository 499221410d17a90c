{%- set series_names = ['ai', 'non_ai', 'aggregate', 'ai_ex_compute', 'medium', 'unclassified'] -%}

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

final as (

    select
        series.flow,
        series.month,
        series.series,
        series.value,
        {{ var('base_year') }} as base_year,
        base.base_monthly_mean,
        100 * {{ safe_ratio('series.value', 'base.base_monthly_mean') }} as index_value,
        series.is_synthetic

    from series
    left join base
        on
            series.flow = base.flow
            and series.series = base.series

)

select * from final
