{#- Study table exemption_coverage.tex (methodology 3.7): for each exemption list and any list,
    the list's entries, the High codes matched and the High imports of var comparison_year they
    cover ($B and % of High imports), under the study's basis (every list applied to the whole
    year). The code counts are of High codes with trade in that year (the study's: of all 655 High
    codes), and the consumer-electronics list is its published prefixes (see exemption_coverage). -#}

with

coverage as (

    select * from {{ ref('exemption_coverage') }}
    where
        coverage_basis = 'applied_all_year'
        and relevance_group = 'High'
        and primary_category = 'All'
        and period_type = 'year'
        and year = {{ var('comparison_year') | int }}

),

final as (

    select
        case when list_id = 'any' then 2 else 1 end as row_order,
        list_id,
        list_entries,
        codes_exempt as high_codes_traded_matched,
        round(value_exempt / 1e9, 1) as high_imports_usd_bn,
        round(100 * value_share_exempt, 1) as share_of_high_imports_pct,
        round(100 * tariff_rate_exempt, 2) as tariff_rate_exempt_pct,
        round(100 * tariff_rate_not_exempt, 2) as tariff_rate_not_exempt_pct
    from coverage

)

select * from final
order by 1, 2
