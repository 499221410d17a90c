{#- When this `dbt build` wrote a row: the invocation's start, the same in every model of the run, so a
    downstream incremental model can take exactly the slices its input rewrote. -#}
{% macro build_timestamp() -%}
    {{ timestamp_literal(run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f")) }}
{%- endmacro %}

{#- A timestamp constant from its text ('YYYY-MM-DD HH:MM:SS.ffffff'): the form in which a filter reaches the
    warehouse as a constant it prunes storage blocks by. -#}
{% macro timestamp_literal(text) -%}
    {{ return("cast('" ~ text ~ "' as timestamp)") }}
{%- endmacro %}

{#- The trade flows, each an incremental model's unit of rebuilding a whole history. -#}
{% macro trade_flows() -%}
    {{ return(['imports', 'exports']) }}
{%- endmacro %}

{#- {owner: timestamp as text} from `query`'s (owner, timestamp) rows, read when the model or hook runs (a
    flow's watermark, a model's test mark). A filter on these reaches the warehouse as constants, which it prunes
    storage with (a join to a subquery is not pruned: it scans the whole history). -#}
{% macro watermarks_from(query) -%}
    {%- set watermarks = {} -%}
    {%- if execute -%}
        {%- set as_text -%}
            select owner, cast(watermark as {{ dbt.type_string() }}) from ({{ query }}) as watermarks (owner, watermark)
        {%- endset -%}
        {%- for owner, watermark in run_query(as_text).rows -%}
            {%- do watermarks.update({owner: watermark}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(watermarks) }}
{%- endmacro %}

{#- Rows newer than their flow's watermark; every row of a flow without one (not built yet). -#}
{% macro newer_than_watermarks(column, watermarks) -%}
    (
    {%- for flow in trade_flows() %}
        (
            flow = '{{ flow }}'
            {%- if flow in watermarks %}
                and {{ column }} > {{ timestamp_literal(watermarks[flow]) }}
            {%- endif %}
        ){{ " or" if not loop.last }}
    {%- endfor %}
    )
{%- endmacro %}

{#- The (flow, Census month) slices with a trade partition loaded after their flow's watermark (every slice of a
    flow without one), from the load manifest, read when the model runs: a list of [flow, census_period]. A
    partition revised or refetched empty flags its months though it left no new rows; a country-year
    partition ('YYYY') flags the year's twelve. Models that use it declare
    `-- depends_on: {{ ref('stg_census__load_manifest') }}`. -#}
{% macro slices_loaded_since(watermarks) -%}
    {%- set slices = [] -%}
    {%- if execute -%}
        {%- set query -%}
            select distinct flow, partition_period
            from {{ ref('stg_census__load_manifest') }}
            where {{ newer_than_watermarks('loaded_at', watermarks) }}
        {%- endset -%}
        {%- for flow, period in run_query(query).rows -%}
            {%- for month in census_months(period) -%}
                {%- do slices.append([flow, month]) -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(slices) }}
{%- endmacro %}

{#- The Census months ('YYYY-MM') of a load manifest's partition period: the month, or a year's twelve. -#}
{% macro census_months(period) -%}
    {%- if period | length == 4 -%}
        {%- set months = [] -%}
        {%- for month in range(1, 13) -%}
            {%- do months.append(period ~ '-' ~ '%02d' | format(month)) -%}
        {%- endfor -%}
        {{ return(months) }}
    {%- endif -%}
    {{ return([period]) }}
{%- endmacro %}

{#- [flow, 'YYYY-MM'] Census-period slices as [flow, 'YYYY-MM-01'], for a filter on `month`. -#}
{% macro as_month_slices(slices) -%}
    {%- set months = [] -%}
    {%- for flow, period in slices -%}
        {%- do months.append([flow, period ~ '-01']) -%}
    {%- endfor -%}
    {{ return(months) }}
{%- endmacro %}

{#- The record of the loads an incremental model has taken in: one row per flow with the latest manifest
    `loaded_at` when it was last built (for an aggregate of the fact, `taken_from`: the fact's own record as it
    stood then, the loads the aggregate's rows reflect). Its post-hook (record_loads_applied) rewrites it in the
    transaction that writes the model's rows. The watermark compares loader timestamps with loader timestamps
    (no second clock), and it moves even when the flagged months gave the model no rows. -#}
{% macro loads_applied_relation() -%}
    {{ return(bookkeeping_relation(this.identifier ~ '__loads_applied')) }}
{%- endmacro %}

{% macro record_loads_applied(taken_from=none) -%}
    {%- if execute -%}
        {%- set manifest_sql = 'select flow, max(loaded_at) as loaded_through from '
            ~ ref('stg_census__load_manifest') ~ ' group by flow' -%}
        {%- if taken_from is none -%}
            {%- set sql = manifest_sql -%}
        {%- else -%}
            {#- without the fact's record, an empty one: the next build re-reads every month, where the manifest's
                latest load would claim loads the fact may not have taken in -#}
            {%- set upstream = bookkeeping_relation(taken_from.identifier ~ '__loads_applied') -%}
            {%- set sql = 'select flow, loaded_through from '
                ~ (upstream if relation_exists(upstream) else '(' ~ manifest_sql ~ ') as none_taken where 1 = 0') -%}
        {%- endif -%}
        {{ replace_bookkeeping_table(loads_applied_relation(), sql) }}
    {%- endif -%}
{%- endmacro %}

{#- The flows' watermarks from that record; none (every month re-read once) when the model has no record, as
    one built by an older version. Loads never land inside a build (dbt holds the warehouse open for the
    whole invocation, `keep_open`, and DuckDB takes one writer), so the record misses none. -#}
{% macro loads_applied_watermarks() -%}
    {%- set relation = loads_applied_relation() -%}
    {%- if not execute or not relation_exists(relation) -%}
        {{ return({}) }}
    {%- endif -%}
    {{ return(watermarks_from('select flow, loaded_through from ' ~ relation)) }}
{%- endmacro %}

{#- For an incremental model built from the raw trade views: the rows of the (flow, month) slices loaded
    after its latest build (census_period constants, which the warehouse prunes storage with), re-read
    whole, and every row of `whole_flows`; every row when the model is built from scratch. `on_month`
    filters a table keyed by `month` (a date) instead of `census_period`. -#}
{% macro loaded_since_last_build(whole_flows=[], on_month=false) -%}
    {%- if is_incremental() -%}
        {%- set slices = slices_loaded_since(loads_applied_watermarks()) -%}
        {%- if on_month -%}
            {{ in_slices(as_month_slices(slices), whole_flows, column='month', as_date=true) }}
        {%- else -%}
            {{ in_slices(slices, whole_flows) }}
        {%- endif -%}
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of the incremental models, which replace whole (flow, month) slices (strategy append): deletes
    the slices `condition` selects, the ones the model re-reads, in the transaction that inserts their new
    rows. Deleting only the slices that have new rows (delete+insert) would keep the old rows of a slice a
    revision left empty, where a full rebuild has none. -#}
{% macro delete_slices_to_rebuild(condition) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ condition }}
    {%- endif -%}
{%- endmacro %}

{#- An incremental contracted model takes its not_null constraints only when its table is created, and its
    columns have no not_null data tests: stops an incremental build of a table created without them (by an
    older version of this project), which would otherwise take nulls unchecked. -#}
{% macro require_not_null_constraints() -%}
    {%- if execute and is_incremental() -%}
        {%- set required = [] -%}
        {%- for column in model.columns.values()
            if 'not_null' in column.constraints | map(attribute='type') | list -%}
            {%- do required.append(column.name) -%}
        {%- endfor -%}
        {%- set query -%}
            select column_name from information_schema.columns
            where
                table_catalog = '{{ this.database }}'
                and table_schema = '{{ this.schema }}'
                and table_name = '{{ this.identifier }}'
                and is_nullable = 'YES'
                and {{ in_values('column_name', required) }}
        {%- endset -%}
        {%- set nullable = run_query(query).columns[0].values() -%}
        {%- if nullable | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                this ~ " was created without the not_null constraints of columns " ~ nullable | sort | join(', ')
                ~ " (by an older version). Rebuild it once with: dbt build --full-refresh --select "
                ~ this.identifier ~ "+"
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- Rows in the given [flow, value] slices of `column` (census_period, month with `as_date`, or year) or in
    `whole_flows`. The values are constants, so the warehouse skips the storage of every other month.
    False when there are none. -#}
{% macro in_slices(slices, whole_flows=[], column='census_period', as_date=false) -%}
    {%- set conditions = [] -%}
    {%- for flow in trade_flows() -%}
        {%- set values = [] -%}
        {%- for slice_flow, value in slices if slice_flow == flow -%}
            {%- do values.append(value) -%}
        {%- endfor -%}
        {%- if flow in whole_flows -%}
            {%- do conditions.append("flow = '" ~ flow ~ "'") -%}
        {%- elif values -%}
            {%- do conditions.append("(flow = '" ~ flow ~ "' and " ~ in_values(column, values, as_date) ~ ")") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ conditions | join(' or ') if conditions else '1 = 0' }}
{%- endmacro %}

{#- For an incremental aggregate of `relation` (the fact, or an aggregate of it): the slices it re-reads whole,
    [flow, month] ('YYYY-MM-01'), or with `by_year` [flow, year] (a number) for the calendar years they fall in.
    They are the slices `relation` wrote rows in (`built_at`) after the aggregate's latest build, and the months
    the load manifest flagged after the loads `relation` had taken in when the aggregate was last built (its
    record, record_loads_applied): a month a revision emptied leaves no row to say so. Read when the model
    runs; only for an incremental build. -#}
{% macro slices_written_since_last_build(relation, by_year=false) -%}
    {%- set slices = [] -%}
    {%- if execute -%}
        {%- do require_built_at() -%}
        {%- set watermarks = watermarks_from('select flow, max(built_at) from ' ~ this ~ ' group by 1') -%}
        {%- set query -%}
            select distinct flow, cast({{ 'year' if by_year else 'month' }} as {{ dbt.type_string() }})
            from {{ relation }}
            where {{ newer_than_watermarks('built_at', watermarks) }}
        {%- endset -%}
        {%- for flow, slice in run_query(query).rows -%}
            {%- do slices.append([flow, slice | int if by_year else slice]) -%}
        {%- endfor -%}
        {%- for flow, month in as_month_slices(slices_loaded_since(loads_applied_watermarks())) -%}
            {%- if by_year and not month[:4].isdigit() -%}
                {{ exceptions.raise_compiler_error(
                    "The load manifest flags " ~ flow ~ " period " ~ month[:-3] ~ ", which is neither YYYY-MM nor YYYY"
                    ~ " (its data test says which partition); reload that partition or delete its manifest row."
                ) }}
            {%- endif -%}
            {%- do slices.append([flow, month[:4] | int if by_year else month]) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(slices) }}
{%- endmacro %}

{#- Stops the incremental build of a table without `built_at` (built by an older version, when it was not
    incremental): its watermark would be missing, and the build says how to rebuild it instead. -#}
{% macro require_built_at() -%}
    {%- if execute and 'built_at' not in adapter.get_columns_in_relation(this) | map(attribute='name') | list -%}
        {{ exceptions.raise_compiler_error(
            this ~ " has no built_at column (built by an older version). Rebuild it once with: "
            ~ "dbt build --full-refresh --select " ~ this.identifier ~ "+"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- The slices of slices_written_since_last_build as a filter on `month` (or with `by_year` on `year`) with
    constants; every row when the aggregate is built from scratch. -#}
{% macro written_since_last_build(relation, by_year=false) -%}
    {%- if not is_incremental() -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {%- set slices = slices_written_since_last_build(relation, by_year) -%}
    {{ return(in_slices(slices, column='year' if by_year else 'month', as_date=not by_year)) }}
{%- endmacro %}

{#- `column` in the given constants (dates with `as_date`; numbers as numbers, anything else as text); false
    when there are none. -#}
{% macro in_values(column, values, as_date=false) -%}
    {%- set literals = [] -%}
    {%- for value in values | unique | sort -%}
        {%- if as_date -%}
            {%- do literals.append("cast('" ~ value ~ "' as date)") -%}
        {%- elif value is number -%}
            {%- do literals.append(value | string) -%}
        {%- else -%}
            {%- do literals.append("'" ~ value ~ "'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ column ~ ' in (' ~ literals | join(', ') ~ ')' if literals else '1 = 0' }}
{%- endmacro %}

{#- The labels and chapter exclusions fct_trade_monthly was last built with. Its post-hook writes them in
    the transaction that writes its rows, so they always describe the table, and finding the relabelled
    flows reads them instead of the fact's 30M rows. -#}
{% macro applied_labels_relation() -%}
    {{ return(bookkeeping_relation('fct_trade_monthly__applied_labels')) }}
{%- endmacro %}

{#- What labels the fact: one row per labelled flow and code, and one per excluded HS2 chapter (flow null). -#}
{% macro label_state_sql() -%}
    select
        flow,
        hs10 as hs_code,
        relevance,
        primary_category,
        confidence,
        label_source
    from {{ ref('int_hs10_labels__current') }}
    union all
    select
        cast(null as {{ dbt.type_string() }}) as flow,
        hs2 as hs_code,
        cast(null as {{ dbt.type_string() }}) as relevance,
        cast(null as {{ dbt.type_string() }}) as primary_category,
        cast(null as integer) as confidence,
        cast(null as {{ dbt.type_string() }}) as label_source
    from {{ ref('excluded_hs2_chapters') }}
{%- endmacro %}

{#- fct_trade_monthly's post-hook: replace the record of the labels it was built with. -#}
{% macro record_applied_labels() -%}
    {%- if execute -%}
        {{ replace_bookkeeping_table(applied_labels_relation(), label_state_sql()) }}
    {%- endif -%}
{%- endmacro %}

{#- The flows whose labels or chapter exclusions differ from those the fact was built with: rebuilt whole.
    Both flows when the fact has no record of them (built by an older version), or an exclusion changed. -#}
{% macro relabelled_flows() -%}
    {%- if not execute -%}
        {{ return(trade_flows()) }}
    {%- endif -%}
    {%- set applied = applied_labels_relation() -%}
    {%- if not relation_exists(applied) -%}
        {{ return(trade_flows()) }}
    {%- endif -%}
    {%- set query -%}
        with current_state as (
            {{ label_state_sql() }}
        )

        select distinct changed.flow
        from (
            (select * from current_state except select * from {{ applied }})
            union all
            (select * from {{ applied }} except select * from current_state)
        ) as changed
    {%- endset -%}
    {%- set flows = run_query(query).columns[0].values() | list -%}
    {{ return(trade_flows() if none in flows else flows) }}
{%- endmacro %}
