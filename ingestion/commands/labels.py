"""`aitrade labels import|classify|audit`: HS10 relevance labels."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from ingestion import warehouse
from ingestion.classifier import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CONCURRENCY,
    DEFAULT_MODEL,
    ClassifierSettings,
    run_classification,
)
from ingestion.classifier_universe import codes_to_classify
from ingestion.commands import positive_int, positive_number
from ingestion.labels import audit_labels, format_audit, import_labels
from ingestion.paths import default_warehouse_path
from ingestion.schema import FLOWS
from ingestion.secrets import openai_api_key

OPENAI_BASE_URL_ENV = "OPENAI_BASE_URL"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("labels", help="HS10 relevance labels: import a file, classify, audit")
    commands = parser.add_subparsers(dest="labels_command", required=True)

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, default=default_warehouse_path(), help="warehouse DuckDB file")

    classify = commands.add_parser(
        "classify",
        help="classify codes without a label with an LLM (any OpenAI-compatible endpoint)",
        description="Classify every code of the flow's concordance or trade data that has no imported label or "
        "override, in batches with structured output. The key comes from OPENAI_API_KEY (unset for a local "
        "server). Answers are cached: a rerun sends no request for what it already has.",
    )
    classify.add_argument("--flow", choices=FLOWS, required=True)
    classify.add_argument("--model", default=DEFAULT_MODEL, help=f"model name (default {DEFAULT_MODEL})")
    classify.add_argument(
        "--base-url",
        default=os.environ.get(OPENAI_BASE_URL_ENV),
        help="OpenAI-compatible endpoint, e.g. http://localhost:8000/v1 for vLLM or http://localhost:11434/v1 "
        f"for Ollama (default ${OPENAI_BASE_URL_ENV} or OpenAI)",
    )
    classify.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="codes per request")
    classify.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY, help="requests in flight")
    classify.add_argument(
        "--timeout", type=positive_number, default=120.0, help="seconds to wait for one answer (default 120)"
    )
    classify.add_argument("--limit", type=positive_int, help="classify at most the first N codes (in code order)")
    classify.add_argument(
        "--codes", type=Path, help="classify exactly these codes: one per line, or a CSV with hs10[,description]"
    )
    classify.add_argument("--dry-run", action="store_true", help="print requests, tokens and cost; send nothing")
    db_option(classify)
    classify.set_defaults(func=run_classify)

    imp = commands.add_parser("import", help="load a published label file (CSV path or URL)")
    imp.add_argument("location", metavar="FILE_OR_URL")
    imp.add_argument("--flow", choices=FLOWS, required=True)
    imp.add_argument("--source", required=True, help="label_source name for these labels, e.g. 'study'")
    db_option(imp)
    imp.set_defaults(func=run_import)

    audit = commands.add_parser("audit", help="compare two label sources (agreement and trade at stake)")
    audit.add_argument("--a", required=True, metavar="SOURCE", help="label_source A (rows of the matrix)")
    audit.add_argument("--b", required=True, metavar="SOURCE", help="label_source B (columns of the matrix)")
    audit.add_argument("--year", type=int, default=2025, help="year whose trade weighs disagreements (2025)")
    audit.add_argument("--top", type=positive_int, default=10, help="disagreements to list (10)")
    db_option(audit)
    audit.set_defaults(func=run_audit)


def run_classify(args: argparse.Namespace) -> int:
    api_key = openai_api_key()
    # The openai client logs request options at DEBUG; keep it (and httpx) quiet whatever -v says.
    for name in ("openai", "httpx", "httpcore", "httpx2", "httpcore2"):
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = ClassifierSettings(
        flow=args.flow,
        model=args.model,
        base_url=args.base_url,
        api_key=api_key,
        batch_size=args.batch_size,
        concurrency=args.concurrency,
        timeout=args.timeout,
    )
    con = warehouse.connect(args.db)
    try:
        items, note = codes_to_classify(con, args.flow, args.codes, args.limit)
        print(note)
        summary = run_classification(con, items, settings, dry_run=args.dry_run)
    finally:
        con.close()
    return 1 if summary.outcome.failures else 0


def run_import(args: argparse.Namespace) -> int:
    con = warehouse.connect(args.db)
    try:
        result = import_labels(con, args.location, args.flow, args.source)
    finally:
        con.close()
    by_relevance = ", ".join(f"{k} {result.by_relevance.get(k, 0):,}" for k in ("High", "Medium", "Low"))
    print(
        f"imported {result.rows:,} {result.flow} labels as {result.label_source!r} from {result.location} "
        f"({by_relevance}; {result.padded:,} codes zero-padded)"
    )
    return 0


def run_audit(args: argparse.Namespace) -> int:
    con = warehouse.connect(args.db, read_only=True)
    try:
        reports = audit_labels(con, args.a, args.b, year=args.year, top=args.top)
    finally:
        con.close()
    print("\n\n".join(format_audit(report) for report in reports))
    return 0
