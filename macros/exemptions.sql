{#- Tariff exemption lists: the one place HS10 codes are matched to list prefixes. -#}

{#- A code or prefix zero-padded on the left to `width` digits (a 9-digit HS10 that lost its leading zero
    becomes 10 digits again; a 7-digit prefix with prefix_length 8 becomes 8). -#}
{% macro pad_hts_code(code_expression, width_expression) -%}
    right('0000000000' || trim(cast({{ code_expression }} as varchar)), {{ width_expression }})
{%- endmacro %}

{#- One row per code and list that the code falls under: the list entry with the LONGEST prefix the code
    starts with (a code under both 8542 and 85423100 of one list matches 85423100). Codes are zero-padded to
    10 digits first; prefixes are 4/6/8/10 digits, zero-padded to their prefix_length. Lists are matched
    independently: a code can be on several lists (one row each).
    `codes`: a relation or CTE with the column `code_column`; `entries`: one with list_id, hts_prefix,
    prefix_length, authority, effective_from, effective_to (int_exemption_list_entries).
    Columns: hs10, list_id, matched_prefix, matched_prefix_length, authority, effective_from, effective_to. -#}
{% macro match_exemption_prefixes(codes, entries, code_column='hs10') -%}
    select
        ranked.hs10,
        ranked.list_id,
        ranked.matched_prefix,
        ranked.matched_prefix_length,
        ranked.authority,
        ranked.effective_from,
        ranked.effective_to
    from (
        select
            padded_codes.hs10,
            padded_entries.list_id,
            padded_entries.hts_prefix as matched_prefix,
            padded_entries.prefix_length as matched_prefix_length,
            padded_entries.authority,
            padded_entries.effective_from,
            padded_entries.effective_to,
            row_number() over (
                partition by padded_codes.hs10, padded_entries.list_id
                order by padded_entries.prefix_length desc
            ) as prefix_rank
        from (
            select distinct {{ pad_hts_code('code_rows.' ~ code_column, 10) }} as hs10
            from {{ codes }} as code_rows
        ) as padded_codes
        inner join (
            select
                entry_rows.list_id,
                {{ pad_hts_code('entry_rows.hts_prefix', 'entry_rows.prefix_length') }} as hts_prefix,
                entry_rows.prefix_length,
                entry_rows.authority,
                entry_rows.effective_from,
                entry_rows.effective_to
            from {{ entries }} as entry_rows
        ) as padded_entries
            on
                {{ hs_prefix('padded_codes.hs10', 'padded_entries.prefix_length') }}
                = padded_entries.hts_prefix
    ) as ranked
    where ranked.prefix_rank = 1
{%- endmacro %}
