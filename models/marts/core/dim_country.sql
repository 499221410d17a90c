with

reported_names as (

    select * from {{ ref('int_country__reported_names') }}

),

country_list as (

    select * from {{ ref('stg_census__countries') }}

),

reported as (

    select
        cty_code,
        max(cty_name) as cty_name

    from reported_names
    group by 1

),

codes as (

    select cty_code from reported
    union
    select cty_code from country_list

),

final as (

    select
        codes.cty_code,
        coalesce(country_list.cty_name, reported.cty_name) as cty_name,
        country_list.iso_alpha2,
        {{ census_country_level('codes.cty_code') }} as country_level,
        {{ census_country_level('codes.cty_code') }} <> 'detail' as is_aggregate,
        country_list.cty_code is not null as is_in_country_list

    from codes
    left join country_list on codes.cty_code = country_list.cty_code
    left join reported on codes.cty_code = reported.cty_code

)

select * from final
