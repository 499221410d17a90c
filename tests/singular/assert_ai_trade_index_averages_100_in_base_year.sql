-- Every series of every flow averages exactly 100 over the base year (to floating-point precision).
with

index_monthly as (

    select * from {{ ref('ai_trade_index_monthly') }}

),

base_year_means as (

    select
        flow,
        series,
        avg(index_value) as mean_index
    from index_monthly
    where {{ calendar_year('month') }} = {{ var('base_year') }}
    group by 1, 2

)

select * from base_year_means
where mean_index is not null and abs(mean_index - 100) > 1e-9
