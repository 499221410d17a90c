"""`aitrade load census-file`: CSV/parquet files in the Census column form, month partitions, validation."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingestion.cli import main
from ingestion.commands.load import load_census_file
from ingestion.errors import UserError

IMPORTS_CSV = """\
time,I_COMMODITY,I_COMMODITY_SDESC,CTY_CODE,CTY_NAME,CON_VAL_MO,GEN_VAL_MO,CAL_DUT_MO,DUT_VAL_MO,CON_QY1_MO,CON_QY2_MO,UNIT_QY1,UNIT_QY2,COMM_LVL
2024-01,101210000,PUREBRED BREEDING HORSES,1220,CANADA,1500,1500,0,0,3,0,NO,,HS10
2024-01,8471500150,PROCESSING UNITS,5830,TAIWAN,900000,900100,900,450000,120,0,NO,,HS10
2024-01,8471500150,PROCESSING UNITS,-,TOTAL FOR ALL COUNTRIES,900000,900100,900,450000,120,0,NO,,HS10
2024-02,0901110015,COFFEE NOT ROASTED,3510,BRAZIL,250000,250000,0,0,40000,0,KG,,HS10
2024-02,901110015,COFFEE NOT ROASTED,3010,COLOMBIA,120000,120000,0,0,20000,0,KG,,HS10
2024-02,8542310001,PROCESSORS,5700,CHINA,0,0,0,0,0,0,NO,,HS10
"""


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_csv_loads_one_partition_per_month_with_padded_codes(tmp_path: Path) -> None:
    source = tmp_path / "imports.csv"
    source.write_text(IMPORTS_CSV)
    db = tmp_path / "w.duckdb"
    results = load_census_file(db, source, "imports", vintage="2026-11-01")
    assert [(r.partition_id, r.rows, r.value_sum, r.skipped) for r in results] == [
        ("imports/2024-01/ALL", 3, 1_801_500, False),
        ("imports/2024-02/ALL", 2, 370_000, False),  # the all-zero China row is dropped
    ]
    codes = query(db, "select distinct i_commodity from raw.census_imports order by 1")
    assert codes == [("0101210000",), ("0901110015",), ("8471500150",)]
    assert query(db, "select count(*) from raw.census_imports where i_commodity = '0901110015'") == [(2,)]
    assert query(db, "select distinct source, vintage from raw.census_imports") == [("file", "2026-11-01")]
    manifest = query(db, "select partition_id, status, request from raw.load_manifest order by 1")
    assert [m[:2] for m in manifest] == [("imports/2024-01/ALL", "loaded"), ("imports/2024-02/ALL", "loaded")]
    assert '"file": "imports.csv"' in manifest[0][2]
    # a rerun skips both months and leaves the rows as they were
    again = load_census_file(db, source, "imports", vintage="2026-11-02")
    assert all(r.skipped for r in again)
    assert query(db, "select count(*), sum(con_val_mo) from raw.census_imports") == [(5, 2_171_500)]
    assert query(db, "select count(*) from raw.load_manifest") == [(2,)]


def test_duplicate_rows_refuse_the_whole_file(tmp_path: Path) -> None:
    duplicated = IMPORTS_CSV + "2024-02,0901110015,COFFEE,3510,BRAZIL,5,5,0,0,1,0,KG,,HS10\n"
    source = tmp_path / "dup.csv"
    source.write_text(duplicated)
    db = tmp_path / "w.duckdb"
    with pytest.raises(UserError) as error:
        load_census_file(db, source, "imports")
    message = str(error.value)
    assert "dup.csv (imports)" in message and "nothing was loaded" in message
    assert "1 duplicate (time, i_commodity, cty_code) key(s)" in message
    assert "(2024-02, 0901110015, 3510) in rows 4, 7" in message
    assert message.endswith("may appear once; fix the source rows and rerun")
    assert query(db, "select count(*) from raw.census_imports") == [(0,)]
    assert query(db, "select count(*) from raw.load_manifest") == [(0,)]
    assert not (tmp_path / "w_landing").exists()


def test_cli_reports_errors_and_loads_parquet_exports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    exports = pa.table(
        {
            "YEAR": ["2025", "2025", "2025"],
            "MONTH": ["3", "3", "4"],
            "E_COMMODITY": ["9026800000", "847150015", "9026800000"],
            "CTY_CODE": ["2010", "2010", "1220"],
            "ALL_VAL_MO": pa.array([500, 700, 900], pa.int64()),
            "QTY_1_MO": pa.array([5, 7, 9], pa.int64()),
        }
    )
    pq.write_table(exports, tmp_path / "exports.parquet")
    code = main(["load", "census-file", str(tmp_path / "exports.parquet"), "--flow", "exports", "--db", str(db)])
    assert code == 0
    assert "2 month(s), 3 rows; 2 loaded" in capsys.readouterr().out
    rows = query(db, "select time, e_commodity, cty_code, all_val_mo from raw.census_exports order by 1, 2")
    assert rows == [
        ("2025-03", "0847150015", "2010", 700),
        ("2025-03", "9026800000", "2010", 500),
        ("2025-04", "9026800000", "1220", 900),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("time,E_COMMODITY,CTY_CODE,ALL_VAL_MO\n2025-05,84715,2010,10\n2025-05,9026800000,2010,-4\n")
    code = main(["load", "census-file", str(bad), "--flow", "exports", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: bad.csv (exports): rejected, nothing was loaded: 1 malformed e_commodity code(s)")
    assert "'84715' (rows 1)" in err
    assert main(["load", "census-file", str(tmp_path / "missing.csv"), "--flow", "exports", "--db", str(db)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert query(db, "select count(*) from raw.census_exports") == [(3,)]


def test_api_form_latin1_file_and_what_a_month_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV saved from the Census API repeats CTY_CODE (the predicate) and may be latin-1: it loads; a reload of a
    month says how many rows it replaced, and warns when a month shrinks to under half (a partial file)."""
    db = tmp_path / "w.duckdb"
    api_form = tmp_path / "api.csv"
    header = "time,I_COMMODITY,CTY_CODE,CTY_NAME,CON_VAL_MO,CTY_CODE\n"
    rows = "2024-03,8471500150,2777,CURAÇAO,10,2777\n2024-03,8471500160,2777,CURAÇAO,20,2777\n"
    api_form.write_bytes((header + rows + "2024-03,8471500170,1220,CANADA,30,1220\n").encode("latin-1"))
    assert main(["load", "census-file", str(api_form), "--flow", "imports", "--db", str(db)]) == 0
    assert "1 month(s), 3 rows; 1 loaded" in capsys.readouterr().out
    assert query(db, "select cty_code, cty_name from raw.census_imports order by i_commodity limit 1") == [
        ("2777", "CURAÇAO")
    ]
    partial = tmp_path / "partial.csv"
    partial.write_text("time,I_COMMODITY,CTY_CODE,CON_VAL_MO\n2024-03,8471500150,2777,11\n")
    assert main(["load", "census-file", str(partial), "--flow", "imports", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "imports/2024-03/ALL: 1 rows replace the 3 loaded before (fewer than half: does the file hold" in out
    clashing = tmp_path / "clash.csv"
    clashing.write_text("time,I_COMMODITY,CTY_CODE,CON_VAL_MO,CTY_CODE\n2024-03,8471500150,2777,11,1220\n")
    assert main(["load", "census-file", str(clashing), "--flow", "imports", "--db", str(db)]) == 2
    assert "column CTY_CODE appears twice with different values; keep one" in capsys.readouterr().err
    assert query(db, "select count(*), sum(con_val_mo) from raw.census_imports") == [(1, 11)]
