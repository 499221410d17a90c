"""`aitrade headlines`: print where the warehouse and docs are and the study's three headline numbers."""

import argparse
from pathlib import Path

from ingestion.headlines import format_headlines, read_headlines
from ingestion.paths import REPO_ROOT, default_warehouse_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("headlines", help="print the headline numbers of a built warehouse")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: the dbt profile's)")
    parser.add_argument("--flow", choices=["imports", "exports"], default="imports")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    db_path = args.db or default_warehouse_path()
    print(f"Warehouse: {db_path.resolve()}")
    print(f"Docs:      {(REPO_ROOT / 'target' / 'index.html')} (serve with `.venv/bin/dbt docs serve`)")
    print(format_headlines(read_headlines(db_path, args.flow)))
    return 0
