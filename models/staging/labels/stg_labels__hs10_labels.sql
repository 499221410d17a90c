with

source as (

    select * from {{ source('labels', 'hs10_labels') }}

),

renamed as (

    select
        flow,
        cast(hs10 as varchar(10)) as hs10,
        label_source,
        relevance,
        primary_category,
        confidence,
        specific_use,
        reasoning,
        description,
        model,
        prompt_version,
        classified_at,
        loaded_at

    from source

)

select * from renamed
