{#- One row per flow, calendar year and HS10 code with trade, analysis panel (excluded chapters
    dropped): the code-year totals that the product, growth, robustness and label-audit marts all
    start from, computed once. Incremental by (flow, year): a build deletes and re-sums the years of
    the (flow, month) slices int_trade_monthly__codes rewrote after this model's latest build, and of
    the months the load manifest flagged since (a month a revision emptied leaves no row to say so;
    written_since_last_build), so a new month re-sums its own year only. months_covered, the flow's
    months with data in the year, lets the marts leave growth of a partial year null. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_slices_to_rebuild(
            written_since_last_build(ref('int_trade_monthly__codes'), by_year=true)
        ) }}",
        post_hook="{{ record_loads_applied(taken_from=ref('int_trade_monthly__codes')) }}"
    )
}}

-- depends_on: {{ ref('stg_census__load_manifest') }}

with

trade as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where
        not is_excluded_chapter
        and ({{ written_since_last_build(ref('int_trade_monthly__codes'), by_year=true) }})

),

-- Whole years only reach this model, so each count is the year's.
flow_year_months as (

    {{ flow_year_months('trade') }}

),

final as (

    select
        trade.flow,
        trade.year,
        flow_year_months.months_covered,
        trade.hs10,
        trade.relevance_group,
        trade.primary_category,
        sum(trade.value) as value,
        {{ any_true('trade.is_synthetic') }} as is_synthetic,
        {{ build_timestamp() }} as built_at

    from trade
    inner join flow_year_months
        on
            trade.flow = flow_year_months.flow
            and trade.year = flow_year_months.year
    group by 1, 2, 3, 4, 5, 6

)

select * from final
