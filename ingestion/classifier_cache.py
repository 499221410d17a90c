"""The classifier's own raw tables: answer cache, failures, runs; and publishing cached answers as labels.

- `raw.label_cache`: every validated answer, keyed by (flow, hs10, context_hash, prompt_version, model), committed
  per batch, so a killed run loses at most the batches in flight and a rerun sends no request for what it holds.
- `raw.label_failures`: codes a run gave up on, with the reason (a later success supersedes them).
- `raw.label_runs`: one row per run (settings, requests, tokens, estimated cost; never the key).
Labels reach `raw.hs10_labels` only through `warehouse.replace_slice` (slice = flow + label_source).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.classifier_prompt import Classification, CodeItem

CACHE_DDL = """
create table if not exists raw.label_cache (
    flow varchar not null,
    hs10 varchar not null,
    context_hash varchar not null,
    prompt_version varchar not null,
    model varchar not null,
    relevance varchar not null,
    primary_category varchar not null,
    confidence integer not null,
    specific_use varchar,
    reasoning varchar,
    description varchar,
    naics varchar,
    prompt_sha256 varchar not null,
    run_id varchar not null,
    classified_at timestamp not null,
    primary key (flow, hs10, context_hash, prompt_version, model)
)
"""
FAILURES_DDL = """
create table if not exists raw.label_failures (
    run_id varchar not null,
    flow varchar not null,
    hs10 varchar not null,
    context_hash varchar not null,
    prompt_version varchar not null,
    model varchar not null,
    reason varchar not null,
    failed_at timestamp not null
)
"""
RUNS_DDL = """
create table if not exists raw.label_runs (
    run_id varchar primary key,
    flow varchar not null,
    model varchar not null,
    prompt_version varchar not null,
    label_source varchar not null,
    endpoint varchar,
    batch_size integer not null,
    concurrency integer not null,
    codes integer not null,
    cache_hits integer not null,
    classified integer,
    failed integer,
    requests integer,
    prompt_tokens bigint,
    completion_tokens bigint,
    estimated_cost_usd double,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null
)
"""


def ensure_classifier_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for ddl in (CACHE_DDL, FAILURES_DDL, RUNS_DDL):
        con.execute(ddl)


def close_abandoned_runs(con: duckdb.DuckDBPyConnection) -> int:
    """Mark runs still `running` as `abandoned`, with the answers and failures they committed; returns how many.

    Only one process can write a DuckDB file, so a `running` row seen by a writer is a run that died without
    finishing (kill -9, power loss). Its tokens and cost stay unknown (null)."""
    (abandoned,) = con.execute("select count(*) from raw.label_runs where status = 'running'").fetchone()
    if abandoned:
        con.execute(
            """
            update raw.label_runs as runs set status = 'abandoned',
                classified = (select count(*) from raw.label_cache as answers where answers.run_id = runs.run_id),
                failed = (select count(*) from raw.label_failures as failures where failures.run_id = runs.run_id)
            where runs.status = 'running'
            """
        )
    return abandoned


def label_source_for(model: str, prompt_version: str) -> str:
    """The label_source of a classifier run: `classifier:<model>:<prompt_version>`."""
    return f"classifier:{model}:{prompt_version}"


def cached_codes(
    con: duckdb.DuckDBPyConnection, flow: str, items: Iterable[CodeItem], prompt_version: str, model: str
) -> set[str]:
    """Codes of `items` whose exact cache key is already answered."""
    keys = pa.table(
        {
            "hs10": [i.hs10 for i in items],
            "context_hash": [i.context_hash for i in items],
        }
    )
    con.register("__label_keys", keys)
    try:
        rows = con.execute(
            """
        select k.hs10 from __label_keys as k
        join raw.label_cache as c
            on c.hs10 = k.hs10 and c.context_hash = k.context_hash
        where c.flow = ? and c.prompt_version = ? and c.model = ?
        """,
            [flow, prompt_version, model],
        ).fetchall()
    finally:
        con.unregister("__label_keys")
    return {r[0] for r in rows}


def check_prompt_unchanged(con: duckdb.DuckDBPyConnection, prompt_version: str, prompt_sha256: str) -> str | None:
    """The sha256 the cache holds for this prompt version when it differs from the file's (None when fine)."""
    row = con.execute(
        "select any_value(prompt_sha256) from raw.label_cache where prompt_version = ? and prompt_sha256 <> ?",
        [prompt_version, prompt_sha256],
    ).fetchone()
    return row[0] if row else None


def store_answers(
    con: duckdb.DuckDBPyConnection,
    flow: str,
    answers: list[tuple[CodeItem, Classification]],
    prompt_version: str,
    prompt_sha256: str,
    model: str,
    run_id: str,
) -> None:
    """Commit one batch of validated answers (one transaction; an existing key is kept, never duplicated)."""
    if not answers:
        return
    now = warehouse.utc_now()
    rows = pa.table(
        {
            "flow": [flow] * len(answers),
            "hs10": [i.hs10 for i, _ in answers],
            "context_hash": [i.context_hash for i, _ in answers],
            "prompt_version": [prompt_version] * len(answers),
            "model": [model] * len(answers),
            "relevance": [a.relevance for _, a in answers],
            "primary_category": [a.primary_category for _, a in answers],
            "confidence": pa.array([a.confidence for _, a in answers], pa.int32()),
            "specific_use": [a.specific_use for _, a in answers],
            "reasoning": [a.reasoning for _, a in answers],
            "description": [i.description for i, _ in answers],
            "naics": [i.naics for i, _ in answers],
            "prompt_sha256": [prompt_sha256] * len(answers),
            "run_id": [run_id] * len(answers),
            "classified_at": pa.array([now] * len(answers), pa.timestamp("us")),
        }
    )
    con.register("__label_answers", rows)
    try:
        con.execute("begin")
        try:
            con.execute("insert or ignore into raw.label_cache by name select * from __label_answers")
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        con.unregister("__label_answers")


def store_failures(
    con: duckdb.DuckDBPyConnection,
    flow: str,
    failures: list[tuple[CodeItem, str]],
    prompt_version: str,
    model: str,
    run_id: str,
) -> None:
    if not failures:
        return
    now = warehouse.utc_now()
    con.executemany(
        "insert into raw.label_failures values (?, ?, ?, ?, ?, ?, ?, ?)",
        [[run_id, flow, i.hs10, i.context_hash, prompt_version, model, reason, now] for i, reason in failures],
    )


def publish_labels(
    con: duckdb.DuckDBPyConnection, flow: str, prompt_version: str, model: str, current: list[CodeItem]
) -> int:
    """Replace the `raw.hs10_labels` slice of this classifier (flow, label_source) with its cached answers.

    One row per code: the answer to the code's `current` context (description and NAICS) when the cache holds
    one, even if an answer to another description is newer (a description changed and changed back); for a code
    outside `current` (a run over some codes), the answer published now; else the newest answer of this model and
    prompt version.
    """
    source = label_source_for(model, prompt_version)
    contexts = pa.table(
        {"hs10": [item.hs10 for item in current], "context_hash": [item.context_hash for item in current]},
        schema=pa.schema([("hs10", pa.string()), ("context_hash", pa.string())]),
    )
    con.register("__current_contexts", contexts)
    try:
        rows = con.execute(
            """
            select
                answers.flow, answers.hs10, ? as label_source, answers.relevance, answers.primary_category,
                answers.confidence, answers.specific_use, answers.reasoning, answers.description, answers.model,
                answers.prompt_version, answers.classified_at
            from raw.label_cache as answers
            left join __current_contexts as current_contexts
                on answers.hs10 = current_contexts.hs10 and answers.context_hash = current_contexts.context_hash
            left join raw.hs10_labels as published
                on
                    answers.flow = published.flow
                    and published.label_source = ?
                    and answers.hs10 = published.hs10
                    and answers.classified_at = published.classified_at
            where answers.flow = ? and answers.prompt_version = ? and answers.model = ?
            qualify row_number() over (
                partition by answers.hs10
                order by
                    current_contexts.hs10 is not null desc,
                    published.hs10 is not null desc,
                    answers.classified_at desc,
                    answers.context_hash
            ) = 1
            order by answers.hs10
            """,
            [source, source, flow, prompt_version, model],
        ).to_arrow_table()
    finally:
        con.unregister("__current_contexts")
    return warehouse.replace_slice(con, "hs10_labels", {"flow": flow, "label_source": source}, rows)
