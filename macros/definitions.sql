{#- The project's definitions behind its vars, rendered once so models and tests spell them alike. -#}

{#- Label of a relevance set, e.g. ['Medium', 'Low'] -> 'Low+Medium'. -#}
{% macro relevance_set_label(groups) -%}
    {{ return(groups | sort | join('+')) }}
{%- endmacro %}

{#- The non-AI relevance levels (var non_ai_relevance) as a SQL list, e.g. ('Low'). -#}
{% macro non_ai_relevance_list() -%}
    ('{{ var("non_ai_relevance") | join("', '") }}')
{%- endmacro %}

{#- The label of the pooled window of the country marts, e.g. '2024+2025'. -#}
{% macro pooled_period_label() -%}
    {{ return(var('pooled_years') | map('int') | sort | join('+')) }}
{%- endmacro %}

{#- The pooled years of the country marts (var pooled_years) as a SQL list, e.g. (2024, 2025). -#}
{% macro pooled_years_list() -%}
    ({{ var('pooled_years') | map('int') | join(', ') }})
{%- endmacro %}

{#- Growth between two values as a fraction (0.726 = +72.6%); null, never 0, when the base is 0 or missing. -#}
{% macro growth_rate(current_value, base_value) -%}
    {{ safe_ratio('(' ~ current_value ~ ') - (' ~ base_value ~ ')', base_value) }}
{%- endmacro %}
