"""The project's table materialization (macros/replace_in_place.sql) with the two kinds of table model it builds
aside and renames into place, which the project has none of yet: a Python model, whose rows are written by a cursor of
their own, and a model that reads its own previous rows. Run in a project of its own that holds that one macro file."""

import shutil
import subprocess
from pathlib import Path

import duckdb
from dbt_runner import BIN, dbt_env

from ingestion.paths import REPO_ROOT


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


def write_model(root: Path, body: str, config: str = "") -> None:
    (root / "models" / "python_table.py").write_text(
        f"def model(dbt, session):\n    dbt.config(materialized='table'{config})\n    {body}\n"
    )


def dbt_run(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**dbt_env(root / "warehouse.duckdb"), "DBT_PROFILES_DIR": str(root)}
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

    # a failure after the new rows were renamed into place (a post-hook in the transaction) rolls back to the old
    # table; the rows built aside, committed by their own cursor, are dropped by the next build
    write_model(tmp_path, 'return session.sql("select 3 as x").arrow()', ", post_hook='select * from unreachable_log'")
    result = dbt_run(tmp_path)
    assert result.returncode != 0 and "Table with name unreachable_log does not exist" in result.stdout
    assert relations_and_rows(db) == (
        [("python_table", "BASE TABLE"), ("python_table__dbt_tmp", "BASE TABLE")],
        [(2,)],
    )
    write_model(tmp_path, 'return session.sql("select 4 as x").arrow()')
    assert dbt_run(tmp_path).returncode == 0
    assert relations_and_rows(db) == ([("python_table", "BASE TABLE")], [(4,)])


def test_a_table_model_that_reads_its_own_previous_rows_is_rebuilt_from_them(tmp_path: Path) -> None:
    db = write_project(tmp_path)
    (tmp_path / "models" / "builds.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "{% if load_relation(this) is none %}select 1 as builds\n"
        "{% else %}select builds + 1 as builds from {{ this }}\n{% endif %}\n"
    )
    for builds in (1, 2, 3):
        result = dbt_run(tmp_path)
        assert result.returncode == 0, result.stdout[-3000:]
        with duckdb.connect(str(db), read_only=True) as con:
            assert con.execute("select table_name from information_schema.tables").fetchall() == [("builds",)]
            assert con.execute("select builds from builds").fetchall() == [(builds,)]
