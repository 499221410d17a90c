"""BI reads the serving copy while a build writes the warehouse and republishes: neither blocks the other.

Real processes, real DuckDB file locks: a BI reader process holds the serving copy open read-only while a
builder process holds the warehouse's write lock, rewrites the marts and republishes; both must finish, and the
reader must only ever see one complete version (the old one on its open connection, the new one after it
reconnects). A control test shows the lock conflict this design avoids (a reader on the warehouse blocks a build).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from test_publish import build_warehouse

from ingestion import publish as publish_module
from ingestion.errors import UserError
from ingestion.paths import REPO_ROOT
from ingestion.publish import publish

TIMEOUT = 60

COMMON = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    import duckdb

    def wait_for(path, timeout=45):
        deadline = time.monotonic() + timeout
        while not Path(path).exists():
            if time.monotonic() > deadline:
                sys.exit(f"timed out waiting for {path}")
            time.sleep(0.02)

    def signal(path):
        Path(path).write_text("1")

    def consistent_version(con):
        # one complete version: every fact row carries it, and the summary mart matches the facts
        versions = con.execute("select distinct version from marts.fct_trade_monthly").fetchall()
        assert len(versions) == 1, versions
        facts = con.execute("select count(*), sum(value) from marts.fct_trade_monthly").fetchone()
        summary = con.execute("select version, n, value from marts.ai_trade_annual").fetchall()
        assert summary == [(versions[0][0], facts[0], facts[1])], (summary, facts)
        meta = con.execute("select row_count from meta.published_marts where mart = 'fct_trade_monthly'").fetchone()
        assert meta == (facts[0],), (meta, facts)
        return versions[0][0]
    """
)

# The BI tool: keeps the serving copy open read-only across the builder's build and publish.
READER = COMMON + textwrap.dedent(
    """
    serving, signals, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    seen = {}
    con = duckdb.connect(str(serving), read_only=True)
    seen["open"] = consistent_version(con)
    signal(signals / "reader_open")
    wait_for(signals / "building")           # the builder now holds the warehouse's write lock
    seen["during_build"] = consistent_version(con)
    fresh = duckdb.connect(str(serving), read_only=True)  # a second BI connection opens during the build
    seen["second_connection_during_build"] = consistent_version(fresh)
    fresh.close()
    signal(signals / "reader_read_during_build")
    wait_for(signals / "published")          # the builder swapped a new serving copy in
    seen["same_connection_after_swap"] = consistent_version(con)  # still the snapshot it opened
    con.close()
    con = duckdb.connect(str(serving), read_only=True)
    seen["reconnected_after_swap"] = consistent_version(con)
    con.close()
    parquet = serving.parent / "marts" / "fct_trade_monthly.parquet"
    seen["parquet_after_swap"] = duckdb.sql(f"select distinct version from '{parquet}'").fetchall()
    out.write_text(json.dumps(seen))
    """
)

# The build: holds the warehouse's write lock while rewriting the marts, then publishes.
BUILDER = COMMON + textwrap.dedent(
    """
    from ingestion.publish import publish

    db, signals, version = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    con = duckdb.connect(str(db))
    con.execute(f"create or replace table marts.fct_trade_monthly as "
                f"select {version} as version, range as id, (range % 97) * {version} as value from range(300000)")
    signal(signals / "building")
    wait_for(signals / "reader_read_during_build")   # the reader read the serving copy while we hold the lock
    con.execute("create or replace table marts.ai_trade_annual as select version, count(*) as n, sum(value) as value "
                "from marts.fct_trade_monthly group by version")
    con.close()
    started = time.monotonic()
    publish(db, lock_wait_seconds=0, progress=False)  # the reader still has the old serving copy open
    signal(signals / "published")
    print(f"published in {time.monotonic() - started:.2f} s")
    """
)

# A BI tool that reconnects for every query while the builder republishes again and again.
HAMMER = COMMON + textwrap.dedent(
    """
    serving, signals, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    seen = []
    signal(signals / "hammer_started")
    while not (signals / "done").exists():
        con = duckdb.connect(str(serving), read_only=True)
        try:
            seen.append(consistent_version(con))
        finally:
            con.close()
    con = duckdb.connect(str(serving), read_only=True)
    seen.append(consistent_version(con))
    con.close()
    out.write_text(json.dumps(seen))
    """
)

REPUBLISHER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import duckdb
    from ingestion.publish import publish

    db, signals, first, last = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    for version in range(first, last + 1):
        con = duckdb.connect(str(db))
        con.execute(f"create or replace table marts.fct_trade_monthly as select {version} as version, range as id, "
                    f"(range % 97) * {version} as value from range({20000 + version * 1000})")
        con.execute("create or replace table marts.ai_trade_annual as select version, count(*) as n, "
                    "sum(value) as value from marts.fct_trade_monthly group by version")
        con.close()
        publish(db, lock_wait_seconds=0, progress=False)
    (signals / "done").write_text("1")
    """
)


def _script(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(code)
    return path


def _start(script: Path, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(script), *map(str, args)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen[str], name: str) -> str:
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        pytest.fail(f"{name} blocked (still running after {TIMEOUT} s):\n{stdout}\n{stderr}")
    assert process.returncode == 0, f"{name} failed:\n{stdout}\n{stderr}"
    return stdout


def _wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"process ended before {path.name}: {process.communicate()}")
        assert time.monotonic() < deadline, f"timed out waiting for {path.name}"
        time.sleep(0.02)


def test_bi_reader_and_build_with_republish_do_not_block_each_other(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    publish(db, progress=False)
    signals = tmp_path / "signals"
    signals.mkdir()
    report = tmp_path / "reader.json"

    reader = _start(_script(tmp_path, "reader", READER), tmp_path / "serving.duckdb", signals, report)
    _wait_for(signals / "reader_open", reader)
    builder = _start(_script(tmp_path, "builder", BUILDER), db, signals, 2)
    _finish(builder, "builder")
    _finish(reader, "reader")

    assert json.loads(report.read_text()) == {
        "open": 1,
        "during_build": 1,
        "second_connection_during_build": 1,
        "same_connection_after_swap": 1,
        "reconnected_after_swap": 2,
        "parquet_after_swap": [[2]],
    }
    con = duckdb.connect(str(db), read_only=True)
    try:
        assert con.execute("select version, n from marts.ai_trade_annual").fetchall() == [(2, 300000)]
    finally:
        con.close()


def test_readers_reconnecting_during_repeated_republishes_always_see_one_complete_version(tmp_path: Path) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    publish(db, progress=False)
    signals = tmp_path / "signals"
    signals.mkdir()
    report = tmp_path / "hammer.json"

    hammer = _start(_script(tmp_path, "hammer", HAMMER), tmp_path / "serving.duckdb", signals, report)
    _wait_for(signals / "hammer_started", hammer)
    republisher = _start(_script(tmp_path, "republisher", REPUBLISHER), db, signals, 2, 9)
    _finish(republisher, "republisher")
    _finish(hammer, "hammer")

    seen = json.loads(report.read_text())
    assert len(seen) >= 2
    assert seen == sorted(seen), "a reader saw an older publication after a newer one"
    assert set(seen) <= set(range(1, 10))
    assert seen[-1] == 9


def test_control_a_reader_on_the_warehouse_itself_blocks_the_build(tmp_path: Path) -> None:
    """Why publishing exists: a read-only BI connection to the warehouse makes a writer fail on the lock."""
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    holder = _start(
        _script(
            tmp_path,
            "holder",
            "import sys, time, duckdb\n"
            "con = duckdb.connect(sys.argv[1], read_only=True)\n"
            "print('open', flush=True)\n"
            "time.sleep(30)\n",
        ),
        db,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(duckdb.IOException, match="lock"):
            duckdb.connect(str(db))
    finally:
        holder.kill()
        holder.communicate()


def test_publish_waits_for_a_running_build_then_succeeds_or_explains(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "warehouse.duckdb"
    build_warehouse(db, version=1)
    release = tmp_path / "release"
    writer = _start(  # a "build": holds the write lock until told to finish
        _script(
            tmp_path,
            "writer",
            "import sys, time, pathlib, duckdb\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('locked', flush=True)\n"
            "while not pathlib.Path(sys.argv[2]).exists():\n"
            "    time.sleep(0.02)\n"
            "con.close()\n",
        ),
        db,
        release,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "locked"
    with pytest.raises(UserError, match=r"locked by another process .* after it finishes"):
        publish(db, lock_wait_seconds=0, progress=False)
    assert not (tmp_path / "serving.duckdb").exists()

    waits: list[float] = []

    def finish_the_build_while_waiting(seconds: float) -> None:
        waits.append(seconds)
        release.touch()
        writer.wait(timeout=TIMEOUT)  # the lock is released before publish tries again

    clock = SimpleNamespace(
        sleep=finish_the_build_while_waiting, monotonic=time.monotonic, perf_counter=time.perf_counter
    )
    monkeypatch.setattr(publish_module, "time", clock)
    result = publish(db, lock_wait_seconds=TIMEOUT, progress=False)
    assert waits, "publish did not wait for the lock"
    _finish(writer, "writer")
    assert {m.name: m.rows for m in result.marts}["fct_trade_monthly"] == 5000
