"""A run killed with SIGKILL at any point, then rerun, ends with exactly the warehouse of a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
from fake_census import TEST_KEY, FakeCensus

from ingestion.paths import REPO_ROOT

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)]


def _cli(fake: FakeCensus, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ingestion.cli",
        "ingest",
        "census",
        "--flow",
        "both",
        "--start",
        "2024-01",
        "--end",
        "2024-12",
        "--countries",
        "5700,1220,1010,7770,-",
        "--base-url",
        fake.base_url,
        "--db",
        str(db),
        "--concurrency",
        "2",
        "--max-rps",
        "1000",
        "--retry-base-delay",
        "0.01",
        "--no-progress",
    ]


def _env() -> dict[str, str]:
    return {**os.environ, "CENSUS_API_KEY": TEST_KEY, "PYTHONPATH": str(REPO_ROOT)}


def _state(db: Path) -> dict[str, object]:
    with duckdb.connect(str(db), read_only=True) as con:
        one = con.execute
        return {
            "imports": one(
                "select count(*), sum(con_val_mo), sum(cal_dut_mo), count(distinct partition_id) "
                "from raw.census_imports"
            ).fetchall(),
            "exports": one("select count(*), sum(all_val_mo), sum(qty_1_mo) from raw.census_exports").fetchall(),
            "by_cell": one(
                "select cty_code, time, sum(con_val_mo) from raw.census_imports group by all order by all"
            ).fetchall(),
            "current": one(
                "select partition_id, status, row_count, value_sum, sha256 from raw.load_manifest "
                "where status <> 'superseded' order by all"
            ).fetchall(),
            "dupes": one(
                "select count(*) from (select partition_id from raw.load_manifest where status <> 'superseded' "
                "group by all having count(*) > 1)"
            ).fetchone(),
        }


def test_sigkill_mid_run_then_rerun_equals_clean_run(tmp_path):
    with FakeCensus.generated(TEST_KEY, MONTHS, rows_per_month=60, latency=0.02) as fake:
        clean = tmp_path / "clean.duckdb"
        subprocess.run(_cli(fake, clean), env=_env(), check=True, capture_output=True, timeout=120)
        expected = _state(clean)
        assert expected["dupes"] == (0,) and expected["imports"][0][0] > 0

        killed = tmp_path / "killed.duckdb"
        for kill_after in (12, 25):  # data requests seen by the server before the SIGKILL
            seen_before = len(fake.seen)
            proc = subprocess.Popen(
                _cli(fake, killed), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 60
            while len(fake.seen) - seen_before < kill_after and proc.poll() is None:
                assert time.monotonic() < deadline
                time.sleep(0.005)
            proc.send_signal(signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        assert len(_state(killed)["current"]) < len(expected["current"])  # really interrupted
        result = subprocess.run(_cli(fake, killed), env=_env(), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "already complete" in result.stdout
        assert _state(killed) == expected
