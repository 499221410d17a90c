{#- The incremental aggregates hold exactly the fact's slices and add up to them, per flow and
    month: value, general imports, duty, dutiable value and codes with trade (the fact's distinct
    codes with a non-zero value) in int_trade_monthly__codes; value, duty and codes with trade
    summed over countries (the fact's non-zero rows, one per code and country by the fact's tested
    key) in int_trade_monthly__countries. Every mart reads these, so this is where they meet the
    fact. In an incremental build: the slices either aggregate wrote since its tests last passed,
    and the slices the fact wrote since then (one an aggregate missed), in all three tables
    (macros/test_scope.sql). Returns the slices that differ. -#}
{%- set codes_scope = incremental_test_scope('int_trade_monthly__codes') %}
{%- set countries_scope = incremental_test_scope('int_trade_monthly__countries') %}
{%- set slices = [] %}
{%- set scope = '' %}
{%- if codes_scope and countries_scope %}
    {#- with the slices the fact wrote since either aggregate's mark: one an aggregate missed #}
    {%- set slices_query %}
        select flow, cast(month as {{ dbt.type_string() }}) from {{ ref('int_trade_monthly__codes') }}
        where {{ codes_scope }}
        union
        select flow, cast(month as {{ dbt.type_string() }}) from {{ ref('int_trade_monthly__countries') }}
        where {{ countries_scope }}
        union
        select flow, cast(month as {{ dbt.type_string() }}) from {{ ref('fct_trade_monthly') }}
        where {{ codes_scope }} or {{ countries_scope }}
    {%- endset %}
    {%- for row in run_query(slices_query).rows %}
        {%- do slices.append([row[0], row[1]]) %}
    {%- endfor %}
    {%- set scope = in_slices(slices, column='month', as_date=true) %}
{%- endif %}

with

fct as (

    select * from {{ ref('fct_trade_monthly') }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

codes as (

    select * from {{ ref('int_trade_monthly__codes') }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

countries as (

    select * from {{ ref('int_trade_monthly__countries') }}
    {%- if scope %}
        where {{ scope }}
    {%- endif %}

),

fct_slices as (

    select
        flow,
        month,
        sum(value) as value,
        sum(value_general_imports) as value_general_imports,
        sum(duty_calculated) as duty_calculated,
        sum(value_dutiable) as value_dutiable,
        count(distinct case when value <> 0 then hs10 end) as codes_with_trade,
        count(case when value <> 0 then hs10 end) as country_codes_with_trade
    from fct
    group by 1, 2

),

code_slices as (

    select
        flow,
        month,
        sum(value) as value,
        sum(value_general_imports) as value_general_imports,
        sum(duty_calculated) as duty_calculated,
        sum(value_dutiable) as value_dutiable,
        sum(case when has_trade then 1 else 0 end) as codes_with_trade
    from codes
    group by 1, 2

),

country_slices as (

    select
        flow,
        month,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        sum(codes_with_trade) as codes_with_trade
    from countries
    group by 1, 2

),

compared as (

    select
        coalesce(fct_slices.flow, code_slices.flow, country_slices.flow) as flow,
        coalesce(fct_slices.month, code_slices.month, country_slices.month) as month,
        fct_slices.value as fct_value,
        code_slices.value as code_value,
        country_slices.value as country_value,
        {{ null_safe_equal(
            'fct_slices.value_general_imports', 'code_slices.value_general_imports'
        ) }}
        and {{ null_safe_equal('fct_slices.duty_calculated', 'code_slices.duty_calculated') }}
        and {{ null_safe_equal('fct_slices.duty_calculated', 'country_slices.duty_calculated') }}
        and {{ null_safe_equal('fct_slices.value_dutiable', 'code_slices.value_dutiable') }}
        and fct_slices.codes_with_trade = code_slices.codes_with_trade
        and fct_slices.country_codes_with_trade = country_slices.codes_with_trade
            as other_columns_match
    from fct_slices
    full outer join code_slices
        on
            fct_slices.flow = code_slices.flow
            and fct_slices.month = code_slices.month
    full outer join country_slices
        on
            coalesce(fct_slices.flow, code_slices.flow) = country_slices.flow
            and coalesce(fct_slices.month, code_slices.month) = country_slices.month

)

select * from compared
where
    fct_value is null
    or code_value is null
    or country_value is null
    or fct_value <> code_value
    or fct_value <> country_value
    or not other_columns_match
