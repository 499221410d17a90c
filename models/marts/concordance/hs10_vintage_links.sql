with

links as (

    select * from {{ ref('int_vintage__links') }}

),

families as (

    select * from {{ ref('int_vintage__code_families') }}

),

hs10 as (

    select * from {{ ref('dim_hs10') }}

),

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}

),

code_years as (

    select * from {{ ref('int_trade_annual__codes') }}

),

-- The flow's months in the two years compared, as the code-year totals count them.
compared_year_months as (

    select
        flow,
        max(
            case when year = {{ var('base_year') | int }} then months_covered else 0 end
        ) as base_year_months_covered,
        max(
            case when year = {{ var('comparison_year') | int }} then months_covered else 0 end
        ) as comparison_year_months_covered
    from code_years
    where year in ({{ var('base_year') | int }}, {{ var('comparison_year') | int }})
    group by 1

),

code_values as (

    select
        flow,
        hs10,
        sum(case when year = {{ var('base_year') | int }} then value else 0 end) as base_year_value,
        sum(case when year = {{ var('comparison_year') | int }} then value else 0 end)
            as comparison_year_value,
        {{ any_true('is_synthetic') }} as is_synthetic
    from trade
    group by 1, 2

),

family_values as (

    select
        families.flow,
        families.family_hs10,
        sum(code_values.base_year_value) as family_base_year_value,
        sum(code_values.comparison_year_value) as family_comparison_year_value
    from families
    inner join code_values
        on
            families.flow = code_values.flow
            and families.hs10 = code_values.hs10
    group by 1, 2

),

joined as (

    select
        links.flow,
        links.old_hs10,
        links.new_hs10,
        links.hs8,
        links.link_type,
        links.evidence,
        links.effective_month,
        links.successor_count,
        links.predecessor_count,
        old_codes.description_long as old_description,
        new_codes.description_long as new_description,
        old_codes.last_month as old_last_month,
        new_codes.first_month as new_first_month,
        old_codes.last_concordance_year as old_last_concordance_year,
        new_codes.first_concordance_year as new_first_concordance_year,
        old_codes.relevance_group as old_relevance_group,
        new_codes.relevance_group as new_relevance_group,
        old_codes.primary_category as old_primary_category,
        new_codes.primary_category as new_primary_category,
        old_codes.is_excluded_chapter,
        families.family_hs10,
        coalesce(old_values.base_year_value, 0) as old_base_year_value,
        coalesce(new_values.base_year_value, 0) as new_base_year_value,
        coalesce(new_values.comparison_year_value, 0) as new_comparison_year_value,
        family_values.family_base_year_value,
        family_values.family_comparison_year_value,
        compared_year_months.base_year_months_covered,
        compared_year_months.comparison_year_months_covered,
        coalesce(old_values.is_synthetic, false)
        or coalesce(new_values.is_synthetic, false) as is_synthetic
    from links
    inner join hs10 as old_codes
        on
            links.flow = old_codes.flow
            and links.old_hs10 = old_codes.hs10
    inner join hs10 as new_codes
        on
            links.flow = new_codes.flow
            and links.new_hs10 = new_codes.hs10
    inner join families
        on
            links.flow = families.flow
            and links.old_hs10 = families.hs10
    left join compared_year_months
        on links.flow = compared_year_months.flow
    left join family_values
        on
            families.flow = family_values.flow
            and families.family_hs10 = family_values.family_hs10
    left join code_values as old_values
        on
            links.flow = old_values.flow
            and links.old_hs10 = old_values.hs10
    left join code_values as new_values
        on
            links.flow = new_values.flow
            and links.new_hs10 = new_values.hs10

),

final as (

    select
        flow,
        old_hs10,
        new_hs10,
        hs8,
        family_hs10,
        link_type,
        evidence,
        effective_month,
        cast({{ calendar_year('effective_month') }} as integer) as change_year,
        cast(successor_count as integer) as successor_count,
        cast(predecessor_count as integer) as predecessor_count,
        old_description,
        new_description,
        old_last_month,
        new_first_month,
        cast(old_last_concordance_year as integer) as old_last_concordance_year,
        cast(new_first_concordance_year as integer) as new_first_concordance_year,
        old_relevance_group,
        new_relevance_group,
        old_primary_category,
        new_primary_category,
        old_relevance_group = new_relevance_group
        and {{ null_safe_equal('old_primary_category', 'new_primary_category') }} as is_same_label,
        is_excluded_chapter,
        cast({{ var('base_year') | int }} as integer) as base_year,
        cast({{ var('comparison_year') | int }} as integer) as comparison_year,
        {{ money('old_base_year_value') }} as old_base_year_value,
        {{ money('new_base_year_value') }} as new_base_year_value,
        {{ money('new_comparison_year_value') }} as new_comparison_year_value,
        {{ annual_growth_rate(
            'new_comparison_year_value',
            'new_base_year_value',
            'comparison_year_months_covered',
            'base_year_months_covered'
        ) }} as new_code_growth,
        {{ money('family_base_year_value') }} as family_base_year_value,
        {{ money('family_comparison_year_value') }} as family_comparison_year_value,
        {{ annual_growth_rate(
            'family_comparison_year_value',
            'family_base_year_value',
            'comparison_year_months_covered',
            'base_year_months_covered'
        ) }} as family_growth,
        is_synthetic
    from joined

)

select * from final
