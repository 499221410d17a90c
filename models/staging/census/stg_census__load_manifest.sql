with

source as (

    select * from {{ source('census', 'load_manifest') }}

),

renamed as (

    select
        partition_id,
        flow,
        period as partition_period,
        cty_code as partition_cty_code,
        request,
        row_count,
        {{ money('value_sum') }} as value_sum,
        sha256,
        landing_path,
        status,
        source as data_source,
        vintage,
        fetched_at,
        loaded_at

    from source

)

select * from renamed
