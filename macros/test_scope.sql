{#- How much of the history a data test reads. A full build (`--full-refresh`) and any build with
    `--vars '{test_scope: all}'` test every row. An incremental build tests the months it changed,
    which is where new errors can be:
    - the fact and its incremental aggregates (var `incremental_test_scope.written_by_latest_build`):
      the (flow, month) slices the latest build wrote;
    - the raw trade views (`incremental_test_scope.loaded_since_latest_build`): every month with rows
      loaded after the start of the fact's latest build, and (unless this `dbt build` rebuilds the fact
      after the test) the months that build wrote.
    Every key holds the month, so testing whole months is testing the whole table for them. The other
    months were tested when they were written and have not changed since. -#}

{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append(config.get('where')) -%}
    {%- endif -%}
    {%- set scope = incremental_test_scope(relation.identifier) -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The filter that scopes a test of `model_name` in this build; '' when the test reads every row. -#}
{% macro incremental_test_scope(model_name) -%}
    {%- set scopes = var('incremental_test_scope') -%}
    {%- if not execute or flags.FULL_REFRESH or var('test_scope', 'changed') == 'all' -%}
        {{ return('') }}
    {%- elif model_name in scopes.written_by_latest_build -%}
        {%- set latest = latest_build(model_name) -%}
        {{ return('' if latest is none else "built_at = cast('" ~ latest ~ "' as timestamp)") }}
    {%- elif model_name in scopes.loaded_since_latest_build -%}
        {%- set periods = periods_loaded_since_latest_build(model_name) -%}
        {{ return('' if periods is none else census_period_in(periods)) }}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}

{#- The relation a model of this project builds to, or none before its first build. -#}
{% macro built_relation(model_name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- The start of the latest build that wrote `model_name` (its greatest `built_at`); none before its
    first build, or when it was built before it had the column. -#}
{% macro latest_build(model_name) -%}
    {%- set relation = built_relation(model_name) -%}
    {%- if relation is none or 'built_at' not in adapter.get_columns_in_relation(relation) | map(attribute='name') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select cast(max(built_at) as {{ dbt.type_string() }}) from {{ relation }}
    {%- endset -%}
    {{ return(run_query(query).columns[0].values()[0]) }}
{%- endmacro %}

{#- The Census periods ('YYYY-MM') of the slices the latest build of `model_name` wrote, of one flow or
    of both. Read at run time: constants on a raw column let the warehouse skip every other month. -#}
{% macro periods_written_by_latest_build(model_name, flow=none) -%}
    {%- set latest = latest_build(model_name) -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select distinct cast(month as {{ dbt.type_string() }})
        from {{ built_relation(model_name) }}
        where built_at = cast('{{ latest }}' as timestamp)
        {%- if flow %} and flow = '{{ flow }}'{% endif %}
    {%- endset -%}
    {%- set periods = [] -%}
    {%- for month in run_query(query).columns[0].values() -%}
        {%- do periods.append(month[:7]) -%}
    {%- endfor -%}
    {{ return(periods) }}
{%- endmacro %}

{#- The periods of `model_name` (a raw trade view) with rows loaded after the start of the fact's latest
    build, which that build has not read, plus the periods it wrote unless the fact is rebuilt later in
    this same `dbt build`. None (every row) before the fact's first build. -#}
{% macro periods_loaded_since_latest_build(model_name) -%}
    {%- set latest = latest_build('fct_trade_monthly') -%}
    {%- if latest is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select distinct census_period from {{ built_relation(model_name) }}
        where loaded_at > cast('{{ latest }}' as timestamp)
    {%- endset -%}
    {%- set periods = run_query(query).columns[0].values() | list -%}
    {%- set fact_follows = invocation_args_dict.get('which') == 'build'
        and ('model.' ~ project_name ~ '.fct_trade_monthly') in selected_resources -%}
    {%- if not fact_follows -%}
        {%- set periods = periods + periods_written_by_latest_build('fct_trade_monthly') -%}
    {%- endif -%}
    {{ return(periods) }}
{%- endmacro %}
