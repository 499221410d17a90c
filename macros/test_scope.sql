{#- How much of the history a data test reads. A full build (`--full-refresh`) and any build with
    `--vars '{test_scope: all}'` test every row. Otherwise the tests of the large incremental tables
    (var `incremental_test_scope`) read the months written since their model was last tested:
    - the fact and its incremental aggregates (`by_built_at`): the (flow, month) slices with a
      `built_at` after the mark;
    - the raw trade views and the tables built from them (`by_loaded_at`): every month with a partition
      loaded after the mark, from the load manifest, so a partition refetched empty (which leaves no new
      row) or replaced by fewer rows has its months tested too; the mark is the manifest's latest load.
    The mark (`test_scope_marks`) moves only at the end of a `dbt build` or `dbt test` in which every
    test of the model ran and passed: a failed, warned or skipped test, or a `dbt run` with no test,
    leaves it where it was, so those months are tested next time (a warning repeats until the data
    is mended, and still fails once the warning is turned back into an error). A test of every row
    (a full build, test_scope all) that fails removes the model's mark, so every row is tested until
    it passes. Every key of these tables holds the month, so testing whole months is testing the
    whole table for them. A relationships test reads every row: the table it points to may have
    changed. -#}

{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append(config.get('where')) -%}
    {%- endif -%}
    {%- set test_name = (model.get('test_metadata') or {}).get('name') -%}
    {%- set scope = '' if test_name == 'relationships' else incremental_test_scope(relation.identifier) -%}
    {%- if scope -%}
        {%- do conditions.append(scope) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') as dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The column that says when a row of `model_name` was written, if its tests are scoped. -#}
{% macro scope_column(model_name) -%}
    {%- set scopes = var('incremental_test_scope') -%}
    {%- if model_name in scopes.by_built_at -%}
        {{ return('built_at') }}
    {%- elif model_name in scopes.by_loaded_at -%}
        {{ return('loaded_at') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}

{#- The state (test_scope_state) a test of `model_name` is scoped by in this invocation; none when the test
    reads every row (a full build, test_scope all, a model without a mark, or one whose tests are not scoped). -#}
{% macro incremental_test_state(model_name) -%}
    {%- if scope_column(model_name) is none or not execute or flags.FULL_REFRESH
        or var('test_scope', 'changed') == 'all' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set state = test_scope_state(model_name) -%}
    {{ return(none if state.mark is none else state) }}
{%- endmacro %}

{#- The filter that scopes a test of `model_name` in this invocation; '' when the test reads every row. -#}
{% macro incremental_test_scope(model_name) -%}
    {%- set state = incremental_test_state(model_name) -%}
    {%- if state is none -%}
        {{ return('') }}
    {%- elif scope_column(model_name) == 'built_at' -%}
        {{ return('built_at > ' ~ timestamp_literal(state.mark)) }}
    {%- endif -%}
    {{ return(in_values('census_period', state.periods)) }}
{%- endmacro %}

{#- The relation a model of this project builds to, or none before its first build. -#}
{% macro built_relation(model_name) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ model_name] -%}
    {{ return(adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)) }}
{%- endmacro %}

{#- A table of the warehouse's own bookkeeping (the test marks, the fact's applied labels), which no
    model builds: next to the incremental aggregates, out of the marts that BI reads. -#}
{% macro bookkeeping_relation(identifier) -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.int_trade_monthly__codes'] -%}
    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=identifier, type='table')) }}
{%- endmacro %}

{#- Whether `relation` (e.g. a bookkeeping table) exists in the warehouse. -#}
{% macro relation_exists(relation) -%}
    {{ return(adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier
    ) is not none) }}
{%- endmacro %}

{#- A bookkeeping post-hook (called only when executing: the relation needs the graph): replaces `relation`
    with the rows of `sql`, in the transaction of the model's rows. dbt's relation cache is told, so a later
    node of the same invocation finds it (relation_exists reads the cache). -#}
{% macro replace_bookkeeping_table(relation, sql) -%}
    {%- do adapter.drop_relation(relation) -%}
    {%- do adapter.cache_added(relation) -%}
    create table {{ relation }} as {{ sql }}
{%- endmacro %}

{% macro test_scope_marks_relation() -%}
    {{ return(bookkeeping_relation('test_scope_marks')) }}
{%- endmacro %}

{#- Where the rows of a model scoped by `loaded_at` come from: the load manifest, one row per partition load
    (written with the partition's rows, in one transaction), which also records the loads that left no row. -#}
{% macro loads_relation() -%}
    {{ return(built_relation('stg_census__load_manifest')) }}
{%- endmacro %}

{#- Where the tests of `model_name` stand, read in one query when a test compiles: `mark`, the latest
    `built_at` (or manifest `loaded_at`) whose rows all passed its tests (none when they never all passed), and
    for a model scoped by `loaded_at` the Census periods ('YYYY-MM') of the partitions loaded after the mark. The
    periods are returned as constants: on a raw column they let the warehouse skip every other month. -#}
{% macro test_scope_state(model_name) -%}
    {%- set marks = test_scope_marks_relation() -%}
    {%- set by_loads = scope_column(model_name) == 'loaded_at' -%}
    {%- if built_relation(model_name) is none or not relation_exists(marks)
        or (by_loads and loads_relation() is none) -%}
        {{ return({'mark': none, 'periods': []}) }}
    {%- endif -%}
    {%- set mark_sql = 'select max(tested_through) from ' ~ marks ~ " where model_name = '" ~ model_name ~ "'" -%}
    {%- set query -%}
        select cast(({{ mark_sql }}) as {{ dbt.type_string() }}) as mark, cast(null as {{ dbt.type_string() }}) as period
        {%- if by_loads %}
        union all
        select distinct cast(null as {{ dbt.type_string() }}), partition_period
        from {{ loads_relation() }}
        where loaded_at > ({{ mark_sql }})
        {%- endif %}
    {%- endset -%}
    {%- set state = {'mark': none, 'periods': []} -%}
    {%- for mark, period in run_query(query).rows -%}
        {%- if period is none -%}
            {%- do state.update({'mark': mark}) -%}
        {%- else -%}
            {%- for month in census_months(period) if month not in state.periods -%}
                {%- do state.periods.append(month) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(state) }}
{%- endmacro %}

{#- on-run-end: for each scoped model whose tests all ran and passed in this `dbt build` or
    `dbt test`, record that its rows are tested through its latest `built_at` (or the load manifest's latest
    `loaded_at`). DuckDB lets one process write the warehouse at a time, so no row can arrive between the
    tests and the mark. The latest value is looked for above the previous mark only (readers take the
    greatest mark, so only a value above it can move it), passed as a constant that the warehouse prunes
    storage blocks by: once a build has deleted and appended rows, storage statistics no longer answer max()
    alone, and the scans of the fact were the slowest part of the hook (docs/performance.md). -#}
{% macro record_test_scope_marks(results) -%}
    {%- if not execute or invocation_args_dict.get('which') not in ['build', 'test'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set statuses = {} -%}
    {%- for result in results -%}
        {%- do statuses.update({result.node.unique_id: result.status | string}) -%}
    {%- endfor -%}
    {%- set scopes = var('incremental_test_scope') -%}
    {%- set marks = test_scope_marks_relation() -%}
    {%- set previous_marks = watermarks_from(
        'select model_name, max(tested_through) from ' ~ marks ~ ' group by model_name'
    ) if relation_exists(marks) else {} -%}
    {%- set tested_every_row = flags.FULL_REFRESH or var('test_scope', 'changed') == 'all' -%}
    {%- set statements = [] -%}
    {%- for model_name in scopes.by_built_at + scopes.by_loaded_at -%}
        {%- set model_id = 'model.' ~ project_name ~ '.' ~ model_name -%}
        {%- set tests = [] -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'test' and model_id in node.depends_on.nodes -%}
            {%- do tests.append(node.unique_id) -%}
        {%- endfor -%}
        {%- set passed = [] -%}
        {%- for test_id in tests if statuses.get(test_id) == 'pass' -%}
            {%- do passed.append(test_id) -%}
        {%- endfor -%}
        {%- set failed = [] -%}
        {%- for test_id in tests if statuses.get(test_id) in ['fail', 'error'] -%}
            {%- do failed.append(test_id) -%}
        {%- endfor -%}
        {%- set column = scope_column(model_name) -%}
        {%- set relation = loads_relation() if column == 'loaded_at' else built_relation(model_name) -%}
        {%- if tested_every_row and failed and model_name in previous_marks -%}
            {#- a test of every row failed where the scoped tests passed (raw rows deleted by hand, a fixed
                test): no mark, so the builds after this one test every row until they pass -#}
            {%- do statements.append('delete from ' ~ marks ~ " where model_name = '" ~ model_name ~ "'") -%}
        {%- elif tests and passed | length == tests | length and built_relation(model_name) is not none
            and relation is not none -%}
            {%- if previous_marks.get(model_name) is not none -%}
                {%- set previous_mark = timestamp_literal(previous_marks[model_name]) -%}
                {%- set latest = 'coalesce(max(' ~ column ~ '), ' ~ previous_mark ~ ')' -%}
                {%- set above_previous = ' where ' ~ column ~ ' > ' ~ previous_mark -%}
            {%- else -%}
                {%- set latest, above_previous = 'max(' ~ column ~ ')', '' -%}
            {%- endif -%}
            {%- do statements.append(
                "insert into " ~ marks ~ " select '" ~ model_name ~ "', " ~ latest ~ ", " ~ build_timestamp()
                ~ " from " ~ relation ~ above_previous
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if statements -%}
        {%- do run_query(
            'create table if not exists ' ~ marks
            ~ ' (model_name ' ~ dbt.type_string() ~ ', tested_through timestamp, recorded_at timestamp)'
        ) -%}
        {%- for statement in statements -%}
            {%- do run_query(statement) -%}
        {%- endfor -%}
        {%- do adapter.commit() -%}
    {%- endif -%}
    {{ return('') }}
{%- endmacro %}
