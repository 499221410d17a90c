{#- One row per flow, period, relevance_group, primary_category from Census's world-total rows
    (cty_code '-'), analysis panel (excluded chapters dropped), labelled like fct_trade_monthly
    (the current labels, so a code traded only in world-total rows keeps its label); same
    periods as int_country__trade_periods. The alternative country-share denominator
    (methodology 6.13). -#}

with

world_total as (

    select * from {{ ref('int_trade_monthly__world_total') }}

),

labels as (

    select * from {{ ref('int_hs10_labels__current') }}

),

excluded_chapters as (

    select * from {{ ref('excluded_hs2_chapters') }}

),

labelled as (

    select
        world_total.flow,
        world_total.year,
        world_total.value,
        coalesce(labels.relevance, 'Unclassified') as relevance_group,
        labels.primary_category,
        excluded_chapters.hs2 is not null as is_excluded_chapter
    from world_total
    left join labels
        on
            world_total.flow = labels.flow
            and world_total.hs10 = labels.hs10
    left join excluded_chapters
        on {{ hs_prefix('world_total.hs10', 2) }} = excluded_chapters.hs2

),

annual as (

    select
        flow,
        year,
        relevance_group,
        primary_category,
        sum(value) as value
    from labelled
    where not is_excluded_chapter
    group by 1, 2, 3, 4

),

single_years as (

    select
        flow,
        cast(year as {{ dbt.type_string() }}) as period,
        relevance_group,
        primary_category,
        value
    from annual

),

pooled as (

    select
        flow,
        '{{ pooled_period_label() }}' as period,
        relevance_group,
        primary_category,
        sum(value) as value
    from annual
    where year in {{ pooled_years_list() }}
    group by 1, 2, 3, 4

),

final as (

    select * from single_years
    union all
    select * from pooled

)

select * from final
