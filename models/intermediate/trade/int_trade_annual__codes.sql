{#- One row per flow, calendar year and HS10 code with trade, analysis panel (excluded chapters
    dropped): the code-year totals that the product, growth, robustness and label-audit marts all
    start from, computed once. Incremental by (flow, year): a build deletes and re-sums the years of
    the (flow, month) slices int_trade_monthly__codes rewrote after this model's latest build, and of
    the months the load manifest flagged since (a month a revision emptied leaves no row to say so;
    written_since_last_build), so a new month re-sums its own year only. -#}
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

final as (

    select
        flow,
        year,
        hs10,
        relevance_group,
        primary_category,
        sum(value) as value,
        {{ any_true('is_synthetic') }} as is_synthetic,
        {{ build_timestamp() }} as built_at

    from trade
    group by 1, 2, 3, 4, 5

)

select * from final
