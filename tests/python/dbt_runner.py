"""Run dbt against a warehouse in a temporary directory, isolated from the developer's own build."""

import os
import subprocess
import sys
from pathlib import Path

from ingestion.paths import REPO_ROOT

BIN = Path(sys.executable).parent


def dbt_env(db_path: Path) -> dict[str, str]:
    work = db_path.parent
    return {
        **os.environ,
        "AI_TRADE_DUCKDB": str(db_path),
        "DBT_TARGET_PATH": str(work / "dbt_target"),
        "DBT_LOG_PATH": str(work / "dbt_logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def run_dbt(db_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` from the repository root; with `check`, raises with dbt's output when it fails."""
    result = subprocess.run(
        [str(BIN / "dbt"), *args], cwd=REPO_ROOT, env=dbt_env(db_path), text=True, capture_output=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    return result


def run_aitrade(db_path: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`aitrade <args>` against `db_path`; with `check`, raises with its output when it fails."""
    result = subprocess.run(
        [str(BIN / "aitrade"), *args],
        cwd=REPO_ROOT,
        env=dbt_env(db_path),
        text=True,
        capture_output=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"aitrade {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result
