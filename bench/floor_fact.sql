-- What writing the monthly fact costs without dbt: marts.fct_trade_monthly (one row per flow, month, HS10 code and
-- detail partner country, every column but built_at) written from raw by one hand-written statement. The headline
-- marts of bench/floor.sql do not need this table; the warehouse keeps it for BI and for incremental builds, and
-- every dbt build --full-refresh writes it. `python -m bench` runs this after bench/floor.sql in the same session
-- (it reads that script's floor_labels), into the database attached as floor_fact (a scratch file, so the
-- warehouse file does not grow), times it apart from the headline floor and checks it equal to the mart.

create or replace table floor_fact.fct_trade_monthly as
with trade as (
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
    where cty_code <> '-' and cty_code not like '00%' and cty_code not like '%X%'
)

select
    trade.flow,
    cast(trade.time || '-01' as date) as month,
    cast(substr(trade.time, 1, 4) as integer) as year,
    trade.hs10,
    substr(trade.hs10, 1, 2) as hs2,
    substr(trade.hs10, 1, 4) as hs4,
    substr(trade.hs10, 1, 6) as hs6,
    substr(trade.hs10, 1, 8) as hs8,
    trade.description_short,
    trade.cty_code,
    cast(trade.value as decimal(38, 2)) as value,
    cast(trade.value_general_imports as decimal(38, 2)) as value_general_imports,
    cast(trade.duty_calculated as decimal(38, 2)) as duty_calculated,
    cast(trade.value_dutiable as decimal(38, 2)) as value_dutiable,
    trade.quantity_1,
    trade.quantity_2,
    trade.unit_1,
    trade.unit_2,
    coalesce(labels.relevance, 'Unclassified') as relevance_group,
    labels.primary_category,
    labels.confidence as label_confidence,
    labels.label_source,
    coalesce(labels.relevance = 'High', false) as is_ai,
    excluded.hs2 is not null as is_excluded_chapter,
    trade.source in ('demo', 'bench') as is_synthetic,
    trade.loaded_at
from trade
left join floor_labels as labels
    on trade.flow = labels.flow and trade.hs10 = labels.hs10
left join raw.excluded_hs2_chapters as excluded
    on substr(trade.hs10, 1, 2) = excluded.hs2;
