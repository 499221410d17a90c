"""The project's table materialization (macros/replace_in_place.sql) with a Python model, which the project has none
of yet: its rows are written by a cursor of their own, so the model is built aside and renamed into place. Run in a
project of its own that holds that one macro file."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion.paths import REPO_ROOT

BIN = Path(sys.executable).parent


def write_project(root: Path) -> Path:
    (root / "models").mkdir(parents=True)
    (root / "macros").mkdir()
    shutil.copy(REPO_ROOT / "macros" / "replace_in_place.sql", root / "macros")
    (root / "dbt_project.yml").write_text(
        'name: python_tables\nversion: "1.0"\nconfig-version: 2\nprofile: python_tables\n'
    )
    db = root / "warehouse.duckdb"
    (root / "profiles.yml").write_text(
        "python_tables:\n  target: dev\n  outputs:\n"
        f"    dev:\n      type: duckdb\n      path: '{db}'\n      threads: 1\n"
    )
    return db


def write_model(root: Path, body: str) -> None:
    (root / "models" / "python_table.py").write_text(
        f"def model(dbt, session):\n    dbt.config(materialized='table')\n    {body}\n"
    )


def dbt_run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(root),
        "DBT_TARGET_PATH": str(root / "target"),
        "DBT_LOG_PATH": str(root / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run([str(BIN / "dbt"), "run"], cwd=root, env=env, text=True, capture_output=True, check=False)


def relations_and_rows(db: Path) -> tuple[list[tuple[str, str]], list[tuple[int]]]:
    with duckdb.connect(str(db), read_only=True) as con:
        relations = con.execute("select table_name, table_type from information_schema.tables order by 1").fetchall()
        return relations, con.execute("select * from python_table").fetchall()


def test_a_python_table_model_is_rebuilt_and_a_failed_rebuild_keeps_the_old_table(tmp_path: Path) -> None:
    db = write_project(tmp_path)
    for value in (1, 2):  # built, then rebuilt over the existing table
        write_model(tmp_path, f'return session.sql("select {value} as x").arrow()')
        result = dbt_run(tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
        assert relations_and_rows(db) == ([("python_table", "BASE TABLE")], [(value,)])

    write_model(tmp_path, 'return session.sql("select * from unreachable_source").arrow()')
    result = dbt_run(tmp_path)
    assert result.returncode != 0 and "Table with name unreachable_source does not exist" in result.stdout
    assert relations_and_rows(db) == ([("python_table", "BASE TABLE")], [(2,)])
