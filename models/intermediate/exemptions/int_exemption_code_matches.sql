with

codes as (

    select hs10 from {{ ref('dim_hs10') }}
    where flow = 'imports'

),

entries as (

    select * from {{ ref('int_exemption_list_entries') }}

),

matches as (

    {{ match_exemption_prefixes('codes', 'entries', 'hs10') }}

)

select * from matches
