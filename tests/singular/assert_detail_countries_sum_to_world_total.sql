-- Census's world total ('-') equals the sum over individual countries, per flow and month,
-- for value, general imports and duty, so neither denominator double counts and every mart,
-- which sums countries, counts all of U.S. trade. Returns the months that differ. A pull limited
-- to some countries (--countries) fails here, before the marts would count a part as the whole:
-- pull `--countries all`, or build with --vars '{country_coverage: partial}' to accept marts of
-- the pulled partners only (the test then warns, in every build: a warning does not move the test
-- scope's marks). Months without a world total are not checked.
-- In an incremental build, the months with partitions loaded (load manifest) since either view
-- was last tested (macros/test_scope.sql).
{%- if var('country_coverage') not in ['complete', 'partial'] %}
    {{ exceptions.raise_compiler_error(
        "var country_coverage is '" ~ var('country_coverage') ~ "'; use complete or partial"
    ) }}
{%- endif %}
{{ config(severity='warn' if var('country_coverage') == 'partial' else 'error') }}
{%- set detail_scope = incremental_test_scope('int_trade_monthly__detail') %}
{%- set world_scope = incremental_test_scope('int_trade_monthly__world_total') %}
{%- set scope = '' %}
{%- if detail_scope and world_scope %}
    {%- set scope = '(' ~ detail_scope ~ ' or ' ~ world_scope ~ ')' %}
{%- endif %}

with

detail as (

    select * from {{ ref('int_trade_monthly__detail') }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

world as (

    select * from {{ ref('int_trade_monthly__world_total') }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

detail_monthly as (

    select
        flow,
        month,
        sum(value) as detail_value,
        coalesce(sum(value_general_imports), 0) as detail_general_imports,
        coalesce(sum(duty_calculated), 0) as detail_duty
    from detail
    group by 1, 2

),

world_monthly as (

    select
        flow,
        month,
        sum(value) as world_value,
        coalesce(sum(value_general_imports), 0) as world_general_imports,
        coalesce(sum(duty_calculated), 0) as world_duty
    from world
    group by 1, 2

)

select
    world_monthly.flow,
    world_monthly.month,
    world_monthly.world_value,
    detail_monthly.detail_value
from world_monthly
left join detail_monthly
    on
        world_monthly.flow = detail_monthly.flow
        and world_monthly.month = detail_monthly.month
where
    detail_monthly.detail_value is null
    or detail_monthly.detail_value <> world_monthly.world_value
    or detail_monthly.detail_general_imports <> world_monthly.world_general_imports
    or detail_monthly.detail_duty <> world_monthly.world_duty
