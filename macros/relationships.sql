{#- dbt's relationships test, with the child's values counted before the join: the fact's 30M rows
    become a few hundred country codes, so the join probes those (five times faster on the full-size
    fact, profiled in `make bench`). It fails with one row per value missing from `to`, carrying how
    many child rows hold it, and counts those rows as its failures, as dbt's own test does. It sets
    fail_calc itself, so a fail_calc given in yml is overridden, and a limit caps missing values, not
    rows; no test of the project sets either. -#}
{% macro default__test_relationships(model, column_name, to, field) %}

{{ config(fail_calc='coalesce(sum(child_rows), 0)') }}

with

child as (

    select
        {{ column_name }} as from_field,
        count(*) as child_rows

    from {{ model }}
    where {{ column_name }} is not null
    group by {{ column_name }}

),

parent as (

    select {{ field }} as to_field
    from {{ to }}

)

select
    child.from_field,
    child.child_rows

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null

{% endmacro %}
