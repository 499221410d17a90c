-- Per flow and month, the fact's value equals the raw detail-country rows exactly: nothing
-- lost, nothing doubled by the label join, and no grouping or world-total row counted.
-- Returns the months that differ. In an incremental build, the months the fact wrote since its
-- tests last passed, and the months with partitions loaded since then (the load manifest, so a
-- partition refetched empty counts), which the fact should have rebuilt (macros/test_scope.sql).
-- depends_on: {{ ref('stg_census__load_manifest') }}
{%- set state = incremental_test_state('fct_trade_monthly') %}
{%- set scoped = state is not none %}
{%- set slices = [] %}
{%- set periods = {'imports': [], 'exports': []} %}
{%- if scoped %}
    {%- set written_query %}
        select distinct flow, substring(cast(month as {{ dbt.type_string() }}), 1, 7)
        from {{ ref('fct_trade_monthly') }}
        where built_at > {{ timestamp_literal(state.mark) }}
    {%- endset %}
    {%- set marks_by_flow = {} %}
    {%- for flow in trade_flows() %}
        {%- do marks_by_flow.update({flow: state.mark}) %}
    {%- endfor %}
    {%- set months = (run_query(written_query).rows | list) + slices_loaded_since(marks_by_flow) %}
    {%- for flow, month in months if month not in periods[flow] %}
        {%- do slices.append([flow, month ~ '-01']) %}
        {%- do periods[flow].append(month) %}
    {%- endfor %}
{%- endif %}
with

fct as (

    select * from {{ ref('fct_trade_monthly') }}
    {%- if scoped %}
        where {{ in_slices(slices, column='month', as_date=true) }}
    {%- endif %}

),

raw_imports as (

    select * from {{ source('census', 'census_imports') }}
    {%- if scoped %}
        where {{ in_values('time', periods.imports) }}
    {%- endif %}

),

raw_exports as (

    select * from {{ source('census', 'census_exports') }}
    {%- if scoped %}
        where {{ in_values('time', periods.exports) }}
    {%- endif %}

),

raw_detail as (

    select
        'imports' as flow,
        {{ census_month('time') }} as month,
        sum({{ money('con_val_mo') }}) as value,
        count(*) as row_count
    from raw_imports
    where {{ is_census_country_level('cty_code', 'detail') }}
    group by 1, 2

    union all

    select
        'exports' as flow,
        {{ census_month('time') }} as month,
        sum({{ money('all_val_mo') }}) as value,
        count(*) as row_count
    from raw_exports
    where {{ is_census_country_level('cty_code', 'detail') }}
    group by 1, 2

),

fct_monthly as (

    select
        flow,
        month,
        sum(value) as value,
        count(*) as row_count
    from fct
    group by 1, 2

),

compared as (

    select
        coalesce(raw_detail.flow, fct_monthly.flow) as flow,
        coalesce(raw_detail.month, fct_monthly.month) as month,
        raw_detail.value as raw_value,
        fct_monthly.value as fct_value,
        raw_detail.row_count as raw_rows,
        fct_monthly.row_count as fct_rows
    from raw_detail
    full outer join fct_monthly
        on
            raw_detail.flow = fct_monthly.flow
            and raw_detail.month = fct_monthly.month

)

select * from compared
where
    raw_value is null
    or fct_value is null
    or raw_value <> fct_value
    or raw_rows <> fct_rows
