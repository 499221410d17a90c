{#- The agreement matrix of relevance between every pair of label sources of a flow, with the pair's
    agreement rate and the comparison-year trade at stake where the two disagree. -#}

with

labels as (

    select * from {{ ref('stg_labels__hs10_labels') }}

),

code_pairs as (

    select * from {{ ref('int_labels__code_pairs') }}

),

relevance_levels as (

    select 'High' as relevance
    union all
    select 'Medium' as relevance
    union all
    select 'Low' as relevance

),

flow_sources as (

    select distinct
        flow,
        label_source

    from labels

),

source_pairs as (

    select
        source_a.flow,
        source_a.label_source as label_source_a,
        source_b.label_source as label_source_b

    from flow_sources as source_a
    inner join flow_sources as source_b
        on
            source_a.flow = source_b.flow
            and source_a.label_source < source_b.label_source

),

cells as (

    select
        flow,
        label_source_a,
        label_source_b,
        relevance_a,
        relevance_b,
        count(*) as code_count,
        sum(comparison_year_value) as comparison_year_value

    from code_pairs
    group by 1, 2, 3, 4, 5

),

pair_totals as (

    select
        flow,
        label_source_a,
        label_source_b,
        count(*) as pair_code_count,
        sum(case when relevance_a = relevance_b then 1 else 0 end) as pair_agreeing_code_count,
        sum(comparison_year_value) as pair_comparison_year_value,
        sum(
            case when relevance_a <> relevance_b then comparison_year_value else 0 end
        ) as pair_disagreement_value,
        {{ any_true('is_synthetic') }} as is_synthetic

    from code_pairs
    group by 1, 2, 3

),

matrix as (

    select
        source_pairs.flow,
        source_pairs.label_source_a,
        source_pairs.label_source_b,
        levels_a.relevance as relevance_a,
        levels_b.relevance as relevance_b

    from source_pairs
    cross join relevance_levels as levels_a
    cross join relevance_levels as levels_b

),

final as (

    select
        matrix.flow,
        matrix.label_source_a,
        matrix.label_source_b,
        matrix.relevance_a,
        matrix.relevance_b,
        matrix.relevance_a = matrix.relevance_b as is_agreement,
        cast(coalesce(cells.code_count, 0) as bigint) as code_count,
        cast({{ var('comparison_year') }} as integer) as comparison_year,
        {{ money('coalesce(cells.comparison_year_value, 0)') }} as comparison_year_value,
        cast(coalesce(pair_totals.pair_code_count, 0) as bigint) as pair_code_count,
        {{ safe_ratio('pair_totals.pair_agreeing_code_count', 'pair_totals.pair_code_count') }}
            as pair_agreement_rate,
        {{ money('coalesce(pair_totals.pair_comparison_year_value, 0)') }}
            as pair_comparison_year_value,
        {{ money('coalesce(pair_totals.pair_disagreement_value, 0)') }} as pair_disagreement_value,
        {{ safe_ratio(
            'pair_totals.pair_disagreement_value', 'pair_totals.pair_comparison_year_value'
        ) }} as pair_disagreement_value_share,
        coalesce(pair_totals.is_synthetic, false) as is_synthetic

    from matrix
    left join cells
        on
            matrix.flow = cells.flow
            and matrix.label_source_a = cells.label_source_a
            and matrix.label_source_b = cells.label_source_b
            and matrix.relevance_a = cells.relevance_a
            and matrix.relevance_b = cells.relevance_b
    left join pair_totals
        on
            matrix.flow = pair_totals.flow
            and matrix.label_source_a = pair_totals.label_source_a
            and matrix.label_source_b = pair_totals.label_source_b

)

select * from final
