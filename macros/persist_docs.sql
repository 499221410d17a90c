{#- persist_docs on DuckDB (dispatched before dbt-duckdb's own): the same comments, in one statement
    and with at most one read of the relation's columns. dbt-duckdb's reads them twice (dbt's
    default__persist_docs, then duckdb__alter_column_comment), a catalog query each, and comments in
    two statements: 4 of a contracted table's 13 queries; binding a view to read its columns is the
    costly part (profiled in `make bench`). A model with an enforced contract is not read: the
    contract has already checked its columns against the documented ones. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- set statements = [] -%}
    {%- if for_relation and config.persist_relation_docs() and model.description -%}
        {%- do statements.append(alter_relation_comment(relation, model.description)) -%}
    {%- endif -%}
    {%- if for_columns and config.persist_column_docs() and model.columns -%}
        {%- if model.config.contract.enforced -%}
            {%- set documented_columns = model.columns -%}
        {%- else -%}
            {%- set existing_columns = adapter.get_columns_in_relation(relation)
                | map(attribute='name') | list -%}
            {%- set documented_columns = validate_doc_columns(relation, model.columns, existing_columns) -%}
        {%- endif -%}
        {%- for column_name, column in documented_columns.items() -%}
            {%- set quoted_name = adapter.quote(column_name) if column.quote else column_name -%}
            {%- do statements.append(
                'comment on column ' ~ relation ~ '.' ~ quoted_name
                ~ ' is ' ~ duckdb_escape_comment(column.description) ~ ';'
            ) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if statements -%}
        {%- do run_query(statements | join('\n')) -%}
    {%- endif -%}
{%- endmacro %}
