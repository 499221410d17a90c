-- exemption_coverage's totals reconcile with the code-month totals (int_trade_monthly__codes): for
-- every basis and list, the category `All` rows of a period summed over relevance groups equal the
-- period's imports (chapters excluded as in every mart), and the category rows add up to the `All`
-- row. Basis applied_all_year covers var comparison_year only.
{%- set comparison_year = var('comparison_year') | int %}

with

facts as (

    select
        month,
        year,
        sum(value) as value,
        sum(coalesce(duty_calculated, 0)) as duty
    from {{ ref('int_trade_monthly__codes') }}
    where flow = 'imports' and not is_excluded_chapter
    group by 1, 2

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

all_rows as (

    select
        coverage_basis,
        list_id,
        period_type,
        period_start,
        sum(value_total) as value,
        sum(duty_total) as duty
    from coverage
    where primary_category = 'All'
    group by 1, 2, 3, 4

),

category_rows as (

    select
        coverage_basis,
        list_id,
        period_type,
        period_start,
        sum(value_total) as value,
        sum(duty_total) as duty
    from coverage
    where primary_category <> 'All'
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
    all_rows.value as all_value,
    category_rows.value as category_value
from expected
left join all_rows
    on
        expected.coverage_basis = all_rows.coverage_basis
        and expected.list_id = all_rows.list_id
        and expected.period_type = all_rows.period_type
        and expected.period_start = all_rows.period_start
left join category_rows
    on
        expected.coverage_basis = category_rows.coverage_basis
        and expected.list_id = category_rows.list_id
        and expected.period_type = category_rows.period_type
        and expected.period_start = category_rows.period_start
where
    all_rows.value is null
    or all_rows.value <> expected.value
    or all_rows.duty <> expected.duty
    or category_rows.value <> expected.value
    or category_rows.duty <> expected.duty
