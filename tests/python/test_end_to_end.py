"""The demo, end to end: generate and load, `dbt build` every model and test, and check their numbers against
an independent computation straight from the raw tables."""

import json
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_runner import dbt_env, run_aitrade, run_dbt

from ingestion.paths import REPO_ROOT


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("e2e") / "warehouse.duckdb"
    run_aitrade(db_path, "demo", "--db", str(db_path))
    run_dbt(db_path, "build")
    return db_path


def _raw_annual(con: duckdb.DuckDBPyConnection, relevance_filter: str) -> dict[int, Decimal]:
    """Imports by year computed from raw with plain SQL: detail countries, chapters 27/71/98/99 dropped,
    the demo label of each code unless the committed overrides seed relabels it."""
    overrides = REPO_ROOT / "seeds" / "hs10_label_overrides.csv"
    rows = con.execute(
        f"""
        with overrides as (
            select hs10, relevance from read_csv('{overrides}', all_varchar = true) where flow = 'imports'
        ),
        labels as (
            select d.hs10, coalesce(o.relevance, d.relevance) as relevance
            from raw.hs10_labels as d
            left join overrides as o on o.hs10 = d.hs10
            where d.flow = 'imports' and d.label_source = 'demo'
            union all
            select hs10, relevance from overrides
            where hs10 not in (select hs10 from raw.hs10_labels where flow = 'imports' and label_source = 'demo')
        )
        select cast(left(i.time, 4) as integer) as year, sum(cast(i.con_val_mo as decimal(38, 2)))
        from raw.census_imports as i
        left join labels as l on l.hs10 = i.i_commodity
        where i.cty_code not in ('-') and i.cty_code not like '00%' and i.cty_code not like '%X%'
            and left(i.i_commodity, 2) not in ('27', '71', '98', '99')
            and {relevance_filter}
        group by 1
        """
    ).fetchall()
    return dict(rows)


def test_headline_marts_equal_an_independent_computation_from_raw(built_demo: Path) -> None:
    with duckdb.connect(str(built_demo), read_only=True) as con:
        overridden = con.execute("select count(*) from raw.hs10_labels where label_source <> 'demo'").fetchone()[0]
        assert overridden == 0
        total = _raw_annual(con, "true")
        high = _raw_annual(con, "l.relevance = 'High'")
        mart = {
            year: (ai, tot, share)
            for year, ai, tot, share in con.execute(
                "select year, ai_value, total_value, ai_share from marts.ai_trade_share_annual where flow = 'imports'"
            ).fetchall()
        }
    for year in (2023, 2024, 2025):
        ai, tot, share = mart[year]
        assert tot == total[year]
        assert ai == high[year]
        assert share == pytest.approx(float(high[year] / total[year]), rel=1e-12)


def test_demo_is_calibrated_like_the_study(built_demo: Path) -> None:
    """AI share of imports about 15% -> 23%, AI +70% against about +3% for the rest (methodology section 4)."""
    output = run_aitrade(built_demo, "headlines", "--db", str(built_demo)).stdout
    assert "SYNTHETIC" in output
    with duckdb.connect(str(built_demo), read_only=True) as con:
        shares = dict(
            con.execute("select year, ai_share from marts.ai_trade_share_annual where flow = 'imports'").fetchall()
        )
        values = {
            year: (ai, total)
            for year, ai, total in con.execute(
                "select year, ai_value, total_value from marts.ai_trade_share_annual where flow = 'imports'"
            ).fetchall()
        }
        jan_2026 = con.execute(
            "select index_value from marts.ai_trade_index_monthly "
            "where flow = 'imports' and series = 'ai' and month = date '2026-01-01'"
        ).fetchone()[0]
    assert 0.12 <= shares[2023] <= 0.18
    assert 0.20 <= shares[2025] <= 0.26
    ai_growth = values[2025][0] / values[2023][0] - 1
    rest_growth = (values[2025][1] - values[2025][0]) / (values[2023][1] - values[2023][0]) - 1
    assert Decimal("0.55") <= ai_growth <= Decimal("0.90")
    assert Decimal("-0.05") <= rest_growth <= Decimal("0.10")
    assert 150 <= jan_2026 <= 260


def test_every_description_is_persisted_as_a_comment(built_demo: Path) -> None:
    """persist_docs (macros/persist_docs.sql): each model's and each column's description is its comment in the
    warehouse, for views and tables, with or without an enforced contract."""
    manifest = json.loads((Path(dbt_env(built_demo)["DBT_TARGET_PATH"]) / "manifest.json").read_text())
    models = [node for node in manifest["nodes"].values() if node["resource_type"] == "model"]
    expected = {(model["schema"], model["alias"], None): model["description"] for model in models} | {
        (model["schema"], model["alias"], name): column["description"]
        for model in models
        for name, column in model["columns"].items()
    }
    with duckdb.connect(str(built_demo), read_only=True) as con:
        persisted = con.execute(
            "select schema_name, table_name, null, comment from duckdb_tables() "
            "union all select schema_name, view_name, null, comment from duckdb_views() "
            "union all select schema_name, table_name, column_name, comment from duckdb_columns()"
        ).fetchall()
    comments = {(schema, relation, column): comment for schema, relation, column, comment in persisted}
    assert {key: comments.get(key) for key in expected} == expected
    contracted = {model["alias"] for model in models if model["config"]["contract"]["enforced"]}
    kinds = {model["config"]["materialized"] for model in models}
    assert len(expected) > 600 and "fct_trade_monthly" in contracted and {"view", "table", "incremental"} <= kinds

    # ... in one statement per model, reading the columns only without a contract (dbt-duckdb's own: two
    # statements and two reads)
    queries = _model_queries(Path(dbt_env(built_demo)["DBT_LOG_PATH"]) / "dbt.log")
    comment_statements = {name: sum("comment on" in sql for sql in sql_list) for name, sql_list in queries.items()}
    column_reads = {name: sum('from (describe "' in sql for sql in sql_list) for name, sql_list in queries.items()}
    assert comment_statements == {model["name"]: 1 for model in models}
    assert {model["name"]: column_reads[model["name"]] for model in models if model["alias"] in contracted} == {
        model["name"]: 0 for model in models if model["alias"] in contracted
    }
    assert {
        model["name"]: column_reads[model["name"]]
        for model in models
        if model["alias"] not in contracted and model["config"]["materialized"] != "incremental"
    } == {
        model["name"]: 1
        for model in models
        if model["alias"] not in contracted and model["config"]["materialized"] != "incremental"
    }


def test_tables_and_views_are_replaced_in_place(built_demo: Path) -> None:
    """macros/replace_in_place.sql: each table and view model is created once, under its own name, with no
    intermediate relation renamed into place and no backup dropped (dbt's default: four statements more)."""
    manifest = json.loads((Path(dbt_env(built_demo)["DBT_TARGET_PATH"]) / "manifest.json").read_text())
    models = {
        node["name"]: (node["schema"], node["alias"], node["config"]["materialized"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] in ("table", "view")
    }
    queries = _model_queries(Path(dbt_env(built_demo)["DBT_LOG_PATH"]) / "dbt.log")
    create = re.compile(r"\bcreate\s+(?:or replace\s+)?(table|view)\s+(\S+)")
    created = {name: [found.groups() for sql in queries[name] if (found := create.search(sql))] for name in models}
    moved = {
        name: sum(re.search(r"__dbt_(tmp|backup)|rename to", sql) is not None for sql in queries[name])
        for name in models
    }
    assert created == {
        name: [(kind, f'"{built_demo.stem}"."{schema}"."{alias}"'.lower())]
        for name, (schema, alias, kind) in models.items()
    }
    assert moved == dict.fromkeys(models, 0)
    assert len(models) == 41


def _model_queries(log: Path) -> dict[str, list[str]]:
    """Each model's queries in a dbt debug log, lower-cased: an entry `On model.<project>.<name>: <sql>` runs until
    the next line that starts with the log's colour code."""
    queries: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in log.read_text().splitlines():
        if line.startswith("\x1b["):
            started = re.search(r"\]: On model\.\w+\.(\w+): (.*)$", line)
            current = queries.setdefault(started[1], []) if started else None
            if current is not None:
                current.append(started[2].lower())
        elif current:
            current[-1] += "\n" + line.lower()
    return queries


def test_every_analysis_runs_and_returns_rows(built_demo: Path) -> None:
    """dbt never executes analyses/, so this keeps the study's tables working: compile each, run it."""
    run_dbt(built_demo, "compile", "--select", "resource_type:analysis")
    compiled = Path(dbt_env(built_demo)["DBT_TARGET_PATH"]) / "compiled" / "ai_trade" / "analyses"
    files = sorted(compiled.glob("*.sql"))
    assert len(files) == len(list((REPO_ROOT / "analyses").glob("*.sql"))) > 0
    with duckdb.connect(str(built_demo), read_only=True) as con:
        for sql_file in files:
            rows = con.execute(sql_file.read_text()).fetchall()
            assert rows, f"{sql_file.name} returned no rows"
