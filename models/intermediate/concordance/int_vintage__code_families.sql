{#- One row per flow, hs10 (every code of dim_hs10): the code family, i.e. the set of codes
    connected by vintage links (int_vintage__links, followed in both directions and through
    chains), named by its smallest code. A code without links is its own family. Summing a
    family's codes gives a value that is comparable across concordance vintages. -#}

with recursive

hs10 as (

    select * from {{ ref('dim_hs10') }}

),

links as (

    select * from {{ ref('int_vintage__links') }}

),

edges as (

    select
        flow,
        old_hs10 as from_hs10,
        new_hs10 as to_hs10
    from links
    union
    select
        flow,
        new_hs10 as from_hs10,
        old_hs10 as to_hs10
    from links

),

reachable as (

    select
        flow,
        hs10,
        hs10 as reached_hs10
    from hs10

    union

    select
        reachable.flow,
        reachable.hs10,
        edges.to_hs10 as reached_hs10
    from reachable
    inner join edges
        on
            reachable.flow = edges.flow
            and reachable.reached_hs10 = edges.from_hs10

),

final as (

    select
        flow,
        hs10,
        min(reached_hs10) as family_hs10,
        count(distinct reached_hs10) as family_size
    from reachable
    group by 1, 2

)

select * from final
