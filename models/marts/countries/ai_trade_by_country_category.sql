with

trade_periods as (

    select * from {{ ref('int_country__trade_periods') }}
    where relevance_group = 'High' and not is_excluded_chapter

),

world_periods as (

    select * from {{ ref('int_country__world_periods') }}
    where relevance_group = 'High'

),

countries as (

    select * from {{ ref('dim_country') }}

),

country_categories as (

    select
        flow,
        period,
        period_type,
        period_start_year,
        period_end_year,
        cty_code,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as category_value,
        {{ any_true('is_synthetic') }} as is_synthetic
    from trade_periods
    group by 1, 2, 3, 4, 5, 6, 7

),

country_ai as (

    select
        flow,
        period,
        cty_code,
        sum(category_value) as country_ai_value
    from country_categories
    group by 1, 2, 3

),

detail_denominators as (

    select
        flow,
        period,
        primary_category,
        sum(category_value) as detail_category_value
    from country_categories
    group by 1, 2, 3

),

world_denominators as (

    select
        flow,
        period,
        coalesce(primary_category, 'Unclassified') as primary_category,
        sum(value) as world_category_value
    from world_periods
    group by 1, 2, 3

),

joined as (

    select
        country_categories.flow,
        country_categories.period,
        country_categories.period_type,
        country_categories.period_start_year,
        country_categories.period_end_year,
        country_categories.primary_category,
        country_categories.cty_code,
        countries.iso_alpha2,
        countries.cty_name,
        country_categories.category_value,
        detail_denominators.detail_category_value,
        world_denominators.world_category_value,
        country_ai.country_ai_value,
        country_categories.is_synthetic
    from country_categories
    inner join detail_denominators
        on
            country_categories.flow = detail_denominators.flow
            and country_categories.period = detail_denominators.period
            and country_categories.primary_category = detail_denominators.primary_category
    inner join country_ai
        on
            country_categories.flow = country_ai.flow
            and country_categories.period = country_ai.period
            and country_categories.cty_code = country_ai.cty_code
    left join world_denominators
        on
            country_categories.flow = world_denominators.flow
            and country_categories.period = world_denominators.period
            and country_categories.primary_category = world_denominators.primary_category
    left join countries
        on country_categories.cty_code = countries.cty_code

),

final as (

    select
        flow,
        period,
        period_type,
        cast(period_start_year as integer) as period_start_year,
        cast(period_end_year as integer) as period_end_year,
        primary_category,
        cty_code,
        iso_alpha2,
        cty_name,
        {{ money('category_value') }} as category_value,
        {{ money('detail_category_value') }} as detail_category_value,
        {{ money('world_category_value') }} as world_category_value,
        {{ money('country_ai_value') }} as country_ai_value,
        {{ safe_ratio('category_value', 'detail_category_value') }} as share_of_detail_countries,
        {{ safe_ratio('category_value', 'world_category_value') }} as share_of_world_total,
        {{ safe_ratio('category_value', 'country_ai_value') }} as share_of_country_ai,
        cast(
            rank() over (
                partition by flow, period, primary_category
                order by category_value desc, cty_code asc
            ) as integer
        ) as category_rank,
        is_synthetic
    from joined

)

select * from final
