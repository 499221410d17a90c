{#- The one label per flow and code that every mart uses.
    Precedence: analyst override (seed) > var('preferred_label_source') > newest classifier run (model set)
    > newest imported file. -#}
{%- set preferred_label_source = var('preferred_label_source') -%}

with

labels as (

    select * from {{ ref('stg_labels__hs10_labels') }}

),

overrides as (

    select * from {{ ref('hs10_label_overrides') }}

),

candidates as (

    select
        flow,
        hs10,
        relevance,
        primary_category,
        confidence,
        specific_use,
        reasoning,
        label_source,
        model,
        prompt_version,
        false as is_override,
        case
        {%- if preferred_label_source is not none %}
            when label_source = '{{ preferred_label_source }}' then 1
            {%- endif %}
            when model is not null then 2
            else 3
        end as precedence,
        coalesce(classified_at, loaded_at) as labelled_at

    from labels

    union all

    select
        flow,
        cast(hs10 as varchar(10)) as hs10,
        relevance,
        category as primary_category,
        cast(null as integer) as confidence,
        cast(null as {{ dbt.type_string() }}) as specific_use,
        reason as reasoning,
        'override:' || author as label_source,
        cast(null as {{ dbt.type_string() }}) as model,
        cast(null as {{ dbt.type_string() }}) as prompt_version,
        true as is_override,
        0 as precedence,
        cast(null as timestamp) as labelled_at

    from overrides

),

ranked as (

    select
        *,
        row_number() over (
            partition by flow, hs10
            order by precedence asc, labelled_at desc, label_source asc
        ) as candidate_rank

    from candidates

),

final as (

    select
        flow,
        hs10,
        relevance,
        primary_category,
        confidence,
        specific_use,
        reasoning,
        label_source,
        model,
        prompt_version,
        is_override

    from ranked
    where candidate_rank = 1

)

select * from final
