{#- Study table trade_hierarchical.tex (methodology 3.1): U.S. imports by AI relevance and
    category, var base_year vs var comparison_year. -#}
{{ study_product_table('imports') }}
