with

source as (

    select * from {{ source('census', 'census_exports') }}

),

renamed as (

    select
        {{ census_month('time') }} as month,
        time as census_period,
        cast(e_commodity as varchar(10)) as hs10,
        e_commodity_sdesc as description_short,
        cty_code,
        cty_name,
        {{ census_country_level('cty_code') }} as country_level,
        {{ money('all_val_mo') }} as value_total_exports,
        qty_1_mo as quantity_1,
        qty_2_mo as quantity_2,
        unit_qy1 as unit_1,
        unit_qy2 as unit_2,
        source as data_source,
        source in ('demo', 'bench') as is_synthetic,
        vintage,
        partition_id,
        loaded_at

    from source

)

select * from renamed
