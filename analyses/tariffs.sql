{#- Study figure ai-tariffs.png (methodology 3.6): effective tariff rate (sum of calculated duty
    / sum of imports for consumption, %) on High and Low imports and on the four large High
    categories, in the study's windows: full year 2024, December 2025 (the final paper's "2025")
    and full year 2025 (the README's "2025"). -#}

with

windows as (

    select * from {{ ref('tariff_rates_window') }}
    where
        study_window is not null
        and (
            (breakdown = 'relevance_group' and relevance_group in ('High', 'Low'))
            or (
                breakdown = 'relevance_group_category'
                and relevance_group = 'High'
                and primary_category in (
                    'Compute_Hardware', 'Electrical_Power', 'Networking_Telecom', 'Cooling_HVAC'
                )
            )
        )

),

labelled as (

    select
        case
            when breakdown = 'relevance_group' then relevance_group
            else replace(primary_category, '_', ' ')
        end as product_group,
        case
            when breakdown = 'relevance_group' and relevance_group = 'High' then 1
            when breakdown = 'relevance_group' then 2
            when primary_category = 'Compute_Hardware' then 3
            when primary_category = 'Electrical_Power' then 4
            when primary_category = 'Networking_Telecom' then 5
            else 6
        end as row_order,
        study_window,
        effective_rate
    from windows

),

final as (

    select
        product_group,
        row_order,
        round(
            100 * max(
                case
                    when study_window = 'full_year_{{ (var("comparison_year") | int) - 1 }}'
                        then effective_rate
                end
            ),
            2
        ) as rate_pct_previous_full_year,
        round(100 * max(case when study_window like 'december_%' then effective_rate end), 2)
            as rate_pct_december_comparison_year,
        round(
            100 * max(
                case
                    when study_window = 'full_year_{{ var("comparison_year") | int }}'
                        then effective_rate
                end
            ),
            2
        ) as rate_pct_full_comparison_year
    from labelled
    group by 1, 2

)

select
    row_order,
    product_group,
    rate_pct_previous_full_year,
    rate_pct_december_comparison_year,
    rate_pct_full_comparison_year
from final
order by 1
