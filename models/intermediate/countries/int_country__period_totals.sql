{#- One row per flow, period and detail country: its trade by relevance group over the analysis
    panel (excluded chapters left out), and over every chapter (methodology 6.14: growth without
    oil is not Canada's). A country whose trade in the period is all in excluded chapters has a row
    with has_panel_trade false, so a mart can read its all-chapter value as the year before. -#}

with

trade_periods as (

    select * from {{ ref('int_country__trade_periods') }}

),

final as (

    select
        flow,
        period,
        period_type,
        period_start_year,
        period_end_year,
        cty_code,
        max(months_covered) as months_covered,
        sum(case when not is_excluded_chapter then value else 0 end) as total_value,
        sum(
            case when not is_excluded_chapter and relevance_group = 'High' then value else 0 end
        ) as ai_value,
        sum(
            case when not is_excluded_chapter and relevance_group = 'Medium' then value else 0 end
        ) as medium_value,
        sum(
            case when not is_excluded_chapter and relevance_group = 'Low' then value else 0 end
        ) as low_value,
        sum(
            case
                when not is_excluded_chapter and relevance_group = 'Unclassified' then value
                else 0
            end
        ) as unclassified_value,
        sum(
            case
                when
                    not is_excluded_chapter
                    and relevance_group in {{ non_ai_relevance_list() }}
                    then value
                else 0
            end
        ) as non_ai_value,
        sum(value) as total_value_all_chapters,
        {{ any_true('not is_excluded_chapter') }} as has_panel_trade,
        {{ any_true('is_synthetic') }} as is_synthetic
    from trade_periods
    group by 1, 2, 3, 4, 5, 6

)

select * from final
