"""The Census country list (`country.txt`, Schedule C) into raw.census_countries.

The file is pipe-delimited with a few header lines: `Code | Name | ISO Code`, e.g. `5700|China|CN`. Only lines
whose first field is a 4-digit code are read; the ISO alpha-2 may be empty (or non-ISO such as GZ, WE, KV).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.census_client import fetch_text
from ingestion.errors import UserError

DEFAULT_BASE_URL = "https://www.census.gov/foreign-trade/schedules/c"
FILE_NAME = "country.txt"
_LINE = re.compile(r"^\s*(\d{4})\s*\|\s*(.+?)\s*\|\s*([A-Za-z-]{0,3})\s*\|?\s*$")


def parse_countries(text: str) -> pa.Table:
    codes: list[str] = []
    names: list[str] = []
    isos: list[str | None] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _LINE.match(line)
        if not match:
            continue
        code, name, iso = match.group(1), " ".join(match.group(2).split()), match.group(3).upper()
        if code in seen:
            raise UserError(f"country.txt line {number}: code {code} already on line {seen[code]}")
        seen[code] = number
        codes.append(code)
        names.append(name)
        isos.append(iso if iso and iso != "-" else None)
    if not codes:
        raise UserError("no `Code | Name | ISO` lines found: is this the Census country.txt?")
    return pa.table(
        {
            "cty_code": pa.array(codes, pa.string()),
            "cty_name": pa.array(names, pa.string()),
            "iso_alpha2": pa.array(isos, pa.string()),
        }
    )


def ingest_countries(
    con: duckdb.DuckDBPyConnection,
    *,
    base_url: str = DEFAULT_BASE_URL,
    from_file: Path | None = None,
    timeout: float = 60.0,
) -> int:
    """Replace raw.census_countries with the current list; returns the number of countries."""
    if from_file is not None:
        if not from_file.is_file():
            raise UserError(f"country file {from_file} does not exist")
        text, source = from_file.read_bytes().decode("latin-1"), f"file:{from_file.name}"
    else:
        url = f"{base_url.rstrip('/')}/{FILE_NAME}"
        fetched = fetch_text(url, timeout=timeout)
        if fetched is None:
            raise UserError(f"{url} was not found (404); check --base-url")
        text, source = fetched, url
    table = parse_countries(text)
    table = table.append_column("source", pa.array([source] * table.num_rows, pa.string()))
    return warehouse.replace_slice(con, "census_countries", {}, table)
