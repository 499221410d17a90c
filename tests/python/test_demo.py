"""The synthetic demo: coverage of what real data exercises, Census aggregates, calibration, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from ingestion import demo, warehouse
from ingestion.cli import main
from ingestion.paths import REPO_ROOT, landing_dir
from ingestion.schema import CATEGORY_VALUES, RELEVANCE_VALUES
from ingestion.warehouse import TradePartition, content_sha256

DETAIL = "cty_code <> '-' and cty_code not like '00%' and cty_code not like '%X%'"
# One view over both flows: flow, time, hs10, cty_code, value (+ duty and quantity for imports).
TRADE = """
    select 'imports' as flow, time, i_commodity as hs10, cty_code, cty_name, con_val_mo as value,
        cal_dut_mo as duty, con_qy1_mo as quantity
    from raw.census_imports
    union all
    select 'exports', time, e_commodity, cty_code, cty_name, all_val_mo, null, qty_1_mo from raw.census_exports
"""


@pytest.fixture
def con(demo_db: Path):
    connection = duckdb.connect(str(demo_db), read_only=True)
    connection.execute(f"create temp view trade as {TRADE}")
    connection.execute(
        f"""
        create temp view analysed as
        select t.*, cast(left(t.time, 4) as integer) as year, coalesce(l.relevance, 'Unclassified') as relevance,
            l.primary_category
        from trade as t
        left join raw.hs10_labels as l on l.flow = t.flow and l.hs10 = t.hs10 and l.label_source = 'demo'
        where {DETAIL} and left(t.hs10, 2) not in ('27', '71', '98', '99')
        """
    )
    yield connection
    connection.close()


def test_coverage_of_codes_countries_and_labels(con) -> None:
    codes = dict(con.execute("select flow, count(distinct hs10) from trade group by 1").fetchall())
    assert codes["imports"] >= 300 and codes["exports"] >= 300
    months = con.execute("select flow, min(time), max(time), count(distinct time) from trade group by 1 order by 1")
    assert months.fetchall() == [("exports", "2022-01", "2026-01", 49), ("imports", "2022-01", "2026-01", 49)]
    for flow in ("imports", "exports"):
        traded = con.execute(
            """
            select distinct l.relevance, l.primary_category from raw.hs10_labels as l
            where l.flow = ? and l.hs10 in (select hs10 from trade where flow = ?)
            """,
            [flow, flow],
        ).fetchall()
        assert {r for r, _ in traded} == set(RELEVANCE_VALUES)
        assert {c for _, c in traded} == set(CATEGORY_VALUES)
        chapters = {
            r[0] for r in con.execute("select distinct left(hs10, 2) from trade where flow = ?", [flow]).fetchall()
        }
        assert {"01", "02", "03", "04", "07", "08", "09"} <= chapters
        assert {"27", "71", "98", "99"} <= chapters
        unlabelled = con.execute(
            """
            select count(distinct hs10) from trade where flow = ?
                and hs10 not in (select hs10 from raw.hs10_labels where flow = ?)
            """,
            [flow, flow],
        ).fetchone()[0]
        assert unlabelled >= 3
    assert con.execute("select min(length(hs10)), max(length(hs10)) from trade").fetchone() == (10, 10)
    detail = {r[0] for r in con.execute(f"select distinct cty_code from trade where {DETAIL}").fetchall()}
    assert len(detail) >= 20
    assert {"5700", "2010", "5830", "1220", "5880", "4280", "5570", "5520", "5490", "5800"} <= detail
    countries = con.execute("select cty_code, cty_name, iso_alpha2, source from raw.census_countries").fetchall()
    assert {c for c, _, _, _ in countries} == detail
    assert ("5830", "TAIWAN", "TW", "demo") in countries
    high_mo = con.execute(
        "select relevance, primary_category from raw.hs10_labels where flow = 'exports' and hs10 = '9026800000'"
    ).fetchall()
    assert high_mo == [("High", "Maintenance_Operations")]
    assert con.execute("select count(*) from trade where flow = 'exports' and hs10 = '9026800000'").fetchone()[0] > 0
    labels = con.execute(
        "select min(confidence), max(confidence), count(distinct label_source), min(model), min(prompt_version) "
        "from raw.hs10_labels"
    ).fetchone()
    assert 40 <= labels[0] < 70 and labels[1] == 100 and labels[2:] == (1, "demo-synthetic", "demo")


def test_split_code_and_concordance_years(con) -> None:
    spans = dict(
        (hs10, (first, last))
        for hs10, first, last in con.execute(
            "select hs10, min(time), max(time) from trade where flow = 'imports' and hs10 like '85423100%' group by 1"
        ).fetchall()
    )
    assert spans["8542310001"] == ("2022-01", "2024-06")
    for successor in ("8542310045", "8542310050", "8542310075"):
        assert spans[successor] == ("2024-07", "2026-01")
    years = con.execute(
        """
        select hs10, list(year order by year) from raw.concordance_imports
        where hs10 in ('8542310001', '8542310045') group by 1 order by 1
        """
    ).fetchall()
    assert years == [("8542310001", [2022, 2023, 2024]), ("8542310045", [2024, 2025, 2026])]
    concordance = con.execute(
        """
        select count(distinct year), count(*) filter (where naics like '%X%'),
            count(*) filter (where end_use like '0%'), count(*) filter (where source <> 'demo'),
            count(*) filter (where description_long is null)
        from raw.concordance_exports
        """
    ).fetchone()
    assert concordance[0] == 5 and concordance[1] > 0 and concordance[2] > 0 and concordance[3:] == (0, 0)
    missing = con.execute(
        """
        select count(*) from (select distinct flow, hs10, cast(left(time, 4) as integer) as year from trade) as t
        where not exists (
            select 1 from raw.concordance_imports as c where t.flow = 'imports' and c.hs10 = t.hs10 and c.year = t.year
            union all
            select 1 from raw.concordance_exports as c where t.flow = 'exports' and c.hs10 = t.hs10 and c.year = t.year
        )
        """
    ).fetchone()[0]
    assert missing == 0


def test_aggregate_rows_equal_detail_sums(con) -> None:
    eu = ("4190", "4210", "4231", "4279", "4280", "4700", "4759")
    groups = {
        "-": "true",
        "0003": f"cty_code in {eu}",
        "0020": "cty_code in ('1220', '2010')",
        "1XXX": "left(cty_code, 1) = '1'",
        "4XXX": "left(cty_code, 1) = '4'",
        "5XXX": "left(cty_code, 1) = '5'",
    }
    for code, members in groups.items():
        for flow, table, columns in (
            ("imports", "census_imports", "con_val_mo, gen_val_mo, cal_dut_mo, dut_val_mo, con_qy1_mo, con_qy2_mo"),
            ("exports", "census_exports", "all_val_mo, qty_1_mo, qty_2_mo"),
        ):
            commodity = "i_commodity" if flow == "imports" else "e_commodity"
            sums = ", ".join(f"sum({c}) as {c}" for c in columns.split(", "))
            differences = con.execute(
                f"""
                with detail as (
                    select time, {commodity}, {sums} from raw.{table}
                    where {DETAIL} and {members} group by 1, 2
                ),
                aggregate as (select time, {commodity}, {columns} from raw.{table} where cty_code = '{code}')
                select count(*), count(a.time), count(d.time) from detail as d
                full join aggregate as a using (time, {commodity})
                where ({", ".join(f"d.{c}" for c in columns.split(", "))})
                    is distinct from ({", ".join(f"a.{c}" for c in columns.split(", "))})
                """
            ).fetchone()
            assert differences == (0, 0, 0), (flow, code)
            assert con.execute(f"select count(*) from raw.{table} where cty_code = '{code}'").fetchone()[0] > 1000
    names = dict(con.execute("select distinct cty_code, cty_name from trade where not (" + DETAIL + ")").fetchall())
    assert names["-"] == "TOTAL FOR ALL COUNTRIES" and names["0003"] == "EUROPEAN UNION"
    assert names["0020"] == "USMCA (NAFTA)"


def annual(con, flow: str) -> dict[int, dict[str, float]]:
    rows = con.execute(
        """
        select year, sum(value) filter (where relevance = 'High'), sum(value),
            sum(value) filter (where relevance = 'Low')
        from analysed where flow = ? group by 1
        """,
        [flow],
    ).fetchall()
    return {year: {"ai": float(ai), "total": float(total), "low": float(low)} for year, ai, total, low in rows}


def test_calibrated_like_the_study(con) -> None:
    """Methodology section 4: AI share of imports 14.6% -> 22.7%, AI +72.6% vs rest about +3% (2023 -> 2025)."""
    imports = annual(con, "imports")
    share = {year: v["ai"] / v["total"] for year, v in imports.items()}
    assert 0.14 <= share[2023] <= 0.16 and 0.17 <= share[2024] <= 0.20 and 0.215 <= share[2025] <= 0.245
    ai_growth = imports[2025]["ai"] / imports[2023]["ai"] - 1
    rest_growth = (imports[2025]["total"] - imports[2025]["ai"]) / (imports[2023]["total"] - imports[2023]["ai"]) - 1
    assert 0.62 <= ai_growth <= 0.80
    assert 0.0 <= rest_growth <= 0.06
    assert 0.0 <= imports[2025]["low"] / imports[2023]["low"] - 1 <= 0.07

    exports = annual(con, "exports")
    x_share = {year: v["ai"] / v["total"] for year, v in exports.items()}
    assert 0.12 <= x_share[2023] <= 0.16 and 0.16 <= x_share[2025] <= 0.20
    x_growth = exports[2025]["ai"] / exports[2023]["ai"] - 1
    assert 0.25 <= x_growth <= 0.45 and x_growth < ai_growth

    # the monthly AI index: Jan 2026 against the 2023 monthly mean (study: 211)
    index = con.execute(
        """
        select 100 * sum(value) filter (where time = '2026-01') / (sum(value) filter (where year = 2023) / 12)
        from analysed where flow = 'imports' and relevance = 'High'
        """
    ).fetchone()[0]
    assert 170 <= index <= 250


def test_duties_and_unit_values_are_plausible(con) -> None:
    rates = dict(
        ((relevance, year), float(rate))
        for relevance, year, rate in con.execute(
            """
            select relevance, year, sum(duty) / sum(value) from analysed
            where flow = 'imports' and relevance in ('High', 'Low') and year in (2024, 2025) group by 1, 2
            """
        ).fetchall()
    )
    assert 0.01 <= rates[("High", 2024)] <= 0.03 and 0.025 <= rates[("High", 2025)] <= 0.06
    assert rates[("Low", 2024)] > rates[("High", 2024)] and rates[("Low", 2025)] > 0.07
    assert rates[("Low", 2025)] > rates[("Low", 2024)] + 0.03
    general = con.execute(
        "select sum(gen_val_mo) / sum(con_val_mo) from raw.census_imports where cty_code = '-'"
    ).fetchone()[0]
    assert 0.99 < general < 1.03 and general != 1
    compute = dict(
        ((year), (float(value), float(quantity)))
        for year, value, quantity in con.execute(
            """
            select year, sum(value), sum(quantity) from analysed
            where flow = 'imports' and relevance = 'High' and primary_category = 'Compute_Hardware'
                and year in (2023, 2025) group by 1
            """
        ).fetchall()
    )
    price_growth = (compute[2025][0] / compute[2025][1]) / (compute[2023][0] / compute[2023][1])
    volume_growth = compute[2025][1] / compute[2023][1]
    assert price_growth > volume_growth > 1.0


def partition_hashes(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select partition_id, sha256 from raw.load_manifest where status = 'loaded' order by 1"
        ).fetchall()


def snapshot(db: Path) -> dict[str, tuple]:
    """Row count and an order-independent digest of every raw table, load metadata (loaded_at) included."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
        ).fetchall()
        return {
            table: con.execute(f"select count(*), sum(hash(t)::hugeint) from raw.{table} as t").fetchone()
            for (table,) in tables
        }


def test_rerun_leaves_the_warehouse_identical(demo_db: Path) -> None:
    before = snapshot(demo_db)
    summary = demo.load_demo(demo_db, progress=False)
    assert summary.partitions_loaded == 0 and summary.partitions_skipped == 98
    assert summary.slices_replaced == 0 and summary.slices_unchanged == 13
    assert snapshot(demo_db) == before


def test_same_seed_same_partitions_other_seed_differs(demo_db: Path) -> None:
    """A fresh process (other hash seed) regenerates byte-identical partitions; another seed changes them."""
    script = "import json; from ingestion.demo import partition_hashes; print(json.dumps(partition_hashes()))"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    regenerated = json.loads(done.stdout)
    loaded = dict(partition_hashes(demo_db))
    assert len(loaded) == 98 and regenerated == loaded
    other = demo.generate_trade("exports", demo.build_products(), seed=demo.DEFAULT_SEED + 1)["2024-05"]
    with duckdb.connect() as memory:
        other_sha = content_sha256(memory, demo.demo_partition("exports", "2024-05", demo.DEFAULT_SEED + 1), other)
    assert other.num_rows > 1000 and other_sha != loaded["exports/2024-05/ALL"]


def test_demo_refuses_a_warehouse_with_other_data(tmp_path: Path, capsys) -> None:
    """Pointed at a real warehouse (AI_TRADE_DUCKDB exported for real data), the demo would replace its country list
    and mix synthetic trade into it: it writes nothing and says where to load it instead."""
    db = tmp_path / "real" / "warehouse.duckdb"
    real = pa.table(
        {
            "time": ["2026-01"],
            "i_commodity": ["8471500150"],
            "cty_code": ["5700"],
            "con_val_mo": pa.array([7], pa.int64()),
        }
    )
    partition = TradePartition("imports", "2026-01", "5700", "census_api", "2026-02-05", datetime.now(UTC))
    with warehouse.connect(db) as con:
        warehouse.load_trade_partition(con, partition, real, landing_dir(db))
    assert main(["demo", "--db", str(db)]) == 2
    error = capsys.readouterr().err
    assert f"{db} holds data that is not the demo's: raw.load_manifest (1 rows)" in error
    assert "load the demo into another warehouse with --db" in error
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select count(*), sum(con_val_mo) from raw.census_imports").fetchone() == (1, 7)
        assert con.execute("select count(*) from raw.census_countries").fetchone() == (0,)
        assert con.execute("select count(*) from raw.load_manifest").fetchone() == (1,)
