"""The three headline numbers of the study, read back from the built marts."""

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion import warehouse
from ingestion.errors import UserError


@dataclass(frozen=True)
class Headlines:
    flow: str
    base_year: int
    comparison_year: int
    ai_share_base: float
    ai_share_comparison: float
    ai_growth: float
    rest_growth: float
    last_month: str
    last_ai_index: float
    last_ai_trailing_12_month_index: float | None  # null until twelve months of data
    is_synthetic: bool
    # trade in codes without a label, a share of the total in each year: it counts in the totals and in "all other"
    unlabelled_share_base: float = 0.0
    unlabelled_share_comparison: float = 0.0


def read_headlines(db_path: Path, flow: str = "imports") -> Headlines:
    """AI share in the base and comparison years, AI vs other growth, and the latest monthly AI index."""
    if not db_path.exists():
        raise UserError(f"no warehouse at {db_path}: run `make demo` (or `aitrade demo` and `dbt build`) first")
    with warehouse.connect(db_path, read_only=True) as con:
        try:
            latest_index = con.execute(
                """
                select base_year, strftime(month, '%Y-%m'), index_value, trailing_12_month_index
                from marts.ai_trade_index_monthly
                where flow = ? and series = 'ai'
                order by month desc
                limit 1
                """,
                [flow],
            ).fetchone()
            shares = {
                year: (ai, total, synthetic, unlabelled)
                for year, ai, total, synthetic, unlabelled in con.execute(
                    """
                    select year, ai_value, total_value, is_synthetic, unclassified_value
                    from marts.ai_trade_share_annual
                    where flow = ? and months_covered = 12
                    """,
                    [flow],
                ).fetchall()
            }
        except (duckdb.CatalogException, duckdb.BinderException) as error:  # not built, or built by an older version
            raise UserError(
                f"the marts are not built (or are out of date) in {db_path}: run `dbt build` ({error})"
            ) from error
    if latest_index is None:
        raise UserError(f"marts.ai_trade_index_monthly has no {flow} rows in {db_path}: run `dbt build`")
    if not shares:
        raise UserError(
            f"no {flow} with 12 months of a year in the marts of {db_path}: load a year of trade "
            "(`aitrade ingest census`) and run `dbt build`"
        )
    base_year, last_month, last_index, last_trailing_index = latest_index
    if base_year not in shares:
        raise UserError(f"no complete {base_year} in marts.ai_trade_share_annual for {flow}")
    comparison_year = max(shares)
    if comparison_year == base_year:
        raise UserError(
            f"no complete year of {flow} after {base_year}, the base year: load trade through the December of a "
            "later year and run `dbt build`"
        )
    ai_base, total_base, synthetic, unlabelled_base = shares[base_year]
    ai_comparison, total_comparison, _, unlabelled_comparison = shares[comparison_year]
    # Growth and the index divide by the base year's AI and other trade: without High-labelled trade (no labels
    # loaded yet) or without other trade they are undefined, not zero.
    if ai_base <= 0 or last_index is None:
        raise UserError(
            f"no AI (High-relevance) {flow} in {base_year}: load labels (`aitrade labels import` or "
            '`aitrade labels classify`, README "HS10 labels") and run `dbt build`'
        )
    if total_base - ai_base <= 0:
        raise UserError(f"all {flow} in {base_year} are AI-labelled: there is no other trade to compare growth with")
    return Headlines(
        flow=flow,
        base_year=base_year,
        comparison_year=comparison_year,
        ai_share_base=float(ai_base / total_base),
        ai_share_comparison=float(ai_comparison / total_comparison),
        ai_growth=float(ai_comparison / ai_base - 1),
        rest_growth=float((total_comparison - ai_comparison) / (total_base - ai_base) - 1),
        last_month=last_month,
        last_ai_index=float(last_index),
        last_ai_trailing_12_month_index=None if last_trailing_index is None else float(last_trailing_index),
        is_synthetic=bool(synthetic),
        unlabelled_share_base=float(unlabelled_base / total_base),
        unlabelled_share_comparison=float(unlabelled_comparison / total_comparison),
    )


def format_headlines(headlines: Headlines) -> str:
    label = " (SYNTHETIC demo data, not Census figures)" if headlines.is_synthetic else ""
    index_line = (
        f"  AI index in {headlines.last_month}: {headlines.last_ai_index:.0f}"
        f" ({headlines.base_year} monthly average = 100)"
    )
    if headlines.last_ai_trailing_12_month_index is not None:  # steadier than one month (methodology flaw 11)
        index_line += f"; the 12 months to {headlines.last_month}: {headlines.last_ai_trailing_12_month_index:.0f}"
    return "\n".join(
        [
            f"Headlines for {headlines.flow}{label}:",
            f"  AI share of {headlines.flow}: {headlines.ai_share_base:.1%} in {headlines.base_year}"
            f" -> {headlines.ai_share_comparison:.1%} in {headlines.comparison_year}",
            f"  AI {headlines.flow} {headlines.ai_growth:+.1%} {headlines.base_year}-{headlines.comparison_year},"
            f" all other {headlines.flow} {headlines.rest_growth:+.1%}",
            index_line,
            f"  Unlabelled codes: {headlines.unlabelled_share_base:.1%} of {headlines.flow} in {headlines.base_year},"
            f" {headlines.unlabelled_share_comparison:.1%} in {headlines.comparison_year}"
            f" (in the totals and in all other {headlines.flow})",
        ]
    )
