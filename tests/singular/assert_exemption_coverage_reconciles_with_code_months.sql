-- exemption_coverage's totals reconcile with the code-month totals (int_trade_monthly__codes): for
-- every basis and list, the category `All` rows of a period summed over relevance groups equal the
-- period's imports (chapters excluded as in every mart), and the category rows add up to the `All`
-- row. Basis applied_all_year covers var comparison_year only.
{%- set comparison_year = var('comparison_year') | int %}

with

facts as (

    {{ panel_imports_by_month() }}

),

fact_periods as (

    select
        'month' as period_type,
        month as period_start,
        year,
        value,
        duty
    from facts
    union all
    select
        'year' as period_type,
        cast({{ dbt.date_trunc('year', 'month') }} as date) as period_start,
        year,
        sum(value) as value,
        sum(duty) as duty
    from facts
    group by 1, 2, 3

),

coverage as (

    select * from {{ ref('exemption_coverage') }}

),

-- Per period: the `All` rows and the category rows, each summed over relevance groups (null when
-- absent).
period_sums as (

    select
        coverage_basis,
        list_id,
        period_type,
        period_start,
        sum(case when primary_category = 'All' then value_total end) as all_value,
        sum(case when primary_category = 'All' then duty_total end) as all_duty,
        sum(case when primary_category <> 'All' then value_total end) as category_value,
        sum(case when primary_category <> 'All' then duty_total end) as category_duty
    from coverage
    group by 1, 2, 3, 4

),

bases as (

    select distinct coverage_basis from coverage

),

lists as (

    select distinct list_id from coverage

),

expected as (

    select
        bases.coverage_basis,
        lists.list_id,
        fact_periods.period_type,
        fact_periods.period_start,
        fact_periods.value,
        fact_periods.duty
    from fact_periods
    cross join bases
    cross join lists
    where bases.coverage_basis = 'in_force' or fact_periods.year = {{ comparison_year }}

)

select
    expected.coverage_basis,
    expected.list_id,
    expected.period_type,
    expected.period_start,
    expected.value as fact_value,
    period_sums.all_value,
    period_sums.category_value
from expected
left join period_sums
    on
        expected.coverage_basis = period_sums.coverage_basis
        and expected.list_id = period_sums.list_id
        and expected.period_type = period_sums.period_type
        and expected.period_start = period_sums.period_start
where
    period_sums.all_value is null
    or period_sums.category_value is null
    or period_sums.all_value <> expected.value
    or period_sums.all_duty <> expected.duty
    or period_sums.category_value <> expected.value
    or period_sums.category_duty <> expected.duty
