"""Every Census failure mode, served for real by the fake server on 127.0.0.1."""

from __future__ import annotations

import json

import duckdb
import pytest
from fake_census import TEST_KEY, VALUE, FakeCensus, census_config, loaded_sums

from ingestion.census import run_census_ingest
from ingestion.census_client import (
    BadRequestError,
    CensusClient,
    FetchFailedError,
    KeyRejectedError,
)
from ingestion.census_parse import parse_payload
from ingestion.census_plan import PlannedRequest, parse_countries
from ingestion.errors import UserError
from ingestion.retry import RetryPolicy

MONTHS = ["2024-11", "2024-12", "2025-01"]


@pytest.fixture
def fake():
    with FakeCensus.generated(TEST_KEY, MONTHS, published_through="2025-01", rows_per_month=12) as server:
        yield server


def _is(flow: str, cty: str, time: str | None = None):
    return lambda s: s.flow == flow and s.cty == cty and (time is None or s.time == time) and s.chapter is None


def _config(fake, tmp_path, **kw):
    return census_config(fake, tmp_path / "w.duckdb", start=2024 * 12 + 10, **kw)


def _assert_complete(fake, tmp_path):
    for flow in ("imports", "exports"):
        assert loaded_sums(tmp_path / "w.duckdb", flow) == fake.served_sums(flow)


@pytest.mark.parametrize(
    ("kind", "extra"),
    [  # size-like failures (500/502/504/timeout) twice would split the request: see the chapter test
        ("status", {"status": 500, "times": 1}),
        ("status", {"status": 502, "times": 1}),
        ("status", {"status": 503, "retry_after": "0", "times": 2}),
        ("status", {"status": 429, "retry_after": "0.01", "times": 3}),
        ("truncated", {"times": 2}),
        ("malformed", {"times": 2}),
        ("short_row", {"times": 2}),
        ("drop", {"times": 2}),
        ("timeout", {"sleep": 0.6, "times": 1}),
    ],
)
def test_transient_failures_are_retried_and_the_load_is_exact(fake, tmp_path, kind, extra):
    fault = fake.add_fault(_is("imports", "5700", "2024-12"), kind, **extra)
    summary = run_census_ingest(_config(fake, tmp_path, timeout=0.3), TEST_KEY)
    assert fault.hits == extra["times"]
    assert summary.failures == [] and summary.split_by_chapter == 0
    assert summary.client_counts["retries"] == extra["times"]
    _assert_complete(fake, tmp_path)


def test_persistent_failure_is_bounded_reported_and_resumed(fake, tmp_path):
    fake.add_fault(_is("exports", "1220"), "truncated", times=100)
    config = _config(fake, tmp_path)
    summary = run_census_ingest(config, TEST_KEY)
    attempts = [s for s in fake.data_requests() if s.flow == "exports" and s.cty == "1220"]
    assert len(attempts) == 2 * (config.retry.max_retries + 1)  # partitions 2024 and 2025, bounded retries
    assert sorted(f.split(":")[0] for f in summary.failures) == ["exports/2024/1220", "exports/2025/1220"]
    assert "malformed response" in summary.failures[0] and "after 4 attempts" in summary.failures[0]
    assert "FAILED exports/2024/1220" in summary.render()
    assert loaded_sums(tmp_path / "w.duckdb", "imports") == fake.served_sums("imports")

    fake.faults.clear()
    resumed = run_census_ingest(config, TEST_KEY)
    assert resumed.failures == [] and resumed.loaded == 2
    _assert_complete(fake, tmp_path)


def test_backoff_is_exponential_and_honours_retry_after(fake):
    waits: list[float] = []
    retry = RetryPolicy(max_retries=4, base_delay=0.5, max_delay=3.0, max_retry_after=30.0)
    request = PlannedRequest("imports", "2024-12", "5700", "2024-12", ("2024-12",))
    fake.add_fault(_is("imports", "5700"), "status", status=429, retry_after="7", times=1)
    fake.add_fault(_is("imports", "5700"), "status", status=503, times=100)
    with CensusClient(fake.base_url, TEST_KEY, max_rps=10_000, retry=retry, sleep=waits.append) as client:
        with pytest.raises(FetchFailedError, match=r"HTTP 503 after 5 attempts") as caught:
            client.get(request.endpoint, request.params(), lambda p: parse_payload(p, request))
        assert client.stats["requests"] == 5 and client.stats["retries"] == 4
    backoffs = [w for w in waits if w >= 0.4]  # the rate limiter's sub-millisecond waits aside
    assert backoffs[0] == 7.0  # Retry-After of the 429
    assert [round(b / 0.5) for b in backoffs[1:]] in ([2, 4, 6], [2, 5, 6], [2, 4, 7], [2, 5, 7])
    assert all(b <= 3.0 * 1.25 for b in backoffs[1:])
    assert TEST_KEY not in str(caught.value)


@pytest.mark.parametrize("retry_after", ["nan", "inf", "-inf", "Wed, 21 Oct 2026 07:28:00 GMT"])
def test_a_retry_after_that_is_not_seconds_falls_back_to_the_backoff(retry_after: str) -> None:
    """Both clients share RetryPolicy: a Retry-After of 'nan' had crashed the run (sleep(nan)), 'inf' waited the cap."""
    policy = RetryPolicy(base_delay=2.0, max_delay=60.0, max_retry_after=30.0)
    assert 4.0 <= policy.delay(1, retry_after) <= 5.0  # the backoff: 2 * 2**1, plus up to 25% jitter
    assert policy.delay(1, "12") == 12.0 and policy.delay(1, "999") == 30.0


def test_a_partition_served_with_a_repeated_row_fails_alone(fake, tmp_path):
    """Census serving one partition with a row twice rejects that partition, named in the summary, and loads the
    partitions fetched with it (it had rejected their whole load batch, so every rerun loaded nothing); the rerun
    loads it once Census serves it right."""
    fake.add_fault(_is("imports", "1010"), "duplicate_row", times=2)  # both of its years, once each
    summary = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    assert sorted(f.split(":")[0] for f in summary.failures) == ["imports/2024/1010", "imports/2025/1010"]
    for failure in summary.failures:  # Census's answer: no advice to mend source rows the user does not have
        assert "duplicate" in failure and "nothing was loaded" in failure and "fix the source rows" not in failure
        assert failure.endswith("; an earlier load of it keeps its rows, and the next run asks Census again")
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        stored = dict(con.execute("select partition_id, status from raw.load_manifest").fetchall())
        rows_1010 = con.execute("select count(*) from raw.census_imports where cty_code = '1010'").fetchone()[0]
    assert "imports/2024/1010" not in stored and "imports/2025/1010" not in stored and rows_1010 == 0
    assert summary.planned - 2 == len(stored) and stored["exports/2024/1010"] == "loaded"
    assert loaded_sums(tmp_path / "w.duckdb", "exports") == fake.served_sums("exports")

    again = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    assert again.failures == [] and again.loaded == 2
    _assert_complete(fake, tmp_path)


def test_a_batch_whose_every_partition_is_refused_stops_the_run(fake, tmp_path):
    """When the loader refuses every partition of a batch, Census's answers changed shape: the run stops with the
    first refusal instead of fetching the whole plan to refuse it."""
    fake.add_fault(lambda s: "CTY_NAME" in (s.param("get") or ""), "duplicate_row", times=10_000)
    with pytest.raises(UserError, match=r"the loader refused all \d+ partitions of a batch.*First refusal: \w+/"):
        run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.load_manifest where status = 'loaded'").fetchone() == (0,)


def test_204_is_recorded_as_an_empty_partition(fake, tmp_path):
    fake.add_fault(_is("imports", "1010"), "empty", times=100)
    summary = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select partition_id, status, row_count from raw.load_manifest where cty_code in ('1010', '7770') "
            "order by 1"
        ).fetchall()
        loaded_1010 = con.execute("select count(*) from raw.census_imports where cty_code = '1010'").fetchone()
    assert ("imports/2024/1010", "empty", 0) in rows and ("exports/2025/7770", "empty", 0) in rows
    assert loaded_1010 == (0,)
    assert summary.empty == 4 and summary.failures == []  # imports 1010 x2, exports 7770 x2
    again = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    assert again.skipped_complete == again.planned


def test_400_is_a_clear_error_naming_the_request_and_not_retried(fake, tmp_path):
    fake.add_fault(_is("exports", "5700", "2025-01"), "status", status=400, body="error: unknown variable 'QTY_9_MO'")
    with pytest.raises(BadRequestError) as caught:
        run_census_ingest(_config(fake, tmp_path, concurrency=1), TEST_KEY)
    message = str(caught.value)
    assert "HTTP 400" in message and "CTY_CODE=5700" in message and "time=2025-01" in message
    assert "unknown variable 'QTY_9_MO'" in message and "not retried" in message
    assert len([s for s in fake.data_requests() if _is("exports", "5700", "2025-01")(s)]) == 1


def test_html_key_page_mid_run_stops_with_key_rejected(fake, tmp_path):
    fake.add_fault(_is("imports", "1220"), "html", times=100)
    with pytest.raises(KeyRejectedError, match="rejected the API key") as rejected:
        run_census_ingest(_config(fake, tmp_path, concurrency=1), TEST_KEY)
    asked = [s.time for s in fake.data_requests() if _is("imports", "1220")(s)]
    assert asked and len(asked) == len(set(asked))  # each partition asked once: never retried
    # partitions loaded before a key page mid-run stay, and the message says so (it had said nothing was written)
    assert "Partitions loaded before this answer are kept: rerun the same command to resume" in str(rejected.value)


def test_request_too_large_is_split_by_chapter(fake, tmp_path):
    fake.too_large.add(("imports", "5700"))
    summary = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    assert summary.failures == [] and summary.split_by_chapter == 3  # three months of 5700
    chapters = {s.chapter for s in fake.data_requests() if s.chapter}
    assert len(chapters) == 99 and "01*" in chapters and "99*" in chapters
    _assert_complete(fake, tmp_path)
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        request = con.execute(
            "select request from raw.load_manifest where partition_id = 'imports/2024-12/5700'"
        ).fetchone()[0]
    assert json.loads(request)["split"] == "chapter"


def test_world_total_echoed_in_country_answers_is_not_double_counted(fake, tmp_path):
    summary = run_census_ingest(_config(fake, tmp_path), TEST_KEY)
    assert summary.dropped_other_countries > 0  # the fake mixes '-' rows into every country answer
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        mixed = con.execute(
            "select count(*) from raw.census_imports where partition_id not like '%/' || cty_code"
        ).fetchone()[0]
    assert mixed == 0


def test_duplicate_header_names_keep_the_first_column():
    request = PlannedRequest("exports", "2024-12", "5700", "2024-12", ("2024-12",))
    payload = [
        ["E_COMMODITY", "CTY_CODE", "ALL_VAL_MO", "COMM_LVL", "CTY_CODE", "time", "E_COMMODITY"],
        ["0101210010", "5700", "125", "HS10", "9999", "2024-12", "xx"],
        ["847130", "5700", "7", "HS10", "9999", "2024-12", "xx"],  # an odd code: left for the warehouse to name
        ["101210020", "5700", None, "HS10", "9999", "2024-12", "xx"],  # 9 digits: zero-padded; null value -> 0
    ]
    part = parse_payload(payload, request)
    assert part.table["e_commodity"].to_pylist() == ["0101210010", "847130", "0101210020"]
    assert part.table["all_val_mo"].to_pylist() == [125, 7, 0]
    assert part.table["cty_code"].to_pylist() == ["5700"] * 3
    assert part.table["time"].to_pylist() == ["2024-12"] * 3


def test_cli_exit_codes_and_summary(fake, tmp_path, monkeypatch, capsys):
    from ingestion.cli import main

    monkeypatch.setenv("CENSUS_API_KEY", TEST_KEY)
    argv = [
        "ingest",
        "census",
        "--start",
        "2024-11",
        "--end",
        "2025-01",
        "--countries",
        "5700,1220",  # the world total `-` is fetched without being asked for
        "--base-url",
        fake.base_url,
        "--db",
        str(tmp_path / "w.duckdb"),
        "--retry-base-delay",
        "0.001",
        "--max-retries",
        "1",
        "--max-rps",
        "1000",
    ]
    fake.add_fault(_is("imports", "1220"), "malformed", times=100)
    assert main(argv) == 1  # a partition failed: listed, the others loaded
    out = capsys.readouterr().out
    # Canada (1220) is a large partner, so it is asked per month
    assert "FAILED imports/2024-12/1220" in out and "rerun the same command" in out
    assert "dollars loaded (country detail, world total excluded) by month" in out and "2024-12" in out
    fake.faults.clear()
    assert main(argv) == 0
    assert "already complete" in capsys.readouterr().out
    _assert_complete_for(fake, tmp_path, ("5700", "1220"))
    for flow in ("imports", "exports"):  # the world total, which the build checks the two partners against
        with_world = loaded_sums(tmp_path / "w.duckdb", flow, detail_only=False)
        detail = loaded_sums(tmp_path / "w.duckdb", flow)
        world = {m: sum(int(r.values[VALUE[flow]] or 0) for r in fake.data[flow].get(("-", m), [])) for m in MONTHS}
        assert all(world.values())
        assert {m: with_world.get(m, 0) - detail.get(m, 0) for m in MONTHS} == world
    fake.stop()
    assert main([*argv, "--timeout", "0.5"]) == 2  # nothing listens: a clear error, not a traceback
    assert "could not reach the Census API" in capsys.readouterr().err
    fake.start()


def test_countries_always_include_the_world_total() -> None:
    assert parse_countries("5700, 1220") == ("5700", "1220", "-")
    assert parse_countries("-,5700,5700") == ("-", "5700")
    assert parse_countries("ALL") is None
    with pytest.raises(UserError, match="4-digit"):
        parse_countries("570")


def _assert_complete_for(fake, tmp_path, countries):
    for flow in ("imports", "exports"):
        expected = {
            m: sum(int(r.values[VALUE[flow]] or 0) for c in countries for r in fake.data[flow].get((c, m), []))
            for m in MONTHS
        }
        assert loaded_sums(tmp_path / "w.duckdb", flow) == {m: v for m, v in expected.items() if v}


def test_fetched_partitions_are_loaded_in_batches_without_waiting_for_a_slow_request(fake, tmp_path, monkeypatch):
    """Partitions load several per transaction (one batch while nothing bounds it), and a batch is flushed when its
    time is up even while the only request left in flight is slow (here the last one planned, retried)."""
    from ingestion import census

    batches: list[list[str]] = []
    load_batch = census._load_batch

    def recording_load_batch(con, batch, *args):
        batches.append([fetched.request.partition_id for fetched in batch])
        load_batch(con, batch, *args)

    monkeypatch.setattr(census, "_load_batch", recording_load_batch)
    monkeypatch.setattr(census, "LOAD_BATCH_PARTITIONS", 10_000)
    monkeypatch.setattr(census, "LOAD_BATCH_ROWS", 10_000_000)
    monkeypatch.setattr(census, "LOAD_BATCH_SECONDS", 3600.0)
    summary = run_census_ingest(_config(fake, tmp_path, concurrency=1), TEST_KEY)  # one worker: in plan order
    assert summary.failures == []
    assert len(batches) == 1 and len(batches[0]) > 10  # every partition in one transaction
    _assert_complete(fake, tmp_path)

    last = fake.seen[-1]  # the last partition planned
    partitions = len(batches[0])
    batches.clear()
    fake.add_fault(lambda s: (s.flow, s.cty, s.time) == (last.flow, last.cty, last.time), "timeout", sleep=1.0)
    monkeypatch.setattr(census, "LOAD_BATCH_SECONDS", 0.2)
    slow_tmp = tmp_path / "slow"
    slow_tmp.mkdir()
    summary = run_census_ingest(_config(fake, slow_tmp, concurrency=1, timeout=5.0), TEST_KEY)
    assert summary.failures == []
    assert len(batches[-1]) == 1  # the partitions fetched before it were loaded while it was still in flight
    assert sum(len(batch) for batch in batches) == partitions
    _assert_complete(fake, slow_tmp)
