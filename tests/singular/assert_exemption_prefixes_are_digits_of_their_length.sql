-- Every list entry's prefix is 4, 6, 8 or 10 digits and exactly `prefix_length` long (seed and
-- loaded lists).
select
    list_id,
    hts_prefix,
    prefix_length
from {{ ref('exemption_list_entries') }}
where
    {{ dbt.length('hts_prefix') }} <> prefix_length
    or prefix_length not in (4, 6, 8, 10)
    or {{ dbt.safe_cast('hts_prefix', api.Column.translate_type('bigint')) }} is null
    or hts_prefix like '%-%'
    or hts_prefix like '%+%'
    or hts_prefix like '% %'
