{#- hs10_consistent_growth_annual is incremental by (flow, year). A row of year Y reads the code-year
    totals of Y, of Y - 1 and of the base year, and its code family. A build rebuilds:
    - the years int_trade_annual__codes re-summed after this model's latest build, and the year after
      each (its previous year changed);
    - a whole flow when its base year was re-summed or the code families of its rows changed;
    - everything when var base_year is not the one the table was built with.
    The filter selects the rows to rebuild (on flow and year, as constants); '1 = 1' from scratch. -#}
{% macro consistent_growth_years_to_rebuild() -%}
    {%- if not is_incremental() -%}
        {{ return('1 = 1') }}
    {%- endif -%}
    {#- first, as it stops a table built by an older version (require_built_at) before the base year is read -#}
    {%- set resummed = slices_written_since_last_build(ref('int_trade_annual__codes'), by_year=true) -%}
    {%- set base_year = var('base_year') | int -%}
    {%- set query -%}
        select count(*) from {{ this }} where base_year <> {{ base_year }}
    {%- endset -%}
    {%- if run_query(query).columns[0].values()[0] > 0 -%}
        {{ return(in_slices([], trade_flows(), column='year')) }}
    {%- endif -%}
    {%- set query -%}
        select distinct built.flow
        from {{ this }} as built
        left join {{ ref('int_vintage__code_families') }} as families
            on
                built.flow = families.flow
                and built.hs10 = families.hs10
        where
            coalesce(families.family_hs10, built.hs10) <> built.family_hs10
            or coalesce(families.family_size, 1) <> built.family_size
    {%- endset -%}
    {%- set whole_flows = run_query(query).columns[0].values() | list -%}
    {%- set years = [] -%}
    {%- for flow, year in resummed -%}
        {%- if year == base_year and flow not in whole_flows -%}
            {%- do whole_flows.append(flow) -%}
        {%- endif -%}
        {%- do years.extend([[flow, year], [flow, year + 1]]) -%}
    {%- endfor -%}
    {{ return(in_slices(years, whole_flows, column='year')) }}
{%- endmacro %}
