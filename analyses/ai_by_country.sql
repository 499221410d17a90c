{#- Study figure ai-by-country.png (methodology 3.5): the five origins with the largest AI
    (High) imports over the pooled window (var pooled_years), and their share of AI imports from
    all detail countries in each year from var base_year to var comparison_year, in %. -#}

with

countries as (

    select * from {{ ref('ai_trade_by_country_annual') }}
    where flow = 'imports'

),

top_five as (

    select
        cty_code,
        ai_rank
    from countries
    where period_type = 'pooled' and ai_rank <= 5

),

yearly_shares as (

    select
        top_five.ai_rank as pooled_rank,
        countries.cty_code,
        countries.iso_alpha2,
        countries.cty_name,
        countries.period,
        round(100 * countries.ai_share_of_detail_countries, 2) as share_pct
    from top_five
    inner join countries
        on top_five.cty_code = countries.cty_code

),

final as (

    select
        pooled_rank,
        cty_code,
        iso_alpha2,
        cty_name,
        {% for year in range(var('base_year') | int, (var('comparison_year') | int) + 1) -%}
            max(case when period = '{{ year }}' then share_pct end) as share_pct_{{ year }}
            {%- if not loop.last %},{% endif %}
        {% endfor %}
    from yearly_shares
    group by 1, 2, 3, 4

)

select * from final
order by 1
