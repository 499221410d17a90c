"""`aitrade publish`: after a build, publish the marts for BI (read-only serving copy + parquet per mart)."""

import argparse
from pathlib import Path

from ingestion.paths import default_warehouse_path
from ingestion.publish import publish


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="copy the built marts to a read-only serving DuckDB file and parquet files for BI tools",
        description=(
            "Writes <out>/serving.duckdb (open it READ-ONLY in BI tools) and <out>/marts/<mart>.parquet, each "
            "swapped in atomically, so BI never holds the build's lock and the build never waits for BI. "
            "Run it after `dbt build`."
        ),
    )
    parser.add_argument("--db", type=Path, default=default_warehouse_path(), help="DuckDB warehouse file")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for serving.duckdb and marts/ (default: the warehouse's folder)"
    )
    parser.add_argument("--schema", default="marts", help="schema whose tables are published (default: marts)")
    parser.add_argument(
        "--wait",
        type=float,
        default=10.0,
        help="seconds to wait while another process (a build) holds the warehouse lock (default: 10)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    result = publish(args.db, args.out, schema=args.schema, lock_wait_seconds=args.wait)
    size_mb = result.serving_path.stat().st_size / 1e6
    print(
        f"published {len(result.marts)} marts ({result.total_rows:,} rows) from {args.db} in {result.seconds:.1f} s:\n"
        f"  serving copy: {result.serving_path} ({size_mb:.1f} MB; open it read-only, e.g. "
        f"`duckdb -readonly {result.serving_path}`; reconnect to see a newer publication)\n"
        f"  parquet:      {result.parquet_dir}/<mart>.parquet ({', '.join(m.name for m in result.marts)})"
    )
    return 0
