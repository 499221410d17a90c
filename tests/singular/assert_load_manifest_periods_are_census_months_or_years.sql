-- Every landed partition was asked for a Census month ('YYYY-MM') or year ('YYYY'): incremental
-- builds flag a month partition's month and a year partition's twelve (macro
-- slices_loaded_since); any other form would flag none.
{%- set date_type = api.Column.translate_type('date') %}
select
    partition_id,
    partition_period
from {{ ref('stg_census__load_manifest') }}
where not (
    (
        {{ dbt.length('partition_period') }} = 7
        and {{ dbt.safe_cast("partition_period || '-01'", date_type) }} is not null
    )
    or (
        {{ dbt.length('partition_period') }} = 4
        and {{ dbt.safe_cast("partition_period || '-01-01'", date_type) }} is not null
    )
)
