{#- One row per flow, scenario, hs10: whether the code counts as AI and as non-AI under the
    scenario. Scenarios: `headline` (current labels, AI = High), `medium_counts_as_ai` (AI = High
    or Medium), `min_confidence` (AI = High unless its confidence is below var min_label_confidence;
    High below it counts as neither; a label without a confidence, imported or an override, has
    none to fall below), and `label_source:<source>` for each label source in
    stg_labels__hs10_labels (AI = High under that source's label; codes that source did not label
    count as neither). Non-AI = the relevance levels of var non_ai_relevance that are not AI under
    the scenario. -#}

{%- set non_ai = non_ai_relevance_list() -%}

with

hs10 as (

    select * from {{ ref('dim_hs10') }}
    where not is_excluded_chapter

),

labels as (

    select * from {{ ref('int_hs10_labels__current') }}

),

source_labels as (

    select * from {{ ref('stg_labels__hs10_labels') }}

),

current_labels as (

    select
        hs10.flow,
        hs10.hs10,
        hs10.relevance_group,
        labels.confidence as label_confidence
    from hs10
    left join labels
        on
            hs10.flow = labels.flow
            and hs10.hs10 = labels.hs10

),

headline as (

    select
        flow,
        'headline' as scenario,
        'headline' as scenario_type,
        cast(null as {{ dbt.type_string() }}) as label_source,
        hs10,
        relevance_group = 'High' as is_ai,
        relevance_group in {{ non_ai }} as is_non_ai
    from current_labels

),

medium_counts_as_ai as (

    select
        flow,
        'medium_counts_as_ai' as scenario,
        'relevance' as scenario_type,
        cast(null as {{ dbt.type_string() }}) as label_source,
        hs10,
        relevance_group in ('High', 'Medium') as is_ai,
        relevance_group in {{ non_ai }} and relevance_group <> 'Medium' as is_non_ai
    from current_labels

),

min_confidence as (

    select
        flow,
        'min_confidence_{{ var("min_label_confidence") }}' as scenario,
        'confidence' as scenario_type,
        cast(null as {{ dbt.type_string() }}) as label_source,
        hs10,
        relevance_group = 'High'
        and coalesce(label_confidence >= {{ var('min_label_confidence') }}, true) as is_ai,
        relevance_group in {{ non_ai }} as is_non_ai
    from current_labels

),

by_label_source as (

    select
        flow,
        'label_source:' || label_source as scenario,
        'label_source' as scenario_type,
        label_source,
        hs10,
        {{ any_true("relevance = 'High'") }} as is_ai,
        {{ any_true("relevance in " ~ non_ai) }}
        and not {{ any_true("relevance = 'High'") }} as is_non_ai
    from source_labels
    group by 1, 2, 3, 4, 5

),

final as (

    select * from headline
    union all
    select * from medium_counts_as_ai
    union all
    select * from min_confidence
    union all
    select * from by_label_source

)

select * from final
