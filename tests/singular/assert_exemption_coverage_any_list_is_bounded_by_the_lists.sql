-- The `any` row (trade on at least one list) covers at least as much as the largest single list and
-- at most all lists together, and every list row of a cell splits the same total trade.
with

coverage as (

    select * from {{ ref('exemption_coverage') }}

),

by_list as (

    select
        coverage_basis,
        relevance_group,
        primary_category,
        period_type,
        period_start,
        max(value_exempt) as largest_list_value_exempt,
        sum(value_exempt) as all_lists_value_exempt,
        min(value_total) as min_value_total,
        max(value_total) as max_value_total
    from coverage
    where list_id <> 'any'
    group by 1, 2, 3, 4, 5

),

final as (

    select
        coverage.coverage_basis,
        coverage.relevance_group,
        coverage.primary_category,
        coverage.period_type,
        coverage.period_start,
        coverage.value_exempt,
        by_list.largest_list_value_exempt,
        by_list.all_lists_value_exempt
    from coverage
    inner join by_list
        on
            coverage.coverage_basis = by_list.coverage_basis
            and coverage.relevance_group = by_list.relevance_group
            and coverage.primary_category = by_list.primary_category
            and coverage.period_type = by_list.period_type
            and coverage.period_start = by_list.period_start
    where
        coverage.list_id = 'any'
        and (
            coverage.value_exempt < by_list.largest_list_value_exempt
            or coverage.value_exempt > by_list.all_lists_value_exempt
            or coverage.value_total <> by_list.min_value_total
            or coverage.value_total <> by_list.max_value_total
        )

)

select * from final
