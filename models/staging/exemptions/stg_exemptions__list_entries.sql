with

source as (

    select * from {{ source('exemptions', 'exemption_list_entries') }}

),

renamed as (

    select
        list_id,
        cast(hts_prefix as varchar(10)) as hts_prefix,
        cast(prefix_length as integer) as prefix_length,
        authority,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to,
        source,
        loaded_at

    from source

)

select * from renamed
