{#- One row per flow, old_hs10, new_hs10: a code (old) replaced by a newer code (new) with the
    same 8-digit prefix. Two kinds of evidence, either is enough:
      concordance: old is missing from the flow's latest concordance year, new is missing from its earliest,
      new first appears after old did and no later than the year after old's last year;
      trade:       old's last month with trade is before the flow's last month, new's first is after the
      flow's first, and new starts after old stops, within 12 months.
    effective_month: new's first month with trade when there is trade evidence, else January of
    new's first concordance year. -#}

with

hs10 as (

    select * from {{ ref('dim_hs10') }}

),

flow_bounds as (

    select
        flow,
        min(first_concordance_year) as min_concordance_year,
        max(last_concordance_year) as max_concordance_year,
        min(first_month) as min_month,
        max(last_month) as max_month
    from hs10
    group by 1

),

codes as (

    select
        hs10.*,
        flow_bounds.min_concordance_year,
        flow_bounds.max_concordance_year,
        flow_bounds.min_month,
        flow_bounds.max_month
    from hs10
    inner join flow_bounds
        on hs10.flow = flow_bounds.flow

),

concordance_links as (

    select
        old_codes.flow,
        old_codes.hs10 as old_hs10,
        new_codes.hs10 as new_hs10
    from codes as old_codes
    inner join codes as new_codes
        on
            old_codes.flow = new_codes.flow
            and old_codes.hs8 = new_codes.hs8
            and old_codes.hs10 <> new_codes.hs10
    where
        old_codes.last_concordance_year < old_codes.max_concordance_year
        and new_codes.first_concordance_year > new_codes.min_concordance_year
        and new_codes.first_concordance_year > old_codes.first_concordance_year
        and new_codes.first_concordance_year <= old_codes.last_concordance_year + 1

),

trade_links as (

    select
        old_codes.flow,
        old_codes.hs10 as old_hs10,
        new_codes.hs10 as new_hs10
    from codes as old_codes
    inner join codes as new_codes
        on
            old_codes.flow = new_codes.flow
            and old_codes.hs8 = new_codes.hs8
            and old_codes.hs10 <> new_codes.hs10
    where
        old_codes.last_month < old_codes.max_month
        and new_codes.first_month > new_codes.min_month
        and new_codes.first_month > old_codes.last_month
        and new_codes.first_month <= {{ dbt.dateadd('month', 12, 'old_codes.last_month') }}

),

unioned as (

    select
        flow,
        old_hs10,
        new_hs10,
        1 as is_concordance,
        0 as is_trade
    from concordance_links
    union all
    select
        flow,
        old_hs10,
        new_hs10,
        0 as is_concordance,
        1 as is_trade
    from trade_links

),

links as (

    select
        flow,
        old_hs10,
        new_hs10,
        max(is_concordance) = 1 as has_concordance_evidence,
        max(is_trade) = 1 as has_trade_evidence
    from unioned
    group by 1, 2, 3

),

successor_counts as (

    select
        flow,
        old_hs10,
        count(*) as successor_count
    from links
    group by 1, 2

),

predecessor_counts as (

    select
        flow,
        new_hs10,
        count(*) as predecessor_count
    from links
    group by 1, 2

),

final as (

    select
        links.flow,
        links.old_hs10,
        links.new_hs10,
        {{ hs_prefix('links.old_hs10', 8) }} as hs8,
        case
            when successor_counts.successor_count = 1 and predecessor_counts.predecessor_count = 1
                then 'rename'
            when successor_counts.successor_count > 1 and predecessor_counts.predecessor_count = 1
                then 'split'
            when successor_counts.successor_count = 1 and predecessor_counts.predecessor_count > 1
                then 'merge'
            else 'complex'
        end as link_type,
        case
            when
                links.has_concordance_evidence and links.has_trade_evidence
                then 'concordance_and_trade'
            when links.has_concordance_evidence then 'concordance'
            else 'trade'
        end as evidence,
        case
            when links.has_trade_evidence then new_codes.first_month
            else
                cast(
                    cast(new_codes.first_concordance_year as {{ dbt.type_string() }})
                    || '-01-01' as date
                )
        end as effective_month,
        successor_counts.successor_count,
        predecessor_counts.predecessor_count
    from links
    inner join successor_counts
        on
            links.flow = successor_counts.flow
            and links.old_hs10 = successor_counts.old_hs10
    inner join predecessor_counts
        on
            links.flow = predecessor_counts.flow
            and links.new_hs10 = predecessor_counts.new_hs10
    inner join hs10 as new_codes
        on
            links.flow = new_codes.flow
            and links.new_hs10 = new_codes.hs10

)

select * from final
