{#- One row per flow, value_concept, month: trade by relevance group over detail countries,
    analysis panel (excluded chapters dropped). Imports come in two value concepts (consumption =
    con_val_mo, the study's; general = gen_val_mo), exports in one (total_exports = all_val_mo). -#}

with

codes as (

    select * from {{ ref('int_trade_monthly__codes') }}
    where not is_excluded_chapter

),

-- Summed over codes before the value concepts split them (exact: the sums are decimal).
trade as (

    select
        flow,
        month,
        year,
        relevance_group,
        sum(value) as value,
        sum(value_general_imports) as value_general_imports,
        {{ any_true('is_synthetic') }} as is_synthetic
    from codes
    group by 1, 2, 3, 4

),

valued as (

    select
        flow,
        'consumption' as value_concept,
        month,
        year,
        relevance_group,
        value,
        is_synthetic
    from trade
    where flow = 'imports'

    union all

    select
        flow,
        'general' as value_concept,
        month,
        year,
        relevance_group,
        value_general_imports as value,
        is_synthetic
    from trade
    where flow = 'imports'

    union all

    select
        flow,
        'total_exports' as value_concept,
        month,
        year,
        relevance_group,
        value,
        is_synthetic
    from trade
    where flow = 'exports'

),

final as (

    select
        flow,
        value_concept,
        month,
        year,
        sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
        sum(case when relevance_group = 'Medium' then value else 0 end) as medium_value,
        sum(case when relevance_group = 'Low' then value else 0 end) as low_value,
        sum(case when relevance_group = 'Unclassified' then value else 0 end) as unclassified_value,
        sum(coalesce(value, 0)) as total_value,
        {{ any_true('is_synthetic') }} as is_synthetic
    from valued
    group by 1, 2, 3, 4

)

select * from final
