-- The floor of issue 6: the headline marts computed directly from raw with one hand-written DuckDB script (no dbt),
-- as fast as a careful analyst would write it. `python -m bench` times it and checks every output equal to the
-- dbt marts of the same names (bench/harness.py FLOOR_CHECKS). Same definitions as the models:
-- detail countries only (no world total '-', no 00xx groupings, no continents dXXX), chapters in
-- raw.excluded_hs2_chapters dropped, one label per flow and code (override seed > classifier run > imported file,
-- newest first), base year 2023, non-AI = Low, imports valued for consumption (the study's defaults).
-- It reads the seeds dbt loaded into raw (excluded chapters, label overrides), so run it after `dbt seed`/`build`.

create schema if not exists bench_floor;

-- One label per flow and code (same precedence as int_hs10_labels__current, var preferred_label_source unset).
create or replace temp table floor_labels as
with candidates as (
    select
        flow,
        hs10,
        relevance,
        primary_category,
        confidence,
        label_source,
        case when model is not null then 2 else 3 end as precedence,
        coalesce(classified_at, loaded_at) as labelled_at
    from raw.hs10_labels
    union all
    select
        flow,
        cast(hs10 as varchar),
        relevance,
        category,
        null,
        'override:' || author,
        0,
        null
    from raw.hs10_label_overrides
)

select
    flow,
    hs10,
    relevance,
    primary_category,
    confidence,
    label_source
from candidates
qualify row_number() over (
    partition by flow, hs10 order by precedence, labelled_at desc nulls last, label_source
) = 1;

-- The detail-country rows of both flows in the fact's terms (a view: each reader scans only the columns it uses;
-- bench/floor_fact.sql reads it too).
create or replace temp view floor_trade as
select
    'imports' as flow,
    time,
    i_commodity as hs10,
    i_commodity_sdesc as description_short,
    cty_code,
    con_val_mo as value,
    gen_val_mo as value_general_imports,
    cal_dut_mo as duty_calculated,
    dut_val_mo as value_dutiable,
    con_qy1_mo as quantity_1,
    con_qy2_mo as quantity_2,
    unit_qy1 as unit_1,
    unit_qy2 as unit_2,
    source,
    loaded_at
from raw.census_imports
where cty_code <> '-' and cty_code not like '00%' and cty_code not like '%X%'
union all
select
    'exports' as flow,
    time,
    e_commodity as hs10,
    e_commodity_sdesc as description_short,
    cty_code,
    all_val_mo as value,
    null as value_general_imports,
    null as duty_calculated,
    null as value_dutiable,
    qty_1_mo as quantity_1,
    qty_2_mo as quantity_2,
    unit_qy1 as unit_1,
    unit_qy2 as unit_2,
    source,
    loaded_at
from raw.census_exports
where cty_code <> '-' and cty_code not like '00%' and cty_code not like '%X%';

-- The analysis panel at (flow, month, code): the one pass over raw every headline needs.
create or replace temp table floor_code_monthly as
select
    trade.flow,
    cast(trade.time || '-01' as date) as month,
    cast(substr(trade.time, 1, 4) as integer) as year,
    trade.hs10,
    coalesce(labels.relevance, 'Unclassified') as relevance_group,
    labels.primary_category,
    cast(sum(trade.value) as decimal(38, 2)) as value,
    cast(sum(trade.value_general_imports) as decimal(38, 2)) as value_general_imports,
    cast(sum(trade.duty_calculated) as decimal(38, 2)) as duty_calculated
from floor_trade as trade
left join floor_labels as labels
    on trade.flow = labels.flow and trade.hs10 = labels.hs10
where substr(trade.hs10, 1, 2) not in (select hs2 from raw.excluded_hs2_chapters)
group by all;

-- Category table (ai_trade_annual).
create or replace table bench_floor.ai_trade_annual as
select
    flow,
    year,
    relevance_group,
    coalesce(primary_category, 'Unclassified') as primary_category,
    sum(value) as value,
    count(distinct case when value <> 0 then hs10 end) as code_count,
    count(distinct month) as months_covered
from floor_code_monthly
group by all;

-- Monthly sums by relevance group: the base of the shares, the index and the counterfactual.
create or replace temp table floor_group_monthly as
select
    flow,
    month,
    year,
    sum(case when relevance_group = 'High' then value else 0 end) as ai_value,
    sum(case when relevance_group = 'Medium' then value else 0 end) as medium_value,
    sum(case when relevance_group = 'Low' then value else 0 end) as low_value,
    sum(case when relevance_group = 'Unclassified' then value else 0 end) as unclassified_value,
    sum(value) as total_value,
    sum(
        case when relevance_group = 'High' and coalesce(primary_category, '') <> 'Compute_Hardware' then value else 0 end
    ) as ai_ex_compute_value,
    sum(case when relevance_group = 'High' then value_general_imports else 0 end) as ai_general,
    sum(case when relevance_group = 'Low' then value_general_imports else 0 end) as low_general,
    sum(coalesce(value_general_imports, 0)) as total_general,
    sum(case when relevance_group = 'High' then duty_calculated else 0 end) as ai_duty,
    sum(duty_calculated) as total_duty
from floor_code_monthly
group by all;

-- Shares (ai_trade_share_annual).
create or replace table bench_floor.ai_trade_share_annual as
select
    flow,
    year,
    sum(ai_value) as ai_value,
    sum(medium_value) as medium_value,
    sum(low_value) as low_value,
    sum(unclassified_value) as unclassified_value,
    sum(total_value) as total_value,
    cast(sum(ai_value) as double) / nullif(cast(sum(total_value) as double), 0) as ai_share,
    cast(sum(unclassified_value) as double) / nullif(cast(sum(total_value) as double), 0) as unclassified_share,
    count(*) as months_covered
from floor_group_monthly
group by all;

-- Growth index (ai_trade_index_monthly): each series over its own base-year monthly mean.
create or replace table bench_floor.ai_trade_index_monthly as
with series as (
    unpivot floor_group_monthly
    on
        ai_value as 'ai',
        low_value as 'non_ai',
        total_value as 'aggregate',
        ai_ex_compute_value as 'ai_ex_compute',
        medium_value as 'medium',
        unclassified_value as 'unclassified'
    into name series value value
),

base as (
    select
        flow,
        series,
        avg(value) as base_monthly_mean
    from series
    where year = 2023
    group by all
)

select
    series.flow,
    series.month,
    series.series,
    series.value,
    base.base_monthly_mean,
    100 * cast(series.value as double) / nullif(cast(base.base_monthly_mean as double), 0) as index_value
from series
left join base on series.flow = base.flow and series.series = base.series;

-- Counterfactual balance, the study's variant (counterfactual_balance_annual where is_study_variant).
create or replace table bench_floor.counterfactual_balance_annual as
with flows as (
    select
        flow,
        month,
        year,
        cast(ai_value as double) as ai_value,
        cast(low_value as double) as non_ai_value,
        cast(total_value as double) as total_value
    from floor_group_monthly
    where year >= 2023
),

base as (
    select
        flow,
        avg(ai_value) as base_ai,
        avg(non_ai_value) as base_non_ai
    from flows
    where year = 2023
    group by all
),

monthly as (
    select
        flows.flow,
        flows.month,
        flows.year,
        flows.ai_value,
        flows.total_value,
        base.base_ai * flows.non_ai_value / nullif(base.base_non_ai, 0) as counterfactual_ai
    from flows
    inner join base on flows.flow = base.flow
),

paired as (
    select
        imports.year,
        imports.total_value as total_imports,
        exports.total_value as total_exports,
        imports.ai_value as ai_imports,
        exports.ai_value as ai_exports,
        imports.counterfactual_ai as counterfactual_ai_imports,
        exports.counterfactual_ai as counterfactual_ai_exports
    from monthly as imports
    inner join monthly as exports
        on imports.month = exports.month and imports.flow = 'imports' and exports.flow = 'exports'
)

select
    year,
    cast(count(*) as integer) as month_count,
    cast(sum(total_imports) as decimal(38, 2)) as total_imports,
    cast(sum(total_exports) as decimal(38, 2)) as total_exports,
    cast(sum(ai_imports) as decimal(38, 2)) as ai_imports,
    cast(sum(ai_exports) as decimal(38, 2)) as ai_exports,
    cast(sum(counterfactual_ai_imports) as decimal(38, 2)) as counterfactual_ai_imports,
    cast(sum(counterfactual_ai_exports) as decimal(38, 2)) as counterfactual_ai_exports,
    cast(sum(ai_imports - counterfactual_ai_imports) as decimal(38, 2)) as excess_ai_imports,
    cast(sum(ai_exports - counterfactual_ai_exports) as decimal(38, 2)) as excess_ai_exports,
    cast(sum(
        (ai_imports - counterfactual_ai_imports) - (ai_exports - counterfactual_ai_exports)
    ) as decimal(38, 2)) as net_effect
from paired
group by all;

-- Tariff rates (tariff_rates_monthly, breakdown relevance_group): calculated duty / value for consumption, a ratio
-- of sums, imports only.
create or replace table bench_floor.tariff_rates_monthly as
select
    month,
    year,
    relevance_group,
    sum(value) as value,
    sum(duty_calculated) as duty_calculated,
    cast(sum(duty_calculated) as double) / nullif(cast(sum(value) as double), 0) as effective_rate
from floor_code_monthly
where flow = 'imports'
group by all;
