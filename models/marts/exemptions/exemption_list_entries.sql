with

entries as (

    select * from {{ ref('int_exemption_list_entries') }}

),

final as (

    select
        list_id,
        hts_prefix,
        prefix_length,
        authority,
        effective_from,
        effective_to,
        source,
        origin,
        source = 'demo' as is_synthetic

    from entries

)

select * from final
