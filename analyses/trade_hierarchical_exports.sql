{#- Study table trade_hierarchical_exports.tex (methodology 3.8): U.S. exports by AI relevance
    and category, var base_year vs var comparison_year. -#}
{{ study_product_table('exports') }}
