"""Census ingestion against the fake Census server: clean run, idempotent rerun, refresh, partial years."""

from __future__ import annotations

import json

import duckdb
import pytest
from fake_census import TEST_KEY, FakeCensus, census_config, loaded_sums

from ingestion.census import run_census_ingest

MONTHS = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]


@pytest.fixture
def fake():
    with FakeCensus.generated(TEST_KEY, MONTHS, published_through="2025-02") as server:
        yield server


def _manifest(db_path, where: str = "true") -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            f"select partition_id, status, row_count, value_sum, request from raw.load_manifest where {where} "
            "order by partition_id, loaded_at"
        ).fetchall()


def test_clean_run_loads_exactly_what_was_served(fake, tmp_path):
    db = tmp_path / "w.duckdb"
    summary = run_census_ingest(census_config(fake, db), TEST_KEY)

    assert summary.failures == []
    assert summary.end_month == "2025-02"  # 'latest' probed: months after 2025-02 are 204 at the fake
    for flow in ("imports", "exports"):
        assert loaded_sums(db, flow) == fake.served_sums(flow)
        assert loaded_sums(db, flow, detail_only=False) == {
            m: v + fake.served_sums(flow, detail_only=False)[m] - fake.served_sums(flow)[m]
            for m, v in fake.served_sums(flow).items()
        }
        assert sum(summary.dollars[(flow, m)] for m in MONTHS) == sum(fake.served_sums(flow).values())
    with duckdb.connect(str(db), read_only=True) as con:
        stored = (
            con.execute("select count(*) from raw.census_imports").fetchone()[0]
            + con.execute("select count(*) from raw.census_exports").fetchone()[0]
        )
        zero = con.execute(
            "select count(*) from raw.census_imports where con_val_mo = 0 and coalesce(gen_val_mo, 0) = 0 "
            "and coalesce(cal_dut_mo, 0) = 0 and coalesce(dut_val_mo, 0) = 0"
        ).fetchone()[0]
        world_dupes = con.execute(
            "select count(*) from (select time, i_commodity from raw.census_imports where cty_code = '-' "
            "group by all having count(*) > 1)"
        ).fetchone()[0]
        leading_zero = con.execute(
            "select count(*) from raw.census_imports where i_commodity like '0%' and length(i_commodity) = 10"
        ).fetchone()[0]
    assert stored == fake.nonzero_rows("imports") + fake.nonzero_rows("exports") == summary.rows
    assert zero == 0 and world_dupes == 0 and leading_zero > 0
    # 5700 and the world total per month (14 each), 1220 and 1010 per year (2 each): 32 partitions per flow
    manifest = _manifest(db)
    assert len(manifest) == summary.planned == 2 * (14 * 2 + 2 * 2 + 2)
    statuses = {pid: status for pid, status, *_ in manifest}
    assert statuses["exports/2024/7770"] == statuses["exports/2025/7770"] == "empty"  # 204s
    assert all(s == "loaded" for pid, s in statuses.items() if "7770" not in pid or pid.startswith("imports"))
    request = json.loads(statuses and next(r for pid, *_, r in manifest if pid == "imports/2025/1220"))
    assert ["time", "from 2025-01 to 2025-02"] in request["params"]
    assert ["CTY_CODE", "1220"] in request["params"]

    served_before = len(fake.data_requests())
    again = run_census_ingest(census_config(fake, db), TEST_KEY)
    assert again.skipped_complete == again.planned and again.loaded == 0
    assert len(fake.data_requests()) == served_before  # only the 'latest' probe was sent
    assert len(_manifest(db)) == len(manifest)


def test_refresh_months_replaces_a_revised_month_and_keeps_the_old_vintage(fake, tmp_path):
    db = tmp_path / "w.duckdb"
    run_census_ingest(census_config(fake, db), TEST_KEY)
    before = loaded_sums(db, "imports")
    fake.revise("imports", "2025-02", add=1000)

    plain = run_census_ingest(census_config(fake, db), TEST_KEY)
    assert plain.loaded == 0 and loaded_sums(db, "imports") == before  # no refresh asked: nothing re-pulled

    refreshed = run_census_ingest(census_config(fake, db, refresh_months=1), TEST_KEY)
    after = loaded_sums(db, "imports")
    assert after == fake.served_sums("imports")
    assert after["2025-02"] > before["2025-02"]
    assert {m: v for m, v in after.items() if m != "2025-02"} == {m: v for m, v in before.items() if m != "2025-02"}
    # re-pulled: 2025-02 of 5700 and '-', the 2025 partitions of 1220/1010/7770, for both flows
    assert refreshed.loaded + refreshed.unchanged + refreshed.empty == 2 * 5
    superseded = _manifest(db, "partition_id = 'imports/2025-02/5700' and status = 'superseded'")
    current = _manifest(db, "partition_id = 'imports/2025-02/5700' and status = 'loaded'")
    assert len(superseded) == 1 and len(current) == 1
    assert current[0][3] > superseded[0][3]  # value_sum of the new vintage includes the revision
    assert loaded_sums(db, "exports") == fake.served_sums("exports")


def test_partial_year_is_repulled_when_census_publishes_another_month(tmp_path):
    db = tmp_path / "w.duckdb"
    with FakeCensus.generated(TEST_KEY, MONTHS, published_through="2025-01") as fake:
        first = run_census_ingest(census_config(fake, db), TEST_KEY)
        assert first.end_month == "2025-01"
        assert loaded_sums(db, "imports") == fake.served_sums("imports")
        fake.published_through = "2025-02"
        sent_before = len(fake.data_requests())
        second = run_census_ingest(census_config(fake, db), TEST_KEY)
        assert second.end_month == "2025-02"
        assert loaded_sums(db, "imports") == fake.served_sums("imports")
        assert loaded_sums(db, "exports") == fake.served_sums("exports")
        pulled = {(s.flow, s.cty, s.time) for s in fake.data_requests()[sent_before:]}
    assert ("imports", "1220", "from 2025-01 to 2025-02") in pulled
    assert ("imports", "1220", "2024") not in pulled  # complete years are not asked again
    assert ("imports", "5700", "2025-01") not in pulled
    old = _manifest(db, "partition_id = 'imports/2025/1220' and status = 'superseded'")
    assert len(old) == 1 and "from 2025-01 to 2025-01" in old[0][4]


def test_a_run_over_another_part_of_a_year_keeps_the_months_an_earlier_run_loaded(fake, tmp_path):
    """A partner pulled by year holds one partition per year, and a reload replaces all its rows: a run to 2024-06
    and then one from 2024-07 must give what one run from 2024-01 gives, so the second run pulls the whole of 2024
    for those partners (it had replaced their 2024 with July-December alone). A later run over less of the year
    pulls nothing."""
    split = tmp_path / "split.duckdb"
    run_census_ingest(census_config(fake, split, end=2024 * 12 + 5), TEST_KEY)
    sent_before = len(fake.data_requests())
    run_census_ingest(census_config(fake, split, start=2024 * 12 + 6), TEST_KEY)
    pulled = {(s.flow, s.cty, s.time) for s in fake.data_requests()[sent_before:]}
    assert ("imports", "1220", "2024") in pulled and ("imports", "1220", "from 2024-07 to 2024-12") not in pulled
    clean = tmp_path / "clean.duckdb"
    run_census_ingest(census_config(fake, clean), TEST_KEY)
    for flow in ("imports", "exports"):
        assert loaded_sums(split, flow) == loaded_sums(clean, flow) == fake.served_sums(flow)
        assert loaded_sums(split, flow, detail_only=False) == loaded_sums(clean, flow, detail_only=False)

    again = run_census_ingest(census_config(fake, split, end=2024 * 12 + 5), TEST_KEY)
    assert again.loaded == 0 and again.skipped_complete == again.planned
    assert loaded_sums(split, "imports") == fake.served_sums("imports")


def test_explicit_end_after_latest_published_month_is_clamped(fake, tmp_path):
    db = tmp_path / "w.duckdb"
    summary = run_census_ingest(census_config(fake, db, end=2025 * 12 + 5, countries=("5700",)), TEST_KEY)
    assert summary.end_month == "2025-02"
    assert loaded_sums(db, "imports") == {
        m: sum(int(r.values["CON_VAL_MO"]) for r in fake.data["imports"][("5700", m)]) for m in MONTHS
    }
