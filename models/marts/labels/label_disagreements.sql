{#- The codes two label sources classify differently, ranked by comparison-year trade within
    the pair (the "top disagreements by value" of the audit). -#}

with

labels as (

    select * from {{ ref('stg_labels__hs10_labels') }}

),

trade as (

    select * from {{ ref('fct_trade_monthly') }}

),

code_values as (

    select
        flow,
        hs10,
        sum(value) as comparison_year_value

    from trade
    where
        year = {{ var('comparison_year') }}
        and not is_excluded_chapter
    group by 1, 2

),

flow_synthetic as (

    select
        flow,
        {{ any_true('is_synthetic') }} as is_synthetic

    from trade
    group by 1

),

disagreements as (

    select
        labels_a.flow,
        labels_a.label_source as label_source_a,
        labels_b.label_source as label_source_b,
        labels_a.hs10,
        labels_a.relevance as relevance_a,
        labels_b.relevance as relevance_b,
        labels_a.primary_category as primary_category_a,
        labels_b.primary_category as primary_category_b,
        coalesce(labels_a.description, labels_b.description) as description,
        coalesce(code_values.comparison_year_value, 0) as comparison_year_value

    from labels as labels_a
    inner join labels as labels_b
        on
            labels_a.flow = labels_b.flow
            and labels_a.hs10 = labels_b.hs10
            and labels_a.label_source < labels_b.label_source
    left join code_values
        on
            labels_a.flow = code_values.flow
            and labels_a.hs10 = code_values.hs10
    where labels_a.relevance <> labels_b.relevance

),

final as (

    select
        disagreements.flow,
        disagreements.label_source_a,
        disagreements.label_source_b,
        disagreements.hs10,
        disagreements.relevance_a,
        disagreements.relevance_b,
        disagreements.primary_category_a,
        disagreements.primary_category_b,
        disagreements.description,
        cast({{ var('comparison_year') }} as integer) as comparison_year,
        {{ money('disagreements.comparison_year_value') }} as comparison_year_value,
        cast(row_number() over (
            partition by
                disagreements.flow, disagreements.label_source_a, disagreements.label_source_b
            order by disagreements.comparison_year_value desc, disagreements.hs10 asc
        ) as bigint) as value_rank,
        coalesce(flow_synthetic.is_synthetic, false) as is_synthetic

    from disagreements
    left join flow_synthetic
        on disagreements.flow = flow_synthetic.flow

)

select * from final
