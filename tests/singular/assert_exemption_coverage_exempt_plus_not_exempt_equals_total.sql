-- On every row of exemption_coverage, exempt + non-exempt = total, for value and for duty (to the
-- cent), and exempt codes never outnumber codes with trade.
select
    coverage_basis,
    list_id,
    relevance_group,
    primary_category,
    period_type,
    period_start,
    value_total,
    value_exempt,
    value_not_exempt
from {{ ref('exemption_coverage') }}
where
    value_exempt + value_not_exempt <> value_total
    or duty_exempt + duty_not_exempt <> duty_total
    or codes_exempt > codes_with_trade
