"""`aitrade labels classify` end to end: universe, --codes, the key, and resume after SIGKILL."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from fake_openai import FakeOpenAI

from ingestion import warehouse
from ingestion.classifier_prompt import load_prompt
from ingestion.cli import main
from ingestion.paths import REPO_ROOT

SOURCE = f"classifier:fake-model:{load_prompt().version}"
KEY = "sk-test-SECRET-7f3a9c"


def seed_warehouse(db: Path) -> None:
    """A concordance of 6 codes, trade in 2 more, and an imported label for one of them."""
    con = warehouse.connect(db)
    concordance = pa.table(
        {
            "year": pa.array([2022] * 6 + [2024], pa.int32()),
            "hs10": [f"84710000{i:02d}" for i in range(6)] + ["8471000000"],
            "description_short": ["short"] * 7,
            "description_long": [f"LONG {i}" for i in range(6)] + ["LONG 0 (2024)"],
            "naics": ["334111"] * 7,
            "source": ["test"] * 7,
        }
    )
    warehouse.replace_slice(con, "concordance_imports", {}, concordance)
    now = datetime.now(UTC).replace(tzinfo=None)
    con.executemany(
        "insert into raw.census_imports (time, i_commodity, i_commodity_sdesc, cty_code, con_val_mo, source, "
        "vintage, partition_id, loaded_at) values (?, ?, ?, '5700', 100, 'test', 'v', 'p', ?)",
        [
            ["2025-01", "0101210010", "HORSES", now],
            ["2025-01", "8471000003", "X", now],
            ["2025-02", "0101290010", None, now],
        ],
    )
    imported = pa.table({"hs10": ["8471000005"], "relevance": ["High"], "primary_category": ["Compute_Hardware"]})
    warehouse.replace_slice(con, "hs10_labels", {"flow": "imports", "label_source": "study"}, imported)
    con.close()


def classify_args(db: Path, server: FakeOpenAI, *extra: str, batch: int = 3, concurrency: int = 2) -> list[str]:
    return [
        "labels",
        "classify",
        "--flow",
        "imports",
        "--model",
        "fake-model",
        "--base-url",
        server.base_url,
        "--batch-size",
        str(batch),
        "--concurrency",
        str(concurrency),
        "--db",
        str(db),
        *extra,
    ]


def classify(db: Path, server: FakeOpenAI, *extra: str, batch: int = 3, concurrency: int = 2) -> int:
    return main(classify_args(db, server, *extra, batch=batch, concurrency=concurrency))


def stored(db: Path, source: str = SOURCE) -> dict[str, str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("select hs10, description from raw.hs10_labels where label_source = ?", [source]).fetchall()
    finally:
        con.close()
    return dict(rows)


def test_classifies_concordance_and_trade_codes_without_a_label(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    with FakeOpenAI() as server:
        assert classify(db, server) == 0
        labels = stored(db)
        # 6 concordance + 1 trade-only code with a description; 8471000005 has an imported label; the trade
        # code without any description is skipped
        assert sorted(labels) == ["0101210010"] + [f"84710000{i:02d}" for i in range(5)]
        assert labels["8471000000"] == "LONG 0 (2024)"  # newest concordance year
        assert labels["0101210010"] == "HORSES"
        assert server.authorizations[0] == "Bearer no-key"  # no key set: a local server gets a placeholder
        out = capsys.readouterr().out
        assert "1 without a description (skipped)" in out and "1 with an imported label" in out
        before = server.requests
        assert classify(db, server, "--limit", "2") == 0
        assert server.requests == before


def test_codes_file_pads_codes_and_uses_warehouse_descriptions(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    codes = tmp_path / "codes.csv"
    codes.write_text("hs10,description\n101210010,\n8471000005,\n9999000000,NEW THING\n")
    with FakeOpenAI() as server:
        assert classify(db, server, "--codes", str(codes)) == 0
        assert stored(db) == {"0101210010": "HORSES", "8471000005": "LONG 5", "9999000000": "NEW THING"}
        bad = tmp_path / "bad.txt"
        bad.write_text("8471000005\n12345\n")
        capsys.readouterr()
        requests = server.requests
        assert classify(db, server, "--codes", str(bad)) == 2
        assert "12345" in capsys.readouterr().err
        assert server.requests == requests  # refused before anything is sent
        assert len(stored(db)) == 3


def test_dry_run_cli_sends_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    with FakeOpenAI() as server:
        assert classify(db, server, "--dry-run") == 0
        assert server.requests == 0
    out = capsys.readouterr().out
    assert "6 to classify" in out and "2 requests of up to 3 codes" in out and "completion tokens" in out
    assert stored(db) == {}


def test_key_is_sent_but_never_logged_printed_or_stored(tmp_path, monkeypatch, capsys, caplog):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    with FakeOpenAI(expected_key=KEY) as server:
        server.script.extend(["500", "malformed"])
        server.bad_codes["8471000001"] = "invalid_enum"
        assert (
            main(
                [
                    "-v",
                    "labels",
                    "classify",
                    "--flow",
                    "imports",
                    "--model",
                    "fake-model",
                    "--base-url",
                    server.base_url,
                    "--batch-size",
                    "3",
                    "--db",
                    str(db),
                ]
            )
            == 1
        )  # one code failed
        assert server.authorizations[0] == f"Bearer {KEY}"
        server.script.append("401")
        assert classify(db, server, "--codes", str(_codes(tmp_path))) == 2
    captured = capsys.readouterr()
    assert "HTTP 401" in captured.err
    for text in (captured.out, captured.err, caplog.text):
        assert KEY not in text
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select count(*) from raw.label_failures").fetchone() == (1,)
    assert con.execute("select endpoint from raw.label_runs limit 1").fetchone()[0] == server.base_url
    con.close()


def _codes(tmp_path: Path) -> Path:
    path = tmp_path / "one.txt"
    path.write_text("8471000001\n")
    return path


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    codes = tmp_path / "codes.csv"
    n, batch = 120, 4
    codes.write_text("hs10,description\n" + "".join(f"{8400000000 + i},ITEM {i}\n" for i in range(n)))
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    with FakeOpenAI(latency=0.05) as server:
        cli = classify_args(db, server, "--codes", str(codes), batch=batch, concurrency=1)
        args = [sys.executable, "-m", "ingestion.cli", *cli]
        proc = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while server.requests < 8 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
        killed_after = server.requests
        con = duckdb.connect(str(db), read_only=True)
        cached = con.execute("select count(*) from raw.label_cache").fetchone()[0]
        con.close()
        assert 0 < cached < n and cached % batch == 0
        assert killed_after - cached // batch <= 1  # at most the batch in flight was lost
        assert classify(db, server, "--codes", str(codes), batch=batch, concurrency=1) == 0
        assert server.requests - killed_after == (n - cached) // batch  # only what was missing
    con = duckdb.connect(str(db), read_only=True)
    # the killed run is no longer `running`: it is closed with the answers it had committed
    assert con.execute("select status, classified, failed from raw.label_runs order by started_at").fetchall() == [
        ("abandoned", cached, 0),
        ("finished", n - cached, 0),
    ]
    assert con.execute(
        "select count(*), count(distinct hs10) from raw.hs10_labels where label_source = ?", [SOURCE]
    ).fetchone() == (n, n)
    assert con.execute("select count(*), count(distinct hs10) from raw.label_cache").fetchone() == (n, n)
    con.close()


def test_ctrl_c_stops_the_requests_in_flight_and_sends_no_more(tmp_path):
    """A hung endpoint and Ctrl-C: the run ends now, not when its requests time out, and sends nothing after it
    (before, it kept retrying for minutes, paying for answers it then dropped)."""
    db = tmp_path / "w.duckdb"
    warehouse.connect(db).close()
    codes = tmp_path / "codes.csv"
    codes.write_text("hs10,description\n" + "".join(f"{8400000000 + i},ITEM {i}\n" for i in range(12)))
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    with FakeOpenAI(slow_s=300) as server:
        server.script.extend(["slow"] * 50)
        cli = classify_args(db, server, "--codes", str(codes), "--timeout", "300", batch=3, concurrency=2)
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingestion.cli", *cli], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 30
        while server.requests < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.requests == 2  # both workers wait on a hung answer
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)  # far below the 300 s timeout the requests would otherwise wait out
        finally:
            proc.kill()
        assert proc.returncode == 130, proc.stderr.read().decode()
        time.sleep(0.5)
        assert server.requests == 2  # no retry, no new batch after the interrupt
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select status, requests from raw.label_runs").fetchall() == [("interrupted", 0)]
    con.close()


def test_a_key_with_a_trailing_newline_is_used_without_it(tmp_path, monkeypatch):
    """`export OPENAI_API_KEY=$(cat key.txt)` keeps the newline; httpx refuses it as a header, which had failed every
    code as a "connection error". A blank inside the key is an error that says so."""
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    with FakeOpenAI(expected_key="sk-test-123") as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123\n")
        assert classify(db, server, "--codes", str(_codes(tmp_path))) == 0
        assert server.authorizations == ["Bearer sk-test-123"]
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test 123")
        assert classify(db, server, "--codes", str(_codes(tmp_path))) == 2


@pytest.mark.parametrize("flag", ["--batch-size", "--concurrency"])
def test_bad_settings_are_user_errors(tmp_path, monkeypatch, flag):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    db = tmp_path / "w.duckdb"
    seed_warehouse(db)
    with FakeOpenAI() as server:
        assert classify(db, server, flag, "0") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["labels", "classify", "--flow", "imports", "--limit", "-300"], "'-300' must be at least 1"),
        (["labels", "classify", "--flow", "imports", "--timeout", "0"], "'0' must be above 0"),
        (["labels", "audit", "--a", "x", "--b", "y", "--top", "-1"], "'-1' must be at least 1"),
    ],
)
def test_counts_and_seconds_must_be_positive(args, message, capsys):
    """`--limit -300` had classified the first codes but the last 300 (a slice from the end); `--top -1` crashed."""
    with pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == 2 and message in capsys.readouterr().err
