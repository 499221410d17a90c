with

source as (

    select * from {{ source('census', 'concordance_exports') }}

),

renamed as (

    select
        year as concordance_year,
        cast(hs10 as varchar(10)) as hs10,
        description_short,
        description_long,
        unit_qy1 as unit_1,
        unit_qy2 as unit_2,
        sitc as sitc_code,
        end_use as end_use_code,
        naics as naics_code,
        usda as usda_code,
        hitech as hitech_code,
        source as data_source,
        loaded_at

    from source

)

select * from renamed
