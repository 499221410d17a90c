"""Census concordances (`imp-code.txt`, `exp-code.txt`): fixed-width HS10 -> descriptions, units, SITC, end use,
NAICS, USDA, hi-tech, one file per year, into raw.concordance_imports / raw.concordance_exports keyed by (year, hs10).

The layout is read from the year's structure file (`imp-stru.txt` / `exp-stru.txt`, lines such as
`1-10  COMMODITY`) when it is available, else the documented concordance layout (CONCORD.TXT of IMDB/EXDB):

    commodity 1-10, descriptn 11-160, abbreviatn 161-210, unit_qy1 211-213, unit_qy2 214-216, sitc 217-221,
    end_use 222-226, naics 227-232, usda 233, hitech 234-235

Everything stays text (leading zeros kept, NAICS such as `3341XX` kept). A line cut short (trailing blanks
stripped, or a truncated description) is padded, so missing trailing fields become null. Blank lines, and text lines
before the first record (a header), are skipped; any other line must start with a commodity code in its columns, else
the load stops naming the line. Files are read as UTF-8 when valid (BOM dropped), else latin-1 (Census's own files).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.census_client import decode_census_file, fetch_text
from ingestion.errors import UserError
from ingestion.hs import is_digits, pad_hs_code

DEFAULT_BASE_URL = "https://www.census.gov/foreign-trade/schedules/b"
FILE_NAMES = {"imports": ("imp-code.txt", "imp-stru.txt"), "exports": ("exp-code.txt", "exp-stru.txt")}
COLUMNS = (
    "hs10",
    "description_long",
    "description_short",
    "unit_qy1",
    "unit_qy2",
    "sitc",
    "end_use",
    "naics",
    "usda",
    "hitech",
)


@dataclass(frozen=True)
class Field:
    column: str
    start: int  # 1-based, inclusive
    end: int  # 1-based, inclusive


DOCUMENTED_LAYOUT: tuple[Field, ...] = (
    Field("hs10", 1, 10),
    Field("description_long", 11, 160),
    Field("description_short", 161, 210),
    Field("unit_qy1", 211, 213),
    Field("unit_qy2", 214, 216),
    Field("sitc", 217, 221),
    Field("end_use", 222, 226),
    Field("naics", 227, 232),
    Field("usda", 233, 233),
    Field("hitech", 234, 235),
)

# names used in the -stru files and layouts -> our column
_ALIASES = {
    "commodity": "hs10",
    "hts": "hs10",
    "schedule_b": "hs10",
    "schb": "hs10",
    "descriptn": "description_long",
    "description": "description_long",
    "long_description": "description_long",
    "desc_long": "description_long",
    "abbreviatn": "description_short",
    "short_description": "description_short",
    "abbreviation": "description_short",
    "desc_short": "description_short",
    "unit_qy1": "unit_qy1",
    "quantity_1": "unit_qy1",
    "unit_of_quantity": "unit_qy1",
    "unit_qty1": "unit_qy1",
    "unit_qy2": "unit_qy2",
    "quantity_2": "unit_qy2",
    "unit_qty2": "unit_qy2",
    "sitc": "sitc",
    "end_use": "end_use",
    "enduse": "end_use",
    "naics": "naics",
    "usda": "usda",
    "hitech": "hitech",
    "hi_tech": "hitech",
    "high_tech": "hitech",
}
_STRU_LINE = re.compile(r"^\s*(\d+)(?:\s*-\s*(\d+))?\s+([A-Za-z][\w ]*?)\s*(?:\(|$|\s{2,}|\t)")


def parse_structure(text: str) -> tuple[Field, ...]:
    """Field positions from an `imp-stru.txt`-style file (`start-end NAME ...` lines); unknown names ignored."""
    fields: list[Field] = []
    seen: set[str] = set()
    for line in text.splitlines():
        match = _STRU_LINE.match(line)
        if not match:
            continue
        start, end = int(match.group(1)), int(match.group(2) or match.group(1))
        name = re.sub(r"\W+", "_", match.group(3).strip().lower()).strip("_")
        column = _ALIASES.get(name) or _ALIASES.get(name.split("_")[0])
        if column and column not in seen and start <= end:
            fields.append(Field(column, start, end))
            seen.add(column)
    if "hs10" not in seen or len(fields) < 3:
        raise UserError("the concordance structure file has no usable `start-end NAME` lines (need COMMODITY)")
    return tuple(fields)


def _is_header(line: str, records_so_far: int, code_field: Field) -> bool:
    """A text line before the first record (a title or column names): its code columns hold text and no digit. After
    the first record every non-blank line is a record; a code with a letter in it (`O101210010`) or blank code
    columns are records to refuse, never a header to skip."""
    code = line[code_field.start - 1 : code_field.end]
    return records_so_far == 0 and bool(code.strip()) and not any(is_digits(char) for char in code)


def _commodity_code(line: str, number: int, code_field: Field) -> str:
    """The line's zero-padded HS10, or an error: a skipped line would silently drop a commodity."""
    field = line[code_field.start - 1 : code_field.end]
    try:
        return pad_hs_code(field)
    except ValueError:
        raise UserError(
            f"concordance line {number}: columns {code_field.start}-{code_field.end} hold {field!r}, not a 10-digit "
            "commodity code (a code that lost its leading zero must stay right-aligned, else every field shifts); "
            "fix the line and rerun"
        ) from None


def parse_concordance(text: str, year: int, layout: tuple[Field, ...] = DOCUMENTED_LAYOUT) -> pa.Table:
    """The fixed-width lines of a concordance as raw columns (without source/loaded_at)."""
    width = max(f.end for f in layout)
    by_column = {f.column: f for f in layout}
    code_field = by_column["hs10"]
    values: dict[str, list[str | None]] = {c: [] for c in COLUMNS}
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw_line.rstrip("\r\n")
        if not line.strip() or _is_header(line, len(seen), code_field):
            continue
        code = _commodity_code(line, number, code_field)
        if code in seen:
            raise UserError(f"line {number}: commodity {code} already on line {seen[code]}; is this a concordance?")
        seen[code] = number
        line = line.ljust(width)
        for column in COLUMNS:
            spec = by_column.get(column)
            if column == "hs10":
                values[column].append(code)
            elif spec is None:
                values[column].append(None)
            else:
                values[column].append(line[spec.start - 1 : spec.end].strip() or None)
    if not seen:
        raise UserError("no concordance lines found (expected 10-digit codes in columns 1-10)")
    table = pa.table({c: pa.array(v, pa.string()) for c, v in values.items()})
    return table.add_column(0, "year", pa.array([year] * table.num_rows, pa.int32()))


@dataclass(frozen=True)
class ConcordanceResult:
    flow: str
    year: int
    rows: int
    layout_source: str


def ingest_concordance(
    con: duckdb.DuckDBPyConnection,
    year: int,
    flow: str,
    *,
    base_url: str = DEFAULT_BASE_URL,
    from_file: Path | None = None,
    structure_file: Path | None = None,
    timeout: float = 60.0,
) -> ConcordanceResult:
    """Download (or read) one year's concordance for a flow and replace that year's rows atomically."""
    code_name, stru_name = FILE_NAMES[flow]
    if from_file is not None:
        if not from_file.is_file():
            raise UserError(f"concordance file {from_file} does not exist")
        text = decode_census_file(from_file.read_bytes())
        source = f"file:{from_file.name}"
        structure = decode_census_file(structure_file.read_bytes()) if structure_file else None
    else:
        url = f"{base_url.rstrip('/')}/{year}/{code_name}"
        fetched = fetch_text(url, timeout=timeout)
        if fetched is None:
            raise UserError(f"{url} was not found (404): is {year} published? check --year and --base-url")
        text, source = fetched, url
        structure = (
            decode_census_file(structure_file.read_bytes())
            if structure_file
            else fetch_text(f"{base_url.rstrip('/')}/{year}/{stru_name}", timeout=timeout)
        )
    layout, layout_source = DOCUMENTED_LAYOUT, "documented layout"
    if structure:
        layout, layout_source = parse_structure(structure), stru_name
    table = parse_concordance(text, year, layout)
    table = table.append_column("source", pa.array([source] * table.num_rows, pa.string()))
    rows = warehouse.replace_slice(con, f"concordance_{flow}", {"year": year}, table)
    return ConcordanceResult(flow, year, rows, layout_source)
