{#- Exactly one variant is the study's, and it is the one the project vars select. -#}

with

variants as (

    select * from {{ ref('int_counterfactual__variants') }}

),

counts as (

    select
        sum(case when is_study_variant then 1 else 0 end) as study_variant_count,
        sum(
            case
                when
                    is_study_variant
                    and base_year = {{ var('base_year') | int }}
                    and non_ai_definition = '{{ relevance_set_label(var("non_ai_relevance")) }}'
                    and import_value_concept = 'consumption'
                    then 1
                else 0
            end
        ) as matching_study_variant_count
    from variants

),

final as (

    select *
    from counts
    where study_variant_count <> 1 or matching_study_variant_count <> 1

)

select * from final
