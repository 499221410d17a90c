"""`aitrade headlines`: the three numbers from the marts, and a clear refusal where a number is undefined."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.cli import main
from ingestion.errors import UserError
from ingestion.headlines import format_headlines, read_headlines

# year: (ai_value, total_value) of a flow's complete years (a tenth of the total has no label)
SHARES = {2023: (Decimal("150.00"), Decimal("1000.00")), 2025: (Decimal("270.00"), Decimal("1200.00"))}


def build_marts(
    db_path: Path, shares: dict[int, tuple[Decimal, Decimal]], last_index: float | None = 180.0, index: bool = True
) -> None:
    """The two marts the headlines read, as a built warehouse has them (base year 2023); without `index`, the
    index mart has no imports rows."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.ai_trade_index_monthly (flow varchar, series varchar, month date,"
            " base_year integer, index_value double, trailing_12_month_index double)"
        )
        con.execute(
            "insert into marts.ai_trade_index_monthly select * from (values"
            " ('imports', 'ai', date '2025-11-01', 2023, 150.0, 140.0),"
            " ('imports', 'ai', date '2025-12-01', 2023, ?, 151.5),"
            " ('imports', 'non_ai', date '2025-12-01', 2023, 99.0, 98.0),"
            " ('exports', 'ai', date '2026-01-01', 2023, 1.0, null))"
            " where ? or col0 = 'exports'",
            [last_index, index],
        )
        con.execute(
            "create table marts.ai_trade_share_annual (flow varchar, year integer, ai_value decimal(38, 2),"
            " total_value decimal(38, 2), months_covered integer, is_synthetic boolean,"
            " unclassified_value decimal(38, 2))"
        )
        for year, (ai, total) in shares.items():
            con.execute(
                "insert into marts.ai_trade_share_annual values ('imports', ?, ?, ?, 12, true, ? / 10)",
                [year, ai, total, total],
            )
        # an incomplete later year is not the comparison year
        con.execute("insert into marts.ai_trade_share_annual values ('imports', 2026, 1, 2, 1, true, 0)")


def test_headlines_are_the_shares_and_growth_of_the_base_and_latest_complete_years(tmp_path: Path) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    build_marts(db_path, SHARES)
    headlines = read_headlines(db_path)
    assert (headlines.base_year, headlines.comparison_year, headlines.last_month) == (2023, 2025, "2025-12")
    assert headlines.ai_share_base == 0.15 and headlines.ai_share_comparison == 0.225
    assert headlines.ai_growth == pytest.approx(0.8, rel=1e-15)  # 270 / 150 - 1
    assert headlines.rest_growth == pytest.approx(930 / 850 - 1, rel=1e-15)
    assert headlines.last_ai_index == 180.0 and headlines.is_synthetic
    assert headlines.last_ai_trailing_12_month_index == 151.5
    assert format_headlines(headlines).splitlines()[-2] == (
        "  AI index in 2025-12: 180 (2023 monthly average = 100); the 12 months to 2025-12: 152"
    )
    without_a_year = replace(headlines, last_ai_trailing_12_month_index=None)  # fewer than 12 months of data
    assert (
        format_headlines(without_a_year).splitlines()[-2] == "  AI index in 2025-12: 180 (2023 monthly average = 100)"
    )
    # unlabelled trade counts in the totals and in "all other": the headlines say how much there is
    assert format_headlines(headlines).splitlines()[-1] == (
        "  Unlabelled codes: 10.0% of imports in 2023, 10.0% in 2025 (in the totals and in all other imports)"
    )


NO_AI = {2023: (Decimal(0), Decimal(1000)), 2025: (Decimal(0), Decimal(1200))}  # labels not loaded yet


@pytest.mark.parametrize(
    ("shares", "last_index", "index", "message"),
    [
        # no High-relevance trade: growth and the index divide by zero
        (NO_AI, None, True, "no AI (High-relevance) imports in 2023"),
        ({2023: (Decimal(0), Decimal(1000)), 2025: SHARES[2025]}, 100.0, True, "no AI (High-relevance) imports"),
        (SHARES, None, True, "no AI (High-relevance) imports in 2023"),
        ({2023: (Decimal(1000), Decimal(1000)), 2025: SHARES[2025]}, 100.0, True, "no other trade"),
        # growth needs a complete year after the base year
        ({2023: SHARES[2023]}, 180.0, True, "no complete year of imports after 2023, the base year"),
        ({2025: SHARES[2025]}, 180.0, True, "no complete 2023"),
        ({}, 180.0, True, "no imports with 12 months of a year"),
        (SHARES, 180.0, False, "marts.ai_trade_index_monthly has no imports rows"),
    ],
)
def test_undefined_headlines_are_refused_with_what_to_do(
    tmp_path: Path, shares: dict, last_index: float | None, index: bool, message: str
) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    build_marts(db_path, shares, last_index, index)
    with pytest.raises(UserError, match=re.escape(message)):
        read_headlines(db_path)


def test_marts_built_by_an_older_version_ask_for_a_build(tmp_path: Path) -> None:
    """An index mart without the trailing-window columns (built before they existed) is a clear refusal."""
    db_path = tmp_path / "warehouse.duckdb"
    build_marts(db_path, SHARES)
    with duckdb.connect(str(db_path)) as con:
        con.execute("alter table marts.ai_trade_index_monthly drop column trailing_12_month_index")
    with pytest.raises(UserError, match=r"out of date\) in .*: run `dbt build`"):
        read_headlines(db_path)


def test_the_cli_prints_the_refusal_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "warehouse.duckdb"
    build_marts(db_path, NO_AI, None)
    assert main(["headlines", "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no AI (High-relevance) imports in 2023: load labels") and "Traceback" not in err
