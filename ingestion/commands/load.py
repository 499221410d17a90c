"""`aitrade load census-file`: load a CSV or parquet file of Census trade rows through the partition loader.

The file holds rows in the Census API column form (upper- or lower-case headers), e.g. `time, I_COMMODITY,
I_COMMODITY_SDESC, CTY_CODE, CTY_NAME, CON_VAL_MO, ...` for imports or `time, E_COMMODITY, ..., ALL_VAL_MO, ...`
for exports; a file without `time` may carry `YEAR` and `MONTH` instead. The whole file is validated first (a
rejected file writes nothing), then loaded in one transaction as one partition per month (source 'file',
cty_code 'ALL').
"""

from __future__ import annotations

import argparse
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion.errors import UserError
from ingestion.paths import default_warehouse_path, landing_dir
from ingestion.schema import FLOWS
from ingestion.warehouse import LoadResult, TradePartition, connect, load_trade_partitions, validate_trade_rows

# Census API columns that describe the request rather than the row; a file exported from the API may carry them.
_IGNORED_COLUMNS = {"comm_lvl", "summary_lvl", "year", "month", "i_commodity_ldesc", "e_commodity_ldesc"}


def register(subparsers: argparse._SubParsersAction) -> None:
    load = subparsers.add_parser("load", help="load local files into the raw layer")
    kinds = load.add_subparsers(dest="kind", required=True)
    parser = kinds.add_parser(
        "census-file",
        help="load a CSV or parquet file of Census trade rows (one partition per month)",
        description=__doc__,
    )
    parser.add_argument("file", type=Path, help="CSV or parquet file in the Census column form")
    parser.add_argument("--flow", choices=FLOWS, required=True, help="imports or exports")
    parser.add_argument("--vintage", default=None, help="vintage label (default: today's UTC date)")
    parser.add_argument("--replace", action="store_true", help="reload months even when their content is unchanged")
    parser.add_argument("--db", type=Path, default=default_warehouse_path(), help="DuckDB warehouse file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    results = load_census_file(args.db, args.file, args.flow, vintage=args.vintage, replace=args.replace)
    loaded = [r for r in results if not r.skipped]
    rows = sum(r.rows for r in results)
    print(
        f"{args.file}: {len(results)} month(s), {rows:,} rows; {len(loaded)} loaded, "
        f"{len(results) - len(loaded)} unchanged (skipped) into {args.db}"
    )
    # a file holds whole months: a month it loads replaces every row an earlier load had for it
    for result in (r for r in loaded if r.replaced_rows is not None):
        note = (
            " (fewer than half: does the file hold the whole month?)" if result.rows * 2 < result.replaced_rows else ""
        )
        print(f"  {result.partition_id}: {result.rows:,} rows replace the {result.replaced_rows:,} loaded before{note}")
    return 0


def read_census_file(path: Path) -> pa.Table:
    """Read a CSV (every column as text, so codes keep their zeros) or parquet file; headers lower-cased."""
    if not path.exists():
        raise UserError(f"{path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = pq.read_table(path)
    elif suffix in (".csv", ".txt"):
        table = _read_csv(path)
    else:
        raise UserError(f"{path}: unsupported file type {suffix!r}; use .csv or .parquet")
    return _drop_repeated_columns(table.rename_columns([name.strip().lower() for name in table.column_names]), path)


def _read_csv(path: Path) -> pa.Table:
    """Every column as text; UTF-8, or latin-1 when the file is not UTF-8 (as Census's own text files are)."""
    con = duckdb.connect()
    try:
        for encoding in ("utf-8", "latin-1"):
            try:
                return con.execute(
                    "select * from read_csv(?, header = true, all_varchar = true, encoding = ?)", [str(path), encoding]
                ).to_arrow_table()
            except duckdb.Error as error:
                if encoding == "utf-8" and "not utf-8" in str(error).lower():
                    continue
                raise UserError(f"cannot read {path} as CSV: {str(error).splitlines()[0]}") from error
    finally:
        con.close()
    raise AssertionError("unreachable: latin-1 decodes every byte")


def _drop_repeated_columns(table: pa.Table, path: Path) -> pa.Table:
    """Drop a column the Census API repeats in its header (the predicate CTY_CODE echoed after the variables;
    DuckDB names the CSV copy `cty_code_1`) when it holds the same values; refuse one that differs."""
    names = table.column_names
    kept: list[int] = []
    for index, name in enumerate(names):
        first = names.index(name)
        base = re.sub(r"_[0-9]+$", "", name)
        if first == index and base != name and base in names[:index]:
            first = names.index(base)
        if first == index:
            kept.append(index)
        elif not table.column(index).equals(table.column(first)):
            raise UserError(f"{path}: column {names[first].upper()} appears twice with different values; keep one")
    return table.select(kept)


def _with_time(table: pa.Table, path: Path) -> pa.Table:
    if "time" in table.column_names:
        return table
    if {"year", "month"} <= set(table.column_names):
        year = pc.cast(table.column("year"), pa.string())
        month = pc.utf8_lpad(pc.cast(table.column("month"), pa.string()), 2, "0")
        return table.append_column("time", pc.binary_join_element_wise(year, month, "-"))
    raise UserError(f"{path}: no `time` column (YYYY-MM) and no YEAR and MONTH columns")


def load_census_file(
    db_path: Path, path: Path, flow: str, vintage: str | None = None, replace: bool = False
) -> list[LoadResult]:
    """Validate the whole file, then load it month by month; returns one result per month."""
    path = Path(path)
    table = _with_time(read_census_file(path), path)
    table = table.drop_columns([c for c in table.column_names if c in _IGNORED_COLUMNS])
    if table.num_rows == 0:
        raise UserError(f"{path}: the file has no rows")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    fetched_at = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    vintage = vintage or datetime.now(UTC).strftime("%Y-%m-%d")
    con = connect(Path(db_path))
    try:
        normalised = validate_trade_rows(con, flow, table, label=f"{path.name} ({flow})")
        months = sorted(set(normalised.column("time").to_pylist()))
        batch = [
            (
                TradePartition(flow, month, "ALL", "file", vintage, fetched_at, {"file": path.name, "sha256": digest}),
                normalised.filter(pc.equal(normalised.column("time"), month)),
            )
            for month in months
        ]
        # one transaction for the whole file: it is loaded completely or not at all
        return load_trade_partitions(con, batch, landing_dir(Path(db_path)), replace=replace)
    finally:
        con.close()
