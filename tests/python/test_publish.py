"""`aitrade publish`: the serving copy and parquet files hold exactly the marts, atomically, with their docs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_aitrade

from ingestion import publish as pub
from ingestion.errors import UserError


def build_warehouse(db_path: Path, version: int, rows: int = 5_000, extra_mart: bool = True) -> None:
    """A warehouse shaped like a built one: raw tables, a staging view and marts with persisted comments."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("create schema if not exists raw")
        con.execute("create schema if not exists staging")
        con.execute("create schema if not exists marts")
        con.execute("create or replace table raw.census_imports as select range as i from range(100)")
        con.execute("create or replace view staging.stg_x as select * from raw.census_imports")
        con.execute(
            f"""
            create or replace table marts.fct_trade_monthly as
            select {version} as version, range as id, (range % 97) * {version} as value from range({rows})
            """
        )
        con.execute(
            """
            create or replace table marts.ai_trade_annual as
            select version, count(*) as n, sum(value) as value from marts.fct_trade_monthly group by version
            """
        )
        con.execute("comment on table marts.fct_trade_monthly is 'One row per id: it''s the fact.'")
        con.execute("comment on column marts.fct_trade_monthly.value is 'Value in US dollars.'")
        if extra_mart:
            con.execute(f"create or replace table marts.dim_extra as select {version} as version")
        else:
            con.execute("drop table if exists marts.dim_extra")
    finally:
        con.close()


def test_publish_copies_every_mart_with_comments_and_nothing_else(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    result = pub.publish(db, tmp_path / "out", progress=False)

    assert result.serving_path == tmp_path / "out" / "serving.duckdb"
    assert [m.name for m in result.marts] == ["ai_trade_annual", "dim_extra", "fct_trade_monthly"]
    assert {m.name: m.rows for m in result.marts} == {"ai_trade_annual": 1, "dim_extra": 1, "fct_trade_monthly": 5000}
    assert result.total_rows == 5002

    con = duckdb.connect(str(result.serving_path), read_only=True)
    try:
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by 1, 2").fetchall()
        assert tables == [
            ("marts", "ai_trade_annual"),
            ("marts", "dim_extra"),
            ("marts", "fct_trade_monthly"),
            ("meta", "published_marts"),
        ]
        assert con.execute("select count(*), sum(value) from marts.fct_trade_monthly").fetchone() == (
            5000,
            sum(i % 97 for i in range(5000)),
        )
        assert con.execute("select comment from duckdb_tables() where table_name = 'fct_trade_monthly'").fetchone() == (
            "One row per id: it's the fact.",
        )
        assert con.execute(
            "select comment from duckdb_columns() where table_name = 'fct_trade_monthly' and column_name = 'value'"
        ).fetchone() == ("Value in US dollars.",)
        meta = con.execute("select mart, row_count, source_warehouse from meta.published_marts order by 1").fetchall()
        assert meta == [
            ("ai_trade_annual", 1, str(db.resolve())),
            ("dim_extra", 1, str(db.resolve())),
            ("fct_trade_monthly", 5000, str(db.resolve())),
        ]
    finally:
        con.close()

    for mart in result.marts:
        assert mart.parquet_path == tmp_path / "out" / "marts" / f"{mart.name}.parquet"
        count = duckdb.sql(f"select count(*) from read_parquet('{mart.parquet_path}')").fetchone()[0]
        assert count == mart.rows
    total = duckdb.sql(f"select sum(value) from read_parquet('{tmp_path / 'out/marts/fct_trade_monthly.parquet'}')")
    assert total.fetchone()[0] == sum(i % 97 for i in range(5000))
    manifest = json.loads((tmp_path / "out" / "marts" / "_manifest.json").read_text())
    assert [(e["mart"], e["rows"]) for e in manifest["marts"]] == [
        ("ai_trade_annual", 1),
        ("dim_extra", 1),
        ("fct_trade_monthly", 5000),
    ]
    leftovers = [p.name for p in (tmp_path / "out").rglob("*") if "tmp" in p.name or p.name.endswith(".wal")]
    assert leftovers == []


def test_republish_replaces_content_and_drops_parquet_of_removed_marts(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    pub.publish(db, progress=False)  # default out: the warehouse's folder
    assert (tmp_path / "serving.duckdb").is_file()
    assert (tmp_path / "marts" / "dim_extra.parquet").is_file()
    (tmp_path / "marts" / "someone_elses.parquet").write_bytes(b"not ours")

    build_warehouse(db, version=2, rows=7_000, extra_mart=False)
    result = pub.publish(db, progress=False)
    assert [m.name for m in result.marts] == ["ai_trade_annual", "fct_trade_monthly"]
    con = duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True)
    try:
        assert con.execute("select version, n from marts.ai_trade_annual").fetchall() == [(2, 7000)]
        assert con.execute("select count(*) from duckdb_tables() where table_name = 'dim_extra'").fetchone() == (0,)
    finally:
        con.close()
    assert not (tmp_path / "marts" / "dim_extra.parquet").exists()
    assert (tmp_path / "marts" / "someone_elses.parquet").read_bytes() == b"not ours"  # not listed: not touched
    parquet = tmp_path / "marts" / "fct_trade_monthly.parquet"
    assert duckdb.sql(f"select distinct version from '{parquet}'").fetchall() == [(2,)]


def test_failed_publish_leaves_previous_publication_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    pub.publish(db, progress=False)
    before = {p.name: p.read_bytes() for p in [tmp_path / "serving.duckdb", *sorted((tmp_path / "marts").iterdir())]}

    build_warehouse(db, version=2)
    real_replace = os.replace

    def failing_replace(src: str | Path, dst: str | Path) -> None:
        if str(dst).endswith("serving.duckdb"):
            raise OSError("disk full (simulated)")
        real_replace(src, dst)

    monkeypatch.setattr(pub.os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        pub.publish(db, progress=False)
    monkeypatch.undo()

    after = {p.name: p.read_bytes() for p in [tmp_path / "serving.duckdb", *sorted((tmp_path / "marts").iterdir())]}
    assert after == before
    assert [p.name for p in tmp_path.rglob("*") if pub._TMP_MARK in p.name] == []


def test_a_serving_copy_opened_read_write_is_not_published_over(tmp_path: Path) -> None:
    """A BI connection that opened the serving copy read-write leaves a write-ahead log, which DuckDB would replay
    onto the next copy swapped in under the same name: publish refuses, and publishes once the log is gone."""
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    pub.publish(db, progress=False)
    writer = duckdb.connect(str(tmp_path / "serving.duckdb"))  # read-write, against the README's advice
    try:
        writer.execute("delete from marts.ai_trade_annual")
        assert (tmp_path / "serving.duckdb.wal").exists()
        build_warehouse(db, version=2)
        with pytest.raises(
            UserError, match=r"serving\.duckdb\.wal exists: something opened the serving copy read-write"
        ):
            pub.publish(db, progress=False)
        parquet = tmp_path / "marts" / "fct_trade_monthly.parquet"
        assert duckdb.sql(f"select distinct version from '{parquet}'").fetchall() == [(1,)]  # nothing published
    finally:
        writer.close()
    assert not (tmp_path / "serving.duckdb.wal").exists()  # closing checkpoints the log away
    pub.publish(db, progress=False)
    with duckdb.connect(str(tmp_path / "serving.duckdb"), read_only=True) as con:
        assert con.execute("select version, n from marts.ai_trade_annual").fetchall() == [(2, 5000)]


def test_stale_temporaries_of_a_killed_publish_are_removed_and_a_running_ones_kept(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    (tmp_path / "marts").mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = [tmp_path / f".serving.duckdb{pub._TMP_MARK}{pid}", tmp_path / "marts" / f".x.parquet{pub._TMP_MARK}{pid}"]
    running = tmp_path / "marts" / f".y.parquet{pub._TMP_MARK}{os.getppid()}"  # another live process's publish
    for path in [*stale, running]:
        path.write_bytes(b"half")
    pub.publish(db, progress=False)
    assert not any(path.exists() for path in stale)
    assert running.read_bytes() == b"half"


def test_errors_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="does not exist; build it first"):
        pub.publish(tmp_path / "missing.duckdb", progress=False)

    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    with pytest.raises(UserError, match="run `dbt build` before publishing"):
        pub.publish(empty, tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "serving.duckdb").exists()

    db = tmp_path / "serving.duckdb"
    build_warehouse(db, version=1)
    with pytest.raises(UserError, match="would overwrite the warehouse"):
        pub.publish(db, tmp_path, progress=False)


def test_cli_publish_and_exit_code_2_on_user_error(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=3)
    out = tmp_path / "bi"
    done = run_aitrade(db, "publish", "--db", str(db), "--out", str(out))
    assert "published 3 marts (5,002 rows)" in done.stdout
    assert str(out / "serving.duckdb") in done.stdout
    assert (out / "marts" / "fct_trade_monthly.parquet").is_file()

    missing = run_aitrade(tmp_path / "nope.duckdb", "publish", "--db", str(tmp_path / "nope.duckdb"), check=False)
    assert missing.returncode == 2
    assert missing.stderr.startswith("error: warehouse")
