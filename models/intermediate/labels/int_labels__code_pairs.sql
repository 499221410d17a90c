{#- One row per flow, pair of label sources (label_source_a < label_source_b) and HS10 code both
    label: the two labels side by side with the code's comparison-year trade (analysis panel). The
    base of the label audit marts. -#}

with

labels as (

    select * from {{ ref('stg_labels__hs10_labels') }}

),

code_years as (

    select * from {{ ref('int_trade_annual__codes') }}

),

code_values as (

    select
        flow,
        hs10,
        value as comparison_year_value

    from code_years
    where year = {{ var('comparison_year') }}

),

flow_synthetic as (

    select
        flow,
        {{ any_true('is_synthetic') }} as is_synthetic

    from code_years
    group by 1

),

final as (

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
        coalesce(code_values.comparison_year_value, 0) as comparison_year_value,
        coalesce(flow_synthetic.is_synthetic, false) as is_synthetic

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
    left join flow_synthetic
        on labels_a.flow = flow_synthetic.flow

)

select * from final
