"""Loader throughput on a 150k-row partition (the size of a month of Census imports for every country)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from ingestion import warehouse

ROWS = 150_000


def month_of_imports(n: int = ROWS) -> pa.Table:
    codes = [f"{8400000000 + (i // 30) * 37:010d}" for i in range(n)]
    ctys = [f"{1000 + (i % 30) * 10:04d}" for i in range(n)]
    values = pa.array([(i * 7919) % 9_999_991 + 1 for i in range(n)], pa.int64())
    small = pa.array([(i * 31) % 10_007 for i in range(n)], pa.int64())
    return pa.table(
        {
            "time": ["2025-06"] * n,
            "i_commodity": codes,
            "i_commodity_sdesc": [f"DESCRIPTION {c[:6]}" for c in codes],
            "cty_code": ctys,
            "cty_name": [f"COUNTRY {c}" for c in ctys],
            "con_val_mo": values,
            "gen_val_mo": values,
            "cal_dut_mo": small,
            "dut_val_mo": values,
            "con_qy1_mo": small,
            "con_qy2_mo": small,
            "unit_qy1": ["NO"] * n,
            "unit_qy2": ["KG"] * n,
        }
    )


def test_load_throughput(tmp_path: Path) -> None:
    rows = month_of_imports()
    con = warehouse.connect(tmp_path / "w.duckdb")
    part = warehouse.TradePartition("imports", "2025-06", "ALL", "bench", "v1", datetime.now(UTC))
    loads, checks = [], []
    for attempt in range(4):  # best of four: the test machine is shared with other test workers
        started = time.perf_counter()
        loaded = warehouse.load_trade_partition(con, part, rows, tmp_path / "land", replace=attempt > 0)
        loads.append(time.perf_counter() - started)
        started = time.perf_counter()
        skipped = warehouse.load_trade_partition(con, part, rows, tmp_path / "land")
        checks.append(time.perf_counter() - started)  # validate + normalise + hash: everything but the insert
        assert loaded.rows == ROWS and not loaded.skipped and skipped.skipped
    load_rate, check_rate = ROWS / min(loads), ROWS / min(checks)
    print(f"full load {load_rate:,.0f} rows/s; validate+land {check_rate:,.0f} rows/s")
    # Idle 2-core machine: validate+land ~1.1M rows/s, full load ~350k rows/s (DuckDB's on-disk insert is ~60% of
    # it). The floors are 5x lower so the test survives a CPU shared with other test workers and dbt builds, but
    # still catch a per-row Python loop or a quadratic step.
    assert check_rate > 200_000
    assert load_rate > 60_000
    assert con.execute("select count(*) from raw.census_imports").fetchone() == (ROWS,)
