"""The incremental fact gives exactly the warehouse a full rebuild gives: after a new month, after Census
revises a month, and after labels change."""

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from dbt_runner import run_aitrade, run_dbt

from ingestion.paths import landing_dir
from ingestion.schema import RAW_TABLES
from ingestion.warehouse import TradePartition, connect, load_trade_partition

MODELS = ["--select", "@fct_trade_monthly", "--exclude", "resource_type:test", "resource_type:unit_test"]
METADATA = {"source", "vintage", "partition_id", "loaded_at"}


def _raw_columns(flow: str) -> list[str]:
    lines = [line.strip() for line in RAW_TABLES[f"census_{flow}"].strip().splitlines() if line.strip()]
    names = [line.split()[0] for line in lines]
    return [name for name in names if name not in METADATA]


def _load_month(db_path: Path, flow: str, from_month: str, to_month: str, scale: str) -> None:
    """Load `to_month` as a copy of `from_month` with every value scaled (a new month or a revision)."""
    columns = _raw_columns(flow)
    money = {"con_val_mo", "gen_val_mo", "cal_dut_mo", "dut_val_mo", "all_val_mo"}
    select = ", ".join(
        f"cast(round({name} * {scale}) as bigint) as {name}"
        if name in money
        else (f"'{to_month}' as time" if name == "time" else name)
        for name in columns
    )
    con = connect(db_path)
    try:
        rows: pa.Table = con.execute(
            f"select {select} from raw.census_{flow} where time = ? and cty_code <> '-' "
            f"and rowid % 7 <> 0",  # drop some rows too, as a revision may
            [from_month],
        ).arrow()
        if hasattr(rows, "read_all"):
            rows = rows.read_all()
        partition = TradePartition(
            flow=flow,
            period=to_month,
            cty_code="ALL",
            source="demo",
            vintage=f"test-{to_month}-{scale}",
            fetched_at=datetime(2026, 11, 23, 12, 0, 0),
        )
        load_trade_partition(con, partition, rows, landing_dir(db_path), replace=True)
    finally:
        con.close()


def _assert_marts_equal(left: Path, right: Path) -> None:
    with duckdb.connect(str(left), read_only=True) as con:
        con.execute(f"attach '{right}' as other (read_only)")
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' "
                "and table_catalog = current_database() order by 1"
            ).fetchall()
        ]
        assert "fct_trade_monthly" in tables
        for table in tables:
            for a, b in ((f"marts.{table}", f"other.marts.{table}"), (f"other.marts.{table}", f"marts.{table}")):
                difference = con.execute(f"select count(*) from (select * from {a} except all select * from {b})")
                assert difference.fetchone()[0] == 0, f"{table} differs between incremental and full builds"


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once (seeds and models); each test works on its own copy."""
    db_path = tmp_path_factory.mktemp("first") / "warehouse.duckdb"
    run_aitrade(db_path, "demo", "--db", str(db_path))
    run_dbt(db_path, "build", *MODELS)
    return db_path


@pytest.fixture
def built(first_build: Path, tmp_path: Path) -> Path:
    return _copy(first_build, tmp_path / "incremental")


def _copy(db_path: Path, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(db_path, folder / db_path.name)
    return folder / db_path.name


def test_new_and_revised_months_match_a_full_rebuild(built: Path, tmp_path: Path) -> None:
    _load_month(built, "imports", "2026-01", "2026-02", "1.1")
    _load_month(built, "exports", "2026-01", "2026-02", "0.9")
    _load_month(built, "imports", "2025-06", "2025-06", "1.25")  # Census revises a month
    full = _copy(built, tmp_path / "full")
    output = run_dbt(built, "run", *MODELS).stdout
    run_dbt(full, "run", "--full-refresh", *MODELS)
    _assert_marts_equal(built, full)
    assert "incremental model marts.fct_trade_monthly" in output
    with duckdb.connect(str(built), read_only=True) as con:
        months = con.execute(
            "select count(distinct month) from marts.fct_trade_monthly where month = date '2026-02-01'"
        ).fetchone()[0]
    assert months == 1


def test_changed_labels_rebuild_their_flow(built: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(built)) as con:
        hs10 = con.execute(
            "select hs10 from raw.hs10_labels where flow = 'imports' and relevance = 'Low' order by hs10 limit 1"
        ).fetchone()[0]
        con.execute(
            """
            insert into raw.hs10_labels
            select flow, hs10, 'classifier:test-model:v9', 'High', 'Compute_Hardware', 99, null, 'test', description,
                   'test-model', 'v9', timestamp '2030-01-01', now()
            from raw.hs10_labels where flow = 'imports' and hs10 = ? and label_source = 'demo'
            """,
            [hs10],
        )
    full = _copy(built, tmp_path / "full")
    run_dbt(built, "run", *MODELS)
    run_dbt(full, "run", "--full-refresh", *MODELS)
    _assert_marts_equal(built, full)
    with duckdb.connect(str(built), read_only=True) as con:
        relabelled = con.execute(
            "select distinct relevance_group from marts.fct_trade_monthly where flow = 'imports' and hs10 = ?",
            [hs10],
        ).fetchall()
    assert relabelled == [("High",)]
