"""A loader process killed with SIGKILL mid-load leaves a consistent warehouse; a rerun equals a clean load."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb

from ingestion.paths import REPO_ROOT

CHILD = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    import pyarrow as pa

    from ingestion import warehouse

    db, mode = Path(sys.argv[1]), sys.argv[2]


    def rows(month: str, variant: int) -> pa.Table:
        n = 25_000
        codes = [f"{8400000000 + i // 20:010d}" for i in range(n)]
        ctys = [f"{1000 + i % 20:04d}" for i in range(n)]
        values = pa.array([(i * 7919 + variant * 13) % 100_000 + 1 for i in range(n)], pa.int64())
        return pa.table({"time": [month] * n, "i_commodity": codes, "cty_code": ctys, "con_val_mo": values,
                         "gen_val_mo": values, "unit_qy1": ["NO"] * n})


    con = warehouse.connect(db)
    months = [f"2024-{m:02d}" for m in range(1, 7)]
    tables = {(month, v): rows(month, v) for month in months for v in (0, 1)}
    print("ready", flush=True)
    variant = 1
    while True:
        for month in months:
            part = warehouse.TradePartition("imports", month, "ALL", "file", f"v{variant}", datetime.now(UTC))
            final = mode == "final"
            warehouse.load_trade_partition(con, part, tables[(month, 0 if final else variant)],
                                           db.parent / "land", replace=not final)
        if mode == "final":
            break
        variant = 1 - variant
    con.close()
    print("done", flush=True)
    """
)


def run_child(script: Path, db: Path, mode: str, kill_after: float | None) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    process = subprocess.Popen(
        [sys.executable, str(script), str(db), mode], stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        if kill_after is None:
            assert process.wait(timeout=120) == 0
            return
        time.sleep(kill_after)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL
    finally:
        if process.poll() is None:  # never leave a churning child behind when an assertion fails
            process.kill()
            process.wait(timeout=30)


def consistent_state(db: Path) -> list[tuple]:
    """Every current manifest row matches the rows of its partition exactly; returns the per-partition totals."""
    with duckdb.connect(str(db)) as con:
        mismatches = con.execute(
            """
            with actual as (
                select partition_id, count(*) as n, sum(con_val_mo) as total
                from raw.census_imports group by 1
            ),
            current as (select * from raw.load_manifest where status in ('loaded', 'empty'))
            select coalesce(c.partition_id, a.partition_id), c.row_count, a.n, c.value_sum, a.total
            from current as c full join actual as a on a.partition_id = c.partition_id
            where c.row_count is distinct from coalesce(a.n, 0) or c.value_sum is distinct from coalesce(a.total, 0)
            """
        ).fetchall()
        assert mismatches == []
        current = con.execute(
            "select partition_id, count(*) from raw.load_manifest where status in ('loaded', 'empty') group by 1"
        ).fetchall()
        assert all(n == 1 for _, n in current)
        return con.execute(
            "select partition_id, count(*), sum(con_val_mo), min(vintage) from raw.census_imports group by 1 order by 1"
        ).fetchall()


def test_sigkill_during_loads_then_rerun_equals_clean_load(tmp_path: Path) -> None:
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    clean = tmp_path / "clean" / "w.duckdb"
    run_child(script, clean, "final", None)
    expected = consistent_state(clean)
    assert len(expected) == 6 and all(n == 25_000 for _, n, _, _ in expected)

    killed = tmp_path / "killed" / "w.duckdb"
    for delay in (0.25, 0.6, 1.0):
        run_child(script, killed, "churn", delay)
        consistent_state(killed)  # old or new state of every partition, never a mix
    run_child(script, killed, "final", None)
    rerun = consistent_state(killed)
    assert [(p, n, s) for p, n, s, _ in rerun] == [(p, n, s) for p, n, s, _ in expected]
    leftovers = [p for p in (killed.parent / "land").rglob("*") if p.is_file() and p.suffix != ".parquet"]
    assert all(p.name.startswith(".") and p.name.endswith(".tmp") for p in leftovers)
