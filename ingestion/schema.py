"""The raw contract: every table ingestion writes, in one place.

dbt's sources (`models/staging/*/_*__sources.yml`) describe the same tables; staging casts and renames them.
Money and quantities are stored as Census reports them (whole dollars, whole units) in BIGINT, so sums are exact.
"""

import duckdb

RAW_SCHEMA = "raw"

_LOAD_METADATA = """
    source varchar not null,
    vintage varchar not null,
    partition_id varchar not null,
    loaded_at timestamp not null
"""

# The import (imp-code.txt) and export (exp-code.txt) concordances have the same layout.
_CONCORDANCE = """
    year integer not null,
    hs10 varchar not null,
    description_short varchar,
    description_long varchar,
    unit_qy1 varchar,
    unit_qy2 varchar,
    sitc varchar,
    end_use varchar,
    naics varchar,
    usda varchar,
    hitech varchar,
    source varchar not null,
    loaded_at timestamp not null
"""

RAW_TABLES: dict[str, str] = {
    "census_imports": f"""
        time varchar not null,
        i_commodity varchar not null,
        i_commodity_sdesc varchar,
        cty_code varchar not null,
        cty_name varchar,
        con_val_mo bigint not null,
        gen_val_mo bigint,
        cal_dut_mo bigint,
        dut_val_mo bigint,
        con_qy1_mo bigint,
        con_qy2_mo bigint,
        unit_qy1 varchar,
        unit_qy2 varchar,
        {_LOAD_METADATA}
    """,
    "census_exports": f"""
        time varchar not null,
        e_commodity varchar not null,
        e_commodity_sdesc varchar,
        cty_code varchar not null,
        cty_name varchar,
        all_val_mo bigint not null,
        qty_1_mo bigint,
        qty_2_mo bigint,
        unit_qy1 varchar,
        unit_qy2 varchar,
        {_LOAD_METADATA}
    """,
    # One row per landed partition and vintage; the current one has status 'loaded' (or 'empty' for a 204).
    "load_manifest": """
        partition_id varchar not null,
        flow varchar not null,
        period varchar not null,
        cty_code varchar not null,
        request varchar,
        row_count bigint not null,
        value_sum decimal(38, 0) not null,
        sha256 varchar,
        landing_path varchar,
        source varchar not null,
        vintage varchar not null,
        fetched_at timestamp not null,
        loaded_at timestamp not null,
        status varchar not null
    """,
    "census_countries": """
        cty_code varchar not null,
        cty_name varchar not null,
        iso_alpha2 varchar,
        source varchar not null,
        loaded_at timestamp not null
    """,
    "concordance_imports": _CONCORDANCE,
    "concordance_exports": _CONCORDANCE,
    "hs10_labels": """
        flow varchar not null,
        hs10 varchar not null,
        label_source varchar not null,
        relevance varchar not null,
        primary_category varchar not null,
        confidence integer,
        specific_use varchar,
        reasoning varchar,
        description varchar,
        model varchar,
        prompt_version varchar,
        classified_at timestamp,
        loaded_at timestamp not null
    """,
    "exemption_list_entries": """
        list_id varchar not null,
        hts_prefix varchar not null,
        prefix_length integer not null,
        authority varchar not null,
        effective_from date not null,
        effective_to date,
        source varchar not null,
        loaded_at timestamp not null
    """,
}

RELEVANCE_VALUES = ("High", "Medium", "Low")
CATEGORY_VALUES = (
    "Compute_Hardware",
    "Networking_Telecom",
    "Electrical_Power",
    "Cooling_HVAC",
    "Building_Structure",
    "Fire_Safety_Security",
    "Specialty_Materials",
    "Maintenance_Operations",
    "Not_DC_Related",
)
FLOWS = ("imports", "exports")


def flows_of(choice: str) -> tuple[str, ...]:
    """The flows a `--flow imports|exports|both` choice means."""
    return FLOWS if choice == "both" else (choice,)


def ensure_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw schema and every raw table that does not exist yet (never alters existing data)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for table, columns in RAW_TABLES.items():
        con.execute(f"create table if not exists {RAW_SCHEMA}.{table} ({columns})")
