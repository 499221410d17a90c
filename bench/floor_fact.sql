-- What writing the monthly fact costs without dbt: marts.fct_trade_monthly (one row per flow, month, HS10 code and
-- detail partner country, every column but built_at) written from raw by one hand-written statement. The headline
-- marts of bench/floor.sql do not need this table; the warehouse keeps it for BI and for incremental builds, and
-- every dbt build --full-refresh writes it. `python -m bench` runs this after bench/floor.sql in the same session
-- (it reads that script's floor_trade and floor_labels), into the database attached as floor_fact (a scratch file,
-- so the warehouse file does not grow), times it apart from the headline floor and checks it equal to the mart.

create or replace table floor_fact.fct_trade_monthly as
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
from floor_trade as trade
left join floor_labels as labels
    on trade.flow = labels.flow and trade.hs10 = labels.hs10
left join raw.excluded_hs2_chapters as excluded
    on substr(trade.hs10, 1, 2) = excluded.hs2;
