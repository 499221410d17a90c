"""Publish the marts for BI tools: a read-only serving copy of the warehouse and one parquet file per mart.

DuckDB lets one process write a database file, or many processes read it, never both: a BI tool that holds
the warehouse open (even read-only) makes `dbt build` fail with "Could not set lock on file", and a running
build keeps BI out. So BI never opens the warehouse. After a build, `publish` copies every mart into a new
DuckDB file and writes `<mart>.parquet` files, each under a temporary name that is then renamed over the
previous version (`os.replace`, atomic on POSIX). A reader therefore sees either the old or the new complete
file, never a half-written one; a reader that already has the old serving copy open keeps reading that
snapshot (its open file is never modified) until it reconnects. The build never waits for BI and BI never
waits for the build; only `publish` itself reads the warehouse, briefly, right after the build.

Layout (`out_dir` defaults to the warehouse's folder, e.g. `data/`):
- `serving.duckdb`: schema `marts` with every mart as a table (model and column comments kept), and
  `meta.published_marts` (one row per mart: rows, published_at, source warehouse);
- `marts/<mart>.parquet` (zstd) and `marts/_manifest.json` listing what was published.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
from tqdm import tqdm

from ingestion.errors import UserError
from ingestion.files import fsync_dir, fsync_file
from ingestion.warehouse import is_lock_conflict, utc_now

log = logging.getLogger(__name__)

SERVING_FILE = "serving.duckdb"
PARQUET_DIR = "marts"
MANIFEST_FILE = "_manifest.json"
MARTS_SCHEMA = "marts"
META_SCHEMA = "meta"
_SOURCE_ALIAS = "__aitrade_source"
_TMP_MARK = ".tmp-publish-"


@dataclass(frozen=True)
class PublishedMart:
    name: str
    rows: int
    parquet_path: Path


@dataclass(frozen=True)
class PublishResult:
    serving_path: Path
    parquet_dir: Path
    marts: tuple[PublishedMart, ...]
    seconds: float

    @property
    def total_rows(self) -> int:
        return sum(mart.rows for mart in self.marts)


def serving_path(out_dir: Path) -> Path:
    """Where BI opens the serving copy (read-only)."""
    return Path(out_dir) / SERVING_FILE


def parquet_path(out_dir: Path, mart: str) -> Path:
    """The published parquet file of one mart."""
    return Path(out_dir) / PARQUET_DIR / f"{mart}.parquet"


def publish(
    db_path: Path,
    out_dir: Path | None = None,
    schema: str = MARTS_SCHEMA,
    lock_wait_seconds: float = 10.0,
    progress: bool = True,
) -> PublishResult:
    """Copy every table and view of `schema` into `out_dir`'s serving copy and parquet files, atomically.

    Raises UserError when the warehouse is missing, holds no marts, or stays locked by a writer (a build) for
    longer than `lock_wait_seconds`. A failure before the swap leaves the previously published files untouched;
    the swap itself is one atomic rename per file (serving copy first, then each parquet file, then the manifest).
    """
    started = time.perf_counter()
    db_path = Path(db_path)
    if not db_path.is_file():
        raise UserError(f"warehouse {db_path} does not exist; build it first (`aitrade demo` then `dbt build`)")
    out_dir = Path(out_dir) if out_dir is not None else db_path.parent
    target = serving_path(out_dir)
    if target.resolve() == db_path.resolve():
        raise UserError(f"the serving copy {target} would overwrite the warehouse itself; pass another --out folder")
    marts_dir = out_dir / PARQUET_DIR
    marts_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(out_dir, marts_dir)
    _refuse_a_serving_copy_opened_for_writing(target)

    tag = f"{_TMP_MARK}{os.getpid()}"
    tmp_serving = out_dir / f".{SERVING_FILE}{tag}"
    published_at = utc_now().replace(microsecond=0)
    tmp_parquet: dict[str, Path] = {}
    try:
        con = duckdb.connect(str(tmp_serving))
        try:
            _attach_source(con, db_path, lock_wait_seconds)
            marts = _list_marts(con, schema)
            if not marts:
                raise UserError(
                    f"warehouse {db_path} has no tables in schema {schema!r}; run `dbt build` before publishing"
                )
            counts = _copy_marts(con, schema, marts, db_path, published_at, progress)
            con.execute(f"detach {_SOURCE_ALIAS}")  # release the warehouse before the slower parquet export
            for mart in tqdm(marts, desc="publish parquet", unit="mart", disable=not progress):
                tmp = marts_dir / f".{mart}.parquet{tag}"
                con.execute(
                    f"copy (select * from {MARTS_SCHEMA}.{sql_identifier(mart)}) to '{sql_literal(str(tmp))}' "
                    "(format parquet, compression zstd)"
                )
                tmp_parquet[mart] = tmp
            con.execute("checkpoint")
        finally:
            con.close()
        fsync_file(tmp_serving)
        for tmp in tmp_parquet.values():
            fsync_file(tmp)
        # The swap: each rename is atomic; the serving copy goes first, then every parquet file.
        _refuse_a_serving_copy_opened_for_writing(target)
        os.replace(tmp_serving, target)
        published: list[PublishedMart] = []
        for mart in marts:
            final = parquet_path(out_dir, mart)
            os.replace(tmp_parquet.pop(mart), final)
            published.append(PublishedMart(mart, counts[mart], final))
        _write_manifest(marts_dir, published, published_at, db_path)
        fsync_dir(out_dir)
        fsync_dir(marts_dir)
    finally:
        for leftover in (tmp_serving, Path(f"{tmp_serving}.wal"), *tmp_parquet.values()):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    seconds = time.perf_counter() - started
    log.info("published %d marts from %s to %s in %.1f s", len(published), db_path, out_dir, seconds)
    return PublishResult(target, marts_dir, tuple(published), seconds)


# --- internals ----------------------------------------------------------------------------------------------


def _refuse_a_serving_copy_opened_for_writing(target: Path) -> None:
    """Stop when the serving copy has a write-ahead log: a BI connection opened it read-write, and DuckDB would
    replay that log onto the new copy swapped in under the same name (stale or foreign rows in a fresh publication)."""
    wal = Path(f"{target}.wal")
    if wal.exists():
        raise UserError(
            f"{wal} exists: something opened the serving copy read-write (BI must open it read-only, e.g. "
            f"`duckdb -readonly {target}`). Close that connection; if none is open, delete {wal.name}; then publish "
            "again. Nothing was published."
        )


def _attach_source(con: duckdb.DuckDBPyConnection, db_path: Path, lock_wait_seconds: float) -> None:
    """Attach the warehouse read-only, retrying while a writer (a dbt build, a load) holds its lock."""
    deadline = time.monotonic() + max(lock_wait_seconds, 0.0)
    while True:
        try:
            con.execute(f"attach '{sql_literal(str(db_path))}' as {_SOURCE_ALIAS} (read_only)")
            return
        except duckdb.IOException as error:
            if not is_lock_conflict(error):
                raise UserError(f"cannot open warehouse {db_path}: {error}") from error
            if time.monotonic() >= deadline:
                raise UserError(
                    f"warehouse {db_path} is locked by another process (a running `dbt build` or load?); "
                    f"run `aitrade publish` after it finishes, or pass a longer --wait. DuckDB said: {error}"
                ) from error
            time.sleep(0.5)


def _list_marts(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        """
        select table_name from duckdb_tables() where database_name = ? and schema_name = ?
        union
        select view_name from duckdb_views() where database_name = ? and schema_name = ? and not internal
        order by 1
        """,
        [_SOURCE_ALIAS, schema, _SOURCE_ALIAS, schema],
    ).fetchall()
    return [row[0] for row in rows]


def _copy_marts(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    marts: list[str],
    db_path: Path,
    published_at: datetime,
    progress: bool,
) -> dict[str, int]:
    """Copy the marts (as tables, with their comments) and the publication record in one transaction."""
    counts: dict[str, int] = {}
    con.execute("begin")
    con.execute(f"create schema {MARTS_SCHEMA}")
    con.execute(f"create schema {META_SCHEMA}")
    for mart in tqdm(marts, desc="publish serving copy", unit="mart", disable=not progress):
        name = sql_identifier(mart)
        copied = con.execute(
            f"create table {MARTS_SCHEMA}.{name} as select * from {_SOURCE_ALIAS}.{sql_identifier(schema)}.{name}"
        )
        counts[mart] = copied.fetchone()[0]  # DuckDB returns the rows a `create table ... as` wrote
        _copy_comments(con, schema, mart)
    con.execute(
        f"""
        create table {META_SCHEMA}.published_marts (
            mart varchar not null primary key,
            row_count bigint not null,
            published_at timestamp not null,
            source_warehouse varchar not null
        )
        """
    )
    con.executemany(
        f"insert into {META_SCHEMA}.published_marts values (?, ?, ?, ?)",
        [[mart, counts[mart], published_at, str(db_path.resolve())] for mart in marts],
    )
    con.execute(
        f"comment on table {META_SCHEMA}.published_marts is 'One row per mart in this serving copy: its row count, "
        "when it was published and from which warehouse. Read-only copy: reconnect to see a newer publication.'"
    )
    con.execute("commit")
    return counts


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, mart: str) -> None:
    """Keep dbt's persisted docs (model and column descriptions) so BI users see them in the copy."""
    comment = con.execute(
        """
        select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?
        union all
        select comment from duckdb_views() where database_name = ? and schema_name = ? and view_name = ?
        """,
        [_SOURCE_ALIAS, schema, mart, _SOURCE_ALIAS, schema, mart],
    ).fetchone()
    if comment and comment[0]:
        con.execute(f"comment on table {MARTS_SCHEMA}.{sql_identifier(mart)} is '{sql_literal(comment[0])}'")
    columns = con.execute(
        """
        select column_name, comment from duckdb_columns()
        where database_name = ? and schema_name = ? and table_name = ? and comment is not null and comment <> ''
        """,
        [_SOURCE_ALIAS, schema, mart],
    ).fetchall()
    for column, text in columns:
        con.execute(
            f"comment on column {MARTS_SCHEMA}.{sql_identifier(mart)}.{sql_identifier(column)} is '{sql_literal(text)}'"
        )


def _write_manifest(marts_dir: Path, marts: list[PublishedMart], published_at: datetime, db_path: Path) -> None:
    """Record what was published, then remove the parquet files of marts that no longer exist (in that order, so
    the manifest never names a missing file)."""
    manifest = marts_dir / MANIFEST_FILE
    previous: list[str] = []
    with contextlib.suppress(FileNotFoundError, ValueError, KeyError, TypeError):
        previous = [entry["mart"] for entry in json.loads(manifest.read_text())["marts"]]
    payload = {
        "published_at": published_at.isoformat(),
        "source_warehouse": str(db_path.resolve()),
        "marts": [{"mart": mart.name, "rows": mart.rows, "file": mart.parquet_path.name} for mart in marts],
    }
    tmp = marts_dir / f".{MANIFEST_FILE}{_TMP_MARK}{os.getpid()}"
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    fsync_file(tmp)
    os.replace(tmp, manifest)
    for gone in sorted(set(previous) - {mart.name for mart in marts}):
        with contextlib.suppress(FileNotFoundError):
            (marts_dir / f"{gone}.parquet").unlink()
            log.info("removed %s.parquet: the mart no longer exists", gone)


def _remove_stale_temporaries(*folders: Path) -> None:
    """Delete temporary files left by a publish that was killed (its process is gone)."""
    for folder in folders:
        for path in folder.glob(f".*{_TMP_MARK}*"):
            pid_text = path.name.rsplit(_TMP_MARK, 1)[-1].split(".", 1)[0]
            if pid_text.isdigit() and _pid_alive(int(pid_text)) and int(pid_text) != os.getpid():
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sql_identifier(name: str) -> str:
    """`name` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal(text: str) -> str:
    """`text` inside single quotes of a SQL string literal (statements such as ATTACH take no parameters)."""
    return text.replace("'", "''")
