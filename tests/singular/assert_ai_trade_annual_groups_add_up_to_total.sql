-- High + Medium + Low + Unclassified (every row of ai_trade_annual for a flow and year)
-- equals the code-month total outside the excluded chapters, and the High category rows add up
-- to the High value of the share mart. Returns the flow-years that do not add up.
with

annual as (

    select * from {{ ref('ai_trade_annual') }}

),

shares as (

    select * from {{ ref('ai_trade_share_annual') }}

),

fct as (

    select * from {{ ref('int_trade_monthly__codes') }}

),

annual_totals as (

    select
        flow,
        year,
        sum(value) as all_groups_value,
        sum(case when relevance_group = 'High' then value else 0 end) as high_categories_value
    from annual
    group by 1, 2

),

fct_totals as (

    select
        flow,
        year,
        sum(value) as total_value
    from fct
    where not is_excluded_chapter
    group by 1, 2

),

compared as (

    select
        fct_totals.flow,
        fct_totals.year,
        fct_totals.total_value,
        annual_totals.all_groups_value,
        shares.total_value as share_total_value,
        shares.ai_value,
        annual_totals.high_categories_value
    from fct_totals
    left join annual_totals
        on
            fct_totals.flow = annual_totals.flow
            and fct_totals.year = annual_totals.year
    left join shares
        on
            fct_totals.flow = shares.flow
            and fct_totals.year = shares.year

)

select * from compared
where
    all_groups_value is null
    or all_groups_value <> total_value
    or share_total_value <> total_value
    or high_categories_value <> ai_value
