"""`aitrade`: the command line. Each command group lives in `ingestion/commands/<group>.py` with a `register`."""

import argparse
import logging
import os
import sys

from ingestion.commands import (
    census,
    concordance,
    countries,
    demo,
    exemptions,
    headlines,
    labels,
    load,
    publish,
)
from ingestion.errors import UserError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aitrade", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    groups = parser.add_subparsers(dest="command", required=True)
    demo.register(groups)
    load.register(groups)
    ingest = groups.add_parser("ingest", help="fetch and load Census trade, concordances, countries, exemption lists")
    sources = ingest.add_subparsers(dest="source", required=True)
    census.register(sources)
    concordance.register(sources)
    countries.register(sources)
    exemptions.register(sources)
    labels.register(groups)
    publish.register(groups)
    headlines.register(groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: completed partitions are kept; rerun the same command to resume", file=sys.stderr)
        # Every load has committed or rolled back by now. Exit at once: Python would otherwise wait for worker
        # threads blocked on a network read (a hung Census or LLM request) until their timeout, minutes later.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)


if __name__ == "__main__":
    sys.exit(main())
