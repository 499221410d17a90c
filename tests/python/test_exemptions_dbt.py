"""End to end on the demo: load a list with `aitrade ingest exemptions`, build the tariff, exemption and product
marts with dbt, and check them against computations straight from `fct_trade_monthly` and the raw list."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from dbt_runner import run_dbt

from ingestion.cli import main
from ingestion.paths import REPO_ROOT

STUDY_LISTS = REPO_ROOT.parent / "shared" / "reference" / "paper" / "tariff-exemption-lists"
STUDY_FILES = {
    "annex_ii": "annex-II-exemptions.csv",
    "s122": "section122-product-exemptions.csv",
}

MARTS = "+exemption_coverage +tariff_rates_window +top_ai_products_annual +exemption_list_entries"


@pytest.fixture
def built(demo_db: Path, tmp_path: Path) -> Path:
    listing = tmp_path / "s122.csv"
    # 8-digit prefixes (one stored without its leading zero), a 4-digit heading and a 10-digit code
    listing.write_text("hts_code,digits\n85423100,8\n85176200,8\n1012100,8\n8504,4\n8507600020,10\n")
    argv = ["ingest", "exemptions", str(listing), "--list", "s122_test", "--authority", "Section 122 test"]
    assert main([*argv, "--effective-from", "2026-02-24", "--db", str(demo_db)]) == 0
    if STUDY_LISTS.is_dir():  # the study's real lists too (not committed), so the macro sees their layouts
        for list_id, name in STUDY_FILES.items():
            argv = ["ingest", "exemptions", str(STUDY_LISTS / name), "--list", list_id, "--authority", name]
            assert main([*argv, "--effective-from", "2025-04-05", "--db", str(demo_db)]) == 0
    run_dbt(demo_db, "build", "--select", MARTS, "--indirect-selection", "cautious")
    return demo_db


def test_marts_agree_with_direct_computation(built: Path) -> None:
    with duckdb.connect(str(built), read_only=True) as con:
        sql = con.execute
        entries = dict(sql("select list_id, count(*) from marts.exemption_list_entries group by 1").fetchall())
        expected_entries = {"ce_eo14257_20250411": 20, "s122_test": 5}
        if STUDY_LISTS.is_dir():
            expected_entries |= {"annex_ii": 720, "s122": 1098}
        assert entries == expected_entries
        padded = sql(
            "select hts_prefix from marts.exemption_list_entries where list_id = 's122_test' and hts_prefix like '0%'"
        )
        assert padded.fetchall() == [("01012100",)]

        # the macro's longest-prefix matches equal a direct longest starts_with over the demo's import codes
        direct = sql(
            """
            select hs10, list_id, max(prefix_length)
            from marts.dim_hs10 join marts.exemption_list_entries on starts_with(hs10, hts_prefix)
            where flow = 'imports' group by all order by all
            """
        ).fetchall()
        matched = sql(
            "select hs10, list_id, matched_prefix_length from intermediate.int_exemption_code_matches order by all"
        ).fetchall()
        assert matched == direct and len(direct) > 10
        assert {"ce_eo14257_20250411", "s122_test"} <= {row[1] for row in matched}

        # exemption coverage: the S122 list starts after the demo's last month, so in force it covers nothing;
        # applied to all of 2025 (the study's variant) it covers its codes' whole 2025 High trade
        in_force = sql(
            """
            select sum(value_exempt) from marts.exemption_coverage
            where list_id = 's122_test' and coverage_basis = 'in_force' and period_type = 'month'
              and primary_category = 'All'
            """
        ).fetchone()[0]
        assert in_force == 0
        applied, total, rate_exempt = sql(
            """
            select value_exempt, value_total, tariff_rate_exempt from marts.exemption_coverage
            where list_id = 's122_test' and coverage_basis = 'applied_all_year' and period_type = 'year'
              and relevance_group = 'High' and primary_category = 'All' and year = 2025
            """
        ).fetchone()
        expected = sql(
            """
            select sum(value) filter (where hs10 in (select hs10 from intermediate.int_exemption_code_matches
                                                     where list_id = 's122_test')),
                   sum(value),
                   sum(duty_calculated) filter (where hs10 in (select hs10 from intermediate.int_exemption_code_matches
                                                               where list_id = 's122_test'))
            from marts.fct_trade_monthly
            where flow = 'imports' and not is_excluded_chapter and relevance_group = 'High' and year = 2025
            """
        ).fetchone()
        assert (applied, total) == expected[:2] and applied > 0
        assert rate_exempt == pytest.approx(float(expected[2]) / float(expected[0]), rel=1e-12)

        # the CE seed is in force from April 2025: nothing exempt before, something after
        by_month = dict(
            sql(
                """
                select period_start::varchar, value_exempt from marts.exemption_coverage
                where list_id = 'ce_eo14257_20250411' and coverage_basis = 'in_force' and period_type = 'month'
                  and relevance_group = 'High' and primary_category = 'All' and year = 2025
                """
            ).fetchall()
        )
        assert by_month["2025-03-01"] == 0 and by_month["2025-04-01"] > 0

        # tariff windows: the study's windows are ratios of sums over fct_trade_monthly
        windows = dict(
            sql(
                """
                select study_window, effective_rate from marts.tariff_rates_window
                where study_window is not null and breakdown = 'relevance_group' and relevance_group = 'High'
                """
            ).fetchall()
        )
        direct_rates = dict(
            sql(
                """
                select 'full_year_2024', sum(duty_calculated) / sum(value) from marts.fct_trade_monthly
                where flow = 'imports' and not is_excluded_chapter and relevance_group = 'High' and year = 2024
                union all
                select 'december_2025', sum(duty_calculated) / sum(value) from marts.fct_trade_monthly
                where flow = 'imports' and not is_excluded_chapter and relevance_group = 'High'
                  and month = date '2025-12-01'
                union all
                select 'full_year_2025', sum(duty_calculated) / sum(value) from marts.fct_trade_monthly
                where flow = 'imports' and not is_excluded_chapter and relevance_group = 'High' and year = 2025
                """
            ).fetchall()
        )
        assert windows.keys() == direct_rates.keys()
        for name, rate in direct_rates.items():
            assert windows[name] == pytest.approx(float(rate), rel=1e-12), name

        # top products: the 2025 leader and its shares
        top = sql(
            """
            select hs10, value, share_of_total_trade, share_of_ai_trade, change_vs_base_year, exemption_lists_matched
            from marts.top_ai_products_annual where flow = 'imports' and year = 2025 and value_rank = 1
            """
        ).fetchone()
        leader = sql(
            """
            with y as (
                select hs10, relevance_group, year, sum(value) as value from marts.fct_trade_monthly
                where flow = 'imports' and not is_excluded_chapter group by all
            )
            select hs10, value,
                   value / (select sum(value) from y where year = 2025),
                   value / (select sum(value) from y where year = 2025 and relevance_group = 'High'),
                   value / (select sum(value) from y b where b.year = 2023 and b.hs10 = y.hs10) - 1
            from y where year = 2025 and relevance_group = 'High' order by value desc limit 1
            """
        ).fetchone()
        assert top[:2] == leader[:2]
        assert top[2:5] == pytest.approx([float(v) for v in leader[2:5]], rel=1e-12)
        lists = sql(
            "select string_agg(list_id, ', ' order by list_id) from intermediate.int_exemption_code_matches "
            "where hs10 = ?",
            [top[0]],
        ).fetchone()[0]
        assert top[5] == lists and "ce_eo14257_20250411" in lists  # the demo leader is under 8471 / 847330
