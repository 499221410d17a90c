{#- Study text (methodology 3.5): growth of total, AI (High) and non-AI imports from Mexico and
    Canada, var comparison_year vs the year before, in % (chapters 27/71/98/99 excluded, so
    Canada's total excludes oil, as in the study), beside the growth of its trade in every chapter,
    oil included (methodology 6.14). -#}

with

growth as (

    select * from {{ ref('ai_trade_by_country_growth') }}
    where
        flow = 'imports'
        and to_year = {{ var('comparison_year') | int }}
        and from_year = {{ (var('comparison_year') | int) - 1 }}
        and iso_alpha2 in ('MX', 'CA')

),

final as (

    select
        cty_name,
        round(100 * total_growth, 1) as total_growth_pct,
        round(100 * ai_growth, 1) as ai_growth_pct,
        round(100 * non_ai_growth, 1) as non_ai_growth_pct,
        round(100 * total_all_chapters_growth, 1) as total_all_chapters_growth_pct
    from growth

)

select * from final
order by 1 desc
