with

source as (

    select * from {{ source('census', 'census_countries') }}

),

renamed as (

    select
        cty_code,
        cty_name,
        iso_alpha2,
        {{ census_country_level('cty_code') }} as country_level,
        source as data_source,
        loaded_at

    from source

)

select * from renamed
