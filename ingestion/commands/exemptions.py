"""`aitrade ingest exemptions`: load a tariff exemption list (a user's CSV file or URL) into the warehouse."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from ingestion.exemptions import ExemptionList, ingest_exemptions
from ingestion.paths import default_warehouse_path


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exemptions",
        help="load a tariff exemption list (HTS prefixes of 4/6/8/10 digits) into raw.exemption_list_entries",
        description=(
            "Reads a CSV with a column HTSUS, or hts_code with an optional digits column; zero-pads prefixes "
            "that lost one leading zero; refuses a malformed file whole; a reload of the same --list replaces it."
        ),
    )
    parser.add_argument("file_or_url", metavar="FILE_OR_URL", help="a CSV file or an http(s) URL")
    parser.add_argument("--list", dest="list_id", required=True, help="list id, e.g. annex_ii or s122_2026")
    parser.add_argument("--authority", required=True, help="legal authority, e.g. 'EO 14257 Annex II'")
    parser.add_argument("--effective-from", type=_date, required=True, help="first day in force (YYYY-MM-DD)")
    parser.add_argument("--effective-to", type=_date, default=None, help="last day in force (YYYY-MM-DD)")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: the profile's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = ExemptionList(args.list_id, args.authority, args.effective_from, args.effective_to)
    summary = ingest_exemptions(args.db or default_warehouse_path(), args.file_or_url, spec)
    lengths = ", ".join(f"{count} x {length} digits" for length, count in summary.by_length.items())
    print(
        f"exemption list {summary.list_id}: {summary.entries} entries ({lengths}) loaded into "
        f"raw.exemption_list_entries; {summary.padded} zero-padded, {summary.duplicates_dropped} duplicates dropped. "
        "Run `dbt build` to update the exemption marts."
    )
    return 0
