{#- The codes two label sources classify differently, ranked by comparison-year trade within
    the pair (the "top disagreements by value" of the audit). -#}

with

code_pairs as (

    select * from {{ ref('int_labels__code_pairs') }}

),

disagreements as (

    select * from code_pairs
    where relevance_a <> relevance_b

),

final as (

    select
        flow,
        label_source_a,
        label_source_b,
        hs10,
        relevance_a,
        relevance_b,
        primary_category_a,
        primary_category_b,
        description,
        cast({{ var('comparison_year') }} as integer) as comparison_year,
        {{ money('comparison_year_value') }} as comparison_year_value,
        cast(row_number() over (
            partition by flow, label_source_a, label_source_b
            order by comparison_year_value desc, hs10 asc
        ) as bigint) as value_rank,
        is_synthetic

    from disagreements

)

select * from final
