{#- Coverage of import trade by tariff exemption lists. Two bases:
    in_force: a code-month is exempt when the code is on the list (longest prefix) and the entry
      is in force on at least one day of the month (effective_from before the month's end,
      effective_to on or after its first day);
    applied_all_year: the study's counterfactual variant, every list applied to every month of
      var comparison_year (2025) whatever its dates (methodology 3.7, flaw 15).
    Periods: each month and each calendar year; categories: each primary category and 'All'. -#}
{%- set comparison_year = var('comparison_year') | int -%}

with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where flow = 'imports' and not is_excluded_chapter

),

matches as (

    select * from {{ ref('int_exemption_code_matches') }}

),

entries as (

    select * from {{ ref('int_exemption_list_entries') }}

),

code_months as (

    select
        month,
        year,
        cast({{ dbt.date_trunc('year', 'month') }} as date) as year_start,
        hs10,
        relevance_group,
        value,
        has_trade,
        is_synthetic,
        coalesce(primary_category, 'Unclassified') as primary_category,
        coalesce(duty_calculated, 0) as duty_calculated

    from trade

),

lists as (

    select
        list_id,
        max(authority) as list_authority,
        count(*) as list_entries
    from entries
    group by 1
    union all
    select
        'any' as list_id,
        'any list' as list_authority,
        count(*) as list_entries
    from entries

),

bases as (

    select 'in_force' as coverage_basis
    union all
    select 'applied_all_year' as coverage_basis

),

list_flags as (

    select
        bases.coverage_basis,
        matches.list_id,
        code_months.hs10,
        code_months.month

    from code_months
    inner join matches
        on code_months.hs10 = matches.hs10
    cross join bases
    where
        (
            bases.coverage_basis = 'in_force'
            and matches.effective_from < {{ dbt.dateadd('month', 1, 'code_months.month') }}
            and (matches.effective_to is null or matches.effective_to >= code_months.month)
        )
        or (
            bases.coverage_basis = 'applied_all_year'
            and code_months.year = {{ comparison_year }}
        )

),

exempt_flags as (

    select
        coverage_basis,
        list_id,
        hs10,
        month
    from list_flags
    union all
    select distinct
        coverage_basis,
        'any' as list_id,
        hs10,
        month
    from list_flags

),

-- Each code-month once for the totals (no basis or list) and once for each basis and list that
-- exempts it; the same sums below give both. Only exempt code-months meet the lists: the totals do
-- not depend on them, so they are computed once and repeated for each basis and list.
scoped_code_months as (

    select
        cast(null as {{ dbt.type_string() }}) as coverage_basis,
        cast(null as {{ dbt.type_string() }}) as list_id,
        relevance_group,
        primary_category,
        year,
        year_start,
        month,
        hs10,
        value,
        has_trade,
        duty_calculated,
        is_synthetic
    from code_months

    union all

    select
        exempt_flags.coverage_basis,
        exempt_flags.list_id,
        code_months.relevance_group,
        code_months.primary_category,
        code_months.year,
        code_months.year_start,
        code_months.month,
        code_months.hs10,
        code_months.value,
        code_months.has_trade,
        code_months.duty_calculated,
        code_months.is_synthetic
    from exempt_flags
    inner join code_months
        on
            exempt_flags.hs10 = code_months.hs10
            and exempt_flags.month = code_months.month

),

-- A code's months in a year, so that a year counts each code once.
scoped_code_years as (

    select
        coverage_basis,
        list_id,
        relevance_group,
        primary_category,
        year,
        year_start,
        hs10,
        {{ any_true('has_trade') }} as has_trade,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        {{ any_true('is_synthetic') }} as is_synthetic

    from scoped_code_months
    group by 1, 2, 3, 4, 5, 6, 7

),

-- Rows are code-months (months) and code-years (years), so code counts are row counts.
scoped_sums as (

    select
        coverage_basis,
        list_id,
        relevance_group,
        primary_category,
        'month' as period_type,
        month as period_start,
        year,
        sum(case when has_trade then 1 else 0 end) as codes_with_trade,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        {{ any_true('is_synthetic') }} as is_synthetic

    from scoped_code_months
    group by 1, 2, 3, 4, 5, 6, 7

    union all

    select
        coverage_basis,
        list_id,
        relevance_group,
        primary_category,
        'year' as period_type,
        year_start as period_start,
        year,
        sum(case when has_trade then 1 else 0 end) as codes_with_trade,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        {{ any_true('is_synthetic') }} as is_synthetic

    from scoped_code_years
    group by 1, 2, 3, 4, 5, 6, 7

),

categories as (

    select
        bases.coverage_basis,
        lists.list_id,
        totals.relevance_group,
        totals.primary_category,
        totals.period_type,
        totals.period_start,
        totals.year,
        totals.codes_with_trade,
        coalesce(exempt.codes_with_trade, 0) as codes_exempt,
        totals.value as value_total,
        coalesce(exempt.value, 0) as value_exempt,
        totals.duty_calculated as duty_total,
        coalesce(exempt.duty_calculated, 0) as duty_exempt,
        totals.is_synthetic

    from scoped_sums as totals
    cross join bases
    cross join lists
    left join scoped_sums as exempt
        on
            bases.coverage_basis = exempt.coverage_basis
            and lists.list_id = exempt.list_id
            and totals.relevance_group = exempt.relevance_group
            and totals.primary_category = exempt.primary_category
            and totals.period_type = exempt.period_type
            and totals.period_start = exempt.period_start
    where
        totals.coverage_basis is null
        and (bases.coverage_basis = 'in_force' or totals.year = {{ comparison_year }})

),

-- Category 'All': a code has one category, so the categories' code counts add up.
aggregated as (

    select * from categories

    union all

    select
        coverage_basis,
        list_id,
        relevance_group,
        'All' as primary_category,
        period_type,
        period_start,
        year,
        sum(codes_with_trade) as codes_with_trade,
        sum(codes_exempt) as codes_exempt,
        sum(value_total) as value_total,
        sum(value_exempt) as value_exempt,
        sum(duty_total) as duty_total,
        sum(duty_exempt) as duty_exempt,
        {{ any_true('is_synthetic') }} as is_synthetic

    from categories
    group by 1, 2, 3, 4, 5, 6, 7

),

final as (

    select
        aggregated.coverage_basis,
        aggregated.list_id,
        aggregated.relevance_group,
        aggregated.primary_category,
        aggregated.period_type,
        aggregated.period_start,
        aggregated.year,
        lists.list_authority,
        lists.list_entries,
        cast(aggregated.codes_with_trade as bigint) as codes_with_trade,
        cast(aggregated.codes_exempt as bigint) as codes_exempt,
        {{ safe_ratio('aggregated.codes_exempt', 'aggregated.codes_with_trade') }}
            as code_share_exempt,
        {{ money('aggregated.value_total') }} as value_total,
        {{ money('aggregated.value_exempt') }} as value_exempt,
        {{ money('aggregated.value_total - aggregated.value_exempt') }} as value_not_exempt,
        {{ safe_ratio('aggregated.value_exempt', 'aggregated.value_total') }} as value_share_exempt,
        {{ money('aggregated.duty_total') }} as duty_total,
        {{ money('aggregated.duty_exempt') }} as duty_exempt,
        {{ money('aggregated.duty_total - aggregated.duty_exempt') }} as duty_not_exempt,
        {{ safe_ratio('aggregated.duty_total', 'aggregated.value_total') }} as tariff_rate_total,
        {{ safe_ratio('aggregated.duty_exempt', 'aggregated.value_exempt') }} as tariff_rate_exempt,
        {{ safe_ratio(
            'aggregated.duty_total - aggregated.duty_exempt',
            'aggregated.value_total - aggregated.value_exempt'
        ) }} as tariff_rate_not_exempt,
        aggregated.is_synthetic

    from aggregated
    inner join lists
        on aggregated.list_id = lists.list_id

)

select * from final
