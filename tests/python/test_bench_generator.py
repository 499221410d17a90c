"""The benchmark's synthetic Census generator (ingestion/demo_scaled.py) and the floor comparison."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pytest

from bench.harness import (
    FloorCheck,
    HarnessError,
    Run,
    _union_length,
    check_timeable,
    compare,
    compare_by_checksum,
    fact_note,
    load_via_loader,
    run_floor,
    summarize_run_results,
    targets,
)
from ingestion import demo_scaled
from ingestion.secrets import SECRET_ENV_VARIABLES
from ingestion.warehouse import connect

CONFIG = demo_scaled.ScaledConfig(scale=0.004, first_month="2023-01", last_month="2024-06")
DETAIL = "cty_code <> '-' and cty_code not like '00%' and cty_code not like '%X%'"


def build(db: Path, config: demo_scaled.ScaledConfig = CONFIG) -> dict[str, int]:
    con = connect(db)
    try:
        demo_scaled.prepare(con, config)
        demo_scaled.write_reference(con, config)
        files = demo_scaled.generate_history(con, config, db.parent / f"{db.stem}_gen", progress=False)
        return demo_scaled.load_history(con, files, progress=False)
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    db = tmp_path_factory.mktemp("bench_gen") / "w.duckdb"
    return db, build(db)


def test_history_has_census_shape(warehouse: tuple[Path, dict[str, int]]) -> None:
    db, rows = warehouse
    con = duckdb.connect(str(db), read_only=True)
    try:
        per_month = con.execute(
            "select min(n), max(n) from (select time, count(*) as n from raw.census_imports group by time)"
        ).fetchone()
        target = demo_scaled.FULL_ROWS_PER_MONTH["imports"] * CONFIG.scale
        assert 0.75 * target <= per_month[0] <= per_month[1] <= 1.3 * target
        assert con.execute("select count(distinct time) from raw.census_imports").fetchone()[0] == 18
        assert rows["imports"] == con.execute("select count(*) from raw.census_imports").fetchone()[0]
        # aggregate rows (world, EU, USMCA, continents) are exact sums of their detail rows
        mismatches = con.execute(
            f"""
            with detail as (
                select time, i_commodity, sum(con_val_mo) as v, sum(cal_dut_mo) as d from raw.census_imports
                where {DETAIL} group by all
            )
            select count(*) from raw.census_imports w join detail using (time, i_commodity)
            where w.cty_code = '-' and (w.con_val_mo <> detail.v or w.cal_dut_mo <> detail.d)
            """
        ).fetchone()[0]
        assert mismatches == 0
        codes = {r[0] for r in con.execute("select distinct cty_code from raw.census_imports").fetchall()}
        assert {"-", "0003", "0020", "4XXX", "5XXX"} <= codes
        # zero-heavy but never all-zero, 10-digit codes with some leading-zero chapters
        zeros = con.execute(
            """
            select count(*) filter (where con_val_mo = 0 and gen_val_mo = 0 and cal_dut_mo = 0 and dut_val_mo = 0
                and con_qy1_mo = 0 and con_qy2_mo = 0),
                count(*) filter (where cal_dut_mo = 0), count(*) filter (where con_qy1_mo = 0),
                count(*) filter (where con_val_mo = 0), count(*) filter (where i_commodity like '0%'),
                count(*) filter (where length(i_commodity) <> 10)
            from raw.census_imports
            """
        ).fetchone()
        all_zero, no_duty, no_quantity, zero_value, leading_zero, bad_length = zeros
        assert all_zero == 0 and bad_length == 0
        assert no_duty > rows["imports"] / 2 and no_quantity > 0 and zero_value > 0 and leading_zero > 0
        manifest = con.execute(
            "select count(*), sum(row_count), bool_and(status = 'loaded' and source = 'bench') from raw.load_manifest"
        ).fetchone()
        assert manifest == (36, rows["imports"] + rows["exports"], True)
        labels = dict(con.execute("select relevance, count(*) from raw.hs10_labels group by 1").fetchall())
        assert set(labels) == {"High", "Medium", "Low"} and labels["Low"] > labels["High"] > 0
    finally:
        con.close()


def test_generator_is_deterministic_and_reloading_replaces(tmp_path: Path, warehouse: tuple[Path, dict]) -> None:
    db, _ = warehouse
    again = tmp_path / "again.duckdb"
    build(again)
    query = (
        "select time, i_commodity, cty_code, con_val_mo, gen_val_mo, cal_dut_mo, con_qy1_mo from raw.census_imports "
        "order by all"
    )
    first = duckdb.connect(str(db), read_only=True)
    second = duckdb.connect(str(again))
    try:
        assert first.execute(query).fetchall() == second.execute(query).fetchall()
        before = second.execute("select count(*) from raw.census_imports").fetchone()[0]
        files = sorted((tmp_path / "again_gen").glob("imports_*.parquet"))
        demo_scaled.load_history(second, files[:1], progress=False)  # reload one year: partitions replaced
        assert second.execute("select count(*) from raw.census_imports").fetchone()[0] == before
        assert second.execute("select count(*) from raw.load_manifest where status = 'superseded'").fetchone()[0] == 12
    finally:
        first.close()
        second.close()


def test_months_go_through_the_real_loader_and_a_skipped_partition_stops_the_bench(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    config = demo_scaled.ScaledConfig(scale=0.002, first_month="2025-12", last_month="2026-01")
    build(db, config)
    run = Run(argparse.Namespace(), tmp_path, db)
    new_month = load_via_loader(run, config, [demo_scaled.NEXT_MONTH], replace=False)
    with pytest.raises(HarnessError, match="the loader skipped imports/2026-02/ALL"):  # same content: nothing to time
        load_via_loader(run, config, [demo_scaled.NEXT_MONTH], replace=False)
    revised = load_via_loader(run, config, ["2025-12", "2026-01"], replace=True)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = {
            flow: con.execute(
                f"select count(*) from raw.census_{flow} where time = '2026-02' and partition_id = '{flow}/2026-02/ALL'"
            ).fetchone()[0]
            for flow in ("imports", "exports")
        }
        revised_rows = con.execute(
            "select (select count(*) from raw.census_imports where time in ('2025-12', '2026-01'))"
            " + (select count(*) from raw.census_exports where time in ('2025-12', '2026-01'))"
        ).fetchone()[0]
        manifest = con.execute(
            "select status, count(*), count(landing_path), count(sha256) from raw.load_manifest "
            "where partition_id similar to '(imports|exports)/(2025-12|2026-01|2026-02)/ALL' group by 1 order by 1"
        ).fetchall()
    assert new_month["rows"] == sum(stored.values()) and min(stored.values()) > 0
    assert revised["rows"] == revised_rows > 0
    # the bulk-loaded months (their generated file, no checksum) superseded by their reload through the loader,
    # which lands every partition with a checksum
    assert manifest == [("loaded", 6, 6, 6), ("superseded", 4, 4, 0)]


def test_floor_comparison_detects_a_difference(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "c.duckdb"))
    con.execute("create schema marts; create schema bench_floor")
    con.execute(
        "create table marts.m as select * from (values ('a', 1.0::double, 10::decimal(38,2), true)) t(k, r, v, s)"
    )
    con.execute("create table bench_floor.f as select * from (values ('a', 1.0::double, 10::decimal(38,2))) t(k, r, v)")
    check = FloorCheck("f", "m", ("k",), "s")
    assert compare(con, check)["status"] == "equal"
    con.execute("update bench_floor.f set v = 10.004")  # within the cent: equal
    assert compare(con, check)["status"] == "equal"
    con.execute("update bench_floor.f set v = 10.02")
    result = compare(con, check)
    assert (result["status"], result["mismatched_rows"], result["floor_rows"], result["mart_rows"]) == (
        "DIFFERENT",
        1,
        1,
        1,
    )
    con.execute("update bench_floor.f set v = 10; insert into bench_floor.f values ('b', 2, 3)")
    result = compare(con, check)
    assert (result["status"], result["mismatched_rows"], result["floor_rows"], result["mart_rows"]) == (
        "DIFFERENT",
        1,
        2,
        1,
    )
    con.execute("delete from bench_floor.f where k = 'b'; insert into marts.m values ('c', 1, 1, true)")
    result = compare(con, check)  # an extra mart row: caught by the row counts alone
    assert (result["status"], result["mismatched_rows"], result["floor_rows"], result["mart_rows"]) == (
        "DIFFERENT",
        0,
        1,
        2,
    )
    assert compare(con, FloorCheck("f", "missing", ("k",)))["status"] == "skipped"
    con.close()


def test_fact_checksum_comparison_names_what_differs(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(f"attach '{tmp_path / 'copy.duckdb'}' as copy")
    con.execute("create schema marts")
    rows = "('a', 1::decimal(38,2), 'x', now()), ('b', 2, 'y', now()), ('c', 2, null, now())"
    con.execute(f"create table marts.f as select * from (values {rows}) t(k, v, s, built_at)")
    # another row order and no built_at (the column left out): equal
    con.execute("create table copy.f as select k, v, s from marts.f order by k desc")

    def check() -> tuple[str, int, int, bool, list[str]]:
        result = compare_by_checksum(con, "copy", "f", "built_at")
        return (
            result["status"],
            result["floor_rows"],
            result["mart_rows"],
            result["rows_equal"],
            result["differing_columns"],
        )

    assert check() == ("equal", 3, 3, True, [])
    con.execute("update copy.f set v = 2.01 where k = 'a'")
    assert check() == ("DIFFERENT", 3, 3, False, ["v"])
    # two rows trading their values keep every column's checksum: the row checksum catches it
    con.execute(
        "update copy.f set v = 1 where k = 'a'; update copy.f set s = case k when 'a' then 'y' else 'x' end "
        "where k in ('a', 'b')"
    )
    assert check() == ("DIFFERENT", 3, 3, False, [])
    con.execute("update copy.f set s = case k when 'a' then 'x' else 'y' end where k in ('a', 'b')")
    con.execute("update copy.f set s = 'z' where k = 'c'")  # null to a value
    assert check() == ("DIFFERENT", 3, 3, False, ["s"])
    con.execute("update copy.f set s = null where k = 'c'; insert into copy.f values ('a', 1, 'x')")
    assert check() == ("DIFFERENT", 4, 3, False, ["k", "v", "s"])
    con.execute("delete from copy.f where rowid = (select max(rowid) from copy.f)")
    assert check() == ("equal", 3, 3, True, [])

    def differing_types() -> list[str] | None:
        result = compare_by_checksum(con, "copy", "f", "built_at")
        return result.get("differing_types") if result["status"] == "DIFFERENT" else None

    # hashes ignore types (1.00 as decimal(38,2) hashes like 100 as bigint): the types are compared first
    con.execute("create or replace table copy.f as select k, cast(v * 100 as bigint) as v, s from marts.f")
    assert differing_types() == ["v"]
    con.execute("create or replace table copy.f as select k, v, s, 1 as extra from marts.f")
    assert differing_types() == ["extra"]
    con.execute("create or replace table copy.f as select k, v from marts.f")
    assert differing_types() == ["s"]
    note = fact_note({"check": compare_by_checksum(con, "copy", "f", "built_at")})
    assert note.startswith("NOT equal to fct_trade_monthly: columns missing or of another type: ['s']"), note
    con.execute("create table marts.g as select * from marts.f")  # a mart with no copy
    assert compare_by_checksum(con, "copy", "g", "built_at")["status"] == "skipped"
    assert compare_by_checksum(con, "copy", "missing", "built_at")["status"] == "skipped"
    con.close()


def test_a_failed_floor_leaves_no_scratch_fact_behind(tmp_path: Path) -> None:
    # a warehouse without raw tables: bench/floor.sql fails after the runner has created the scratch file
    db = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(db)).close()
    run = Run(argparse.Namespace(), tmp_path, db)
    with pytest.raises(HarnessError, match=r"bench/floor\.sql or bench/floor_fact\.sql failed"):
        run_floor(run)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["warehouse.duckdb"]


def test_run_results_summary_separates_models_and_tests() -> None:
    def node(unique_id: str, start: int, end: int, status: str = "success") -> dict:
        stamp = "2026-01-01T00:00:{:02d}Z"
        timing = [{"name": "execute", "started_at": stamp.format(start), "completed_at": stamp.format(end)}]
        return {"unique_id": unique_id, "status": status, "execution_time": end - start, "timing": timing}

    results = {
        "elapsed_time": 20,
        "results": [
            node("model.p.a", 0, 3),
            node("model.p.b", 2, 6),
            node("test.p.t1", 6, 7),
            node("unit_test.p.u", 7, 9, "fail"),
            node("test.p.t2", 9, 9, "error"),
            node("model.p.c", 9, 9, "skipped"),
        ],
    }
    summary = summarize_run_results(results, wall=30)
    assert summary["models_seconds"] == 6 and summary["tests_seconds"] == 3
    assert summary["by_type"]["model"] == {"count": 3, "sum_seconds": 7, "wall_seconds": 6}
    assert summary["overhead_seconds"] == 21
    assert summary["failures"] == {"test": ["unit_test.p.u", "test.p.t2"]}
    assert summary["errors"] == ["test.p.t2"]  # a test that could not run: the harness refuses the timing
    assert summary["skipped"] == {"model": ["model.p.c"]}
    assert summary["slowest"][:2] == [{"node": "model.p.b", "seconds": 4}, {"node": "model.p.a", "seconds": 3}]
    assert _union_length([(0, 1), (0.5, 2), (5, 6)]) == 3


def test_harness_refuses_the_timing_of_a_build_with_a_failed_model_or_an_errored_node(tmp_path: Path) -> None:
    def summary(failures: dict[str, list[str]], errors: list[str], skipped: dict | None = None) -> dict:
        return {"command": "dbt build", "failures": failures, "errors": errors, "skipped": skipped or {}}

    log = tmp_path / "dbt.log"
    check_timeable(summary({"test": ["test.p.t1"]}, []), log)  # a failing test is a result: timed
    with pytest.raises(HarnessError, match=r"nodes errored: \['test.p.t2'\]"):
        check_timeable(summary({"test": ["test.p.t2"]}, ["test.p.t2"]), log)
    with pytest.raises(HarnessError, match=r"models failed to build: \['model.p.a'\]"):
        check_timeable(summary({"model": ["model.p.a"]}, ["model.p.a"]), log)
    with pytest.raises(HarnessError, match="models failed to build"):
        check_timeable(summary({"seed": ["seed.p.s"]}, []), log)
    # a failing test skips the models after it: they took no time
    with pytest.raises(HarnessError, match=r"models were skipped: \['model.p.b'\]"):
        check_timeable(summary({"test": ["test.p.t1"]}, [], {"model": ["model.p.b"]}), log)


def test_processes_the_bench_starts_get_no_api_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_ENV_VARIABLES:
        monkeypatch.setenv(name, f"secret-{name}")
    monkeypatch.setenv("AI_TRADE_BENCH_PROBE", "kept")
    env = Run(argparse.Namespace(), tmp_path, tmp_path / "warehouse.duckdb").env()
    assert SECRET_ENV_VARIABLES and not set(SECRET_ENV_VARIABLES) & set(env)
    assert not any(value.startswith("secret-") for value in env.values())
    assert env["AI_TRADE_BENCH_PROBE"] == "kept" and env["AI_TRADE_DUCKDB"] == str(tmp_path / "warehouse.duckdb")


def test_targets_compare_each_value_with_its_limit() -> None:
    measured = {
        "models_vs_floor": 2.0,  # exactly at the limit: met
        "incremental_vs_full": 0.21,
        "peak_memory_full_build_gb": None,  # not measured
        "raw_load_rows_per_second": 1_000_001,
    }
    result = targets(measured)
    assert {name: target["status"] for name, target in result.items()} == {
        "models_vs_floor": "MET",
        "incremental_vs_full": "MISSED",
        "peak_memory_full_build_gb": "N/A",
        "raw_load_rows_per_second": "MET",
    }
    assert result["raw_load_rows_per_second"]["target"] == ">= 1e+06"
    assert targets({"raw_load_rows_per_second": 999_999})["raw_load_rows_per_second"]["status"] == "MISSED"
