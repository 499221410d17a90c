{#- The country marts add up to the country-month totals (int_trade_monthly__countries, analysis
    panel), to the cent: per flow and year, the sum over countries of total, AI and non-AI value,
    the detail denominators, the pooled window = the sum of its years, the category mart = AI value,
    and the growth mart's values = the annual mart's; per country and period, the all-chapter total
    = its trade in every chapter, the excluded ones too, in both marts (and the year before's in
    the annual mart). -#}

with

annual as (

    select * from {{ ref('ai_trade_by_country_annual') }}

),

categories as (

    select * from {{ ref('ai_trade_by_country_category') }}

),

growth as (

    select * from {{ ref('ai_trade_by_country_growth') }}

),

all_chapter_trade as (

    select * from {{ ref('int_trade_monthly__countries') }}

),

trade as (

    select * from all_chapter_trade
    where not is_excluded_chapter

),

all_chapter_country_periods as (

    select
        flow,
        cast(year as {{ dbt.type_string() }}) as period,
        cty_code,
        sum(value) as total_value_all_chapters
    from all_chapter_trade
    group by 1, 2, 3

    union all

    select
        flow,
        '{{ pooled_period_label() }}' as period,
        cty_code,
        sum(value) as total_value_all_chapters
    from all_chapter_trade
    where year in {{ pooled_years_list() }}
    group by 1, 2, 3

),

fct_years as (

    select
        flow,
        cast(year as {{ dbt.type_string() }}) as period,
        sum(value) as total_value,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(
            case
                when relevance_group in {{ non_ai_relevance_list() }} then value
                else 0
            end
        ) as non_ai_value
    from trade
    group by 1, 2

    union all

    select
        flow,
        '{{ pooled_period_label() }}' as period,
        sum(value) as total_value,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(
            case
                when relevance_group in {{ non_ai_relevance_list() }} then value
                else 0
            end
        ) as non_ai_value
    from trade
    where year in {{ pooled_years_list() }}
    group by 1, 2

),

annual_periods as (

    select
        flow,
        period,
        sum(total_value) as total_value,
        sum(ai_value) as ai_value,
        sum(non_ai_value) as non_ai_value,
        max(detail_total_value) as max_detail_total,
        min(detail_total_value) as min_detail_total,
        max(detail_ai_value) as detail_ai_value
    from annual
    group by 1, 2

),

category_periods as (

    select
        flow,
        period,
        sum(category_value) as ai_value
    from categories
    group by 1, 2

),

mismatches as (

    select
        fct_years.flow,
        fct_years.period,
        'annual vs fct' as check_name
    from fct_years
    left join annual_periods
        on
            fct_years.flow = annual_periods.flow
            and fct_years.period = annual_periods.period
    left join category_periods
        on
            fct_years.flow = category_periods.flow
            and fct_years.period = category_periods.period
    where
        annual_periods.total_value is null
        or annual_periods.total_value <> fct_years.total_value
        or annual_periods.ai_value <> fct_years.ai_value
        or annual_periods.non_ai_value <> fct_years.non_ai_value
        or annual_periods.max_detail_total <> fct_years.total_value
        or annual_periods.min_detail_total <> fct_years.total_value
        or annual_periods.detail_ai_value <> fct_years.ai_value
        or coalesce(category_periods.ai_value, 0) <> fct_years.ai_value

    union all

    select
        growth.flow,
        cast(growth.to_year as {{ dbt.type_string() }}) as period,
        'growth vs annual' as check_name
    from growth
    left join annual as to_annual
        on
            growth.flow = to_annual.flow
            and growth.cty_code = to_annual.cty_code
            and to_annual.period = cast(growth.to_year as {{ dbt.type_string() }})
    left join annual as from_annual
        on
            growth.flow = from_annual.flow
            and growth.cty_code = from_annual.cty_code
            and from_annual.period = cast(growth.from_year as {{ dbt.type_string() }})
    left join all_chapter_country_periods as to_all_chapters
        on
            growth.flow = to_all_chapters.flow
            and growth.cty_code = to_all_chapters.cty_code
            and to_all_chapters.period = cast(growth.to_year as {{ dbt.type_string() }})
    left join all_chapter_country_periods as from_all_chapters
        on
            growth.flow = from_all_chapters.flow
            and growth.cty_code = from_all_chapters.cty_code
            and from_all_chapters.period = cast(growth.from_year as {{ dbt.type_string() }})
    where
        growth.to_total_value <> coalesce(to_annual.total_value, 0)
        or growth.from_total_value <> coalesce(from_annual.total_value, 0)
        or growth.to_ai_value <> coalesce(to_annual.ai_value, 0)
        or growth.from_non_ai_value <> coalesce(from_annual.non_ai_value, 0)
        or growth.to_total_value_all_chapters
        <> coalesce(to_all_chapters.total_value_all_chapters, 0)
        or growth.from_total_value_all_chapters
        <> coalesce(from_all_chapters.total_value_all_chapters, 0)

    union all

    select
        annual.flow,
        annual.period,
        'all chapters vs fct' as check_name
    from annual
    left join all_chapter_country_periods
        on
            annual.flow = all_chapter_country_periods.flow
            and annual.period = all_chapter_country_periods.period
            and annual.cty_code = all_chapter_country_periods.cty_code
    left join all_chapter_country_periods as previous_year
        on
            annual.flow = previous_year.flow
            and annual.cty_code = previous_year.cty_code
            and annual.period_type = 'year'
            and previous_year.period
            = cast(annual.period_start_year - 1 as {{ dbt.type_string() }})
    where
        all_chapter_country_periods.total_value_all_chapters is null
        or annual.total_value_all_chapters
        <> all_chapter_country_periods.total_value_all_chapters
        or (
            annual.period_type = 'year'
            and annual.previous_year_total_value_all_chapters
            <> coalesce(previous_year.total_value_all_chapters, 0)
        )

),

final as (

    select * from mismatches

)

select * from final
