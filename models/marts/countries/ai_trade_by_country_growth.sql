with

country_years as (

    -- period_start_year is the year of a single-year period
    select * from {{ ref('int_country__period_totals') }}
    where period_type = 'year'

),

countries as (

    select * from {{ ref('dim_country') }}

),

years as (

    -- Complete years only: a partial year (January 2026 alone) against a full year is not growth.
    select distinct
        flow,
        period_start_year as year
    from country_years
    where has_panel_trade and months_covered = 12

),

year_pairs as (

    select
        from_years.flow,
        from_years.year as from_year,
        to_years.year as to_year
    from years as from_years
    inner join years as to_years
        on
            from_years.flow = to_years.flow
            and from_years.year < to_years.year

),

pair_countries as (

    -- Every country with trade in either year of the pair; a year without trade counts as 0.
    select distinct
        year_pairs.flow,
        year_pairs.from_year,
        year_pairs.to_year,
        country_years.cty_code
    from year_pairs
    inner join country_years
        on
            year_pairs.flow = country_years.flow
            and country_years.period_start_year in (year_pairs.from_year, year_pairs.to_year)
            and country_years.has_panel_trade

),

joined as (

    select
        pair_countries.flow,
        pair_countries.from_year,
        pair_countries.to_year,
        pair_countries.cty_code,
        countries.iso_alpha2,
        countries.cty_name,
        coalesce(from_values.total_value, 0) as from_total_value,
        coalesce(to_values.total_value, 0) as to_total_value,
        coalesce(from_values.ai_value, 0) as from_ai_value,
        coalesce(to_values.ai_value, 0) as to_ai_value,
        coalesce(from_values.non_ai_value, 0) as from_non_ai_value,
        coalesce(to_values.non_ai_value, 0) as to_non_ai_value,
        coalesce(from_values.total_value_all_chapters, 0) as from_total_value_all_chapters,
        coalesce(to_values.total_value_all_chapters, 0) as to_total_value_all_chapters,
        coalesce(from_values.is_synthetic, false)
        or coalesce(to_values.is_synthetic, false) as is_synthetic
    from pair_countries
    left join country_years as from_values
        on
            pair_countries.flow = from_values.flow
            and pair_countries.cty_code = from_values.cty_code
            and pair_countries.from_year = from_values.period_start_year
    left join country_years as to_values
        on
            pair_countries.flow = to_values.flow
            and pair_countries.cty_code = to_values.cty_code
            and pair_countries.to_year = to_values.period_start_year
    left join countries
        on pair_countries.cty_code = countries.cty_code

),

final as (

    select
        flow,
        cast(from_year as integer) as from_year,
        cast(to_year as integer) as to_year,
        cty_code,
        iso_alpha2,
        cty_name,
        {{ money('from_total_value') }} as from_total_value,
        {{ money('to_total_value') }} as to_total_value,
        {{ growth_rate('to_total_value', 'from_total_value') }} as total_growth,
        {{ money('from_ai_value') }} as from_ai_value,
        {{ money('to_ai_value') }} as to_ai_value,
        {{ growth_rate('to_ai_value', 'from_ai_value') }} as ai_growth,
        {{ money('from_non_ai_value') }} as from_non_ai_value,
        {{ money('to_non_ai_value') }} as to_non_ai_value,
        {{ growth_rate('to_non_ai_value', 'from_non_ai_value') }} as non_ai_growth,
        {{ money('from_total_value_all_chapters') }} as from_total_value_all_chapters,
        {{ money('to_total_value_all_chapters') }} as to_total_value_all_chapters,
        {{ growth_rate('to_total_value_all_chapters', 'from_total_value_all_chapters') }}
            as total_all_chapters_growth,
        is_synthetic
    from joined

)

select * from final
