{#- Coverage of import trade by tariff exemption lists. Two bases:
    in_force: a code-month is exempt when the code is on the list (longest prefix) and the entry
      is in force on at least one day of the month (effective_from before the month's end,
      effective_to on or after its first day);
    applied_all_year: the study's counterfactual variant, every list applied to every month of
      var comparison_year (2025) whatever its dates (methodology 3.7, flaw 15).
    Periods: each month and each calendar year; categories: each primary category and 'All'. -#}
{%- set comparison_year = var('comparison_year') | int -%}
{%- set aggregations = [
    {'period_type': 'month', 'period_start': 'month', 'category': 'primary_category'},
    {'period_type': 'month', 'period_start': 'month', 'category': "'All'"},
    {'period_type': 'year', 'period_start': 'year_start', 'category': 'primary_category'},
    {'period_type': 'year', 'period_start': 'year_start', 'category': "'All'"},
] -%}

with

trade as (

    select * from {{ ref('fct_trade_monthly') }}
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
        hs10,
        relevance_group,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as value,
        sum(coalesce(duty_calculated, 0)) as duty_calculated,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1, 2, 3, 4, 5

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

scoped as (

    select
        bases.coverage_basis,
        lists.list_id,
        lists.list_authority,
        lists.list_entries,
        code_months.month,
        code_months.year,
        cast({{ dbt.date_trunc('year', 'code_months.month') }} as date) as year_start,
        code_months.hs10,
        code_months.relevance_group,
        code_months.primary_category,
        code_months.value,
        code_months.duty_calculated,
        code_months.is_synthetic,
        exempt_flags.hs10 is not null as is_exempt

    from code_months
    cross join bases
    cross join lists
    left join exempt_flags
        on
            bases.coverage_basis = exempt_flags.coverage_basis
            and lists.list_id = exempt_flags.list_id
            and code_months.hs10 = exempt_flags.hs10
            and code_months.month = exempt_flags.month
    where
        bases.coverage_basis = 'in_force'
        or code_months.year = {{ comparison_year }}

),

aggregated as (

    {% for aggregation in aggregations %}
        select
            coverage_basis,
            list_id,
            relevance_group,
            {{ aggregation.category }} as primary_category,
            '{{ aggregation.period_type }}' as period_type,
            {{ aggregation.period_start }} as period_start,
            year,
            max(list_authority) as list_authority,
            max(list_entries) as list_entries,
            count(distinct case when value <> 0 then hs10 end) as codes_with_trade,
            count(distinct case when value <> 0 and is_exempt then hs10 end) as codes_exempt,
            sum(value) as value_total,
            sum(case when is_exempt then value else 0 end) as value_exempt,
            sum(case when is_exempt then 0 else value end) as value_not_exempt,
            sum(duty_calculated) as duty_total,
            sum(case when is_exempt then duty_calculated else 0 end) as duty_exempt,
            sum(case when is_exempt then 0 else duty_calculated end) as duty_not_exempt,
            {{ any_true('is_synthetic') }} as is_synthetic

        from scoped
        group by 1, 2, 3, 4, 5, 6, 7
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        coverage_basis,
        list_id,
        relevance_group,
        primary_category,
        period_type,
        period_start,
        year,
        list_authority,
        list_entries,
        codes_with_trade,
        codes_exempt,
        {{ safe_ratio('codes_exempt', 'codes_with_trade') }} as code_share_exempt,
        {{ money('value_total') }} as value_total,
        {{ money('value_exempt') }} as value_exempt,
        {{ money('value_not_exempt') }} as value_not_exempt,
        {{ safe_ratio('value_exempt', 'value_total') }} as value_share_exempt,
        {{ money('duty_total') }} as duty_total,
        {{ money('duty_exempt') }} as duty_exempt,
        {{ money('duty_not_exempt') }} as duty_not_exempt,
        {{ safe_ratio('duty_total', 'value_total') }} as tariff_rate_total,
        {{ safe_ratio('duty_exempt', 'value_exempt') }} as tariff_rate_exempt,
        {{ safe_ratio('duty_not_exempt', 'value_not_exempt') }} as tariff_rate_not_exempt,
        is_synthetic

    from aggregated

)

select * from final
