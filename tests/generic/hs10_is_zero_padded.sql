{#- Fails with the codes that are not exactly ten digits (a lost leading zero shows up here). -#}
{% test hs10_is_zero_padded(model, column_name) %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} is not null
    and (
        {{ dbt.length(column_name) }} <> 10
        or {{ dbt.safe_cast(column_name, api.Column.translate_type('bigint')) }} is null
        or {{ column_name }} like '%-%'
        or {{ column_name }} like '%+%'
    )

{% endtest %}
