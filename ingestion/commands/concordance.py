"""`aitrade ingest concordance`: Census imp-code.txt / exp-code.txt of a year into raw.concordance_<flow>."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingestion import warehouse
from ingestion.concordance import DEFAULT_BASE_URL, ingest_concordance
from ingestion.errors import UserError
from ingestion.paths import default_warehouse_path
from ingestion.schema import FLOWS, flows_of


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "concordance", help="load the Census HS10 concordance (imp-code.txt / exp-code.txt) of a year"
    )
    parser.add_argument("--year", type=int, required=True, help="concordance year, e.g. 2025")
    parser.add_argument("--flow", choices=[*FLOWS, "both"], default="both")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"files folder (default {DEFAULT_BASE_URL})")
    source.add_argument("--from-file", type=Path, help="a local imp-code.txt / exp-code.txt (needs one --flow)")
    parser.add_argument("--structure-file", type=Path, help="a local imp-stru.txt / exp-stru.txt for the layout")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: the profile's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 1989 <= args.year <= 2100:
        raise UserError(f"--year {args.year} is not a concordance year")
    flows = flows_of(args.flow)
    if args.from_file is not None and len(flows) != 1:
        raise UserError("--from-file reads one file: add --flow imports or --flow exports")
    con = warehouse.connect(args.db or default_warehouse_path())
    try:
        for flow in flows:
            result = ingest_concordance(
                con,
                args.year,
                flow,
                base_url=args.base_url,
                from_file=args.from_file,
                structure_file=args.structure_file,
            )
            print(f"concordance {flow} {result.year}: {result.rows:,} HS10 codes ({result.layout_source})")
    finally:
        con.close()
    return 0
