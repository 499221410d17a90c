"""Full-size synthetic Census history for the benchmark (`make bench`), generated inside DuckDB.

The shape follows Census's HS10 x country monthly data: at scale 1.0 about 150k import and 140k export rows per
month from 2013-01 to 2026-01 (about 45 million rows), over ~17k import and ~9k export HS10 codes (some with a
leading zero chapter) and 230 partner countries. Sparsity is zero-heavy: each (code, country) pair trades only in
some months, codes appear and disappear, many rows carry no quantity or no duty, some carry a consumption value of
0 beside a non-zero general-imports value, and rows with nothing non-zero are never written. Every month also holds
Census's aggregate rows (world total '-', EU '0003', USMCA '0020', continents 'dXXX'), each the exact sum of its
detail rows. Reference tables (countries, concordances for every year, labels with a realistic High/Medium/Low/
unlabelled mix) are written through `warehouse.replace_slice`.

Everything is a pure function of (seed, scale) computed with DuckDB's `hash()` (deterministic for the pinned DuckDB
version), so two runs give identical tables. The history is streamed month by month straight into the raw tables
with SQL (one transaction per flow and month, with its `raw.load_manifest` row; nothing is held in Python), which is
much faster than materialising Arrow tables; `month_partition` gives one month as the Arrow rows the real ingestion
path takes (`warehouse.load_trade_partition`: validation, landing, manifest), to time the monthly refresh.
Source 'bench' and vintage 'bench-v1' mark the rows; the rows are SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
from tqdm import tqdm

from ingestion.census_plan import format_month, parse_month
from ingestion.schema import CATEGORY_VALUES, FLOWS, RAW_SCHEMA
from ingestion.warehouse import (
    TradePartition,
    flow_layout,
    replace_slice,
    trade_columns,
    utc_now,
)

SOURCE = "bench"
VINTAGE = "bench-v1"
FETCHED_AT = datetime(2026, 3, 10, tzinfo=UTC)
FIRST_MONTH = "2013-01"
LAST_MONTH = "2026-01"
NEXT_MONTH = "2026-02"  # the month the incremental benchmark loads after the history
FULL_ROWS_PER_MONTH = {"imports": 150_000, "exports": 140_000}
FULL_CODES = {"imports": 17_000, "exports": 9_000}
# Calibrated so that detail + aggregate rows per month come out near FULL_ROWS_PER_MONTH (see tests).
_PAIRS_PER_ROW = 1.22
_FLOW_SALT = {"imports": 11, "exports": 23}
_CHAPTERS = (
    "84", "85", "90", "39", "73", "87", "94", "30", "62", "61", "40", "29", "28", "76", "72", "48", "95", "44",
    "03", "08", "09", "01", "27", "71", "98", "99", "83", "82", "70", "69", "38", "34", "96", "64", "42", "33",
)  # fmt: skip
_AI_CHAPTERS = ("84", "85", "90")
_CONTINENTS = {"1": "NORTH AMERICA", "2": "CENTRAL AMERICA", "3": "SOUTH AMERICA", "4": "EUROPE", "5": "ASIA",
               "6": "AUSTRALIA AND OCEANIA", "7": "AFRICA"}  # fmt: skip
_COUNTRIES_PER_CONTINENT = {"1": 6, "2": 30, "3": 14, "4": 50, "5": 60, "6": 20, "7": 50}  # 230 in all
_EU = ("4190", "4210", "4230", "4280", "4700", "4750", "4010", "4020", "4030", "4040")
_USMCA = ("1220", "2010")


@dataclass(frozen=True)
class ScaledConfig:
    scale: float = 1.0
    seed: int = 2026
    first_month: str = FIRST_MONTH
    last_month: str = LAST_MONTH

    def months(self) -> list[str]:
        return month_range(self.first_month, self.last_month)

    def codes(self, flow: str) -> int:
        return max(40, round(FULL_CODES[flow] * self.scale))

    def pairs(self, flow: str) -> int:
        return max(100, round(FULL_ROWS_PER_MONTH[flow] * self.scale * _PAIRS_PER_ROW))


def month_range(first: str, last: str) -> list[str]:
    """Every 'YYYY-MM' from `first` to `last` (UserError when either is not a month)."""
    return [format_month(i) for i in range(parse_month(first), parse_month(last) + 1)]


def prepare(con: duckdb.DuckDBPyConnection, config: ScaledConfig) -> None:
    """Create the generator's temporary tables (codes, countries, country groups, trading pairs) on `con`."""
    seed = int(config.seed)
    countries = _countries()
    con.execute("create or replace temp table gen_countries (cty_code varchar, cty_name varchar, iso varchar, "
                "rank_weight double, continent varchar, position integer)")  # fmt: skip
    con.executemany(
        "insert into gen_countries values (?, ?, ?, ?, ?, ?)", [(*row, i) for i, row in enumerate(countries)]
    )
    groups = [(code, "-") for code, *_ in countries]
    groups += [(code, f"{code[0]}XXX") for code, *_ in countries]
    groups += [(code, "0003") for code in _EU] + [(code, "0020") for code in _USMCA]
    con.execute("create or replace temp table gen_country_groups (cty_code varchar, group_code varchar)")
    con.executemany("insert into gen_country_groups values (?, ?)", groups)
    names = [("-", "TOTAL FOR ALL COUNTRIES"), ("0003", "EUROPEAN UNION"), ("0020", "USMCA (NAFTA)")]
    names += [(f"{digit}XXX", name) for digit, name in _CONTINENTS.items()]
    con.execute("create or replace temp table gen_group_names (group_code varchar, cty_name varchar)")
    con.executemany("insert into gen_group_names values (?, ?)", names)

    chapters = ", ".join(f"'{c}'" for c in _CHAPTERS)
    ai_chapters = ", ".join(f"'{c}'" for c in _AI_CHAPTERS)
    categories = ", ".join(f"'{c}'" for c in CATEGORY_VALUES if c != "Not_DC_Related")
    n_months = len(month_range(FIRST_MONTH, NEXT_MONTH))
    selects = []
    for flow in FLOWS:
        salt = _FLOW_SALT[flow]
        selects.append(
            f"""
            select '{flow}' as flow, code_id, chapter, chapter || lpad(cast(code_id * 7 + {salt} as varchar), 8, '0')
                as hs10, popularity, {_u("code_id", seed, salt, 2)} as u_label,
                list_extract([{categories}], 1 + cast(floor({_u("code_id", seed, salt, 3)} * 8) as integer))
                    as dc_category,
                chapter in ({ai_chapters}) as ai_chapter,
                case when {_u("code_id", seed, salt, 4)} < 0.08
                    then cast(floor({_u("code_id", seed, salt, 5)} * {n_months}) as integer) else 0 end
                    as first_index,
                case when {_u("code_id", seed, salt, 6)} < 0.06
                    then cast(floor({_u("code_id", seed, salt, 7)} * {n_months}) as integer) else {n_months} end
                    as last_index,
                0.1 + 0.25 * {_u("code_id", seed, salt, 8)} as duty_rate,
                {_u("code_id", seed, salt, 9)} < 0.35 as dutiable,
                list_extract(['NO', 'KG', 'X', 'DOZ', 'M2', 'NO', 'KG'],
                             1 + cast(floor({_u("code_id", seed, salt, 10)} * 7) as integer)) as unit_1
            from (
                select range as code_id,
                    list_extract([{chapters}], 1 + cast(floor(pow({_u("range", seed, salt, 1)}, 1.6) * {len(_CHAPTERS)})
                        as integer)) as chapter,
                    0.2 + 5 * pow({_u("range", seed, salt, 11)}, 3) as popularity
                from range({config.codes(flow)})
            )
            """
        )
    con.execute("create or replace temp table gen_codes as " + " union all ".join(selects))
    con.execute(
        """
        create or replace temp table gen_labels as
        select flow, hs10,
            case when u_label < (case when ai_chapter then 0.16 else 0.015 end) then 'High'
                 when u_label < (case when ai_chapter then 0.30 else 0.06 end) then 'Medium'
                 when u_label < 0.93 then 'Low' end as relevance,
            dc_category
        from gen_codes
        """
    )
    con.execute("delete from gen_labels where relevance is null")  # ~7% of codes stay unclassified
    pair_parts = []
    for flow in FLOWS:
        salt = _FLOW_SALT[flow]
        pair_parts.append(
            f"""
            select * from (
                select c.flow, c.code_id * 1000 + k.position as pair_key, c.hs10, k.cty_code, k.cty_name,
                    c.first_index, c.last_index, c.dutiable, c.duty_rate, c.unit_1,
                    coalesce(l.relevance = 'High', false) as is_high,
                    0.3 + 0.65 * {_u("c.code_id * 1000 + k.position", seed, salt, 12)} as activity,
                    4 + 10 * pow({_u("c.code_id * 1000 + k.position", seed, salt, 13)}, 1.5)
                        + ln(c.popularity) as log_base
                from gen_codes c
                cross join gen_countries k
                left join gen_labels l on l.flow = c.flow and l.hs10 = c.hs10
                where c.flow = '{flow}'
                qualify row_number() over (
                    order by c.popularity * k.rank_weight * {_u("c.code_id * 1000 + k.position", seed, salt, 14)} desc
                ) <= {config.pairs(flow)}
            )
            """
        )
    con.execute("create or replace temp table gen_pairs as " + " union all ".join(pair_parts) + " order by flow, hs10")
    con.execute("create or replace temp table gen_groups as select g.cty_code, g.group_code, n.cty_name "
                "from gen_country_groups g join gen_group_names n using (group_code)")  # fmt: skip


def months_query(config: ScaledConfig, flow: str, months: list[str]) -> str:
    """SQL returning the raw rows of a flow for some months (detail and aggregate rows, no load metadata)."""
    seed = int(config.seed)
    salt = _FLOW_SALT[flow]
    all_months = month_range(FIRST_MONTH, NEXT_MONTH)
    calendar = ", ".join(
        f"({all_months.index(m)}, '{m}', {int(m[:4]) - 2013}, {1 + 0.05 * ((int(m[5:]) % 12) - 6) / 6})" for m in months
    )
    key = "p.pair_key * 211 + m.idx"
    trend = "pow(case when p.is_high then 1.06 else 1.025 end, m.age)"
    boom = "case when p.is_high and m.age >= 11 then pow(1.3, m.age - 10) else 1 end"
    noise = f"(0.55 + 0.9 * {_u(key, seed, salt, 20)})"
    value = f"greatest(cast(exp(p.log_base) * m.season * {noise} * {trend} * {boom} as bigint), 1)"
    if flow == "imports":
        number_columns = """
            case when u2 < 0.03 then 0 else value end as con_val_mo,
            case when u2 < 0.1 then value + cast(value * 0.07 as bigint) else value end as gen_val_mo,
            case when dutiable and u2 >= 0.03 then cast(value * duty_rate as bigint) else 0 end as cal_dut_mo,
            case when dutiable and u2 >= 0.03 then value else 0 end as dut_val_mo,
            case when unit_1 = 'X' then 0 else cast(value / (3 + 40 * u3) as bigint) end as con_qy1_mo,
            case when u3 < 0.15 then cast(value / 90 as bigint) else 0 end as con_qy2_mo"""
    else:
        number_columns = """
            value as all_val_mo,
            case when unit_1 = 'X' then 0 else cast(value / (3 + 40 * u3) as bigint) end as qty_1_mo,
            case when u3 < 0.15 then cast(value / 90 as bigint) else 0 end as qty_2_mo"""
    layout = flow_layout(flow)
    commodity = layout.commodity
    sum_list = ", ".join(f"sum({c}) as {c}" for c in layout.number_columns)
    columns = ", ".join(trade_columns(flow))
    return f"""
        with calendar(idx, time, age, season) as (values {calendar}),
        drawn as (
            select m.time, p.hs10, p.cty_code, p.cty_name, p.dutiable, p.duty_rate, p.unit_1,
                {value} as value, {_u(key, seed, salt, 21)} as u2, {_u(key, seed, salt, 22)} as u3
            from gen_pairs p
            cross join calendar m
            where p.flow = '{flow}'
                and m.idx >= p.first_index and m.idx < p.last_index
                and {_u(key, seed, salt, 23)} < p.activity
        ),
        detail as (
            select time, hs10 as {commodity}, 'PRODUCT ' || hs10 as {commodity}_sdesc, cty_code, cty_name,
                {number_columns},
                unit_1 as unit_qy1,
                case when u3 < 0.15 then 'KG' else 'X' end as unit_qy2
            from drawn
        ),
        aggregates as (
            select d.time, d.{commodity}, any_value(d.{commodity}_sdesc) as {commodity}_sdesc,
                g.group_code as cty_code, any_value(g.cty_name) as cty_name, {sum_list},
                any_value(d.unit_qy1) as unit_qy1, any_value(d.unit_qy2) as unit_qy2
            from detail d
            join gen_groups g on g.cty_code = d.cty_code
            group by d.time, d.{commodity}, g.group_code
        )
        select {columns} from (select * from detail union all by name select * from aggregates)
        where {" or ".join(f"{c} <> 0" for c in layout.number_columns)}
    """


def write_reference(con: duckdb.DuckDBPyConnection, config: ScaledConfig) -> dict[str, int]:
    """Countries, concordances (every year of the history) and labels, through `replace_slice`."""
    written: dict[str, int] = {}
    countries = con.sql(
        """
        select cty_code, cty_name, iso as iso_alpha2, 'bench' as source from gen_countries
        union all select group_code, cty_name, null, 'bench' from gen_group_names
        """
    ).to_arrow_table()
    written["census_countries"] = replace_slice(con, "census_countries", {}, _table(countries))
    years = sorted({int(m[:4]) for m in [*config.months(), NEXT_MONTH]})
    for flow in FLOWS:
        rows = _table(  # the same codes every year
            con.execute(
                """
                select hs10, 'PRODUCT ' || hs10 as description_short, 'SYNTHETIC PRODUCT ' || hs10 || ' (bench)'
                    as description_long, unit_1 as unit_qy1, 'X' as unit_qy2, substr(hs10, 1, 5) as sitc,
                    substr(hs10, 2, 5) as end_use, '3' || substr(hs10, 1, 5) as naics, 'bench' as source
                from gen_codes where flow = ? order by hs10
                """,
                [flow],
            ).to_arrow_table()
        )
        written[f"concordance_{flow}"] = sum(
            replace_slice(con, f"concordance_{flow}", {"year": year}, rows) for year in years
        )
        labels = con.execute(
            """
            select hs10, relevance,
                case when relevance = 'Low' then 'Not_DC_Related' else dc_category end as primary_category,
                80 as confidence, 'PRODUCT ' || hs10 as description
            from gen_labels where flow = ? order by hs10
            """,
            [flow],
        ).to_arrow_table()
        written[f"hs10_labels_{flow}"] = replace_slice(
            con, "hs10_labels", {"flow": flow, "label_source": "bench"}, _table(labels)
        )
    return written


def generate_history(
    con: duckdb.DuckDBPyConnection, config: ScaledConfig, out_dir: Path, progress: bool = True
) -> list[Path]:
    """Write the history as parquet, one file per flow and year (`prepare` first); returns the files.

    Kept apart from loading so the benchmark times the raw load without the generator's own cost.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    years: dict[str, list[str]] = {}
    for month in config.months():
        years.setdefault(month[:4], []).append(month)
    files = []
    work = [(flow, year) for year in years for flow in FLOWS]
    for flow, year in tqdm(work, desc="bench generate", unit="file", disable=not progress):
        target = out_dir / f"{flow}_{year}.parquet"
        tmp = out_dir / f".{target.name}.tmp"
        con.execute(f"copy ({months_query(config, flow, years[year])}) to '{tmp}' (format parquet, compression zstd)")
        tmp.replace(target)
        files.append(target)
    return files


def load_history(con: duckdb.DuckDBPyConnection, files: list[Path], progress: bool = True) -> dict[str, int]:
    """Stream generated files into the raw tables: one transaction per file with its months' manifest rows.

    Each month of a flow is one partition ('<flow>/<YYYY-MM>/ALL', source 'bench'); reloading replaces it.
    """
    rows = dict.fromkeys(FLOWS, 0)
    previous = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set preserve_insertion_order = false")  # lets DuckDB insert row groups in parallel
    try:
        for path in tqdm(files, desc="bench raw load", unit="file", disable=not progress):
            flow = path.name.split("_", 1)[0]
            rows[flow] += _insert_file(con, flow, Path(path))
    finally:
        con.execute(f"set preserve_insertion_order = {bool(previous)}")
    return rows


def month_partition(
    con: duckdb.DuckDBPyConnection, config: ScaledConfig, flow: str, month: str
) -> tuple[TradePartition, pa.Table]:
    """One generated month of a flow as the partition and Arrow rows the real loader takes
    (`warehouse.load_trade_partition`)."""
    table = con.sql(months_query(config, flow, [month])).to_arrow_table()
    partition = TradePartition(flow, month, "ALL", SOURCE, VINTAGE, FETCHED_AT, {"generator": "demo_scaled"})
    return partition, _table(table)


def _insert_file(con: duckdb.DuckDBPyConnection, flow: str, path: Path) -> int:
    layout = flow_layout(flow)
    table = f"{RAW_SCHEMA}.{layout.table}"
    value = layout.value
    columns = ", ".join(trade_columns(flow))
    source = f"read_parquet('{path}')"
    loaded_at = utc_now()
    con.execute("begin")
    try:
        stats = con.execute(
            f"select '{flow}/' || time || '/ALL', time, count(*), sum({value}) from {source} group by time order by 2"
        ).fetchall()
        ids = [row[0] for row in stats]
        placeholders = ", ".join("?" for _ in ids) or "null"
        current = con.execute(
            f"select count(*) from {RAW_SCHEMA}.load_manifest "
            f"where partition_id in ({placeholders}) and status in ('loaded', 'empty')",
            ids,
        ).fetchone()[0]
        if current:  # a reload: replace those partitions (a fresh warehouse skips the scan of the raw table)
            con.execute(f"delete from {table} where partition_id in ({placeholders})", ids)
            con.execute(
                f"update {RAW_SCHEMA}.load_manifest set status = 'superseded' "
                f"where partition_id in ({placeholders}) and status in ('loaded', 'empty')",
                ids,
            )
        con.execute(
            f"insert into {table} ({columns}, source, vintage, partition_id, loaded_at) "
            f"select {columns}, ?, ?, '{flow}/' || time || '/ALL', ? from {source}",
            [SOURCE, VINTAGE, loaded_at],
        )
        con.executemany(
            f"""
            insert into {RAW_SCHEMA}.load_manifest (partition_id, flow, period, cty_code, request, row_count,
                value_sum, sha256, landing_path, source, vintage, fetched_at, loaded_at, status)
            values (?, '{flow}', ?, 'ALL', '{{"generator": "demo_scaled"}}', ?, ?, null, ?, ?, ?, ?, ?, 'loaded')
            """,
            [
                [pid, month, count, total, str(path), SOURCE, VINTAGE, FETCHED_AT.replace(tzinfo=None), loaded_at]
                for pid, month, count, total in stats
            ],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return sum(row[2] for row in stats)


def _countries() -> list[tuple[str, str, str, float, str]]:
    """230 detail countries: Census-like four-digit codes by continent, EU and USMCA members among them."""
    fixed = set(_EU) | set(_USMCA)
    rows: list[tuple[str, str, str, float, str]] = []
    rank = 0
    for digit, count in _COUNTRIES_PER_CONTINENT.items():
        codes = sorted({c for c in fixed if c[0] == digit})
        step = 0
        while len(codes) < count:
            candidate = f"{digit}{(10 + step * 7) % 1000:03d}"
            step += 1
            if candidate not in codes and not candidate.startswith("00"):
                codes.append(candidate)
        for code in sorted(codes):
            rank += 1
            iso = chr(65 + rank // 26 % 26) + chr(65 + rank % 26)
            weight = 1.0 / pow(1 + (rank * 37) % 230, 0.8)
            rows.append((code, f"COUNTRY {code}", iso, weight, digit))
    return rows


def _u(expr: str, seed: int, salt: int, stream: int) -> str:
    """A uniform [0, 1) draw, a pure function of (expr, seed, salt, stream)."""
    return f"((hash({expr}, {seed}, {salt}, {stream}) % 1000003) / 1000003.0)"


def _table(table: pa.Table) -> pa.Table:
    """DuckDB's Arrow export may use large or view string types; normalise to plain strings."""
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_large_string(kind) or pa.types.is_string_view(kind):
            kind = pa.string()
        fields.append(pa.field(field.name, kind))
    return table.cast(pa.schema(fields))
