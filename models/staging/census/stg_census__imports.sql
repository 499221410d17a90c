with

source as (

    select * from {{ source('census', 'census_imports') }}

),

renamed as (

    select
        {{ census_month('time') }} as month,
        time as census_period,
        cast(i_commodity as varchar(10)) as hs10,
        i_commodity_sdesc as description_short,
        cty_code,
        cty_name,
        {{ census_country_level('cty_code') }} as country_level,
        {{ money('con_val_mo') }} as value_consumption,
        {{ money('gen_val_mo') }} as value_general_imports,
        {{ money('cal_dut_mo') }} as duty_calculated,
        {{ money('dut_val_mo') }} as value_dutiable,
        con_qy1_mo as quantity_1,
        con_qy2_mo as quantity_2,
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
