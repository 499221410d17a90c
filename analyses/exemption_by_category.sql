{#- Study table exemption_by_category.tex (methodology 3.7): for each High category, codes with
    var comparison_year imports, codes on any exemption list, code share, imports and exempt
    imports ($B) and the exempt share of imports, under the study's basis (lists applied to the
    whole year). -#}

with

coverage as (

    select * from {{ ref('exemption_coverage') }}
    where
        coverage_basis = 'applied_all_year'
        and list_id = 'any'
        and relevance_group = 'High'
        and primary_category <> 'All'
        and period_type = 'year'
        and year = {{ var('comparison_year') | int }}

),

final as (

    select
        replace(primary_category, '_', ' ') as category,
        codes_with_trade as hs10_codes,
        codes_exempt as exempt_codes,
        round(100 * code_share_exempt, 1) as code_share_pct,
        round(value_total / 1e9, 1) as imports_usd_bn,
        round(value_exempt / 1e9, 1) as exempt_imports_usd_bn,
        round(100 * value_share_exempt, 1) as import_share_pct,
        case primary_category
            when 'Compute_Hardware' then 1
            when 'Electrical_Power' then 2
            when 'Networking_Telecom' then 3
            when 'Cooling_HVAC' then 4
            when 'Building_Structure' then 5
            when 'Fire_Safety_Security' then 6
            when 'Specialty_Materials' then 7
            else 8
        end as row_order
    from coverage

)

select
    row_order,
    category,
    hs10_codes,
    exempt_codes,
    code_share_pct,
    imports_usd_bn,
    exempt_imports_usd_bn,
    import_share_pct
from final
order by 1
