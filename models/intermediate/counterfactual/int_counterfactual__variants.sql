{#- One row per counterfactual variant: base year x non-AI definition x import value concept
    (macros/counterfactual.sql). Only base years with all 12 months of both flows and non-zero
    base-year non-AI trade in both flows are kept. The variant the project vars select (by default
    the study's: base year 2023, non-AI = Low, imports for consumption) has is_study_variant =
    true. -#}

with

series as (

    select * from {{ ref('int_counterfactual__series_monthly') }}

),

candidates as (

    {% for variant in counterfactual_variants() -%}
        select
            '{{ variant.variant_id }}' as variant_id,
            {{ variant.base_year }} as base_year,
            '{{ variant.non_ai_definition }}' as non_ai_definition,
            {{ variant.includes_low | lower }} as non_ai_includes_low,
            {{ variant.includes_medium | lower }} as non_ai_includes_medium,
            {{ variant.includes_unclassified | lower }} as non_ai_includes_unclassified,
            '{{ variant.import_value_concept }}' as import_value_concept,
            'total_exports' as export_value_concept,
            {{ variant.is_study_variant | lower }} as is_study_variant
        {% if not loop.last %}
            union all
        {% endif -%}
    {% endfor %}

),

base_year_coverage as (

    select
        candidates.variant_id,
        series.flow,
        count(distinct series.month) as month_count,
        sum({{ variant_non_ai_value('candidates', 'series') }}) as non_ai_value
    from candidates
    inner join series
        on
            candidates.base_year = series.year
            and (
                (series.flow = 'imports' and candidates.import_value_concept = series.value_concept)
                or (
                    series.flow = 'exports'
                    and candidates.export_value_concept = series.value_concept
                )
            )
    group by 1, 2

),

eligible as (

    select variant_id
    from base_year_coverage
    where month_count = 12 and non_ai_value <> 0
    group by 1
    having count(*) = 2

),

final as (

    select
        candidates.variant_id,
        cast(candidates.base_year as integer) as base_year,
        candidates.non_ai_definition,
        candidates.non_ai_includes_low,
        candidates.non_ai_includes_medium,
        candidates.non_ai_includes_unclassified,
        candidates.import_value_concept,
        candidates.export_value_concept,
        candidates.is_study_variant
    from candidates
    inner join eligible
        on candidates.variant_id = eligible.variant_id

)

select * from final
