"""The Census country list (`country.txt`, Schedule C) into raw.census_countries.

The file is pipe-delimited with a few header lines: `Code | Name | ISO Code`, e.g. `5700|China|CN`. The title, the
column names and the rule line are skipped; every other line that starts with a number or holds a `|` is a country
row and must have exactly the three fields (a trailing `|` allowed): a 4-digit code, a name, and an alpha-2 of two
letters (non-ISO such as GZ, WE, KV included) or empty, `-` or `--` when there is none. Any other such line stops the
load, naming it.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.census_client import decode_census_file, fetch_text
from ingestion.errors import UserError
from ingestion.hs import is_digits

DEFAULT_BASE_URL = "https://www.census.gov/foreign-trade/schedules/c"
FILE_NAME = "country.txt"
# a country row: a 4-digit code, or a number of another length followed by `|` (a mistyped code, not a note)
_ROW_START = re.compile(r"\s*(?:[0-9]{4}|[0-9]+\s*\|)")
_RULE = re.compile(r"[\s|=-]*")  # a line of the column rules, `-----|-----|----`
_ALPHA2 = re.compile(r"[A-Za-z]{2}")
_NO_ISO = ("", "-", "--")  # the documented placeholders of a code without an ISO alpha-2


def _row_problem(fields: list[str]) -> str | None:
    """What is wrong with a country row's `|`-separated fields, or None."""
    if len(fields) != 3:
        return f"{len(fields)} `|`-separated fields instead of 3"
    code, name, iso = fields
    if len(code) != 4 or not is_digits(code):
        return f"code {code!r} is not 4 digits"
    if not name:
        return "the name is empty"
    if iso not in _NO_ISO and not _ALPHA2.fullmatch(iso):
        return f"ISO code {iso!r} is not two letters (leave it empty when there is none)"
    return None


def _is_row(line: str) -> bool:
    """A country row, well formed or not: it starts with a number, or it has `|` and is neither a rule line nor the
    column names (a code mistyped with a letter, `57OO | Japan | JP`, is a row to refuse, not a title to skip)."""
    if _ROW_START.match(line):
        return True
    if "|" not in line or _RULE.fullmatch(line):
        return False
    return line.split("|", 1)[0].strip().lower() != "code"


def _parse_row(line: str, number: int) -> tuple[str, str, str | None]:
    """(code, name with its spaces collapsed, ISO alpha-2 or None) of a country row, or an error naming the line."""
    fields = [field.strip() for field in line.split("|")]
    if len(fields) == 4 and not fields[3]:
        fields.pop()  # a trailing `|` closes the row
    problem = _row_problem(fields)
    if problem:
        raise UserError(
            f"country.txt line {number}: {problem} in {line.strip()!r}; expected `Code | Name | ISO Code`, "
            "fix the line and rerun"
        )
    code, name, iso = fields
    return code, " ".join(name.split()), None if iso in _NO_ISO else iso.upper()


def parse_countries(text: str) -> pa.Table:
    codes: list[str] = []
    names: list[str] = []
    isos: list[str | None] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not _is_row(line):
            continue  # title, column names, rules
        code, name, iso = _parse_row(line, number)
        if code in seen:
            raise UserError(f"country.txt line {number}: code {code} already on line {seen[code]}")
        seen[code] = number
        codes.append(code)
        names.append(name)
        isos.append(iso)
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
        text, source = decode_census_file(from_file.read_bytes()), f"file:{from_file.name}"
    else:
        url = f"{base_url.rstrip('/')}/{FILE_NAME}"
        fetched = fetch_text(url, timeout=timeout)
        if fetched is None:
            raise UserError(f"{url} was not found (404); check --base-url")
        text, source = fetched, url
    table = parse_countries(text)
    table = table.append_column("source", pa.array([source] * table.num_rows, pa.string()))
    return warehouse.replace_slice(con, "census_countries", {}, table)
