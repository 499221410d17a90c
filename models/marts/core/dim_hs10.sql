with

code_months as (

    select * from {{ ref('int_trade_monthly__codes') }}

),

concordance_imports as (

    select * from {{ ref('stg_census__concordance_imports') }}

),

concordance_exports as (

    select * from {{ ref('stg_census__concordance_exports') }}

),

labels as (

    select * from {{ ref('int_hs10_labels__current') }}

),

excluded_chapters as (

    select * from {{ ref('excluded_hs2_chapters') }}

),

concordance as (

    select
        'imports' as flow,
        *
    from concordance_imports
    union all
    select
        'exports' as flow,
        *
    from concordance_exports

),

concordance_years as (

    select
        flow,
        hs10,
        min(concordance_year) as first_concordance_year,
        max(concordance_year) as last_concordance_year

    from concordance
    group by 1, 2

),

latest_concordance as (

    select concordance.*
    from concordance
    inner join concordance_years
        on
            concordance.flow = concordance_years.flow
            and concordance.hs10 = concordance_years.hs10
            and concordance.concordance_year = concordance_years.last_concordance_year

),

trade_span as (

    select
        flow,
        hs10,
        min(month) as first_month,
        max(month) as last_month

    from code_months
    group by 1, 2

),

-- The description of the code's latest month (code_months holds one per code and month).
latest_descriptions as (

    select
        trade_span.flow,
        trade_span.hs10,
        code_months.description_short

    from trade_span
    inner join code_months
        on
            trade_span.flow = code_months.flow
            and trade_span.hs10 = code_months.hs10
            and trade_span.last_month = code_months.month

),

codes as (

    select
        flow,
        hs10
    from trade_span
    union
    select
        flow,
        hs10
    from concordance_years

),

final as (

    select
        codes.flow,
        codes.hs10,
        {{ hs_prefix('codes.hs10', 2) }} as hs2,
        {{ hs_prefix('codes.hs10', 4) }} as hs4,
        {{ hs_prefix('codes.hs10', 6) }} as hs6,
        {{ hs_prefix('codes.hs10', 8) }} as hs8,
        coalesce(
            latest_descriptions.description_short,
            latest_concordance.description_short
        ) as description_short,
        latest_concordance.description_long,
        latest_concordance.naics_code,
        latest_concordance.sitc_code,
        latest_concordance.end_use_code,
        concordance_years.first_concordance_year,
        concordance_years.last_concordance_year,
        coalesce(labels.relevance, 'Unclassified') as relevance_group,
        labels.primary_category,
        labels.label_source,
        coalesce(labels.is_override, false) as is_label_override,
        trade_span.first_month,
        trade_span.last_month,
        excluded_chapters.hs2 is not null as is_excluded_chapter

    from codes
    left join concordance_years
        on
            codes.flow = concordance_years.flow
            and codes.hs10 = concordance_years.hs10
    left join latest_concordance
        on
            codes.flow = latest_concordance.flow
            and codes.hs10 = latest_concordance.hs10
    left join trade_span
        on
            codes.flow = trade_span.flow
            and codes.hs10 = trade_span.hs10
    left join latest_descriptions
        on
            codes.flow = latest_descriptions.flow
            and codes.hs10 = latest_descriptions.hs10
    left join labels
        on
            codes.flow = labels.flow
            and codes.hs10 = labels.hs10
    left join excluded_chapters
        on {{ hs_prefix('codes.hs10', 2) }} = excluded_chapters.hs2

)

select * from final
