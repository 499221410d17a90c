{#- What the singular tests reconcile the import marts with: one row per month of the analysis panel's
    imports (excluded chapters left out, as in every mart), from the code-month totals. Columns: month, year,
    value, duty (a missing calculated duty counts as 0, as in tariff_rates_monthly). -#}
{% macro panel_imports_by_month() -%}
    select
        month,
        year,
        sum(value) as value,
        sum(coalesce(duty_calculated, 0)) as duty
    from {{ ref('int_trade_monthly__codes') }}
    where flow = 'imports' and not is_excluded_chapter
    group by 1, 2
{%- endmacro %}
