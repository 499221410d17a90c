{#- AI (High) products ranked by annual value, with both shares (of all trade and of AI trade,
    methodology flaw 16) and the change vs var base_year (null, never 0, when the base value is 0, and null
    unless both years have all 12 months of the flow). -#}
{%- set base_year = var('base_year') | int -%}

with

code_years as (

    select * from {{ ref('int_trade_annual__codes') }}

),

codes as (

    select * from {{ ref('dim_hs10') }}

),

matches as (

    select * from {{ ref('int_exemption_code_matches') }}

),

year_totals as (

    select
        flow,
        year,
        sum(value) as total_trade_value,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_trade_value

    from code_years
    group by 1, 2

),

ai_code_years as (

    select * from code_years
    where relevance_group = 'High'

),

base_year_values as (

    select
        flow,
        hs10,
        months_covered as base_year_months_covered,
        value as base_year_value
    from ai_code_years
    where year = {{ base_year }}

),

code_lists as (

    select
        hs10,
        count(*) as exemption_list_count,
        {{ dbt.listagg('list_id', "', '", 'order by list_id') }} as exemption_lists_matched

    from matches
    group by 1

),

ranked as (

    select
        ai_code_years.*,
        row_number() over (
            partition by ai_code_years.flow, ai_code_years.year
            order by ai_code_years.value desc, ai_code_years.hs10 asc
        ) as value_rank

    from ai_code_years

),

final as (

    select
        ranked.flow,
        ranked.year,
        cast(ranked.months_covered as integer) as months_covered,
        cast(ranked.value_rank as integer) as value_rank,
        ranked.hs10,
        codes.description_short,
        ranked.primary_category,
        {{ money('ranked.value') }} as value,
        {{ money('year_totals.total_trade_value') }} as total_trade_value,
        {{ money('year_totals.ai_trade_value') }} as ai_trade_value,
        {{ safe_ratio('ranked.value', 'year_totals.total_trade_value') }} as share_of_total_trade,
        {{ safe_ratio('ranked.value', 'year_totals.ai_trade_value') }} as share_of_ai_trade,
        {{ base_year }} as base_year,
        {{ money('coalesce(base_year_values.base_year_value, 0)') }} as base_year_value,
        {{ annual_growth_rate(
            'ranked.value',
            'base_year_values.base_year_value',
            'ranked.months_covered',
            'base_year_values.base_year_months_covered'
        ) }} as change_vs_base_year,
        case
            when ranked.flow = 'imports' then coalesce(code_lists.exemption_list_count, 0)
        end as exemption_list_count,
        case
            when ranked.flow = 'imports' then code_lists.exemption_lists_matched
        end as exemption_lists_matched,
        ranked.is_synthetic

    from ranked
    inner join year_totals
        on
            ranked.flow = year_totals.flow
            and ranked.year = year_totals.year
    left join base_year_values
        on
            ranked.flow = base_year_values.flow
            and ranked.hs10 = base_year_values.hs10
    left join codes
        on
            ranked.flow = codes.flow
            and ranked.hs10 = codes.hs10
    left join code_lists
        on
            ranked.hs10 = code_lists.hs10

)

select * from final
