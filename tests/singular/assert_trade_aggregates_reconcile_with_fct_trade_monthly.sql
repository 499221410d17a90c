{#- The incremental aggregates hold exactly the fact's slices and add up to them.
    - Per flow and month, int_trade_monthly__codes: value, general imports, duty, dutiable value,
      and codes with trade = the fact's distinct codes with a non-zero value.
    - Per flow, month and country, int_trade_monthly__countries: value, duty, and codes with trade
      summed over its groups = the country's distinct codes with a non-zero value.
    Both aggregates count rows, relying on the fact's key; this counts distinct codes. Every mart
    reads these, so this is where they meet the fact. In an incremental build: the slices either
    aggregate wrote since its tests last passed, and the slices the fact wrote since then (one an
    aggregate missed), in all three tables (macros/test_scope.sql). Returns the slices that differ
    (with cty_code for a country). -#}
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
        count(distinct case when value <> 0 then hs10 end) as codes_with_trade
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

fct_countries as (

    select
        flow,
        month,
        cty_code,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        count(distinct case when value <> 0 then hs10 end) as codes_with_trade
    from fct
    group by 1, 2, 3

),

country_slices as (

    select
        flow,
        month,
        cty_code,
        sum(value) as value,
        sum(duty_calculated) as duty_calculated,
        sum(codes_with_trade) as codes_with_trade
    from countries
    group by 1, 2, 3

),

code_gaps as (

    select
        coalesce(fct_slices.flow, code_slices.flow) as flow,
        coalesce(fct_slices.month, code_slices.month) as month,
        cast(null as {{ dbt.type_string() }}) as cty_code,
        fct_slices.value as fct_value,
        code_slices.value as aggregate_value
    from fct_slices
    full outer join code_slices
        on
            fct_slices.flow = code_slices.flow
            and fct_slices.month = code_slices.month
    where
        fct_slices.value is null
        or code_slices.value is null
        or fct_slices.value <> code_slices.value
        or not (
            {{ null_safe_equal(
                'fct_slices.value_general_imports', 'code_slices.value_general_imports'
            ) }}
            and {{ null_safe_equal('fct_slices.duty_calculated', 'code_slices.duty_calculated') }}
            and {{ null_safe_equal('fct_slices.value_dutiable', 'code_slices.value_dutiable') }}
            and fct_slices.codes_with_trade = code_slices.codes_with_trade
        )

),

country_gaps as (

    select
        coalesce(fct_countries.flow, country_slices.flow) as flow,
        coalesce(fct_countries.month, country_slices.month) as month,
        coalesce(fct_countries.cty_code, country_slices.cty_code) as cty_code,
        fct_countries.value as fct_value,
        country_slices.value as aggregate_value
    from fct_countries
    full outer join country_slices
        on
            fct_countries.flow = country_slices.flow
            and fct_countries.month = country_slices.month
            and fct_countries.cty_code = country_slices.cty_code
    where
        fct_countries.value is null
        or country_slices.value is null
        or fct_countries.value <> country_slices.value
        or not {{ null_safe_equal(
            'fct_countries.duty_calculated', 'country_slices.duty_calculated'
        ) }}
        or fct_countries.codes_with_trade <> country_slices.codes_with_trade

),

final as (

    select * from code_gaps
    union all
    select * from country_gaps

)

select * from final
