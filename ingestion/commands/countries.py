"""`aitrade ingest countries`: the Census country list (country.txt) into raw.census_countries."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingestion import warehouse
from ingestion.countries import DEFAULT_BASE_URL, ingest_countries
from ingestion.paths import default_warehouse_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("countries", help="load the Census country list (country.txt, Schedule C)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"folder (default {DEFAULT_BASE_URL})")
    source.add_argument("--from-file", type=Path, help="a local country.txt")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: the profile's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    con = warehouse.connect(args.db or default_warehouse_path())
    try:
        count = ingest_countries(con, base_url=args.base_url, from_file=args.from_file)
    finally:
        con.close()
    print(f"census countries: {count} codes loaded into raw.census_countries")
    return 0
