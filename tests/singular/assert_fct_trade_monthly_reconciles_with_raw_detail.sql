-- Per flow and month, the fact's value equals the raw detail-country rows exactly: nothing
-- lost, nothing doubled by the label join, and no grouping or world-total row counted.
-- Returns the months that differ. In an incremental build, the months the fact wrote since its
-- tests last passed (macros/test_scope.sql).
{%- set fct_scope = incremental_test_scope('fct_trade_monthly') %}
{%- set periods = {} %}
{%- if fct_scope %}
    {%- for flow in ['imports', 'exports'] %}
        {%- set mark = tested_through('fct_trade_monthly') %}
        {%- do periods.update({flow: periods_written_since('fct_trade_monthly', mark, flow)}) %}
    {%- endfor %}
{%- endif %}
with

fct as (

    select * from {{ ref('fct_trade_monthly') }}
    {%- if fct_scope %}
        where {{ fct_scope }}
    {%- endif %}

),

raw_imports as (

    select * from {{ source('census', 'census_imports') }}
    {%- if fct_scope %}
        where {{ in_values('time', periods.imports) }}
    {%- endif %}

),

raw_exports as (

    select * from {{ source('census', 'census_exports') }}
    {%- if fct_scope %}
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
    where {{ census_country_level('cty_code') }} = 'detail'
    group by 1, 2

    union all

    select
        'exports' as flow,
        {{ census_month('time') }} as month,
        sum({{ money('all_val_mo') }}) as value,
        count(*) as row_count
    from raw_exports
    where {{ census_country_level('cty_code') }} = 'detail'
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
