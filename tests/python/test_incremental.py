"""The incremental fact gives exactly the warehouse a full rebuild gives: after a new month, after Census
revises a month, and after labels or chapter exclusions change."""

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from dbt_runner import dbt_env, run_aitrade, run_dbt

from ingestion.paths import landing_dir
from ingestion.schema import RAW_TABLES
from ingestion.warehouse import TradePartition, connect, load_trade_partition, record_empty_partition

MODELS = ["--select", "@fct_trade_monthly", "--exclude", "resource_type:test", "resource_type:unit_test"]
METADATA = {"source", "vintage", "partition_id", "loaded_at"}
MONEY = {"con_val_mo", "gen_val_mo", "cal_dut_mo", "dut_val_mo", "all_val_mo"}


def _raw_columns(flow: str) -> list[str]:
    lines = [line.strip() for line in RAW_TABLES[f"census_{flow}"].strip().splitlines() if line.strip()]
    names = [line.split()[0] for line in lines]
    return [name for name in names if name not in METADATA]


def _copy_select(flow: str, to_month: str, money: str) -> str:
    """The raw columns of `flow` as a copy of their rows in `to_month`, each money column as `money` (a template
    of `{name}`)."""
    return ", ".join(
        f"{money.format(name=name)} as {name}"
        if name in MONEY
        else (f"'{to_month}' as time" if name == "time" else name)
        for name in _raw_columns(flow)
    )


def _load_month(db_path: Path, flow: str, from_month: str, to_month: str, scale: str) -> None:
    """Load `to_month` as a copy of `from_month` with every value scaled (a new month or a revision)."""
    select = _copy_select(flow, to_month, f"cast(round({{name}} * {scale}) as bigint)")
    # every country but the world total, and some rows dropped, as a revision may
    rows = _raw_rows(db_path, flow, "time = ? and cty_code <> '-' and rowid % 7 <> 0", [from_month], select)
    _load_partition(db_path, flow, to_month, "ALL", rows, vintage=f"test-{to_month}-{scale}")


def _raw_rows(db_path: Path, flow: str, where: str, params: list, select: str | None = None) -> pa.Table:
    """Rows of `raw.census_<flow>` matching `where`, as a loader receives them (`select`: every raw column)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        select = select or ", ".join(_raw_columns(flow))
        rows = con.execute(f"select {select} from raw.census_{flow} where {where}", params).arrow()
    return rows.read_all() if hasattr(rows, "read_all") else rows


def _load_partition(
    db_path: Path, flow: str, period: str, cty_code: str, rows: pa.Table, vintage: str | None = None
) -> None:
    """Reload partition `flow/period/cty_code` with `rows`; with none, record it as Census answering 204 (empty)."""
    vintage = vintage or f"test-{period}-{rows.num_rows}"
    partition = TradePartition(flow, period, cty_code, "demo", vintage, datetime(2026, 11, 23, 12, 0, 0))
    con = connect(db_path)
    try:
        if rows.num_rows:
            load_trade_partition(con, partition, rows, landing_dir(db_path), replace=True)
        else:
            record_empty_partition(con, partition)
    finally:
        con.close()


def _assert_marts_equal(left: Path, right: Path) -> None:
    """Every mart and every incremental intermediate table holds the same rows, except when dbt wrote them."""
    with duckdb.connect(str(left), read_only=True) as con:
        con.execute(f"attach '{right}' as other (read_only)")
        tables = con.execute(
            "select table_schema, table_name, list(column_name order by ordinal_position) "
            "filter (where column_name <> 'built_at') from information_schema.columns "
            "where table_catalog = current_database() and (table_schema = 'marts' "
            "or table_name in ('int_trade_monthly__codes', 'int_trade_monthly__countries', "
            "'int_trade_monthly__world_total', 'int_country__reported_names', 'int_trade_annual__codes')) "
            "group by 1, 2 order by 1, 2"
        ).fetchall()
        names = [name for _, name, _ in tables]
        assert {
            "fct_trade_monthly",
            "int_trade_monthly__codes",
            "int_trade_monthly__countries",
            "int_trade_monthly__world_total",
            "int_country__reported_names",
            "int_trade_annual__codes",
        } <= set(names)
        for schema, table, columns in tables:
            select = ", ".join(f'"{column}"' for column in columns)
            left_table, right_table = f"{schema}.{table}", f"other.{schema}.{table}"
            for a, b in ((left_table, right_table), (right_table, left_table)):
                difference = con.execute(
                    f"select count(*) from (select {select} from {a} except all select {select} from {b})"
                )
                assert difference.fetchone()[0] == 0, f"{table} differs between incremental and full builds"


def _assert_incremental_run_equals_full_refresh(built: Path, tmp_path: Path, *args: str) -> None:
    """An incremental `dbt run <args>` of `built` gives the tables a full refresh of a copy of it gives."""
    full = _copy(built, tmp_path / "full")
    run_dbt(built, "run", *MODELS, *args)
    run_dbt(full, "run", "--full-refresh", *MODELS, *args)
    _assert_marts_equal(built, full)


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once (seeds and models); each test works on its own copy."""
    db_path = tmp_path_factory.mktemp("first") / "warehouse.duckdb"
    run_aitrade(db_path, "demo", "--db", str(db_path))
    run_dbt(db_path, "build", *MODELS)
    return db_path


@pytest.fixture
def built(first_build: Path, tmp_path: Path) -> Path:
    return _copy(first_build, tmp_path / "incremental")


def _copy(db_path: Path, folder: Path) -> Path:
    folder.mkdir()
    shutil.copy(db_path, folder / db_path.name)
    return folder / db_path.name


ANNUAL_CODES = "intermediate.int_trade_annual__codes"
GROWTH = "marts.hs10_consistent_growth_annual"


def _latest_build(db_path: Path, table: str) -> datetime:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(f"select max(built_at) from {table}").fetchone()[0]


def _years_written_after(db_path: Path, table: str, built_at: datetime) -> list[tuple[str, list[int]]]:
    """Each flow's years of which `table` (incremental by flow and year) holds rows written after `built_at`."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(
            f"select flow, list(distinct year order by year) from {table} where built_at > ? group by 1 order by 1",
            [built_at],
        ).fetchall()


def test_new_and_revised_months_match_a_full_rebuild(built: Path, tmp_path: Path) -> None:
    """The revision reloads 2025-06 without its world-total rows (`_load_month` copies the countries only): the
    incremental world-total table must drop them as a full rebuild does, though the month has no new world rows."""
    revised_world_rows = (
        "select count(*) from intermediate.int_trade_monthly__world_total "
        "where flow = 'imports' and census_period = '2025-06'"
    )
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(revised_world_rows).fetchone()[0] > 0
    _load_month(built, "imports", "2026-01", "2026-02", "1.1")
    _load_month(built, "exports", "2026-01", "2026-02", "0.9")
    _load_month(built, "imports", "2025-06", "2025-06", "1.25")  # Census revises a month
    _load_month(built, "exports", "2024-06", "2024-06", "0.8")  # and one of a year no new month is in
    before = {table: _latest_build(built, table) for table in (ANNUAL_CODES, GROWTH)}
    full = _copy(built, tmp_path / "full")
    # A build, so the data tests also run as incremental builds scope them (macros/test_scope.sql).
    output = run_dbt(built, "build", "--select", "@fct_trade_monthly", "--exclude", "resource_type:unit_test").stdout
    run_dbt(full, "run", "--full-refresh", *MODELS)
    _assert_marts_equal(built, full)
    assert "incremental model marts.fct_trade_monthly" in output
    with duckdb.connect(str(built), read_only=True) as con:
        months = con.execute(
            "select count(distinct month) from marts.fct_trade_monthly where month = date '2026-02-01'"
        ).fetchone()[0]
        assert con.execute(revised_world_rows).fetchone()[0] == 0
    assert months == 1
    # the code-year totals re-summed the years of the new and revised months only (the other years' rows, kept,
    # are equal to the full rebuild's), and the growth mart rebuilt those and the year after each (2027 has none)
    assert _years_written_after(built, ANNUAL_CODES, before[ANNUAL_CODES]) == [
        ("exports", [2024, 2026]),
        ("imports", [2025, 2026]),
    ]
    assert _years_written_after(built, GROWTH, before[GROWTH]) == [
        ("exports", [2024, 2025, 2026]),
        ("imports", [2025, 2026]),
    ]


def test_months_emptied_by_a_revision_match_a_full_rebuild(built: Path, tmp_path: Path) -> None:
    """Census partitions are per country: a country-month refetched empty (HTTP 204), or a country-year revised
    without one of its months, delete raw rows and leave no new row in those months. The load manifest flags
    the months anyway, so the incremental fact drops the rows as a full rebuild does."""
    with duckdb.connect(str(built), read_only=True) as con:
        monthly, yearly = (
            code
            for (code,) in con.execute(
                "select cty_code from raw.census_imports where time in ('2025-03', '2025-04', '2025-06') "
                "and cty_code between '1000' and '7999' group by 1 having count(distinct time) = 3 "
                "order by count(*), 1 limit 2"
            ).fetchall()
        )
    # Split the two countries out of the demo's all-country partitions into partitions of their own, as Census
    # loads them: one country-month and one country-year (two of its months).
    monthly_rows = _raw_rows(built, "imports", "time = '2025-06' and cty_code = ?", [monthly])
    yearly_rows = _raw_rows(built, "imports", "time in ('2025-03', '2025-04') and cty_code = ?", [yearly])
    for month in ("2025-03", "2025-04", "2025-06"):
        others = _raw_rows(built, "imports", "time = ? and cty_code not in (?, ?)", [month, monthly, yearly])
        _load_partition(built, "imports", month, "ALL", others)
    _load_partition(built, "imports", "2025-06", monthly, monthly_rows)
    _load_partition(built, "imports", "2025", yearly, yearly_rows)
    run_dbt(built, "run", *MODELS)

    fact_rows = (
        "select count(*) filter (where cty_code = ? and month = date '2025-06-01'), "
        "count(*) filter (where cty_code = ? and month = date '2025-04-01') "
        "from marts.fct_trade_monthly where flow = 'imports'"
    )
    with duckdb.connect(str(built), read_only=True) as con:
        before = con.execute(fact_rows, [monthly, yearly]).fetchone()
    assert before == (monthly_rows.num_rows, yearly_rows.filter(pc.equal(yearly_rows["time"], "2025-04")).num_rows)
    assert before[0] > 0 and before[1] > 0
    _load_partition(built, "imports", "2025-06", monthly, monthly_rows.slice(0, 0))  # refetched empty
    _load_partition(built, "imports", "2025", yearly, yearly_rows.filter(pc.equal(yearly_rows["time"], "2025-03")))
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(fact_rows, [monthly, yearly]).fetchone() == (0, 0)


EMPTIED = "(flow = 'imports' and {0} = {1}'2025-06{2}') or (flow = 'exports' and {0} = {1}'2025-05{2}')"
EMPTIED_BY_MONTH = EMPTIED.format("month", "date ", "-01")
EMPTIED_BY_PERIOD = EMPTIED.format("census_period", "", "")
INCREMENTAL_TABLES = {
    "marts.fct_trade_monthly": EMPTIED_BY_MONTH,
    "intermediate.int_trade_monthly__codes": EMPTIED_BY_MONTH,
    "intermediate.int_trade_monthly__countries": EMPTIED_BY_MONTH,
    "intermediate.int_trade_monthly__world_total": EMPTIED_BY_PERIOD,
    "intermediate.int_country__reported_names": EMPTIED_BY_PERIOD,
}


def _rows_of_emptied_months(db_path: Path) -> dict[str, int]:
    """Rows of imports 2025-06 and exports 2025-05 in each incremental table."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: con.execute(f"select count(*) from {table} where {where}").fetchone()[0]
            for table, where in INCREMENTAL_TABLES.items()
        }


def test_months_that_lose_every_detail_row_match_a_full_rebuild(built: Path, tmp_path: Path) -> None:
    """A revision can leave a month no detail-country row at all: imports 2025-06 reloaded with its world total
    only, exports 2025-05 refetched empty. No new row then names the month, so replacing the slices that have new
    rows would keep the old ones; every incremental table must drop them as a full rebuild does."""
    world_only = _raw_rows(built, "imports", "time = '2025-06' and cty_code = '-'", [])
    before = _rows_of_emptied_months(built)
    assert world_only.num_rows > 0
    # every table holds more of those months than is left after the revision
    assert before["intermediate.int_trade_monthly__world_total"] > world_only.num_rows
    assert before["intermediate.int_country__reported_names"] > 1
    assert min(before.values()) > 0
    _load_partition(built, "imports", "2025-06", "ALL", world_only)
    _load_partition(built, "exports", "2025-05", "ALL", world_only.slice(0, 0))  # refetched empty
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        world_names = con.execute(
            f"select distinct cty_code from intermediate.int_country__reported_names where {EMPTIED_BY_PERIOD}"
        ).fetchall()
    # the world total's rows stay (one per code, as loaded), and its one name; nothing else of those months
    assert _rows_of_emptied_months(built) == {
        "marts.fct_trade_monthly": 0,
        "intermediate.int_trade_monthly__codes": 0,
        "intermediate.int_trade_monthly__countries": 0,
        "intermediate.int_trade_monthly__world_total": world_only.num_rows,
        "intermediate.int_country__reported_names": 1,
    }
    assert world_names == [("-",)]


def test_an_aggregate_built_before_the_fact_takes_in_a_load_still_drops_its_emptied_month(
    built: Path, tmp_path: Path
) -> None:
    """An aggregate records the loads the fact had taken in when it read the fact, not the manifest's latest: built
    alone after a load the fact has not taken in yet, it must still re-read that month once the fact has."""
    exports_may = "select count(*) from {} where flow = 'exports' and month = date '2025-05-01'"
    aggregates = ["intermediate.int_trade_monthly__codes", "intermediate.int_trade_monthly__countries"]
    _load_partition(built, "exports", "2025-05", "ALL", _raw_rows(built, "exports", "false", []))  # refetched empty
    run_dbt(built, "run", "--select", "int_trade_monthly__codes", "int_trade_monthly__countries")
    with duckdb.connect(str(built), read_only=True) as con:
        # the fact has not taken the load in, so neither has either aggregate
        assert min(con.execute(exports_may.format(table)).fetchone()[0] for table in aggregates) > 0
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        assert [con.execute(exports_may.format(table)).fetchone()[0] for table in aggregates] == [0, 0]


def test_a_partition_period_that_flags_no_month_fails_its_test(built: Path) -> None:
    """Builds flag the months of a partition from its period, so one neither 'YYYY-MM' nor 'YYYY' must fail a
    test (not stop it with a cast error: dbt's safe_cast is a plain cast on DuckDB unless overridden)."""
    with duckdb.connect(str(built)) as con:
        con.execute("update raw.load_manifest set period = '2025-13' where partition_id = 'imports/2025-06/ALL'")
        con.execute("update raw.load_manifest set period = '25' where partition_id = 'exports/2025-06/ALL'")
    failing = _failing_names(built, "--select", "stg_census__load_manifest")
    assert failing == {"assert_load_manifest_periods_are_census_months_or_years"}


def test_a_load_stamped_before_the_latest_build_by_a_slower_clock_is_taken_in(built: Path, tmp_path: Path) -> None:
    """The watermark is the latest load each model took in, not the time of its build: a load whose clock runs
    behind dbt's (stamped before the latest build started, after every load that build saw) is still new."""
    _load_month(built, "imports", "2026-01", "2026-02", "1.1")
    with duckdb.connect(str(built)) as con:
        seen, built_at = con.execute(
            "select (select loaded_through from intermediate.fct_trade_monthly__loads_applied "
            "where flow = 'imports'), (select max(built_at) from marts.fct_trade_monthly)"
        ).fetchone()
        stamp = seen + timedelta(milliseconds=1)
        assert stamp < built_at
        for table in ("raw.census_imports", "raw.load_manifest"):
            con.execute(f"update {table} set loaded_at = ? where partition_id = 'imports/2026-02/ALL'", [stamp])
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        new_month = con.execute(
            "select count(*) from marts.fct_trade_monthly where flow = 'imports' and month = date '2026-02-01'"
        )
        assert new_month.fetchone()[0] > 0


def test_a_model_without_its_record_of_loads_rereads_every_month(built: Path) -> None:
    """A model keeps, with its rows, the latest load it took in. Without that record (built by an older version)
    it cannot tell which months it lacks, so it re-reads them all once; with it, it re-reads only new loads."""
    world_rows = (
        "select (select count(*) from intermediate.int_trade_monthly__world_total where census_period = '2025-06'), "
        "(select count(*) from raw.census_imports where time = '2025-06' and cty_code = '-') "
        "+ (select count(*) from raw.census_exports where time = '2025-06' and cty_code = '-')"
    )
    with duckdb.connect(str(built)) as con:
        con.execute("delete from intermediate.int_trade_monthly__world_total where census_period = '2025-06'")
        in_table, in_raw = con.execute(world_rows).fetchone()
    assert (in_table, in_raw > 0) == (0, True)
    run_dbt(built, "run", *MODELS)  # nothing loaded since its build: the month stays missing
    with duckdb.connect(str(built)) as con:
        assert con.execute(world_rows).fetchone() == (0, in_raw)
        con.execute("drop table intermediate.int_trade_monthly__world_total__loads_applied")
    run_dbt(built, "run", *MODELS)
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(world_rows).fetchone() == (in_raw, in_raw)
        assert (
            con.execute("select count(*) from intermediate.int_trade_monthly__world_total__loads_applied").fetchone()[0]
            == 2
        )


def test_an_aggregate_without_the_facts_record_of_loads_records_none_and_rereads_every_month(built: Path) -> None:
    """An aggregate copies the fact's record of loads. Without one (the fact built by an older version), it must
    not claim the manifest's latest load, which the fact may not have taken in: it records none, and its next
    build re-reads every month."""
    record = "select count(*) from intermediate.int_trade_monthly__codes__loads_applied"
    with duckdb.connect(str(built)) as con:
        assert con.execute(record).fetchone()[0] == 2
        con.execute("drop table intermediate.fct_trade_monthly__loads_applied")
    run_dbt(built, "run", "--select", "int_trade_monthly__codes")
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(record).fetchone()[0] == 0
    run_dbt(built, "run", *MODELS)
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(record).fetchone()[0] == 2
        written = con.execute(
            "select count(distinct built_at), count(*) from intermediate.int_trade_monthly__codes"
        ).fetchone()
        assert written[0] == 1 and written[1] > 0  # every month re-read by the last build


def test_changed_labels_rebuild_their_flow(built: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(built)) as con:
        hs10 = con.execute(
            "select hs10 from raw.hs10_labels where flow = 'imports' and relevance = 'Low' order by hs10 limit 1"
        ).fetchone()[0]
        con.execute(
            """
            insert into raw.hs10_labels
            select flow, hs10, 'classifier:test-model:v9', 'High', 'Compute_Hardware', 99, null, 'test', description,
                   'test-model', 'v9', timestamp '2030-01-01', now()
            from raw.hs10_labels where flow = 'imports' and hs10 = ? and label_source = 'demo'
            """,
            [hs10],
        )
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        relabelled = con.execute(
            "select distinct relevance_group from marts.fct_trade_monthly where flow = 'imports' and hs10 = ?",
            [hs10],
        ).fetchall()
    assert relabelled == [("High",)]


def test_changed_chapter_exclusions_rebuild_every_flow(built: Path, tmp_path: Path) -> None:
    # `dbt run` does not reload seeds, so the edited exclusion stands for both builds
    with duckdb.connect(str(built)) as con:
        con.execute("delete from raw.excluded_hs2_chapters where hs2 = '27'")
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        chapter_27 = con.execute(
            "select flow, bool_or(is_excluded_chapter), count(*) > 0 from marts.fct_trade_monthly "
            "where hs2 = '27' group by 1 order by 1"
        ).fetchall()
    assert chapter_27 == [("exports", False, True), ("imports", False, True)]


EVERY_YEAR_OF_BOTH_FLOWS = [("exports", [2022, 2023, 2024, 2025, 2026]), ("imports", [2022, 2023, 2024, 2025, 2026])]
EXPORT_FAMILY_OF = f"select distinct family_hs10 from {GROWTH} where flow = 'exports' and hs10 = ?"


def test_consistent_growth_rebuilds_a_flow_whose_base_year_or_code_families_changed(
    built: Path, tmp_path: Path
) -> None:
    """Every row of hs10_consistent_growth_annual reads its flow's base year and its code family: a revised
    base-year month (imports 2023-06) and a new vintage link (exports: an old code dropped from the concordance
    after 2024, a code of the same HS8 added in 2025) each rebuild their whole flow."""
    with duckdb.connect(str(built)) as con:
        old, new = con.execute(
            "select min(hs10), max(hs10) from intermediate.int_trade_annual__codes "
            "where flow = 'exports' and hs10 not like '854231%' group by substr(hs10, 1, 8) "
            "having count(distinct hs10) = 2 and count(distinct year) = 5 order by 1 limit 1"
        ).fetchone()
        con.execute("delete from raw.concordance_exports where hs10 = ? and year > 2024", [old])
        con.execute("delete from raw.concordance_exports where hs10 = ? and year < 2025", [new])
        family_before = con.execute(EXPORT_FAMILY_OF, [new]).fetchall()
    _load_month(built, "imports", "2023-06", "2023-06", "1.25")
    before = _latest_build(built, GROWTH)
    _assert_incremental_run_equals_full_refresh(built, tmp_path)
    with duckdb.connect(str(built), read_only=True) as con:
        family_after = con.execute(EXPORT_FAMILY_OF, [new]).fetchall()
    assert (family_before, family_after) == ([(new,)], [(old,)])
    assert _years_written_after(built, GROWTH, before) == EVERY_YEAR_OF_BOTH_FLOWS


def test_a_new_base_year_rebuilds_consistent_growth(built: Path, tmp_path: Path) -> None:
    before = _latest_build(built, GROWTH)
    _assert_incremental_run_equals_full_refresh(built, tmp_path, "--vars", "{base_year: 2024}")
    with duckdb.connect(str(built), read_only=True) as con:
        base_years = con.execute(f"select distinct base_year from {GROWTH}").fetchall()
    assert base_years == [(2024,)]
    assert _years_written_after(built, GROWTH, before) == EVERY_YEAR_OF_BOTH_FLOWS


def test_fact_without_a_record_of_its_labels_is_relabelled(built: Path) -> None:
    """A fact built by a version without the record (or with the record lost) cannot tell which labels its
    rows carry: the next build relabels every flow."""
    with duckdb.connect(str(built)) as con:
        record = con.execute(
            "select count(*) filter (where flow is not null), count(*) filter (where flow is null) "
            "from intermediate.fct_trade_monthly__applied_labels"
        ).fetchone()
        labels = con.execute("select count(*) from intermediate.int_hs10_labels__current").fetchone()[0]
        chapters = con.execute("select count(*) from raw.excluded_hs2_chapters").fetchone()[0]
        assert record == (labels, chapters) and labels > 0
        con.execute("drop table intermediate.fct_trade_monthly__applied_labels")
        con.execute("update marts.fct_trade_monthly set relevance_group = 'Stale' where hs2 = '85'")
    run_dbt(built, "run", *MODELS)
    with duckdb.connect(str(built), read_only=True) as con:
        stale = con.execute("select count(*) from marts.fct_trade_monthly where relevance_group = 'Stale'")
        assert stale.fetchone()[0] == 0
        assert con.execute("select count(*) from intermediate.fct_trade_monthly__applied_labels").fetchone()[0] > 0


def _test_results(db_path: Path, *args: str) -> dict[str, dict]:
    """The data tests of `dbt test <args>` by name: their entries in run_results.json. None may error: dbt prints
    a test that could not run (broken scoped SQL) like a failing one, and it would pass for a caught error."""
    results_path = Path(dbt_env(db_path)["DBT_TARGET_PATH"]) / "run_results.json"
    results_path.unlink(missing_ok=True)
    result = run_dbt(db_path, "test", *args, check=False)
    assert results_path.is_file(), result.stdout[-3000:]
    tests = {
        entry["unique_id"].split(".")[2]: entry
        for entry in json.loads(results_path.read_text())["results"]
        if entry["unique_id"].startswith("test.")
    }
    errored = {name for name, entry in tests.items() if entry["status"] not in ("pass", "warn", "fail")}
    assert not errored, f"{errored}\n{result.stdout[-3000:]}"
    failed = any(entry["status"] == "fail" for entry in tests.values())
    assert (result.returncode != 0) == failed, result.stdout[-3000:]
    return tests


def _failing_names(db_path: Path, *args: str) -> set[str]:
    """Names of the data tests that fail in `dbt test <args>`."""
    return {name for name, entry in _test_results(db_path, *args).items() if entry["status"] == "fail"}


def _test_scope_marks(db_path: Path) -> dict[str, datetime]:
    """Each scoped model's mark (the greatest, as the tests read it); no mark may be null."""
    with duckdb.connect(str(db_path)) as con:
        nulls = con.execute("select count(*) from intermediate.test_scope_marks where tested_through is null")
        assert nulls.fetchone()[0] == 0
        query = "select model_name, max(tested_through) from intermediate.test_scope_marks group by model_name"
        return dict(con.execute(query).fetchall())


def test_incremental_builds_test_the_months_written_since_the_tests_last_passed(built: Path) -> None:
    """Tests of the raw views and the fact read the months written since all their tests last passed
    (macros/test_scope.sql). A duplicate raw row planted in the new month is caught (by the key test and the
    reconciliation with raw) though the row predates the build, and it is caught again after another month is
    built, because failing tests leave the mark where it was. Errors planted in an old month (a duplicate raw
    row, an unknown relevance in the fact) are caught only with test_scope=all, which then removes the marks, so
    the builds after it test every row until they pass."""
    selection = ["--select", "stg_census__imports", "fct_trade_monthly", "--exclude", "resource_type:unit_test"]
    staging_uniqueness = "unique_combination_of_columns_stg_census__imports_month__hs10__cty_code"
    raw_reconciliation = "assert_fct_trade_monthly_reconciles_with_raw_detail"
    fact_relevance = "accepted_values_fct_trade_monthly_relevance_group__High__Medium__Low__Unclassified"
    assert _failing_names(built, *selection) == set()  # every row tested: the marks are set

    _load_month(built, "imports", "2026-01", "2026-02", "1.1")
    run_dbt(built, "run", *MODELS)
    with duckdb.connect(str(built)) as con:
        for month in ("2026-02", "2024-03"):
            con.execute(
                "insert into raw.census_imports select * replace (timestamp '2000-01-01' as loaded_at) "
                "from raw.census_imports where time = ? and cty_code <> '-' "
                "and cty_code not like '00%' and cty_code not like '%X%' order by all limit 1",
                [month],
            )
        con.execute(  # an unknown relevance in a fact row written (built_at) before the tests last passed
            "update marts.fct_trade_monthly set relevance_group = 'Bogus' where rowid = "
            "(select min(rowid) from marts.fct_trade_monthly where month = date '2024-03-01')"
        )
    assert _failing_names(built, *selection) == {staging_uniqueness, raw_reconciliation}

    _load_month(built, "imports", "2026-01", "2026-03", "1.2")
    run_dbt(built, "run", *MODELS)
    assert _failing_names(built, *selection) == {staging_uniqueness, raw_reconciliation}

    with duckdb.connect(str(built)) as con:  # the new month's duplicate gone: only old-month errors remain
        con.execute("delete from raw.census_imports where time = '2026-02' and loaded_at = timestamp '2000-01-01'")
    assert _failing_names(built, *selection) == set()
    marks = _test_scope_marks(built)
    with duckdb.connect(str(built)) as con:  # the marks moved on from where the first run left them, to the latest
        latest = {
            "stg_census__imports": con.execute("select max(loaded_at) from staging.stg_census__imports").fetchone()[0],
            "fct_trade_monthly": con.execute("select max(built_at) from marts.fct_trade_monthly").fetchone()[0],
        }
    assert {name: marks.get(name) for name in latest} == latest
    assert _failing_names(built, *selection) == set()  # nothing new since: every mark stays where it was
    assert _test_scope_marks(built) == marks
    assert _failing_names(built, *selection, "--vars", "{test_scope: all}") == {
        staging_uniqueness,
        raw_reconciliation,
        fact_relevance,
    }

    # The test of every row failed, so the marks are gone: the next builds test every row until they pass.
    assert not {"stg_census__imports", "fct_trade_monthly"} & set(_test_scope_marks(built))
    assert _failing_names(built, *selection) == {staging_uniqueness, raw_reconciliation, fact_relevance}
    with duckdb.connect(str(built)) as con:  # the old-month errors mended
        con.execute("delete from raw.census_imports where loaded_at = timestamp '2000-01-01'")
        con.execute("update marts.fct_trade_monthly set relevance_group = 'High' where relevance_group = 'Bogus'")
    assert _failing_names(built, *selection) == set()
    assert {"stg_census__imports", "fct_trade_monthly"} <= set(_test_scope_marks(built))

    # Raw rows loaded after the fact's mark that no build has put in the fact yet (a build that missed a month):
    # the raw reconciliation reads the months loaded since the mark too, so it catches the missing month.
    _load_month(built, "imports", "2026-01", "2026-04", "1.3")
    assert _failing_names(built, *selection) == {raw_reconciliation}


def test_countries_short_of_the_world_total_fail_the_build_unless_the_pull_is_partial(built: Path) -> None:
    """A month whose countries do not sum to Census's world total (a pull of some countries) fails `dbt build` and
    skips the aggregates of the fact and every mart after them, so no mart sums a part of U.S. trade as the whole. With
    country_coverage: partial it warns instead, in every build: a warning does not move the marks (README,
    Incremental builds), so the month fails again once the var is back to complete."""
    selection = ["--select", "int_trade_monthly__detail", "int_trade_monthly__world_total"]
    test = "assert_detail_countries_sum_to_world_total"
    assert _test_results(built, *selection)[test]["status"] == "pass"  # every row tested: the marks are set
    marks = _test_scope_marks(built)

    # 2026-02 as a copy of 2026-01 whose world total is one dollar more in every money column
    select = _copy_select("imports", "2026-02", "{name} + case when cty_code = '-' then 1 else 0 end")
    _load_partition(built, "imports", "2026-02", "ALL", _raw_rows(built, "imports", "time = '2026-01'", [], select))
    build = run_dbt(
        built, "build", "--select", "+int_trade_monthly__codes", "--exclude-resource-type", "unit_test", check=False
    )
    assert build.returncode != 0
    statuses = {
        entry["unique_id"].split(".")[2]: entry["status"]
        for entry in json.loads((Path(dbt_env(built)["DBT_TARGET_PATH"]) / "run_results.json").read_text())["results"]
    }
    assert (statuses[test], statuses["int_trade_monthly__world_total"]) == ("fail", "success")
    # the fact holds true country rows and is built; the sums wait for the test, which failed
    assert (statuses["fct_trade_monthly"], statuses["int_trade_monthly__codes"]) == ("success", "skipped")
    with duckdb.connect(str(built), read_only=True) as con:
        new_month = "where month = '2026-02-01'"
        assert con.execute(f"select count(*) from marts.fct_trade_monthly {new_month}").fetchone()[0] > 0
        assert con.execute(f"select count(*) from intermediate.int_trade_monthly__codes {new_month}").fetchone() == (0,)

    partial = ["--vars", "{country_coverage: partial}"]
    for _ in range(2):  # a warning leaves the marks where they were: the month is tested, and warns, again
        warned = _test_results(built, *selection, *partial)[test]
        assert (warned["status"], warned["failures"]) == ("warn", 1)  # the one month that differs
    failed = _test_results(built, *selection)[test]
    assert (failed["status"], failed["failures"]) == ("fail", 1)
    checked = ("int_trade_monthly__detail", "int_trade_monthly__world_total")
    assert {model: _test_scope_marks(built)[model] for model in checked} == {model: marks[model] for model in checked}


def test_a_partition_refetched_empty_is_tested_and_a_failed_full_test_clears_the_marks(built: Path) -> None:
    """A country-month refetched empty leaves no new row, but the load manifest records the load, so the next
    build tests the month: the country check fails (the world total still counts the country), and so does the
    fact's reconciliation with raw while no build has taken the load in. Rows deleted by hand leave no record at
    all; a test of every row then fails, and removes the marks, so the builds after it test every row again until
    the data is mended."""
    selection = ["--select", "int_trade_monthly__detail", "int_trade_monthly__world_total"]
    test = "assert_detail_countries_sum_to_world_total"
    checked = ("int_trade_monthly__detail", "int_trade_monthly__world_total")
    with duckdb.connect(str(built), read_only=True) as con:
        (code,) = con.execute(
            "select cty_code from raw.census_imports where time = '2025-06' and cty_code between '1000' and '7999' "
            "group by 1 order by count(*), 1 limit 1"
        ).fetchone()
    # the country's rows of 2025-06 in a partition of their own, as Census loads them
    rows = _raw_rows(built, "imports", "time = '2025-06' and cty_code = ?", [code])
    _load_partition(
        built, "imports", "2025-06", "ALL", _raw_rows(built, "imports", "time = '2025-06' and cty_code <> ?", [code])
    )
    _load_partition(built, "imports", "2025-06", code, rows)
    run_dbt(built, "run", *MODELS)  # the fact takes the split in, so its mark can move past these loads
    assert _failing_names(built, *selection, "fct_trade_monthly") == set()
    _load_partition(built, "imports", "2025-06", code, rows.slice(0, 0))  # refetched empty
    failed = _test_results(built, *selection)[test]
    assert (failed["status"], failed["failures"]) == ("fail", 1)
    # no build has taken the load in: the fact still holds the country's rows, and its reconciliation with raw
    # reads the month the manifest records
    reconciliation = _test_results(built, "--select", "fct_trade_monthly")[
        "assert_fct_trade_monthly_reconciles_with_raw_detail"
    ]
    assert (reconciliation["status"], reconciliation["failures"]) == ("fail", 1)
    _load_partition(built, "imports", "2025-06", code, rows)  # mended
    assert _test_results(built, *selection)[test]["status"] == "pass"
    assert all(model in _test_scope_marks(built) for model in checked)

    with duckdb.connect(str(built)) as con:  # deleted by hand: no load records it
        con.execute("delete from raw.census_imports where time = '2024-03' and cty_code = ?", [code])
    assert _test_results(built, *selection)[test]["status"] == "pass"  # the scoped test cannot see it
    failed = _test_results(built, *selection, "--vars", "{test_scope: all}")[test]
    assert (failed["status"], failed["failures"]) == ("fail", 1)
    assert not any(model in _test_scope_marks(built) for model in checked)
    assert _test_results(built, *selection)[test]["status"] == "fail"  # every row again, without the var
    assert _test_results(built, *selection)[test]["status"] == "fail"  # and again: a failure sets no mark


def test_the_relationships_test_counts_the_rows_whose_value_is_missing(built: Path) -> None:
    """Our relationships test (macros/relationships.sql) counts the fact's rows per country code before it
    looks them up: it fails with the rows that point nowhere, as dbt's own test does, and stores one row per
    missing code with how many rows hold it."""
    selection = ["--select", "test_name:relationships,fct_trade_monthly", "--store-failures"]
    name = "relationships_fct_trade_monthly_cty_code__cty_code__ref_dim_country_"
    assert _test_results(built, *selection)[name]["failures"] == 0
    with duckdb.connect(str(built)) as con:
        for code, rows in (("9997", 2), ("9998", 3)):
            con.execute(
                "update marts.fct_trade_monthly set cty_code = ? where rowid in (select rowid from "
                "marts.fct_trade_monthly where cty_code = '5700' order by month, hs10 limit ?)",
                [code, rows],
            )
        orphans = "select count(*) from marts.dim_country where cty_code in ('9997', '9998')"
        assert con.execute(orphans).fetchone() == (0,)
    test = _test_results(built, *selection)[name]
    assert (test["status"], test["failures"]) == ("fail", 5)
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(f"select * from {test['relation_name']} order by 1").fetchall() == [("9997", 2), ("9998", 3)]


def test_a_null_in_a_constrained_mart_column_stops_the_build_and_keeps_the_mart(built: Path) -> None:
    """Mart columns that must not be null carry enforced not_null constraints (contracts), not data tests: a null
    fails the model as it is built, so the mart keeps its previous rows instead of publishing the null."""
    totals = "select count(*), sum(value) from marts.ai_trade_annual"
    with duckdb.connect(str(built)) as con:
        before = con.execute(totals).fetchone()
        con.execute(
            "update intermediate.int_trade_monthly__codes set relevance_group = null where rowid = "
            "(select min(rowid) from intermediate.int_trade_monthly__codes where not is_excluded_chapter)"
        )
    result = run_dbt(built, "run", "--select", "ai_trade_annual", check=False)
    assert result.returncode != 0
    assert "NOT NULL constraint failed: ai_trade_annual.relevance_group" in result.stdout
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(totals).fetchone() == before


def test_a_failed_rebuild_keeps_the_previous_table_or_view(built: Path) -> None:
    """Tables and views are replaced in place (macros/replace_in_place.sql): the old relation is dropped inside the
    model's transaction, so a model that fails after the drop leaves it as it was, whatever its type. Once the
    input is back, the rebuild gives the model its configured type."""
    series, codes = "intermediate.int_counterfactual__series_monthly", "intermediate.int_trade_monthly__codes"
    countries, raw_countries = "staging.stg_census__countries", "raw.census_countries"
    totals = f"select count(*), sum(ai_value) from {series}"
    types = (
        "select table_name, table_type from information_schema.tables "
        "where table_name in ('int_counterfactual__series_monthly', 'stg_census__countries') order by 1"
    )
    with duckdb.connect(str(built)) as con:
        before = con.execute(totals).fetchone()
        country_rows = con.execute(f"select * from {countries} order by all").fetchall()
        # a view where the table model goes and a table where the view model goes, then inputs that fail both
        con.execute(f"create or replace table {series}_rows as select * from {series}")
        con.execute(f"drop table {series}")
        con.execute(f"create view {series} as select * from {series}_rows")
        con.execute(f"create or replace table {countries}_rows as select * from {countries}")
        con.execute(f"drop view {countries}")
        con.execute(f"create table {countries} as select * from {countries}_rows")
        con.execute(f"alter table {codes} rename to int_trade_monthly__codes_away")
        con.execute(f"alter table {raw_countries} rename to census_countries_away")

    models = ("int_counterfactual__series_monthly", "stg_census__countries")
    result = run_dbt(built, "run", "--select", *models, check=False)
    assert result.returncode != 0
    assert result.stdout.count("Catalog Error: Table with name") == 2
    with duckdb.connect(str(built)) as con:
        assert con.execute(types).fetchall() == [
            ("int_counterfactual__series_monthly", "VIEW"),
            ("stg_census__countries", "BASE TABLE"),
        ]
        assert con.execute(totals).fetchone() == before
        con.execute(f"alter table {codes}_away rename to int_trade_monthly__codes")
        con.execute(f"alter table {raw_countries}_away rename to census_countries")

    run_dbt(built, "run", "--select", *models)
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(types).fetchall() == [
            ("int_counterfactual__series_monthly", "BASE TABLE"),
            ("stg_census__countries", "VIEW"),
        ]
        assert con.execute(totals).fetchone() == before
        assert con.execute(f"select * from {countries} order by all").fetchall() == country_rows


def test_the_leftovers_of_a_build_stopped_mid_rename_are_dropped(built: Path) -> None:
    """dbt's default materializations, which this project used before macros/replace_in_place.sql, build
    `<name>__dbt_tmp` and rename the old relation to `<name>__dbt_backup`; a run stopped between the two leaves them.
    The next build of the model drops them, as dbt's default would, and builds the model as usual."""
    leftovers = {
        "marts.ai_trade_annual__dbt_tmp": "table",
        "marts.ai_trade_annual__dbt_backup": "table",
        "staging.stg_census__countries__dbt_tmp": "view",
        "staging.stg_census__countries__dbt_backup": "view",
    }
    names = (
        "select table_schema || '.' || table_name from information_schema.tables "
        "where position('__dbt_' in table_name) > 0"
    )
    with duckdb.connect(str(built)) as con:
        annual = con.execute("select * from marts.ai_trade_annual order by all").fetchall()
        for name, kind in leftovers.items():
            con.execute(f"create {kind} {name} as select 1 as stale")
        assert sorted(row[0] for row in con.execute(names).fetchall()) == sorted(leftovers)

    run_dbt(built, "run", "--select", "ai_trade_annual", "stg_census__countries")
    with duckdb.connect(str(built), read_only=True) as con:
        assert con.execute(names).fetchall() == []
        assert con.execute("select * from marts.ai_trade_annual order by all").fetchall() == annual


def test_a_fact_created_without_its_not_null_constraints_is_not_built_on(built: Path) -> None:
    """The fact takes its not_null constraints only when its table is created. One created without them (by an older
    version) would take nulls unchecked, so an incremental build stops and says how to rebuild it."""
    with duckdb.connect(str(built)) as con:
        con.execute("alter table marts.fct_trade_monthly alter column cty_code drop not null")
    result = run_dbt(built, "run", *MODELS, check=False)
    assert result.returncode != 0
    assert "without the not_null constraints of columns cty_code (by an older version)" in result.stdout
    assert "dbt build --full-refresh --select fct_trade_monthly+" in result.stdout

    run_dbt(built, "run", "--full-refresh", "--select", "fct_trade_monthly+")
    with duckdb.connect(str(built)) as con, pytest.raises(duckdb.ConstraintException):
        con.execute(
            "update marts.fct_trade_monthly set cty_code = null "
            "where rowid = (select min(rowid) from marts.fct_trade_monthly)"
        )


def test_a_table_built_before_it_was_incremental_is_rebuilt_once_on_request(built: Path) -> None:
    """The code-year totals and the growth mart were plain tables before, without built_at: an incremental build
    cannot tell which years are current, so it stops, says how to rebuild, and the rebuild makes it incremental.
    The growth mart says so before it compares base years, so a new base_year gets the same message."""
    with duckdb.connect(str(built)) as con:
        for table in (ANNUAL_CODES, GROWTH):
            con.execute(f"create or replace table {table} as select * exclude (built_at) from {table}")
    for model, args in (
        ("int_trade_annual__codes", MODELS),
        ("hs10_consistent_growth_annual", ["--select", "hs10_consistent_growth_annual", "--vars", "{base_year: 2024}"]),
    ):
        result = run_dbt(built, "run", *args, check=False)
        assert result.returncode != 0
        assert f'"{model}" has no built_at column (built by an older version)' in result.stdout
        assert f"dbt build --full-refresh --select {model}+" in result.stdout

    run_dbt(built, "run", "--full-refresh", "--select", "int_trade_annual__codes+")
    rebuilt = {table: _latest_build(built, table) for table in (ANNUAL_CODES, GROWTH)}
    assert None not in rebuilt.values()
    # incremental again: a revised 2024-06 rewrites that year only (and the growth mart the year after)
    _load_month(built, "exports", "2024-06", "2024-06", "0.8")
    run_dbt(built, "run", *MODELS)
    assert _years_written_after(built, ANNUAL_CODES, rebuilt[ANNUAL_CODES]) == [("exports", [2024])]
    assert _years_written_after(built, GROWTH, rebuilt[GROWTH]) == [("exports", [2024, 2025])]
