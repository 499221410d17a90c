"""The Census key never leaves the process: not in logs, exceptions, the manifest, parquet files or the DB."""

from __future__ import annotations

import logging
import traceback

import duckdb
import pyarrow.parquet as pq
import pytest
from fake_census import TEST_KEY, FakeCensus, census_config

from ingestion.census import run_census_ingest
from ingestion.census_client import BadRequestError, CensusClient, FetchFailedError
from ingestion.cli import main
from ingestion.locations import url_without_secrets
from ingestion.paths import landing_dir
from ingestion.retry import RetryPolicy
from ingestion.secrets import Redactor, census_api_key

MONTHS = ["2024-11", "2024-12", "2025-01"]


def _is(flow: str, cty: str):
    return lambda s: s.flow == flow and s.cty == cty and s.chapter is None


def _assert_no_key_in_warehouse(db_path) -> None:
    """Byte-level grep of every file, plus a logical scan (DuckDB compresses strings) of every text column."""
    files = [db_path, *landing_dir(db_path).rglob("*")]
    files = [f for f in files if f.is_file()]
    assert any(f.suffix == ".parquet" for f in files)
    for path in files:
        assert TEST_KEY.encode() not in path.read_bytes(), path
        if path.suffix == ".parquet":
            for column in pq.read_table(path).columns:
                assert not any(TEST_KEY in str(v) for v in column.to_pylist()), path
    with duckdb.connect(str(db_path), read_only=True) as con:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
        ).fetchall()
        assert columns
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where "{column}" like ?', [f"%{TEST_KEY}%"]
            ).fetchone()[0]
            assert hits == 0, (table, column)
        requests = [r for (r,) in con.execute("select request from raw.load_manifest").fetchall()]
    assert requests and all('"key"' not in r for r in requests)


def test_key_never_appears_in_logs_exceptions_manifest_parquet_or_db(tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # httpx would log every URL (with key=) at INFO
    db = tmp_path / "w.duckdb"
    with FakeCensus.generated(TEST_KEY, MONTHS, published_through="2025-01", rows_per_month=10) as fake:
        fake.add_fault(_is("imports", "5700"), "status", status=503, retry_after="0", times=2)
        fake.add_fault(_is("exports", "1220"), "truncated", times=100)  # a reported failure
        fake.add_fault(_is("imports", "1010"), "timeout", sleep=0.5, times=1)
        fake.too_large.add(("exports", "5700"))
        summary = run_census_ingest(census_config(fake, db, start=2024 * 12 + 10, timeout=0.25), TEST_KEY)
        assert summary.failures and summary.split_by_chapter == 3

        errors: list[BaseException] = []
        fake.add_fault(_is("imports", "5700"), "status", status=400, body=f"bad url ?key={TEST_KEY}&x=1")
        with pytest.raises(BadRequestError) as bad:
            run_census_ingest(census_config(fake, db, start=2024 * 12 + 10, refresh_months=3), TEST_KEY)
        errors.append(bad.value)
        with CensusClient(
            fake.base_url, TEST_KEY, retry=RetryPolicy(max_retries=1, base_delay=0), timeout=0.2, max_rps=1000
        ) as client:
            fake.add_fault(lambda s: True, "timeout", sleep=0.5, times=2)
            with pytest.raises(FetchFailedError) as timed_out:
                client.get("imports/hs", [("get", "CTY_CODE"), ("time", "2024-12")], lambda p: p)
            errors.append(timed_out.value)
        # the server is gone: a connection error carries the URL in httpx's own exception
        fake.stop()
        with (
            CensusClient(
                fake.base_url, TEST_KEY, retry=RetryPolicy(max_retries=1, base_delay=0), max_rps=1000
            ) as client,
            pytest.raises(FetchFailedError) as refused,
        ):
            client.get("imports/hs", [("get", "CTY_CODE"), ("time", "2024-12")], lambda p: p)
        errors.append(refused.value)
        fake.start()  # so the context manager can stop it again

    for error in errors:
        rendered = "".join(traceback.format_exception(error))
        assert TEST_KEY not in rendered
        assert error.__cause__ is None and (error.__suppress_context__ or error.__context__ is None)
    assert "***" in str(errors[0])  # the 400 body echoed the key: scrubbed
    assert TEST_KEY not in caplog.text
    assert all(TEST_KEY not in str(r.msg) and TEST_KEY not in str(r.args) for r in caplog.records)
    assert TEST_KEY not in summary.render()
    captured = capsys.readouterr()
    assert TEST_KEY not in captured.out + captured.err
    _assert_no_key_in_warehouse(db)


def test_bad_key_is_exit_2_with_a_clear_message_and_nothing_written(tmp_path, monkeypatch, capsys):
    db = tmp_path / "w.duckdb"
    with FakeCensus.generated(TEST_KEY, MONTHS, published_through="2025-01", rows_per_month=5) as fake:
        monkeypatch.setenv("CENSUS_API_KEY", "not-the-right-key-0123456789")
        code = main(
            [
                "ingest",
                "census",
                "--flow",
                "both",
                "--start",
                "2024-11",
                "--end",
                "2025-01",
                "--countries",
                "5700,1220,-",
                "--base-url",
                fake.base_url,
                "--db",
                str(db),
                "--no-progress",
            ]
        )
    assert code == 2
    err = capsys.readouterr().err
    assert "error: Census rejected the API key" in err and "CENSUS_API_KEY" in err
    assert "not-the-right-key" not in err
    assert len(fake.seen) == 1  # the probe; no data request was made
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*) from raw.load_manifest").fetchone() == (0,)
        assert con.execute("select count(*) from raw.census_imports").fetchone() == (0,)
    assert not landing_dir(db).exists()


def test_missing_key_is_a_user_error(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)
    assert main(["ingest", "census", "--countries", "5700", "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "CENSUS_API_KEY is not set" in capsys.readouterr().err
    with pytest.raises(Exception, match="key_signup"):
        census_api_key({})


def test_redactor_scrubs_the_key_and_key_parameters():
    redact = Redactor("s3cr3t")
    scrubbed = redact("GET https://x/y?get=A&key=whatever&time=2024 s3cr3t")
    assert scrubbed == "GET https://x/y?get=A&key=***&time=2024 ***"


def test_a_location_url_is_stored_without_credentials_query_or_fragment():
    stored = url_without_secrets("https://user:s3cr3t@example.org:8443/lists/annex.csv?token=abc&key=k#part")
    assert stored == "https://example.org:8443/lists/annex.csv"
    assert url_without_secrets("http://127.0.0.1/labels.csv") == "http://127.0.0.1/labels.csv"
    assert url_without_secrets("lists/annex?.csv") == "lists/annex?.csv"  # a file path stays as given
