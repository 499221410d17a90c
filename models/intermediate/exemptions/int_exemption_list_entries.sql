with

seed_entries as (

    select * from {{ ref('exemption_list_consumer_electronics') }}

),

loaded_entries as (

    select * from {{ ref('stg_exemptions__list_entries') }}

),

unioned as (

    select
        list_id,
        hts_prefix,
        prefix_length,
        authority,
        effective_from,
        effective_to,
        source,
        'seed' as origin
    from seed_entries
    union all
    select
        list_id,
        hts_prefix,
        prefix_length,
        authority,
        effective_from,
        effective_to,
        source,
        'loaded' as origin
    from loaded_entries

),

final as (

    select
        list_id,
        {{ pad_hts_code('hts_prefix', 'prefix_length') }} as hts_prefix,
        cast(prefix_length as integer) as prefix_length,
        authority,
        cast(effective_from as date) as effective_from,
        cast(effective_to as date) as effective_to,
        source,
        origin

    from unioned

)

select * from final
