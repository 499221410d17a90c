"""Loading into the raw layer: atomic, idempotent partition loads and slice replacements.

Every Census trade load goes through `load_trade_partition`: the rows are validated with DuckDB SQL over
the Arrow table (no Python loops over rows), landed as an immutable parquet file (written to a temporary
name, then renamed), and swapped into `raw.census_<flow>` together with the `raw.load_manifest` row in one
transaction. A process killed at any point therefore leaves either the old or the new state of the
partition, and a rerun with the same content is skipped. Non-trade raw tables (concordances, countries,
labels, exemption lists) are written with `replace_slice`, which swaps a filtered slice of the table in one
transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion.errors import RejectedRows, UserError
from ingestion.files import write_atomically
from ingestion.hs import pad_hs_code
from ingestion.schema import FLOWS, RAW_SCHEMA, RAW_TABLES, ensure_raw_schema

_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_COLUMN_DDL = re.compile(r"^\s*(\w+)\s+([a-z]+(?:\s*\([^)]*\))?)(\s+not null)?\s*$", re.IGNORECASE)
_METADATA_COLUMNS = ("source", "vintage", "partition_id", "loaded_at")
_MAX_EXAMPLES = 5
# a country code a spreadsheet turned into a number: 5700.0, or 3 for the grouping 0003
_NUMERIC_COUNTRY = re.compile(r"([0-9]+)(?:\.0+)?")
_LAST_GROUPING = 28  # Census groupings are 0001-0028 (OPEC ... CACM)


@dataclass(frozen=True)
class FlowLayout:
    """The raw table of one trade flow: `flow_layout(flow)`."""

    table: str
    commodity: str
    value: str
    text_columns: tuple[str, ...]  # varchar columns besides time/commodity/cty_code
    number_columns: tuple[str, ...]  # bigint columns (money and quantities)

    @property
    def columns(self) -> tuple[str, ...]:
        return (
            "time",
            self.commodity,
            f"{self.commodity}_sdesc",
            "cty_code",
            "cty_name",
            *self.number_columns,
            *self.text_columns,
        )


_LAYOUTS: dict[str, FlowLayout] = {
    "imports": FlowLayout(
        table="census_imports",
        commodity="i_commodity",
        value="con_val_mo",
        text_columns=("unit_qy1", "unit_qy2"),
        number_columns=("con_val_mo", "gen_val_mo", "cal_dut_mo", "dut_val_mo", "con_qy1_mo", "con_qy2_mo"),
    ),
    "exports": FlowLayout(
        table="census_exports",
        commodity="e_commodity",
        value="all_val_mo",
        text_columns=("unit_qy1", "unit_qy2"),
        number_columns=("all_val_mo", "qty_1_mo", "qty_2_mo"),
    ),
}

# Written only through the partition loader (never through replace_slice).
_TRADE_TABLES = {layout.table for layout in _LAYOUTS.values()} | {"load_manifest"}


def trade_columns(flow: str) -> tuple[str, ...]:
    """The raw columns a caller passes to `load_trade_partition` for a flow (without load metadata)."""
    return flow_layout(flow).columns


def validate_trade_rows(con: duckdb.DuckDBPyConnection, flow: str, rows: pa.Table, label: str) -> pa.Table:
    """Validate rows of several months at once (e.g. a whole file before any of it is loaded).

    The same checks as `load_trade_partition` except the partition period; row numbers in messages count the
    rows of `rows` (1-based). Returns the normalised rows (padded codes, int64 values, all-zero rows dropped).
    """
    return _normalise_trade_rows(con, _Scope(label, flow, None, "ALL"), flow_layout(flow), rows)


def content_sha256(con: duckdb.DuckDBPyConnection, partition: TradePartition, rows: pa.Table) -> str:
    """The sha256 the manifest would record for these rows (their validated, landed form), without loading."""
    _check_partition(partition)
    table = _normalise_trade_rows(con, partition, flow_layout(partition.flow), rows)
    return hashlib.sha256(_parquet_bytes(table)).hexdigest()


def is_lock_conflict(error: duckdb.IOException) -> bool:
    """Whether DuckDB refused to open a warehouse because another process holds its lock."""
    return "lock" in str(error).lower()


def connect(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; unless read-only, create its folder and the raw schema first."""
    db_path = Path(db_path)
    if read_only and not db_path.exists():
        raise UserError(f"warehouse {db_path} does not exist; load data first (e.g. `aitrade demo`)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db_path), read_only=read_only)
    except duckdb.IOException as error:
        if not is_lock_conflict(error):
            raise
        # dbt holds the warehouse for a whole build (keep_open), so that no load lands between two models
        raise UserError(
            f"warehouse {db_path} is in use by another process (a running `dbt build` or load?); run this again "
            f"when it finishes. DuckDB said: {error}"
        ) from error
    if not read_only:
        ensure_raw_schema(con)
    return con


@dataclass(frozen=True)
class TradePartition:
    flow: str  # 'imports' | 'exports'
    period: str  # 'YYYY' (a country-year request) or 'YYYY-MM'
    cty_code: str  # Census country code, or 'ALL' when the partition holds every country
    source: str  # 'census_api' | 'demo' | 'file' | 'bench'
    vintage: str  # e.g. fetch date '2026-11-23' or 'demo-v1'
    fetched_at: datetime
    request: dict | None = None  # request parameters WITHOUT the key (stored as JSON in the manifest)

    @property
    def partition_id(self) -> str:
        return f"{self.flow}/{self.period}/{self.cty_code}"


@dataclass(frozen=True)
class LoadResult:
    partition_id: str
    rows: int
    value_sum: int
    skipped: bool
    replaced_rows: int | None = None  # rows of the load this one superseded (None: the partition was new)


class _ManifestRow(NamedTuple):
    """A partition's current ('loaded' or 'empty', latest) manifest row."""

    sha256: str | None
    status: str
    request: str | None
    row_count: int


def load_trade_partition(
    con: duckdb.DuckDBPyConnection,
    partition: TradePartition,
    rows: pa.Table,
    landing_root: Path,
    replace: bool = False,
) -> LoadResult:
    """Validate, land and load one partition atomically; skip it when the same content is already current."""
    return load_trade_partitions(con, [(partition, rows)], landing_root, replace=replace)[0]


def load_trade_partitions(
    con: duckdb.DuckDBPyConnection,
    batch: Sequence[tuple[TradePartition, pa.Table]],
    landing_root: Path,
    replace: bool = False,
) -> list[LoadResult]:
    """`load_trade_partition` for several partitions in ONE transaction (one commit: faster for many small
    partitions). Every partition is validated before anything is written; a rejected partition rejects the batch.
    """
    prepared: list[tuple[TradePartition, pa.Table, str, int, bytes]] = []
    seen: set[str] = set()
    for partition, rows in batch:
        layout = flow_layout(partition.flow)
        _check_partition(partition)
        if partition.partition_id in seen:
            raise UserError(f"{partition.partition_id} appears twice in one load batch")
        seen.add(partition.partition_id)
        table = _normalise_trade_rows(con, partition, layout, rows)
        payload = _parquet_bytes(table)
        prepared.append(
            (partition, table, hashlib.sha256(payload).hexdigest(), _sum_column(table, layout.value), payload)
        )
    if not prepared:
        return []

    def pending() -> tuple[list[int], dict[str, _ManifestRow]]:
        current = _current_manifests(con, [p.partition_id for p, *_ in prepared])
        todo = [
            i
            for i, (partition, _, sha256, _, _) in enumerate(prepared)
            if replace or partition.partition_id not in current or current[partition.partition_id].sha256 != sha256
        ]
        return todo, current

    todo, _ = pending()
    landed = {i: _land(Path(landing_root), prepared[i][0], prepared[i][2], prepared[i][4]) for i in todo}
    results = [LoadResult(p.partition_id, t.num_rows, v, skipped=True) for p, t, _, v, _ in prepared]
    if not todo:
        return results
    loaded_at = utc_now()
    view = "__aitrade_incoming"
    con.begin()
    try:
        todo, current = pending()  # again inside the transaction: another writer may have loaded the same content
        for i in todo:
            partition, table, sha256, value_sum, payload = prepared[i]
            layout = flow_layout(partition.flow)
            landing_path = landed.get(i) or _land(Path(landing_root), partition, sha256, payload)
            columns = ", ".join(layout.columns)
            previous = current.get(partition.partition_id)
            _supersede(con, partition, layout, previous)
            con.register(view, table)
            try:
                con.execute(
                    f"insert into {RAW_SCHEMA}.{layout.table} ({columns}, {', '.join(_METADATA_COLUMNS)}) "
                    f"select {columns}, ?, ?, ?, ? from {view}",
                    [partition.source, partition.vintage, partition.partition_id, loaded_at],
                )
            finally:
                con.unregister(view)
            _insert_manifest(
                con, partition, table.num_rows, value_sum, sha256, str(landing_path), loaded_at, status="loaded"
            )
            results[i] = LoadResult(
                partition.partition_id,
                table.num_rows,
                value_sum,
                skipped=False,
                replaced_rows=None if previous is None else previous.row_count,
            )
        _check_no_other_partition_holds_the_keys(con, [prepared[i][0] for i in todo])
        con.commit()
    except BaseException:
        _rollback_quietly(con)
        raise
    return results


def _overlaps(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Whether two partitions of a flow, as (period, cty_code), may hold the same (month, code, country): the same
    country (or one holds every country) and the same period (or one's year holds the other's month)."""
    (period, country), (other_period, other_country) = one, other
    countries = country == other_country or "ALL" in (country, other_country)
    periods = period == other_period or period.startswith(f"{other_period}-") or other_period.startswith(f"{period}-")
    return countries and periods


def _check_no_other_partition_holds_the_keys(con: duckdb.DuckDBPyConnection, loaded: list[TradePartition]) -> None:
    """Inside the load's transaction, after its inserts: refuse keys that another current partition also holds (a
    month loaded from a file beside the same month's Census partitions, or a country's year beside its months).
    The manifest finds the partitions that could overlap; their rows are read only when there are some."""
    for flow in sorted({partition.flow for partition in loaded}):
        layout = flow_layout(flow)
        mine = {p.partition_id: (p.period, p.cty_code) for p in loaded if p.flow == flow}
        current = _current_manifest_rows(
            con,
            "flow = ? and substr(period, 1, 4) in (select unnest(?::varchar[]))",
            [flow, sorted({period[:4] for period, _ in mine.values()})],
        )
        # a partition id is flow/period/cty_code
        every = {pid: tuple(pid.split("/")[1:]) for pid, row in current.items() if row.status == "loaded"} | mine
        suspects = {
            pid
            for own_id, own in mine.items()
            for other_id, other in every.items()
            if own_id != other_id and _overlaps(own, other)
            for pid in (own_id, other_id)
        }
        if not suspects:
            continue
        # only keys this load brings: a clash between two partitions already there is not this load's
        clashes = con.execute(
            f"""
            select time, {layout.commodity}, cty_code, list(distinct partition_id order by partition_id),
                count(*) over ()
            from {RAW_SCHEMA}.{layout.table}
            where partition_id in (select unnest(?::varchar[]))
            group by 1, 2, 3
            having count(*) > 1 and bool_or(list_contains(?::varchar[], partition_id))
            order by 1, 2, 3 limit {_MAX_EXAMPLES}
            """,
            [sorted(suspects), sorted(mine)],
        ).fetchall()
        if clashes:
            raise UserError(_clash_message(clashes, mine, layout.commodity))


def _clash_message(clashes: list[tuple], mine: dict[str, tuple[str, str]], commodity: str) -> str:
    """The refusal of a load whose keys another partition holds, naming this load's partition and the case."""
    involved = {pid for *_, pids, _ in clashes for pid in pids}
    shown = "; ".join(f"({t}, {code}, {cty}) in {' and '.join(pids)}" for t, code, cty, pids, _ in clashes)
    if any(pid.endswith("/ALL") for pid in involved):
        case = (
            "a month loaded from a file (partition .../ALL) cannot sit beside that month's Census API partitions "
            "(one per country)"
        )
    else:
        case = "a country's year partition cannot sit beside its month partitions"
    return (
        f"{min(involved & mine.keys())}: rejected, nothing was loaded: {clashes[0][4]} (time, {commodity}, cty_code) "
        f"key(s) would be held twice, e.g. {shown}. The warehouse keeps each month, code and country once: {case}. "
        "Load these rows from the source the other partition came from, or into another warehouse (--db)."
    )


def record_empty_partition(con: duckdb.DuckDBPyConnection, partition: TradePartition) -> None:
    """Record a partition the source answered with no data (HTTP 204): manifest status 'empty', 0 rows.

    A no-op when the partition is already current as 'empty' for the same request parameters.
    """
    layout = flow_layout(partition.flow)
    _check_partition(partition)
    con.begin()
    try:
        current = _current_manifest(con, partition.partition_id)
        if current is not None and current.status == "empty" and current.request == _request_json(partition):
            con.rollback()
            return
        _supersede(con, partition, layout, current)
        _insert_manifest(con, partition, 0, 0, None, None, utc_now(), status="empty")
        con.commit()
    except BaseException:
        _rollback_quietly(con)
        raise


def completed_partitions(con: duckdb.DuckDBPyConnection, flow: str) -> dict[str, object]:
    """Partition id -> the request params stored with its current 'loaded' or 'empty' manifest row (nothing to
    fetch for it while the planned request is the same)."""
    flow_layout(flow)
    stored: dict[str, object] = {}
    for partition_id, current in _current_manifest_rows(con, "flow = ?", [flow]).items():
        try:
            stored[partition_id] = (json.loads(current.request) or {}).get("params") if current.request else None
        except ValueError:
            stored[partition_id] = None
    return stored


def replace_slice(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: dict[str, object],
    rows: pa.Table,
    record: tuple[str, list[object]] | None = None,
) -> int:
    """Atomically replace the rows of `raw.<table>` matching `where` (column = value) with `rows`.

    `rows` may omit `loaded_at` (filled now) and the `where` columns (filled with the `where` values); when
    it carries a `where` column, every row must hold the filtered value, so a later replace finds them.
    `record` (sql, params) runs in the same transaction, so a provenance row lands with the rows or not at all.
    Returns the number of rows written.
    """
    if table in _TRADE_TABLES or table not in RAW_TABLES:
        allowed = sorted(set(RAW_TABLES) - _TRADE_TABLES)
        raise UserError(f"replace_slice cannot write raw.{table}; use one of {allowed} (trade: load_trade_partition)")
    spec = _table_columns(table)
    known = {name for name, _, _ in spec}
    unknown = sorted(set(where) - known)
    if unknown:
        raise UserError(f"raw.{table} has no column(s) {unknown} to filter on; columns are {sorted(known)}")
    extra = sorted(set(rows.column_names) - known)
    if extra:
        raise UserError(f"raw.{table} has no column(s) {extra}; expected a subset of {sorted(known)}")
    present = set(rows.column_names)
    missing = [
        name
        for name, _, not_null in spec
        if not_null and name not in present and name not in where and name != "loaded_at"
    ]
    if missing:
        raise UserError(f"rows for raw.{table} lack the required column(s) {missing}")

    view = "__aitrade_slice"
    loaded_at = utc_now()
    select_parts: list[str] = []
    params: list[object] = []
    insert_columns: list[str] = []
    for name, _, _ in spec:
        if name in present:
            select_parts.append(name)
        elif name in where:
            select_parts.append("?")
            params.append(where[name])
        elif name == "loaded_at":
            select_parts.append("?")
            params.append(loaded_at)
        else:
            continue
        insert_columns.append(name)
    where_sql = " and ".join(f"{name} = ?" for name in where) or "true"
    where_params = list(where.values())

    con.register(view, rows)
    try:
        for name, value in where.items():
            if name in present:
                bad = con.execute(f"select count(*) from {view} where {name} is distinct from ?", [value]).fetchone()[0]
                if bad:
                    raise UserError(
                        f"{bad} row(s) for raw.{table} have {name} != {value!r} but the slice replaced is "
                        f"{where}; pass rows of that slice only"
                    )
        con.begin()
        try:
            con.execute(f"delete from {RAW_SCHEMA}.{table} where {where_sql}", where_params)
            con.execute(
                f"insert into {RAW_SCHEMA}.{table} ({', '.join(insert_columns)}) "
                f"select {', '.join(select_parts)} from {view}",
                params,
            )
            if record is not None:
                con.execute(*record)
            con.commit()
        except duckdb.Error as error:
            _rollback_quietly(con)
            what = f"rows for raw.{table} or their record" if record is not None else f"rows for raw.{table}"
            raise UserError(f"{what} could not be written, nothing was: {error}") from error
        except BaseException:
            _rollback_quietly(con)
            raise
    finally:
        con.unregister(view)
    return rows.num_rows


class _Scope(NamedTuple):
    """What rows are validated against: a partition, or a whole file (period None)."""

    partition_id: str
    flow: str
    period: str | None
    cty_code: str


# --- internals ----------------------------------------------------------------------------------------------


def flow_layout(flow: str) -> FlowLayout:
    """How a flow's raw trade table is laid out (table, commodity and value columns, number columns)."""
    if flow not in FLOWS:
        raise UserError(f"unknown flow {flow!r}; use one of {list(FLOWS)}")
    return _LAYOUTS[flow]


def _check_partition(partition: TradePartition) -> None:
    if not _PERIOD.match(partition.period):
        raise UserError(f"partition period {partition.period!r} is neither YYYY nor YYYY-MM")
    for name in ("cty_code", "source", "vintage"):
        value = getattr(partition, name)
        if not value or "/" in value:
            raise UserError(f"partition {name} {value!r} must be a non-empty string without '/'")


def _table_columns(table: str) -> list[tuple[str, str, bool]]:
    """(name, type, not null) of a raw table, parsed from its DDL in `schema.RAW_TABLES`."""
    ddl = RAW_TABLES[table]
    parts: list[str] = []
    depth = 0
    current = ""
    for char in ddl:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    columns = []
    for part in parts:
        if not part.strip():
            continue
        match = _COLUMN_DDL.match(" ".join(part.split()))
        if match is None:
            raise RuntimeError(f"cannot parse raw.{table} column definition {part.strip()!r}")
        columns.append((match.group(1).lower(), match.group(2).lower(), match.group(3) is not None))
    return columns


def _normalise_trade_rows(
    warehouse: duckdb.DuckDBPyConnection, partition: TradePartition | _Scope, layout: FlowLayout, rows: pa.Table
) -> pa.Table:
    """Validate the rows (vectorised: pyarrow compute and DuckDB SQL) and return the landed content.

    The result has exactly `layout.columns` (codes zero-padded, money and quantities int64), no all-zero rows,
    sorted by (time, commodity, cty_code) so that the same content always gives the same sha256.
    """
    pid = partition.partition_id
    if not isinstance(rows, pa.Table):
        raise TypeError("rows must be a pyarrow.Table")
    lowered = [name.lower() for name in rows.column_names]
    if len(set(lowered)) != len(lowered):
        raise UserError(f"{pid}: duplicate column names {rows.column_names}")
    rows = rows.rename_columns(lowered)
    extra = sorted(set(lowered) - set(layout.columns))
    if extra:
        raise UserError(f"{pid}: unexpected column(s) {extra} for {partition.flow}; expected {list(layout.columns)}")
    required = ("time", layout.commodity, "cty_code", layout.value)
    missing = [name for name in required if name not in lowered]
    if missing:
        raise UserError(f"{pid}: missing required column(s) {missing}")

    n = rows.num_rows
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in layout.columns:
        if name not in lowered:
            is_number = name in layout.number_columns
            arrays[name] = pa.nulls(n, pa.int64() if is_number else pa.string())
        elif name in layout.number_columns:
            arrays[name] = _as_int64(pid, rows, name)
        else:
            arrays[name] = _as_text(rows.column(name))
    arrays[layout.commodity] = _fix_codes(pid, layout.commodity, arrays[layout.commodity])
    arrays["cty_code"] = _fix_country_codes(pid, arrays["cty_code"])
    arrays["__row"] = pa.array(range(1, n + 1), pa.int64())
    table = pa.table(arrays)

    con = warehouse.cursor()  # its own connection: the registered view stays private and is dropped on close
    try:
        con.register("typed", table)
        _check_rows(con, partition, layout)
        keys = ("time", layout.commodity, "cty_code")
        if not _is_sorted(table, keys):
            table = table.sort_by([(name, "ascending") for name in keys])
        _check_duplicates(con, pid, layout, table)
    finally:
        con.close()
    all_zero = None  # a row whose monthly values are all zero (or null) carries no trade and is dropped
    for name in layout.number_columns:
        zero = pc.equal(pc.fill_null(table.column(name), 0), 0)
        all_zero = zero if all_zero is None else pc.and_(all_zero, zero)
    return table.filter(pc.invert(all_zero)).select(list(layout.columns))


def _adjacent(table: pa.Table, name: str) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    column = table.column(name)
    return column.slice(0, table.num_rows - 1), column.slice(1)


def _is_sorted(table: pa.Table, keys: tuple[str, ...]) -> bool:
    """Whether the (non-null) key columns are already in ascending order (vectorised, no sort)."""
    if table.num_rows < 2:
        return True
    ordered = None
    for name in reversed(keys):
        before, after = _adjacent(table, name)
        if ordered is None:
            ordered = pc.less_equal(before, after)
        else:
            ordered = pc.or_(pc.less(before, after), pc.and_(pc.equal(before, after), ordered))
    return bool(pc.all(ordered).as_py())


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Strings with surrounding blanks removed; empty strings become null."""
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _as_int64(pid: str, rows: pa.Table, name: str) -> pa.ChunkedArray:
    column = rows.column(name)
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = _as_text(column)
    try:
        return pc.cast(column, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    con = duckdb.connect()
    try:
        probe = pa.table({"value": pc.cast(column, pa.string()), "__row": pa.array(range(1, rows.num_rows + 1))})
        con.register("probe", probe)
        bad = con.execute(
            f"""
            select __row, value from probe
            -- the pattern too: try_cast rounds '1.5' to 2, which would hide the row that failed
            where value is not null and (try_cast(value as bigint) is null or not regexp_full_match(value, '-?[0-9]+'))
            order by __row limit {_MAX_EXAMPLES}
            """
        ).fetchall()
    finally:
        con.close()
    shown = "; ".join(f"row {r}: {value!r}" for r, value in bad) or "values out of the int64 range"
    raise RejectedRows(f"{pid}: {name} must hold whole numbers, e.g. {shown}")


def _fix_codes(pid: str, commodity: str, codes: pa.ChunkedArray) -> pa.ChunkedArray:
    """Zero-pad codes that lost a leading zero via `pad_hs_code`; any other non-10-digit code is an error."""

    def padded(code: str | None) -> str | None:
        try:
            return None if code is None else pad_hs_code(code)
        except ValueError:
            return None

    return _mend_codes(
        pid,
        f"{commodity} code",
        codes,
        r"^[0-9]{10}$",  # ASCII digits only
        padded,
        "HS10 codes must be 10 digits (9-digit codes that lost their leading zero are padded)",
        nulls_pass=False,
    )


def _fix_country_codes(pid: str, codes: pa.ChunkedArray) -> pa.ChunkedArray:
    """Census Schedule C codes: 4 digits (5700), a grouping (0003, 1XXX to 7XXX) or `-` (the world total). A code
    a spreadsheet made a number is mended (5700.0; 3 or 22, a grouping 0001-0028 that lost its zeros, as no other
    code starts with 0); anything else is an error, because an unrecognised code would count as one more country
    (the EU as `3` on top of its members). A missing code is left to `_check_rows`."""

    def mended(code: str | None) -> str | None:
        match = _NUMERIC_COUNTRY.fullmatch(code or "")
        digits = match.group(1) if match else ""
        if len(digits) == 4 or (len(digits) in (1, 2) and 1 <= int(digits) <= _LAST_GROUPING):
            return digits.zfill(4)
        return None

    return _mend_codes(
        pid,
        "cty_code",
        codes,
        r"^([0-9]{4}|[1-7]XXX|-)$",
        mended,
        "a Census country code is 4 digits (5700), a grouping (0003, 1XXX) or - for the world total, kept as text "
        "(5700.0 and a grouping that lost its zeros, such as 3, are mended)",
        nulls_pass=True,
    )


def _mend_codes(
    pid: str,
    what: str,
    codes: pa.ChunkedArray,
    valid: str,
    mend: Callable[[str | None], str | None],
    rule: str,
    nulls_pass: bool,
) -> pa.ChunkedArray:
    """Codes matching the regex `valid` stay (vectorised); each other distinct code becomes `mend(code)`, or, when
    that is None, refuses the partition with the code's rows named and `rule` stated."""
    ok = pc.fill_null(pc.match_substring_regex(codes, valid), nulls_pass)
    if pc.all(ok).as_py():
        return codes
    odd_rows = pc.indices_nonzero(pc.invert(ok))
    fixed: dict[str, str] = {}
    bad: dict[str | None, list[int]] = {}
    for position, code in zip(odd_rows.to_pylist(), pc.take(codes, odd_rows).to_pylist(), strict=True):
        if code in fixed:
            continue
        value = None if code in bad else mend(code)
        if value is None:
            bad.setdefault(code, []).append(position + 1)
        else:
            fixed[code] = value
    if bad:
        shown = ", ".join(f"{code!r} (rows {_rows_text(r, len(r))})" for code, r in list(bad.items())[:_MAX_EXAMPLES])
        raise RejectedRows(
            f"{pid}: rejected, nothing was loaded: {len(bad)} malformed {what}(s): {shown}"
            f"{' ...' if len(bad) > _MAX_EXAMPLES else ''}; {rule}"
        )
    position = pc.index_in(codes, value_set=pa.array(list(fixed), pa.string()))
    replaced = pc.take(pa.array(list(fixed.values()), pa.string()), position)
    return pc.if_else(ok, codes, replaced)


def _check_rows(con: duckdb.DuckDBPyConnection, partition: TradePartition | _Scope, layout: FlowLayout) -> None:
    pid = partition.partition_id
    checks: list[tuple[str, str, str]] = [
        (
            "time",
            "time is null or not regexp_full_match(time, '[0-9]{4}-(0[1-9]|1[0-2])')",
            "a missing or malformed time (expected YYYY-MM)",
        ),
        ("cty_code", "cty_code is null", "a missing cty_code"),
        (layout.value, f"{layout.value} is null", "a missing value"),
    ]
    if partition.period is not None:
        year_only = len(partition.period) == 4
        period_test = f"time like '{partition.period}-%'" if year_only else f"time = '{partition.period}'"
        checks.append(("time", f"not ({period_test})", f"a time outside the partition period {partition.period}"))
    if partition.cty_code != "ALL":
        checks.append(
            (
                "cty_code",
                f"cty_code is distinct from '{partition.cty_code}'",
                f"a cty_code other than the partition's {partition.cty_code}",
            )
        )
    checks.extend((c, f"{c} < 0", "a negative value") for c in layout.number_columns)
    counts_sql = ", ".join(f"count(*) filter (where {test})" for _, test, _ in checks)
    counts = con.execute(f"select {counts_sql} from typed").fetchone()
    messages: list[str] = []
    for (column, test, what), count in zip(checks, counts, strict=True):
        if not count:
            continue
        examples = con.execute(
            f"select __row, time, {layout.commodity}, cty_code, cast({column} as varchar) "
            f"from typed where {test} order by __row limit {_MAX_EXAMPLES}"
        ).fetchall()
        shown = "; ".join(f"row {r}: ({t}, {code}, {cty}) {column}={value!r}" for r, t, code, cty, value in examples)
        messages.append(f"{count} row(s) with {what} [{column}], e.g. {shown}")
    if messages:
        raise RejectedRows(f"{pid}: rejected, nothing was loaded: " + " | ".join(messages))


def _check_duplicates(con: duckdb.DuckDBPyConnection, pid: str, layout: FlowLayout, ordered: pa.Table) -> None:
    """Reject repeated (time, commodity, cty_code) keys; `ordered` is sorted by that key."""
    if ordered.num_rows < 2:
        return
    same = None
    for name in ("time", layout.commodity, "cty_code"):
        equal = pc.equal(*_adjacent(ordered, name))
        same = equal if same is None else pc.and_(same, equal)
    if not pc.any(same).as_py():
        return
    duplicates = con.execute(
        f"""
        select time, {layout.commodity}, cty_code, list(__row order by __row) as dup_rows,
            count(*) over () as n_keys
        from typed
        group by time, {layout.commodity}, cty_code having count(*) > 1
        order by min(__row) limit {_MAX_EXAMPLES}
        """
    ).fetchall()
    shown = "; ".join(
        f"({t}, {code}, {cty}) in rows {_rows_text(dup_rows, len(dup_rows))}"
        for t, code, cty, dup_rows, _ in duplicates
    )
    raise RejectedRows(
        f"{pid}: rejected, nothing was loaded: {duplicates[0][4]} duplicate (time, {layout.commodity}, "
        f"cty_code) key(s) (after zero-padding codes), e.g. {shown}; each month, code and country may appear once"
    )


def _rows_text(rows: list[int], count: int) -> str:
    shown = ", ".join(str(r) for r in rows[:_MAX_EXAMPLES])
    return shown + (f" and {count - _MAX_EXAMPLES} more" if count > _MAX_EXAMPLES else "")


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table.combine_chunks(), sink, compression="snappy")
    return sink.getvalue().to_pybytes()


def _sum_column(table: pa.Table, column: str) -> int:
    total = 0
    for chunk in table.column(column).chunks:
        value = pc.sum(chunk).as_py()
        total += value or 0
    return total


def _land(landing_root: Path, partition: TradePartition, sha256: str, payload: bytes) -> Path:
    """Write the landed parquet immutably: content-addressed name, temporary file, fsync, atomic rename."""
    folder = landing_root / partition.flow / partition.period / partition.cty_code
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{sha256[:20]}.parquet"
    if target.exists() and target.stat().st_size == len(payload):
        return target
    return write_atomically(target, payload)


def _current_manifest(con: duckdb.DuckDBPyConnection, partition_id: str) -> _ManifestRow | None:
    """The partition's current manifest row, or None."""
    return _current_manifests(con, [partition_id]).get(partition_id)


def _current_manifests(con: duckdb.DuckDBPyConnection, partition_ids: list[str]) -> dict[str, _ManifestRow]:
    """partition_id -> each partition's current manifest row."""
    return _current_manifest_rows(con, "partition_id in (select unnest(?::varchar[]))", [partition_ids])


def _current_manifest_rows(con: duckdb.DuckDBPyConnection, where: str, params: list[object]) -> dict[str, _ManifestRow]:
    """The current ('loaded' or 'empty', latest) manifest row of each partition matching `where`."""
    found = con.execute(
        f"""
        select partition_id, sha256, status, request, row_count from {RAW_SCHEMA}.load_manifest
        where {where} and status in ('loaded', 'empty')
        qualify row_number() over (partition by partition_id order by loaded_at desc) = 1
        """,
        params,
    ).fetchall()
    return {pid: _ManifestRow(*row) for pid, *row in found}


def _supersede(
    con: duckdb.DuckDBPyConnection,
    partition: TradePartition,
    layout: FlowLayout,
    current: _ManifestRow | None,
) -> None:
    """Remove the partition's current rows and mark its current manifest row superseded (inside a transaction).

    Rows exist only for a current 'loaded' manifest row (both are written in one transaction), so a partition
    without one needs no scan of the raw table.
    """
    if current is None:
        return
    if current.status == "loaded":
        con.execute(f"delete from {RAW_SCHEMA}.{layout.table} where partition_id = ?", [partition.partition_id])
    con.execute(
        f"""
        update {RAW_SCHEMA}.load_manifest set status = 'superseded'
        where partition_id = ? and status in ('loaded', 'empty')
        """,
        [partition.partition_id],
    )


def _insert_manifest(
    con: duckdb.DuckDBPyConnection,
    partition: TradePartition,
    row_count: int,
    value_sum: int,
    sha256: str | None,
    landing_path: str | None,
    loaded_at: datetime,
    status: str,
) -> None:
    request = _request_json(partition)
    con.execute(
        f"""
        insert into {RAW_SCHEMA}.load_manifest (partition_id, flow, period, cty_code, request, row_count,
            value_sum, sha256, landing_path, source, vintage, fetched_at, loaded_at, status)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            partition.partition_id,
            partition.flow,
            partition.period,
            partition.cty_code,
            request,
            row_count,
            value_sum,
            sha256,
            landing_path,
            partition.source,
            partition.vintage,
            _naive_utc(partition.fetched_at),
            loaded_at,
            status,
        ],
    )


def _request_json(partition: TradePartition) -> str | None:
    """The request parameters as stored in the manifest: sorted JSON, never the API key."""
    if partition.request is None:
        return None
    safe = {k: v for k, v in partition.request.items() if str(k).lower() != "key"}
    return json.dumps(safe, sort_keys=True, default=str)


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        con.rollback()


def utc_now() -> datetime:
    """Now in UTC as a naive timestamp: what every raw table's timestamp columns hold."""
    return datetime.now(UTC).replace(tzinfo=None)


def has_table(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    """Whether `schema.name` exists as a table or view in the connected warehouse."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, name]
    ).fetchone()
    return bool(found[0])


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
