"""Tariff exemption lists: read a list file (or URL), validate and zero-pad its HTS prefixes, load one list.

A list is a set of HTS prefixes of 4, 6, 8 or 10 digits (heading, subheading, tariff line, statistical
suffix). Two layouts are read, the ones the study's files use:

- a column `HTSUS` (one code or prefix per row; the consumer-electronics and Annex II files), and
- columns `hts_code` and optionally `digits` (the Section 122 file: `digits` says how long the prefix is).

Spreadsheets drop leading zeros, so a prefix one digit short of a valid length (a 7-digit entry whose
`digits` says 8, a 9-digit HS10 code, or any odd length without `digits`) gets its one zero back. Anything
else that is not 4/6/8/10 digits after that makes the whole file refused, with an error naming the rows.
HTS notation (8471.30.01, 8471.30.0100) is read without its dots and never padded; a code a spreadsheet
turned into a number (508000000.0) loses its `.0`; any other dotted entry (8471.3) is refused. A load
replaces the list's previous entries (`replace_slice`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.csv_rows import numbered_rows
from ingestion.errors import UserError
from ingestion.hs import is_digits
from ingestion.locations import is_url, read_location, url_without_secrets
from ingestion.paths import REPO_ROOT

if TYPE_CHECKING:
    import _csv  # the type of csv.reader(...), which the csv module does not export

TABLE = "exemption_list_entries"
VALID_LENGTHS = (4, 6, 8, 10)
SEED_PATH = REPO_ROOT / "seeds" / "exemption_list_consumer_electronics.csv"
_LIST_ID = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_MAX_NAMED_ROWS = 10
_RESERVED_IDS = {"any"}  # exemption_coverage uses `any` for "on at least one list"


@dataclass(frozen=True)
class ExemptionList:
    """What the user says about a list: its id, legal authority and the dates it is in force."""

    list_id: str
    authority: str
    effective_from: date
    effective_to: date | None = None


@dataclass(frozen=True)
class ParsedList:
    """A list file's prefixes in file order, how many were zero-padded, and how many repeated entries were dropped."""

    prefixes: list[str]
    padded: int
    duplicates: int


@dataclass(frozen=True)
class LoadSummary:
    list_id: str
    entries: int
    duplicates_dropped: int
    padded: int
    by_length: dict[int, int]


_SPREADSHEET_FLOAT = re.compile(r"[0-9]+\.0")
# heading.subheading[.rate line[.suffix]], or the suffix written with the rate line (8471.30.0100)
_HTS_NOTATION = re.compile(r"[0-9]{4}(\.[0-9]{2}){1,3}|[0-9]{4}\.[0-9]{2}\.[0-9]{4}")


def normalize_prefix(raw: str, digits: int | None = None) -> tuple[str, bool]:
    """One entry as a zero-padded digit string of length 4/6/8/10, and whether a zero was restored.

    Raises ValueError with the reason when the entry cannot be a valid prefix.
    """
    text = raw.strip()
    if _SPREADSHEET_FLOAT.fullmatch(text):  # a spreadsheet turned the code into a number: 508000000.0
        text = text[:-2]
    elif "." in text:
        if not _HTS_NOTATION.fullmatch(text):
            raise ValueError(f"{raw.strip()!r} is neither a code nor HTS notation (8471.30.01)")
        text = text.replace(".", "")
    if not text:
        raise ValueError("empty code")
    if not is_digits(text):
        raise ValueError(f"{raw.strip()!r} is not digits")
    if digits is not None:
        if digits not in VALID_LENGTHS:
            raise ValueError(f"digits {digits} is not one of {list(VALID_LENGTHS)}")
        if len(text) == digits:
            prefix = text
        elif len(text) == digits - 1:
            prefix = text.zfill(digits)
        else:
            raise ValueError(f"{raw.strip()!r} has {len(text)} digits but the row says {digits}")
    elif len(text) in VALID_LENGTHS:
        prefix = text
    elif len(text) + 1 in VALID_LENGTHS:
        prefix = text.zfill(len(text) + 1)  # odd length: only a lost leading zero explains it
    else:
        raise ValueError(f"{raw.strip()!r} has {len(text)} digits; prefixes have 4, 6, 8 or 10")
    if prefix.startswith("00"):
        raise ValueError(f"{raw.strip()!r} gives chapter 00, which does not exist")
    return prefix, prefix != text


def parse_list(text: str) -> ParsedList:
    """Prefixes of a list file in file order (duplicates removed), how many were zero-padded and how many dropped.

    Raises UserError naming every bad row (1-based line numbers, header = line 1) when any row is bad.
    """
    try:
        return _parse_list_rows(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as error:  # e.g. a field longer than the csv module's limit (131,072 characters)
        raise UserError(f"the exemption list file is not readable CSV: {error}; nothing was loaded") from None


def _parse_list_rows(reader: _csv.Reader) -> ParsedList:
    header = next(reader, None)
    if header is None:
        raise UserError("the exemption list file is empty; expected a header `HTSUS` or `hts_code[,digits]`")
    names = [name.strip().lower() for name in header]
    if "htsus" in names:
        code_index, digits_index = names.index("htsus"), None
    elif "hts_code" in names:
        code_index = names.index("hts_code")
        digits_index = names.index("digits") if "digits" in names else None
    else:
        raise UserError(
            f"the exemption list header {header} has no `HTSUS` or `hts_code` column; "
            "use one code per row under `HTSUS`, or `hts_code` with an optional `digits` column"
        )
    prefixes: list[str] = []
    seen: set[str] = set()
    padded = duplicates = 0
    problems: list[str] = []
    for line_number, row in numbered_rows(reader):
        if not any(cell.strip() for cell in row):  # a blank line, or a spreadsheet's row of empty cells
            continue
        try:
            if code_index >= len(row):
                raise ValueError("the code column is missing")
            digits = None
            if digits_index is not None and digits_index < len(row) and row[digits_index].strip():
                digits_text = row[digits_index].strip()
                if not is_digits(digits_text):
                    raise ValueError(f"digits {digits_text!r} is not a number")
                digits = int(digits_text)
            prefix, was_padded = normalize_prefix(row[code_index], digits)
        except ValueError as error:
            problems.append(f"line {line_number}: {error}")
            continue
        if prefix in seen:
            duplicates += 1
        else:
            seen.add(prefix)
            prefixes.append(prefix)
            padded += was_padded
    if problems:
        shown = "; ".join(problems[:_MAX_NAMED_ROWS])
        more = f" (and {len(problems) - _MAX_NAMED_ROWS} more)" if len(problems) > _MAX_NAMED_ROWS else ""
        raise UserError(
            f"the exemption list has {len(problems)} malformed row(s), nothing was loaded: {shown}{more}. "
            "Fix them (HTS prefixes of 4, 6, 8 or 10 digits) and rerun"
        )
    if not prefixes:
        raise UserError("the exemption list has no entries; nothing was loaded")
    return ParsedList(prefixes, padded, duplicates)


def read_source(file_or_url: str) -> tuple[str, str]:
    """The text of a local file or an http(s) URL, and the provenance to store (a URL without its query)."""
    content = read_location(file_or_url, "exemption list file")
    source = url_without_secrets(file_or_url) if is_url(file_or_url) else f"file:{Path(file_or_url).name}"
    try:
        return content.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        raise UserError(f"{url_without_secrets(file_or_url)} is not UTF-8 text; save it as CSV (UTF-8)") from None


def seed_list_ids(seed_path: Path = SEED_PATH) -> set[str]:
    """List ids of the committed seed lists: a loaded list may not reuse them (the mart unions both)."""
    if not seed_path.exists():
        return set()
    with seed_path.open(encoding="utf-8") as handle:
        return {row["list_id"] for row in csv.DictReader(handle)}


def validate_list(spec: ExemptionList) -> None:
    if not _LIST_ID.match(spec.list_id):
        raise UserError(
            f"list id {spec.list_id!r} must be lower-case letters, digits and underscores, starting with a letter "
            "(e.g. annex_ii or s122_2026)"
        )
    if spec.list_id in seed_list_ids() or spec.list_id in _RESERVED_IDS:
        raise UserError(f"list id {spec.list_id!r} is reserved (a committed seed list, or `any`); choose another id")
    if not spec.authority.strip():
        raise UserError("--authority must name the legal authority (e.g. 'EO 14257 Annex II')")
    if spec.effective_to is not None and spec.effective_to < spec.effective_from:
        raise UserError(f"--effective-to {spec.effective_to} is before --effective-from {spec.effective_from}")


def entries_table(spec: ExemptionList, prefixes: list[str], source: str) -> pa.Table:
    """The rows of raw.exemption_list_entries for one list (loaded_at is filled by replace_slice)."""
    count = len(prefixes)
    return pa.table(
        {
            "list_id": pa.array([spec.list_id] * count, pa.string()),
            "hts_prefix": pa.array(prefixes, pa.string()),
            "prefix_length": pa.array([len(prefix) for prefix in prefixes], pa.int32()),
            "authority": pa.array([spec.authority.strip()] * count, pa.string()),
            "effective_from": pa.array([spec.effective_from] * count, pa.date32()),
            "effective_to": pa.array([spec.effective_to] * count, pa.date32()),
            "source": pa.array([source] * count, pa.string()),
        }
    )


def load_list(con: duckdb.DuckDBPyConnection, spec: ExemptionList, text: str, source: str) -> LoadSummary:
    """Validate the whole list, then replace the list's entries in one transaction."""
    validate_list(spec)
    parsed = parse_list(text)
    rows = entries_table(spec, parsed.prefixes, source)
    written = warehouse.replace_slice(con, TABLE, {"list_id": spec.list_id}, rows)
    by_length: dict[int, int] = {}
    for prefix in parsed.prefixes:
        by_length[len(prefix)] = by_length.get(len(prefix), 0) + 1
    return LoadSummary(spec.list_id, written, parsed.duplicates, parsed.padded, dict(sorted(by_length.items())))


def ingest_exemptions(db_path: Path, file_or_url: str, spec: ExemptionList) -> LoadSummary:
    """Read, validate and load one list into the warehouse at `db_path`."""
    validate_list(spec)
    text, source = read_source(file_or_url)
    con = warehouse.connect(db_path)
    try:
        return load_list(con, spec, text, source)
    finally:
        con.close()
