"""`aitrade ingest census`: Census HS10 x country x month imports/exports into raw.census_<flow>."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingestion.census import CensusIngestConfig, run_census_ingest
from ingestion.census_plan import DEFAULT_BASE_URL, parse_countries, parse_month
from ingestion.errors import UserError
from ingestion.paths import default_warehouse_path
from ingestion.retry import RetryPolicy
from ingestion.schema import FLOWS, flows_of
from ingestion.secrets import census_api_key


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "census",
        help="fetch Census HS10 trade by country and month (key from CENSUS_API_KEY)",
        description="Fetch U.S. HS10 x country x month trade from the Census International Trade API into "
        "raw.census_imports / raw.census_exports. Resumable: complete partitions are skipped. The key is read "
        "from CENSUS_API_KEY. This product uses the Census Bureau Data API but is not endorsed or certified "
        "by the Census Bureau.",
    )
    parser.add_argument("--flow", choices=[*FLOWS, "both"], default="both")
    parser.add_argument("--start", default="2013-01", help="first month, YYYY-MM (default 2013-01)")
    parser.add_argument("--end", default="latest", help="last month, YYYY-MM or `latest` (default)")
    parser.add_argument(
        "--countries",
        default="all",
        help="`all` (every country in raw.census_countries) or codes, e.g. 5700,1220; the world total `-` is always "
        "fetched too, so the build can check that the countries add up to it",
    )
    parser.add_argument(
        "--refresh-months",
        type=int,
        default=0,
        metavar="N",
        help="re-pull the trailing N months and replace their rows (Census revises history; 13 is typical)",
    )
    parser.add_argument("--concurrency", type=int, default=4, metavar="N", help="parallel requests (default 4)")
    parser.add_argument(
        "--max-rps", type=float, default=2.0, metavar="R", help="at most R requests per second (default 2)"
    )
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"API root (default {DEFAULT_BASE_URL})")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    parser.add_argument("--max-retries", type=int, default=5, help="retries per request (default 5)")
    parser.add_argument(
        "--retry-base-delay", type=float, default=1.0, help="first backoff in seconds, doubled each retry"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--db", type=Path, default=None, help="warehouse file (default: profile's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise UserError("--concurrency must be at least 1")
    if args.refresh_months < 0:
        raise UserError("--refresh-months must be 0 or more")
    config = CensusIngestConfig(
        db_path=args.db or default_warehouse_path(),
        flows=flows_of(args.flow),
        start=parse_month(args.start, "--start"),
        end=None if args.end.strip().lower() == "latest" else parse_month(args.end, "--end"),
        countries=parse_countries(args.countries),
        refresh_months=args.refresh_months,
        concurrency=args.concurrency,
        max_rps=args.max_rps,
        base_url=args.base_url,
        timeout=args.timeout,
        retry=RetryPolicy(max_retries=args.max_retries, base_delay=args.retry_base_delay),
        progress=not args.no_progress,
    )
    summary = run_census_ingest(config, census_api_key())
    print(summary.render(), file=sys.stdout)
    return 1 if summary.failures else 0
