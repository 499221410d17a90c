"""`aitrade demo`: generate and load the synthetic demo data (deterministic; a rerun changes nothing)."""

import argparse
from pathlib import Path

from ingestion.demo import DEFAULT_SEED, load_demo
from ingestion.paths import default_warehouse_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="load the SYNTHETIC demo data (Census-shaped trade 2022-01..2026-01, labels, concordances)",
        description=__doc__,
    )
    parser.add_argument("--db", type=Path, default=default_warehouse_path(), help="DuckDB warehouse file")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"generator seed (default {DEFAULT_SEED})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    summary = load_demo(args.db, seed=args.seed)
    rows = ", ".join(f"{flow} {count:,}" for flow, count in summary.trade_rows.items())
    print(
        f"demo data (SYNTHETIC, source='demo', seed {summary.seed}) in {args.db}: "
        f"{summary.partitions_loaded} partitions loaded, {summary.partitions_skipped} unchanged (skipped); "
        f"trade rows {rows}; {summary.slices_replaced} reference slices written, "
        f"{summary.slices_unchanged} unchanged; {summary.seconds:.1f} s"
    )
    return 0
