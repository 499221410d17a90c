"""`aitrade ingest census`: plan, fetch (concurrently, paced), parse and load Census HS10 trade by partition.

The run is resumable by construction: each request is one partition loaded atomically by
`warehouse.load_trade_partition` (or recorded empty for a 204), and a partition is skipped when its current
manifest row is complete for exactly the request planned now. `--refresh-months N` re-pulls every partition that
touches the trailing N months with `replace=True`, so a revision supersedes the old vintage in the manifest.

Only worker threads talk HTTP and parse; the main thread owns the DuckDB connection and loads partitions in
completion order, several per transaction (`warehouse.load_trade_partitions`): each commit costs a WAL fsync, and
most partitions (small partners' country-years) hold a few thousand rows, so one commit per partition would make
the commit, not the data, the bottleneck. The partitions of a batch with data load in one transaction (one per
replace flag), all or nothing; empty ones (204) are recorded one by one. A batch is loaded when it reaches
`LOAD_BATCH_ROWS` rows, `LOAD_BATCH_PARTITIONS` partitions or `LOAD_BATCH_SECONDS` of waiting, even while a slow
request is still in flight. At most `2 * concurrency` requests are in flight.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from ingestion import warehouse
from ingestion.census_client import (
    CensusClient,
    FetchFailedError,
    MalformedResponse,
    TooLargeError,
)
from ingestion.census_parse import ParsedPart, parse_payload
from ingestion.census_plan import (
    CHAPTERS,
    DEFAULT_BASE_URL,
    DEFAULT_MONTHLY_CODES,
    VALUE_VARIABLE,
    WORLD_TOTAL,
    PlannedRequest,
    covering_stored_months,
    format_month,
    month_of,
    plan_requests,
    refresh_window,
)
from ingestion.errors import RejectedRows, UserError
from ingestion.paths import landing_dir
from ingestion.retry import RetryPolicy
from ingestion.schema import RAW_SCHEMA

log = logging.getLogger(__name__)
_LATEST_PROBES = 12
LOAD_BATCH_ROWS = 250_000
LOAD_BATCH_PARTITIONS = 64
LOAD_BATCH_SECONDS = 5.0  # at Census's pace, do not keep fetched partitions unloaded for longer than this
# A batch this large whose every partition the loader refuses means Census's answers changed shape: stop the run
# rather than fetch the whole plan to refuse it.
ALL_REFUSED_STOP = 5


@dataclass(frozen=True)
class CensusIngestConfig:
    db_path: Path
    flows: tuple[str, ...] = ("imports", "exports")
    start: int = 2013 * 12  # month index (see census_plan.parse_month)
    end: int | None = None  # None = the latest month Census has published
    countries: tuple[str, ...] | None = None  # None = every country in raw.census_countries + world total
    refresh_months: int = 0
    concurrency: int = 4
    max_rps: float = 2.0
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    monthly_codes: frozenset[str] = DEFAULT_MONTHLY_CODES
    comm_level: str = "HS10"
    today: date | None = None
    progress: bool = True
    source: str = "census_api"


@dataclass
class CensusSummary:
    planned: int = 0
    skipped_complete: int = 0
    loaded: int = 0
    unchanged: int = 0
    empty: int = 0
    split_by_chapter: int = 0
    rows: int = 0
    dropped_other_countries: int = 0
    end_month: str = ""
    client_counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    dollars: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def render(self) -> str:
        c = self.client_counts
        lines = [
            f"census ingest through {self.end_month}: {self.planned} partitions planned, "
            f"{self.skipped_complete} already complete (skipped)",
            f"  requests {c.get('requests', 0)}, retries {c.get('retries', 0)}, "
            f"204 empty {c.get('empty_204', 0)}, timeouts {c.get('timeouts', 0)}, "
            f"malformed {c.get('malformed', 0)}, split by chapter {self.split_by_chapter}",
            f"  partitions loaded {self.loaded}, unchanged {self.unchanged}, empty {self.empty}, "
            f"failed {len(self.failures)}",
            f"  rows loaded {self.rows:,} (rows of other countries dropped: {self.dropped_other_countries:,})",
        ]
        if self.dollars:
            flows = sorted({f for f, _ in self.dollars})
            lines.append("  dollars loaded (country detail, world total excluded) by month:")
            lines.append("    month  " + "".join(f"{f:>22}" for f in flows))
            for month in sorted({m for _, m in self.dollars}):
                cells = "".join(f"{self.dollars.get((f, month), 0):>22,}" for f in flows)
                lines.append(f"    {month}{cells}")
            totals = "".join(f"{sum(v for (g, _), v in self.dollars.items() if g == f):>22,}" for f in flows)
            lines.append(f"    total  {totals}")
        for failure in self.failures:
            lines.append(f"  FAILED {failure}")
        if self.failures:
            lines.append("  rerun the same command to retry the failed partitions (completed ones are kept)")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Fetched:
    request: PlannedRequest
    table: pa.Table | None  # None = Census had no data (204)
    dropped: int
    split: bool


def run_census_ingest(config: CensusIngestConfig, key: str) -> CensusSummary:
    """Fetch and load everything `config` asks for; returns the summary (failures listed, not raised)."""
    summary = CensusSummary()
    con = warehouse.connect(config.db_path)
    try:
        countries = config.countries or _all_countries(con)
        with CensusClient(
            config.base_url,
            key,
            timeout=config.timeout,
            max_rps=config.max_rps,
            retry=config.retry,
            pool_size=max(config.concurrency, 1),
        ) as client:
            try:
                try:
                    end = _resolve_end(client, config)
                except FetchFailedError as error:
                    raise UserError(
                        f"could not reach the Census API at {config.base_url} to find the latest month: {error}. "
                        "Check --base-url and your connection, then rerun."
                    ) from None
                summary.end_month = format_month(end)
                plan = plan_requests(
                    config.flows, countries, config.start, end, config.monthly_codes, config.comm_level
                )
                summary.planned = len(plan)
                todo = _to_fetch(con, plan, refresh_window(end, config.refresh_months))
                summary.skipped_complete = len(plan) - len(todo)
                _fetch_and_load(con, client, config, todo, summary)
            finally:
                summary.client_counts = dict(client.stats.counts)
    finally:
        con.close()
    return summary


def _all_countries(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    codes = [
        row[0]
        for row in con.execute(
            f"select distinct cty_code from {RAW_SCHEMA}.census_countries "
            "where regexp_full_match(cty_code, '[0-9]{4}') and cty_code not like '00%' order by cty_code"
        ).fetchall()
    ]
    if not codes:
        raise UserError(
            "--countries all needs the Census country list in the warehouse: run `aitrade ingest countries` "
            "first (or pass --countries CODE,... e.g. 5700,1220)"
        )
    return (*codes, WORLD_TOTAL)


def _resolve_end(client: CensusClient, config: CensusIngestConfig) -> int:
    """The last month to fetch: `--end` (or today's previous month for `latest`), clamped to the latest month
    Census has published. The probe is one small world-total request per month tried; it also checks the key
    before anything is written."""
    today = config.today or datetime.now(UTC).date()
    ceiling = month_of(today) - 1
    wanted = ceiling if config.end is None else config.end
    flow = config.flows[0]
    value = VALUE_VARIABLE[flow]
    for month in range(min(wanted, ceiling), min(wanted, ceiling) - _LATEST_PROBES, -1):
        params = [
            ("get", f"CTY_CODE,{value}"),
            ("COMM_LVL", "HS2"),
            ("CTY_CODE", WORLD_TOTAL),
            ("time", format_month(month)),
        ]
        if client.get(f"{flow}/hs", params, _probe_rows):
            if month < wanted and config.end is not None:
                log.warning(
                    "Census has published %s data only through %s; fetching through %s",
                    flow,
                    format_month(month),
                    format_month(month),
                )
            return month
    raise UserError(
        f"Census has no {flow} data for the {_LATEST_PROBES} months up to {format_month(min(wanted, ceiling))}; "
        "check --end and --base-url"
    )


def _probe_rows(payload: list[list[object]]) -> int:
    return len(payload) - 1


def _to_fetch(
    con: duckdb.DuckDBPyConnection, plan: list[PlannedRequest], refresh: set[str]
) -> list[tuple[PlannedRequest, bool]]:
    """(request, replace) for every planned request not already complete with the same parameters."""
    stored: dict[str, dict[str, object]] = {}
    todo: list[tuple[PlannedRequest, bool]] = []
    for request in plan:
        if request.flow not in stored:
            stored[request.flow] = warehouse.completed_partitions(con, request.flow)
        current = stored[request.flow]
        request = covering_stored_months(request, current.get(request.partition_id))
        if refresh.intersection(request.months):
            todo.append((request, True))
        elif request.partition_id not in current:
            todo.append((request, False))
        elif current[request.partition_id] != [list(p) for p in request.params()]:
            todo.append((request, True))
    return todo


def fetch_partition(client: CensusClient, request: PlannedRequest) -> _Fetched:
    """One partition: the planned request, or its chapter pieces when Census fails on the size."""

    def parse(payload: list[list[object]]) -> ParsedPart:
        return parse_payload(payload, request)

    try:
        part = client.get(request.endpoint, request.params(), parse, splittable=True)
    except TooLargeError:
        pieces: list[pa.Table] = []
        dropped = 0
        commodity = "I_COMMODITY" if request.flow == "imports" else "E_COMMODITY"
        for chapter in CHAPTERS:
            params = [*request.params(), (commodity, f"{chapter}*")]
            piece = client.get(request.endpoint, params, parse)
            if piece is not None and piece.table.num_rows:
                pieces.append(piece.table)
                dropped += piece.dropped_other_countries
        table = pa.concat_tables(pieces) if pieces else None
        return _Fetched(request, table, dropped, split=True)
    if part is None:
        return _Fetched(request, None, 0, split=False)
    return _Fetched(request, part.table, part.dropped_other_countries, split=False)


def _fetch_and_load(
    con: duckdb.DuckDBPyConnection,
    client: CensusClient,
    config: CensusIngestConfig,
    todo: list[tuple[PlannedRequest, bool]],
    summary: CensusSummary,
) -> None:
    landing_root = landing_dir(Path(config.db_path))
    fetched_at = datetime.now(UTC)
    vintage = fetched_at.date().isoformat()
    replace_of = {request.partition_id: replace for request, replace in todo}
    pending = iter(request for request, _ in todo)
    window = max(config.concurrency, 1) * 2
    bar = tqdm(total=len(todo), unit="part", desc="census", disable=not config.progress, dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=max(config.concurrency, 1), thread_name_prefix="census") as pool:
        in_flight: dict[Future[_Fetched], PlannedRequest] = {}

        def top_up() -> None:
            for request in pending:
                in_flight[pool.submit(fetch_partition, client, request)] = request
                if len(in_flight) >= window:
                    return

        top_up()
        waiting: list[_Fetched] = []  # fetched, not yet loaded
        waiting_rows = 0
        waiting_since = time.monotonic()

        def flush() -> None:
            nonlocal waiting_rows
            _load_batch(con, waiting, replace_of, landing_root, config.source, vintage, fetched_at, summary)
            bar.update(len(waiting))
            bar.set_postfix(
                rows=summary.rows, retries=client.stats["retries"], failed=len(summary.failures), refresh=False
            )
            waiting.clear()
            waiting_rows = 0

        try:
            while in_flight:
                # Wake up when the batch's time is up, too: a request stuck in retries must not hold back the
                # partitions already fetched.
                timeout = max(0.0, LOAD_BATCH_SECONDS - (time.monotonic() - waiting_since)) if waiting else None
                done, _ = wait(in_flight, timeout=timeout, return_when=FIRST_COMPLETED)
                for future in done:
                    request = in_flight.pop(future)
                    try:
                        if not waiting:
                            waiting_since = time.monotonic()
                        fetched = future.result()
                        waiting.append(fetched)
                        waiting_rows += fetched.table.num_rows if fetched.table is not None else 0
                    except (FetchFailedError, MalformedResponse) as error:
                        summary.failures.append(f"{request.partition_id}: {client.redact(error)}")
                        log.warning("failed %s: %s", request.partition_id, client.redact(error))
                        bar.update(1)
                top_up()
                if waiting and (
                    not in_flight
                    or waiting_rows >= LOAD_BATCH_ROWS
                    or len(waiting) >= LOAD_BATCH_PARTITIONS
                    or time.monotonic() - waiting_since >= LOAD_BATCH_SECONDS
                ):
                    flush()
        except BaseException:
            for future in in_flight:
                future.cancel()
            raise
        finally:
            bar.close()


def _load_batch(
    con: duckdb.DuckDBPyConnection,
    batch: list[_Fetched],
    replace_of: dict[str, bool],
    landing_root: Path,
    source: str,
    vintage: str,
    fetched_at: datetime,
    summary: CensusSummary,
) -> None:
    """Load fetched partitions: empty ones recorded one by one, the others in one transaction per replace flag."""
    to_load: dict[bool, list[tuple[_Fetched, warehouse.TradePartition]]] = defaultdict(list)
    for fetched in batch:
        request = fetched.request
        record = request.request_record()
        if fetched.split:
            record["split"] = "chapter"
            summary.split_by_chapter += 1
        partition = warehouse.TradePartition(
            flow=request.flow,
            period=request.period,
            cty_code=request.cty_code,
            source=source,
            vintage=vintage,
            fetched_at=fetched_at,
            request=record,
        )
        summary.dropped_other_countries += fetched.dropped
        if fetched.table is None or fetched.table.num_rows == 0:
            warehouse.record_empty_partition(con, partition)
            summary.empty += 1
        else:
            to_load[replace_of[request.partition_id]].append((fetched, partition))
    for replace, items in to_load.items():
        try:
            results: list[warehouse.LoadResult | None] = list(
                warehouse.load_trade_partitions(
                    con, [(partition, fetched.table) for fetched, partition in items], landing_root, replace=replace
                )
            )
        except UserError:
            # A partition Census served malformed (a repeated row, a bad code) rejects the whole batch, which
            # wrote nothing: load the batch one partition at a time, so only that one fails (and is re-pulled
            # next run) and the others it was fetched with load.
            results = [
                _load_or_fail(con, fetched, partition, landing_root, replace, summary) for fetched, partition in items
            ]
            if len(items) >= ALL_REFUSED_STOP and all(result is None for result in results):
                raise UserError(
                    f"the loader refused all {len(items)} partitions of a batch, so Census's answers look changed; "
                    f"stopping (partitions loaded before are kept). First refusal: {summary.failures[-len(items)]}"
                ) from None
        for (fetched, _), result in zip(items, results, strict=True):
            if result is not None:
                _account(fetched, result, summary)


def _load_or_fail(
    con: duckdb.DuckDBPyConnection,
    fetched: _Fetched,
    partition: warehouse.TradePartition,
    landing_root: Path,
    replace: bool,
    summary: CensusSummary,
) -> warehouse.LoadResult | None:
    try:
        return warehouse.load_trade_partition(con, partition, fetched.table, landing_root, replace=replace)
    except UserError as error:  # the message starts with the partition id
        message = str(error)
        if isinstance(error, RejectedRows):  # the rows are Census's answer, not a file the user can mend
            message = f"{error.problem}; an earlier load of it keeps its rows, and the next run asks Census again"
        summary.failures.append(message)
        log.warning("failed %s", message)
        return None


def _account(fetched: _Fetched, result: warehouse.LoadResult, summary: CensusSummary) -> None:
    if result.skipped:
        summary.unchanged += 1
        return
    summary.loaded += 1
    summary.rows += result.rows
    request = fetched.request
    if request.cty_code == WORLD_TOTAL:  # the dollars shown are the country detail; the world total repeats them
        return
    value = VALUE_VARIABLE[request.flow].lower()
    by_month = fetched.table.group_by("time").aggregate([(value, "sum")])
    for month, dollars in zip(by_month["time"].to_pylist(), by_month[f"{value}_sum"].to_pylist(), strict=True):
        summary.dollars[(request.flow, month)] += dollars or 0
