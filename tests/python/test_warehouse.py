"""The raw loader: idempotent, atomic partition loads, validation messages and slice replacement."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingestion import warehouse
from ingestion.errors import UserError
from ingestion.headlines import read_headlines
from ingestion.warehouse import TradePartition, load_trade_partition

FETCHED = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def imports_rows(n: int = 6, month: str = "2024-01", value: int = 100, codes: list[str] | None = None) -> pa.Table:
    codes = codes or [f"85423100{i % 100:02d}" for i in range(n)]
    return pa.table(
        {
            "time": [month] * n,
            "i_commodity": codes,
            "i_commodity_sdesc": ["PROCESSORS"] * n,
            "cty_code": [f"{5700 + i // 100}" for i in range(n)],
            "cty_name": ["CHINA"] * n,
            "con_val_mo": pa.array([value + i for i in range(n)], pa.int64()),
            "gen_val_mo": pa.array([value + i + 1 for i in range(n)], pa.int64()),
            "cal_dut_mo": pa.array([i for i in range(n)], pa.int64()),
            "dut_val_mo": pa.array([i for i in range(n)], pa.int64()),
            "con_qy1_mo": pa.array([10] * n, pa.int64()),
            "con_qy2_mo": pa.array([0] * n, pa.int64()),
            "unit_qy1": ["NO"] * n,
            "unit_qy2": ["KG"] * n,
        }
    )


def partition(period: str = "2024-01", flow: str = "imports", cty: str = "ALL", vintage: str = "v1") -> TradePartition:
    return TradePartition(flow, period, cty, "bench", vintage, FETCHED, {"time": period, "key": "SECRET123"})


def state(con: duckdb.DuckDBPyConnection) -> tuple:
    return (
        con.execute("select count(*), coalesce(sum(con_val_mo), 0) from raw.census_imports").fetchone(),
        con.execute(
            "select partition_id, status, row_count, value_sum from raw.load_manifest order by loaded_at, status"
        ).fetchall(),
    )


@pytest.fixture
def con(tmp_path: Path):
    connection = warehouse.connect(tmp_path / "nested" / "w.duckdb")
    yield connection
    connection.close()


def test_connect_creates_folder_and_raw_schema(tmp_path: Path) -> None:
    db = tmp_path / "a" / "b" / "w.duckdb"
    warehouse.connect(db).close()
    assert db.exists()
    with warehouse.connect(db, read_only=True) as ro:
        tables = {
            r[0]
            for r in ro.execute("select table_name from information_schema.tables where table_schema='raw'").fetchall()
        }
    assert {"census_imports", "census_exports", "load_manifest", "hs10_labels"} <= tables
    with pytest.raises(UserError, match="does not exist"):
        warehouse.connect(tmp_path / "missing.duckdb", read_only=True)


def test_rerun_does_not_duplicate_rows(con, tmp_path: Path) -> None:
    rows = imports_rows(50)
    first = load_trade_partition(con, partition(), rows, tmp_path / "land")
    second = load_trade_partition(con, partition(), rows, tmp_path / "land")
    # the same content in another order is the same partition content
    third = load_trade_partition(con, partition(), rows.take(list(range(49, -1, -1))), tmp_path / "land")
    assert (first.skipped, second.skipped, third.skipped) == (False, True, True)
    assert first.rows == 50 and first.value_sum == sum(100 + i for i in range(50))
    assert state(con) == ((50, first.value_sum), [("imports/2024-01/ALL", "loaded", 50, first.value_sum)])
    manifest = con.execute("select request, sha256, landing_path, source, vintage from raw.load_manifest").fetchone()
    assert "SECRET123" not in manifest[0] and '"time": "2024-01"' in manifest[0]
    landed = Path(manifest[2])
    assert landed.exists() and hashlib.sha256(landed.read_bytes()).hexdigest() == manifest[1]
    assert manifest[3:] == ("bench", "v1")
    meta = con.execute("select distinct source, vintage, partition_id from raw.census_imports").fetchall()
    assert meta == [("bench", "v1", "imports/2024-01/ALL")]
    assert set(warehouse.completed_partitions(con, "imports")) == {"imports/2024-01/ALL"}
    assert warehouse.completed_partitions(con, "exports") == {}


def test_replace_keeps_superseded_manifest_row(con, tmp_path: Path) -> None:
    load_trade_partition(con, partition(vintage="v1"), imports_rows(10, value=100), tmp_path / "land")
    changed = load_trade_partition(con, partition(vintage="v2"), imports_rows(8, value=1000), tmp_path / "land")
    assert not changed.skipped
    rows, manifest = state(con)
    assert rows == (8, sum(1000 + i for i in range(8)))
    assert [(m[1], m[2]) for m in manifest] == [("superseded", 10), ("loaded", 8)]
    assert con.execute("select distinct vintage from raw.census_imports").fetchall() == [("v2",)]
    forced = load_trade_partition(
        con, partition(vintage="v3"), imports_rows(8, value=1000), tmp_path / "land", replace=True
    )
    assert not forced.skipped
    statuses = con.execute("select vintage, status from raw.load_manifest order by loaded_at").fetchall()
    assert statuses == [("v1", "superseded"), ("v2", "superseded"), ("v3", "loaded")]
    assert state(con)[0] == rows


def test_other_partitions_are_untouched(con, tmp_path: Path) -> None:
    load_trade_partition(con, partition("2024-01"), imports_rows(5, "2024-01"), tmp_path / "land")
    load_trade_partition(con, partition("2024-02"), imports_rows(7, "2024-02"), tmp_path / "land")
    load_trade_partition(con, partition("2024-01", vintage="v2"), imports_rows(3, "2024-01", 7), tmp_path / "land")
    counts = con.execute("select time, count(*) from raw.census_imports group by 1 order by 1").fetchall()
    assert counts == [("2024-01", 3), ("2024-02", 7)]


def test_nine_digit_codes_are_zero_padded(con, tmp_path: Path) -> None:
    rows = imports_rows(3, codes=["101210000", "0101290000", " 901110000 "])
    result = load_trade_partition(con, partition(), rows, tmp_path / "land")
    assert result.rows == 3
    codes = [r[0] for r in con.execute("select i_commodity from raw.census_imports order by 1").fetchall()]
    assert codes == ["0101210000", "0101290000", "0901110000"]
    # codes that arrive as numbers (a spreadsheet or a typed parquet column) are padded the same way
    as_numbers = imports_rows(2, "2024-02", codes=["x", "y"]).set_column(
        1, "i_commodity", pa.array([101210000, 8471500150], pa.int64())
    )
    load_trade_partition(con, partition("2024-02"), as_numbers, tmp_path / "land")
    got = con.execute("select i_commodity from raw.census_imports where time = '2024-02' order by 1").fetchall()
    assert got == [("0101210000",), ("8471500150",)]


@pytest.mark.parametrize(
    "code",
    [
        "\u0668\u0664\u0667\u0661\u0665\u0660\u0660\u0661\u0665\u0660",
        "\uff18\uff14\uff17\uff11\uff15\uff10\uff10\uff11\uff15\uff10",
    ],
)
def test_codes_in_other_scripts_digits_are_refused(con, tmp_path: Path, code: str) -> None:
    """Arabic-Indic or full-width digits are digits to Unicode, not HS codes: the partition is refused."""
    rows = imports_rows(2, codes=["8471500150", code])
    with pytest.raises(UserError, match=r"1 malformed i_commodity code\(s\): '.{10}' \(rows 2\)"):
        load_trade_partition(con, partition(), rows, tmp_path / "land")
    assert con.execute("select count(*) from raw.census_imports").fetchone()[0] == 0


def test_padding_that_creates_a_duplicate_is_rejected(con, tmp_path: Path) -> None:
    rows = imports_rows(2, codes=["101210000", "0101210000"])
    with pytest.raises(UserError, match=r"duplicate .*\(2024-01, 0101210000, 5700\) in rows 1, 2"):
        load_trade_partition(con, partition(), rows, tmp_path / "land")


def test_duplicate_key_rejected_and_nothing_written(con, tmp_path: Path) -> None:
    rows = imports_rows(4, codes=["8542310001", "8471500150", "8542310001", "8471500150"])
    with pytest.raises(UserError) as error:
        load_trade_partition(con, partition(), rows, tmp_path / "land")
    message = str(error.value)
    assert "imports/2024-01/ALL" in message and "nothing was loaded" in message
    assert "2 duplicate (time, i_commodity, cty_code) key(s)" in message
    assert "(2024-01, 8542310001, 5700) in rows 1, 3" in message
    assert "(2024-01, 8471500150, 5700) in rows 2, 4" in message
    assert state(con) == ((0, 0), [])
    assert not (tmp_path / "land").exists()


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (
            lambda t: t.set_column(1, "i_commodity", pa.array(["85423100", *t["i_commodity"].to_pylist()[1:]])),
            r"malformed i_commodity code\(s\): '85423100' \(rows 1\)",
        ),
        (
            lambda t: t.set_column(1, "i_commodity", pa.array(["8542X10001", *t["i_commodity"].to_pylist()[1:]])),
            r"'8542X10001' \(rows 1\)",
        ),
        (
            lambda t: t.set_column(0, "time", pa.array(["2024-01", "2024-02", *t["time"].to_pylist()[2:]])),
            r"1 row\(s\) with a time outside the partition period 2024-01 \[time\], e.g. row 2",
        ),
        (
            lambda t: t.set_column(0, "time", pa.array(["2024-13", *t["time"].to_pylist()[1:]])),
            r"malformed time .* row 1",
        ),
        (
            lambda t: t.set_column(5, "con_val_mo", pa.array([5, 5, -3, 5, 5, 5], pa.int64())),
            r"negative value \[con_val_mo\], e.g. row 3: \(2024-01, 8542310002, 5700\) con_val_mo='-3'",
        ),
        (
            lambda t: t.set_column(5, "con_val_mo", pa.array(["5", "5", "x", "5", "5", "5"])),
            r"con_val_mo must hold whole numbers, e.g. row 3: 'x'",
        ),
        (  # DuckDB's try_cast rounds '1.5' to 2: the example must still name the row
            lambda t: t.set_column(5, "con_val_mo", pa.array(["5", "5", "5", "1.5", "5", "5"])),
            r"con_val_mo must hold whole numbers, e.g. row 4: '1.5'",
        ),
        (lambda t: t.drop_columns(["cty_code"]), r"missing required column\(s\) \['cty_code'\]"),
        (lambda t: t.append_column("extra", pa.array([1] * 6)), r"unexpected column\(s\) \['extra'\]"),
    ],
)
def test_invalid_rows_are_rejected_with_the_rows_named(con, tmp_path: Path, mutate, pattern: str) -> None:
    with pytest.raises(UserError, match=pattern):
        load_trade_partition(con, partition(), mutate(imports_rows(6)), tmp_path / "land")
    assert state(con) == ((0, 0), [])


def with_countries(rows: pa.Table, countries: list[str]) -> pa.Table:
    return rows.set_column(rows.column_names.index("cty_code"), "cty_code", pa.array(countries))


def test_country_codes_a_spreadsheet_mangled_are_mended_and_others_refused(con, tmp_path: Path) -> None:
    """A grouping that lost its zeros (3 = 0003, the EU) would otherwise count as one more country."""
    rows = with_countries(imports_rows(6), ["3", "22", "5700.0", "1XXX", "-", "4280"])
    load_trade_partition(con, partition(), rows, tmp_path / "land")
    loaded = con.execute("select cty_code from raw.census_imports order by i_commodity").fetchall()
    assert [c for (c,) in loaded] == ["0003", "0022", "5700", "1XXX", "-", "4280"]
    bad = with_countries(imports_rows(6, "2024-02"), ["China", "570", "57000", "0", "29", "9XXX"])
    with pytest.raises(UserError) as error:
        load_trade_partition(con, partition("2024-02"), bad, tmp_path / "land")
    message = str(error.value)
    assert "imports/2024-02/ALL: rejected, nothing was loaded: 6 malformed cty_code(s)" in message
    assert "'China' (rows 1), '570' (rows 2), '57000' (rows 3), '0' (rows 4), '29' (rows 5) ..." in message
    assert con.execute("select count(*) from raw.census_imports where time = '2024-02'").fetchone() == (0,)


def test_a_key_another_partition_holds_is_refused(con, tmp_path: Path) -> None:
    """A month loaded from a file (ALL) and the same month's country partition, or a country's year partition and
    its month partition, would count a row twice: the second load is refused whole; overlaps without a shared key
    load."""
    land = tmp_path / "land"
    load_trade_partition(con, partition(), with_countries(imports_rows(3), ["5700", "5700", "1220"]), land)
    before = state(con)
    china = with_countries(imports_rows(3, codes=["8542310002", "8542310009", "8542310000"]), ["5700"] * 3)
    with pytest.raises(UserError) as error:
        warehouse.load_trade_partitions(
            con,
            [(partition(cty="4280"), with_countries(imports_rows(1), ["4280"])), (partition(cty="5700"), china)],
            land,
        )
    message = str(error.value)
    assert "imports/2024-01/5700: rejected, nothing was loaded: 1 (time, i_commodity, cty_code) key(s)" in message
    assert "(2024-01, 8542310000, 5700) in imports/2024-01/5700 and imports/2024-01/ALL" in message
    assert "a month loaded from a file (partition .../ALL) cannot sit beside that month's Census API" in message
    assert state(con) == before
    # the same month of another country shares no key with the file's rows: it loads
    canada = with_countries(imports_rows(1, codes=["8471500150"]), ["1220"])
    assert load_trade_partition(con, partition(cty="1220"), canada, land).rows == 1
    # a country's year partition beside its month partition
    year_rows = with_countries(imports_rows(2, "2025-03", codes=["8542310001", "8542310002"]), ["5800", "5800"])
    load_trade_partition(con, partition("2025", cty="5800"), year_rows, land)
    month_rows = with_countries(imports_rows(1, "2025-03", codes=["8542310002"]), ["5800"])
    with pytest.raises(UserError) as error:
        load_trade_partition(con, partition("2025-03", cty="5800"), month_rows, land)
    assert "imports/2025-03/5800: rejected" in str(error.value)
    assert "(2025-03, 8542310002, 5800) in imports/2025-03/5800 and imports/2025/5800" in str(error.value)
    assert "a country's year partition cannot sit beside its month partitions" in str(error.value)


def test_country_partition_checks_country_and_year_period(con, tmp_path: Path) -> None:
    rows = pa.concat_tables([imports_rows(2, "2024-01"), imports_rows(2, "2024-07")])
    result = load_trade_partition(con, partition("2024", cty="5700"), rows, tmp_path / "land")
    assert result.rows == 4 and result.partition_id == "imports/2024/5700"
    with pytest.raises(UserError, match="a cty_code other than the partition's 1220"):
        load_trade_partition(con, partition("2024", cty="1220"), rows, tmp_path / "land")
    with pytest.raises(UserError, match="outside the partition period 2023"):
        load_trade_partition(con, partition("2023", cty="5700"), rows, tmp_path / "land")
    with pytest.raises(UserError, match="neither YYYY nor YYYY-MM"):
        load_trade_partition(con, partition("2024-1"), rows, tmp_path / "land")


def test_all_zero_rows_are_dropped_and_upper_case_headers_accepted(con, tmp_path: Path) -> None:
    rows = imports_rows(4)
    zeros = pa.array([0, 0, 7, 0], pa.int64())
    for name in ("con_val_mo", "gen_val_mo", "cal_dut_mo", "dut_val_mo", "con_qy1_mo", "con_qy2_mo"):
        rows = rows.set_column(
            rows.column_names.index(name), name, zeros if name == "con_qy1_mo" else pa.array([0] * 4, pa.int64())
        )
    rows = rows.rename_columns([name.upper() for name in rows.column_names])
    result = load_trade_partition(con, partition(), rows, tmp_path / "land")
    assert result.rows == 1  # only the row with a quantity left
    assert con.execute("select i_commodity, con_qy1_mo from raw.census_imports").fetchall() == [("8542310002", 7)]


def test_exports_partition(con, tmp_path: Path) -> None:
    rows = pa.table(
        {
            "time": ["2025-03", "2025-03"],
            "e_commodity": ["9026800000", "847150015"],
            "cty_code": ["2010", "1220"],
            "all_val_mo": pa.array([500, 0], pa.int64()),
            "qty_1_mo": pa.array([3, 0], pa.int64()),
        }
    )
    result = load_trade_partition(con, partition("2025-03", flow="exports"), rows, tmp_path / "land")
    assert (result.rows, result.value_sum) == (1, 500)
    got = con.execute("select e_commodity, cty_code, all_val_mo, qty_2_mo, unit_qy1 from raw.census_exports").fetchall()
    assert got == [("9026800000", "2010", 500, None, None)]


def test_exception_mid_load_leaves_no_partial_state(con, tmp_path: Path, monkeypatch) -> None:
    load_trade_partition(con, partition(vintage="v1"), imports_rows(10), tmp_path / "land")
    before = state(con)

    def explode(*args, **kwargs):
        raise RuntimeError("injected failure after the rows were inserted")

    monkeypatch.setattr(warehouse, "_insert_manifest", explode)
    with pytest.raises(RuntimeError, match="injected"):
        load_trade_partition(con, partition(vintage="v2"), imports_rows(20, value=5), tmp_path / "land")
    assert state(con) == before
    monkeypatch.undo()
    result = load_trade_partition(con, partition(vintage="v2"), imports_rows(20, value=5), tmp_path / "land")
    assert not result.skipped and state(con)[0] == (20, sum(5 + i for i in range(20)))


def test_record_empty_partition(con, tmp_path: Path) -> None:
    load_trade_partition(con, partition("2024-03"), imports_rows(3, "2024-03"), tmp_path / "land")
    warehouse.record_empty_partition(con, partition("2024-03", vintage="v2"))
    warehouse.record_empty_partition(con, partition("2024-03", vintage="v3"))  # idempotent
    warehouse.record_empty_partition(con, partition("2024-04"))
    assert state(con)[0] == (0, 0)
    manifest = con.execute(
        "select partition_id, vintage, status, row_count from raw.load_manifest order by loaded_at"
    ).fetchall()
    assert manifest == [
        ("imports/2024-03/ALL", "v1", "superseded", 3),
        ("imports/2024-03/ALL", "v2", "empty", 0),
        ("imports/2024-04/ALL", "v1", "empty", 0),
    ]
    assert set(warehouse.completed_partitions(con, "imports")) == {"imports/2024-03/ALL", "imports/2024-04/ALL"}
    # a different request for the same partition (e.g. a partial year grown by a month) is recorded anew
    request = {"endpoint": "imports/hs", "params": [["time", "from 2024-04 to 2024-05"]]}  # as census_plan stores it
    wider = TradePartition("imports", "2024-04", "ALL", "bench", "v4", FETCHED, request)
    warehouse.record_empty_partition(con, wider)
    current = con.execute(
        "select vintage, request from raw.load_manifest where partition_id = 'imports/2024-04/ALL' and status = 'empty'"
    ).fetchall()
    assert current == [("v4", '{"endpoint": "imports/hs", "params": [["time", "from 2024-04 to 2024-05"]]}')]
    # the stored params of each current partition, which the census client compares with its next request
    assert warehouse.completed_partitions(con, "imports") == {
        "imports/2024-03/ALL": None,  # recorded without a request
        "imports/2024-04/ALL": [["time", "from 2024-04 to 2024-05"]],
    }


def test_replace_slice(con) -> None:
    def concordance(year: int, n: int) -> pa.Table:
        return pa.table(
            {
                "hs10": [f"01012100{i:02d}" for i in range(n)],
                "description_short": ["HORSES"] * n,
                "naics": ["11292X"] * n,
                "source": ["demo"] * n,
            }
        )

    assert warehouse.replace_slice(con, "concordance_imports", {"year": 2024}, concordance(2024, 3)) == 3
    assert warehouse.replace_slice(con, "concordance_imports", {"year": 2025}, concordance(2025, 4)) == 4
    assert warehouse.replace_slice(con, "concordance_imports", {"year": 2024}, concordance(2024, 2)) == 2
    counts = con.execute(
        "select year, count(*), count(loaded_at) from raw.concordance_imports group by 1 order by 1"
    ).fetchall()
    assert counts == [(2024, 2, 2), (2025, 4, 4)]
    with_year = concordance(2025, 1).append_column("year", pa.array([2024], pa.int32()))
    with pytest.raises(UserError, match="have year != 2025"):
        warehouse.replace_slice(con, "concordance_imports", {"year": 2025}, with_year)
    with pytest.raises(UserError, match=r"no column\(s\) \['bogus'\]"):
        warehouse.replace_slice(
            con, "concordance_imports", {"year": 2025}, concordance(2025, 1).append_column("bogus", pa.array([1]))
        )
    with pytest.raises(UserError, match=r"lack the required column\(s\) \['source'\]"):
        warehouse.replace_slice(
            con, "concordance_imports", {"year": 2025}, concordance(2025, 1).drop_columns(["source"])
        )
    with pytest.raises(UserError, match=r"cannot write raw\.census_imports"):
        warehouse.replace_slice(con, "census_imports", {}, concordance(2025, 1))
    # a failing insert (hs10 null violates not null) rolls back the delete
    broken = pa.table({"hs10": pa.array([None], pa.string()), "source": ["demo"]})
    with pytest.raises(UserError, match=r"rows for raw\.concordance_imports could not be written, nothing was"):
        warehouse.replace_slice(con, "concordance_imports", {"year": 2025}, broken)
    assert con.execute("select count(*) from raw.concordance_imports where year = 2025").fetchone() == (4,)
    countries = pa.table({"cty_code": ["5700", "1220"], "cty_name": ["CHINA", "CANADA"], "source": ["demo"] * 2})
    assert warehouse.replace_slice(con, "census_countries", {}, countries) == 2
    assert warehouse.replace_slice(con, "census_countries", {}, countries.slice(0, 1)) == 1
    assert con.execute("select cty_code from raw.census_countries").fetchall() == [("5700",)]


def test_batch_loads_in_one_transaction_and_rejects_as_a_whole(con, tmp_path: Path) -> None:
    batch = [(partition(f"2024-0{m}"), imports_rows(4, f"2024-0{m}", value=10 * m)) for m in (1, 2, 3)]
    results = warehouse.load_trade_partitions(con, batch, tmp_path / "land")
    assert [(r.partition_id, r.rows, r.skipped) for r in results] == [
        ("imports/2024-01/ALL", 4, False),
        ("imports/2024-02/ALL", 4, False),
        ("imports/2024-03/ALL", 4, False),
    ]
    assert len({m[0] for m in state(con)[1]}) == 3
    loaded_at = con.execute("select count(distinct loaded_at) from raw.load_manifest").fetchone()
    assert loaded_at == (1,)  # one transaction
    # one changed month among unchanged ones: only it is reloaded
    batch[1] = (partition("2024-02", vintage="v2"), imports_rows(5, "2024-02", value=7))
    results = warehouse.load_trade_partitions(con, batch, tmp_path / "land")
    assert [r.skipped for r in results] == [True, False, True]
    before = state(con)
    # a batch with one bad partition writes nothing
    bad = imports_rows(4, "2024-05").set_column(0, "time", pa.array(["2024-05", "2024-05", "2024-06", "2024-05"]))
    with pytest.raises(UserError, match=r"imports/2024-05/ALL: rejected.*row 3"):
        warehouse.load_trade_partitions(
            con, [(partition("2024-04"), imports_rows(2, "2024-04")), (partition("2024-05"), bad)], tmp_path / "land"
        )
    with pytest.raises(UserError, match="appears twice"):
        warehouse.load_trade_partitions(
            con, [(partition("2024-04"), imports_rows(2, "2024-04"))] * 2, tmp_path / "land"
        )
    assert state(con) == before
    assert warehouse.load_trade_partitions(con, [], tmp_path / "land") == []


def test_a_warehouse_held_by_another_process_gives_a_clear_error(tmp_path: Path) -> None:
    """A dbt build holds the warehouse for its whole run (keep_open); a load started meanwhile says what to do."""
    db_path = tmp_path / "warehouse.duckdb"
    warehouse.connect(db_path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UserError, match=r"in use by another process \(a running `dbt build` or load\?\)"):
            warehouse.connect(db_path)
        # readers too (`aitrade headlines`, `labels audit`): a message, not DuckDB's traceback
        with pytest.raises(UserError, match=r"in use by another process"):
            warehouse.connect(db_path, read_only=True)
        with pytest.raises(UserError, match=r"in use by another process"):
            read_headlines(db_path)
    finally:
        holder.communicate("", timeout=30)
    warehouse.connect(db_path).close()  # free again once the holder is gone


def test_a_clash_already_in_the_warehouse_does_not_refuse_an_innocent_load(con, tmp_path: Path) -> None:
    """Keys held twice by two partitions already there (written by an older version, or by a bulk load that skips
    the loader) are for the build's uniqueness test; a load that overlaps them but brings no held key goes in."""
    land = tmp_path / "land"
    load_trade_partition(con, partition(), with_countries(imports_rows(1), ["5700"]), land)
    con.execute(
        "insert into raw.census_imports select * replace ('imports/2024-01/5700' as partition_id) "
        "from raw.census_imports"
    )
    con.execute(
        "insert into raw.load_manifest select * replace ('imports/2024-01/5700' as partition_id, '5700' as cty_code) "
        "from raw.load_manifest"
    )
    july = with_countries(imports_rows(1, "2024-07"), ["5700"])
    assert load_trade_partition(con, partition("2024", cty="5700"), july, land).rows == 1
