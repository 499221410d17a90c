"""Deterministic synthetic demo data, loaded through the same path as real Census data.

`load_demo(db_path, seed)` generates (python `random.Random` with a fixed seed; no numpy) and loads:
- `raw.census_imports` / `raw.census_exports`: 2022-01 .. 2026-01, one partition per flow and month
  (cty_code 'ALL'), each holding the detail countries and Census's aggregate rows (world total '-', EU '0003',
  USMCA '0020', continents 'nXXX'), every aggregate the exact sum of its detail rows;
- `raw.concordance_imports` / `raw.concordance_exports` for 2022 .. 2026, `raw.census_countries`, and
  `raw.hs10_labels` (label_source 'demo'; some codes deliberately unlabelled).
Everything carries source 'demo' (vintage 'demo-v1'), which marks it synthetic all the way to the marts. A rerun
with the same seed changes nothing: partitions with the same content are skipped and slices are only replaced
when their content differs.
"""

from __future__ import annotations

import math
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from ingestion import demo_catalog as cat
from ingestion.errors import UserError
from ingestion.paths import landing_dir
from ingestion.schema import FLOWS
from ingestion.warehouse import (
    TradePartition,
    connect,
    content_sha256,
    load_trade_partitions,
    replace_slice,
    trade_columns,
)

DEMO_SOURCE = "demo"
DEMO_VINTAGE = "demo-v1"
DEMO_MODEL = "demo-synthetic"
DEFAULT_SEED = 2026
FETCHED_AT = datetime(2026, 2, 15, tzinfo=UTC)
CLASSIFIED_AT = datetime(2026, 2, 1, 12, 0)
MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in range(2022, 2027) for m in range(1, 13))[:49]
CONCORDANCE_YEARS = (2022, 2023, 2024, 2025, 2026)
_BATCH_MONTHS = 12  # months loaded per transaction
_BASE_MID = MONTHS.index("2023-06") + 0.5  # the middle of the base year 2023, in month indexes
_SEASON = (0.93, 0.9, 1.03, 0.98, 1.01, 1.0, 0.98, 1.02, 1.0, 1.05, 1.04, 1.06)
# Unit values per year: compute hardware prices rise faster than its volumes; other goods roughly 3% a year.
_PRICE_GROWTH = {cat.CH: 1.45, cat.NT: 1.06}
_ISO_TO_CODE = {iso: code for code, _, iso in cat.COUNTRIES}
_NAMES = {code: name for code, name, _ in cat.COUNTRIES}


@dataclass(frozen=True)
class Product:
    hs10: str
    sdesc: str
    relevance: str | None
    category: str | None
    flows: str
    unit1: str
    unit2: str | None
    naics: str
    sitc: str
    end_use: str
    first_month: str = MONTHS[0]
    last_month: str = MONTHS[-1]

    @property
    def excluded(self) -> bool:
        return self.hs10[:2] in cat.EXCLUDED_CHAPTERS


@dataclass
class DemoSummary:
    seed: int
    partitions_loaded: int = 0
    partitions_skipped: int = 0
    trade_rows: dict[str, int] = field(default_factory=dict)
    slices_replaced: int = 0
    slices_unchanged: int = 0
    seconds: float = 0.0


_VARIANTS = ("", ", NESOI", ", PARTS", ", OTHER", ", NEW", ", USED", ", ASSEMBLED", ", UNASSEMBLED", ", SETS")


def _in_flow(product: Product, flow: str) -> bool:
    return {"imports": "i", "exports": "x"}[flow] in product.flows


def build_products() -> list[Product]:
    """Expand the catalog families into HS10 products (no randomness), including the mid-2024 split."""
    products: list[Product] = []
    seen: set[str] = set()
    for family in cat.FAMILIES:
        if len(family.prefix) == 10:
            codes = [(family.prefix, family.sdesc)]
        else:
            codes = [
                (f"{family.prefix}{10 * (k + 1):04d}", f"{family.sdesc}{_VARIANTS[k % len(_VARIANTS)]}"[:50])
                for k in range(family.count)
            ]
        for hs10, sdesc in codes:
            if hs10 in seen:
                raise ValueError(f"demo catalog repeats {hs10}")
            seen.add(hs10)
            common = {
                "relevance": family.relevance,
                "category": family.category,
                "flows": family.flows,
                "unit1": family.unit1,
                "unit2": family.unit2,
                "naics": family.naics,
                "sitc": family.sitc,
                "end_use": family.end_use,
            }
            if hs10 == cat.SPLIT_CODE:
                last = MONTHS[MONTHS.index(cat.SPLIT_MONTH) - 1]
                products.append(Product(hs10, sdesc, last_month=last, **common))
                for successor in cat.SPLIT_SUCCESSORS:
                    suffix = {"45": ", SERVER CPUS", "50": ", GPUS", "75": ", OTHER"}[successor[-2:]]
                    products.append(
                        Product(successor, f"PROCESSORS AND CONTROLLERS{suffix}", first_month=cat.SPLIT_MONTH, **common)
                    )
            else:
                products.append(Product(hs10, sdesc, **common))
    return products


# --- trade -------------------------------------------------------------------------------------------------------


@dataclass
class _Path:
    """One product's monthly value path (the split code and its successors share one path)."""

    product: Product
    base: float  # 2023 value in dollars
    growth: float = 1.0  # annual growth factor
    partners: dict[str, tuple[float, float]] = field(default_factory=dict)  # cty -> (2023 weight, yearly drift)


def _lognormal(rng: random.Random, sigma: float) -> float:
    return math.exp(rng.gauss(0.0, sigma) - sigma * sigma / 2)


def _paths(flow: str, products: list[Product], rng: random.Random) -> list[_Path]:
    """Size and grow every product so that each (relevance, category) bucket hits its calibration target."""
    in_flow = [p for p in products if _in_flow(p, flow) and p.hs10 not in cat.SPLIT_SUCCESSORS]
    buckets: dict[object, list[Product]] = defaultdict(list)
    for product in in_flow:
        key = "excluded" if product.excluded else (product.relevance, product.category)
        buckets[key].append(product)
    weights = {f.prefix: f.weight for f in cat.FAMILIES}
    paths: list[_Path] = []
    targets = {**cat.TARGETS[flow], "excluded": cat.EXCLUDED_TARGETS[flow]}
    missing = sorted(str(k) for k in buckets if k not in targets)
    if missing:
        raise ValueError(f"demo catalog has {flow} buckets without a target: {missing}")
    for key, (billions, ratio) in targets.items():
        members = buckets.get(key, [])
        if not members:
            raise ValueError(f"demo catalog has no {flow} products for the target {key}")
        raw = []
        for product in members:
            family_weight = weights.get(product.hs10) or weights.get(product.hs10[:6], 1.0)
            first_of_family = product.hs10.endswith("0010") or product.hs10 in weights
            raw.append(family_weight * _lognormal(rng, 0.6) * (2.0 if first_of_family else 1.0))
        scale = billions * 1e9 / sum(raw)
        spread = [_lognormal(rng, 0.25) for _ in members]
        mean_spread = sum(w * s for w, s in zip(raw, spread, strict=True)) / sum(raw)
        for product, w, s in zip(members, raw, spread, strict=True):
            path = _Path(product, base=w * scale, growth=math.sqrt(ratio * s / mean_spread))
            path.partners = _partners(flow, product, rng)
            paths.append(path)
    return paths


def _partners(flow: str, product: Product, rng: random.Random) -> dict[str, tuple[float, float]]:
    profile = cat.PARTNERS.get((flow, product.category or ""), cat.PARTNERS[(flow, "other")])
    if product.relevance != "High":
        profile = cat.PARTNERS[(flow, "other")]
    chosen: dict[str, tuple[float, float]] = {}
    for iso, (w23, w25) in profile.items():
        if w23 >= 4 or rng.random() < 0.35:
            drift = math.sqrt(w25 / w23)  # per year: two years from 2023 to 2025
            chosen[_ISO_TO_CODE[iso]] = (w23 * _lognormal(rng, 0.5), drift)
    for code, _, iso in cat.COUNTRIES:
        if iso not in profile and rng.random() < 0.1:
            chosen[code] = (0.3 * _lognormal(rng, 0.5), 1.0)
    if product.hs10.startswith("2709"):  # crude oil: mostly Canada and Mexico
        chosen[_ISO_TO_CODE["CA"]] = (60.0, 1.0)
    return chosen


def _base_rate(product: Product, rng: random.Random) -> float:
    if product.hs10.startswith("98") or rng.random() < 0.15:
        return 0.0
    if product.excluded:
        return 0.002
    typical = {
        cat.CH: 0.002,
        cat.NT: 0.006,
        cat.EP: 0.022,
        cat.COOL: 0.022,
        cat.BS: 0.025,
        cat.FSS: 0.02,
        cat.SM: 0.03,
        cat.MO: 0.015,
    }
    if product.relevance == "High":
        level = typical.get(product.category or "", 0.03)
    elif product.relevance == "Medium":
        level = 0.028
    else:
        level = 0.034
    return level * rng.uniform(0.3, 1.7)


def _unit_value(product: Product, rng: random.Random) -> float:
    if product.unit1 == "NO":
        low, high = (800, 6000) if product.category == cat.CH and product.relevance == "High" else (40, 2500)
    elif product.unit1 in ("KG", "G", "CAR"):
        low, high = (2, 60)
    else:
        low, high = (1, 120)
    return rng.uniform(low, high)


def _aggregate_members() -> pa.Table:
    """(cty_code -> aggregate code and name): every detail country's world, continent, EU and USMCA groups."""
    pairs = []
    for cty in _NAMES:
        groups = [cat.WORLD, cat.CONTINENTS[cty[0]]]
        if cty in cat.EU_MEMBERS:
            groups.append(cat.EU)
        if cty in cat.USMCA_MEMBERS:
            groups.append(cat.USMCA)
        pairs.extend((cty, code, name) for code, name in groups)
    codes, groups, names = zip(*pairs, strict=True)
    return pa.table({"cty_code": list(codes), "group_code": list(groups), "group_name": list(names)})


def _with_aggregates(flow: str, detail: pa.Table) -> pa.Table:
    """Append Census's aggregate rows, each the exact (integer) sum of its member countries' detail rows."""
    columns = trade_columns(flow)
    commodity, numbers = columns[1], columns[5:-2]
    con = duckdb.connect()
    try:
        con.register("detail", detail)
        con.register("members", _aggregate_members())
        full = con.execute(
            f"""
            select * from detail
            union all
            select d.time, d.{commodity}, d.{commodity}_sdesc, m.group_code as cty_code, m.group_name as cty_name,
                {", ".join(f"cast(sum(d.{c}) as bigint) as {c}" for c in numbers)}, d.unit_qy1, d.unit_qy2
            from detail as d join members as m using (cty_code)
            group by d.time, d.{commodity}, d.{commodity}_sdesc, m.group_code, m.group_name, d.unit_qy1, d.unit_qy2
            order by time, {commodity}, cty_code
            """
        ).to_arrow_table()
    finally:
        con.close()
    return full.cast(detail.schema)


def _split_months(table: pa.Table) -> dict[str, pa.Table]:
    """Slices of a table sorted by time, one per month (zero-copy)."""
    counts = {item["values"]: item["counts"] for item in pc.value_counts(table.column("time")).to_pylist()}
    months: dict[str, pa.Table] = {}
    offset = 0
    for month in MONTHS:
        length = counts.get(month, 0)
        months[month] = table.slice(offset, length)
        offset += length
    return months


def generate_trade(flow: str, products: list[Product], seed: int) -> dict[str, pa.Table]:
    """Every month's partition rows of a flow (detail countries plus Census aggregates), deterministic.

    Python draws the value paths (one value per code, country and month); the derived columns (general imports,
    duty, dutiable value, quantities) and the aggregates are computed from per-code parameters in DuckDB.
    """
    rng = random.Random(f"demo:{seed}:{flow}")
    rows: list[tuple[str, str, str, int]] = []
    params: dict[str, list] = defaultdict(list)
    by_code = {p.hs10: p for p in products}
    for path in _paths(flow, products, rng):
        product = path.product
        successors = list(cat.SPLIT_SUCCESSORS.items()) if product.hs10 == cat.SPLIT_CODE else []
        growth = path.growth
        annual_2023 = sum(growth ** ((k - _BASE_MID) / 12) * _SEASON[k % 12] for k in range(12, 24))
        level = path.base / annual_2023
        price_growth = _PRICE_GROWTH.get(product.category or "", 1.03) if product.relevance == "High" else 1.03
        code_params = (
            _unit_value(product, rng),
            price_growth,
            rng.uniform(0.2, 30.0),  # kg per unit
            rng.uniform(-0.015, 0.03),  # general imports over imports for consumption
            _base_rate(product, rng),
            rng.uniform(0.5, 1.0),  # dutiable share of the value when dutiable
        )
        for code in [product.hs10, *(code for code, _ in successors)]:
            item = by_code[code]
            exempt = item.relevance == "High" and item.category in cat.EXEMPT_CATEGORIES
            for name, value in zip(
                (
                    "code",
                    "sdesc",
                    "unit1",
                    "unit2",
                    "unit_value",
                    "price_growth",
                    "kg_per_unit",
                    "general_gap",
                    "base_rate",
                    "dutiable_share",
                    "exempt",
                ),
                (code, item.sdesc, item.unit1, item.unit2, *code_params, exempt),
                strict=True,
            ):
                params[name].append(value)
        partners = list(path.partners.items())
        for k, month in enumerate(MONTHS):
            years = (k - _BASE_MID) / 12
            total = level * growth**years * _SEASON[k % 12] * _lognormal(rng, 0.05)
            shares = [(cty, w * drift**years) for cty, (w, drift) in partners]
            scale = total / sum(share for _, share in shares)
            pieces = successors if successors and month >= cat.SPLIT_MONTH else [(product.hs10, 1.0)]
            for code, piece in pieces:
                for cty, share in shares:
                    value = round(scale * piece * share)
                    if value > 0:
                        rows.append((month, code, cty, value))
    months, codes, ctys, values = (list(column) for column in zip(*rows, strict=True))
    draws = pa.table({"time": months, "code": codes, "cty_code": ctys, "value": pa.array(values, pa.int64())})
    return _split_months(_derive(flow, draws, pa.table(params)))


_RATE_SQL = """
    case when p.base_rate = 0 and d.cty_code <> '5700' then 0.0 else
        p.base_rate * (case when d.cty_code in ('1220', '2010') then 0.1 else 1.0 end)
        + case when d.cty_code = '5700' then (case when p.exempt then 0.05 else 0.13 end)
            + (case when d.time >= '2025-02' then 0.08 else 0.0 end) else 0.0 end
        + case when d.time < '2025-04' then 0.0
            when p.exempt then 0.003
            when d.cty_code in ('1220', '2010') then 0.015
            else 0.09 + (case when d.cty_code = '5700' then 0.08 else 0.0 end) end
    end
"""


def _derive(flow: str, draws: pa.Table, params: pa.Table) -> pa.Table:
    """The Census columns of every detail row from its value and code parameters, then the aggregate rows.

    Duty rates: low for AI goods, higher for the rest, China's section 301 duties, and the 2025 increases (with
    compute and networking goods largely exempt and USMCA partners mostly spared).
    """
    columns = trade_columns(flow)
    commodity = columns[1]
    years = pa.table({"time": list(MONTHS), "years": [(k - _BASE_MID) / 12 for k in range(len(MONTHS))]})
    countries = pa.table({"cty_code": list(_NAMES), "cty_name": list(_NAMES.values())})
    quantity1 = "greatest(1, round(d.value / (p.unit_value * pow(p.price_growth, y.years))))"
    quantity2 = f"case when p.unit2 = 'KG' then round({quantity1} * p.kg_per_unit) else 0 end"
    if flow == "imports":
        numbers = f"""
            d.value as con_val_mo,
            cast(round(d.value * (1 + p.general_gap)) as bigint) as gen_val_mo,
            cast(round(d.value * rate) as bigint) as cal_dut_mo,
            cast(case when rate > 0 then round(d.value * p.dutiable_share) else 0 end as bigint) as dut_val_mo,
            cast({quantity1} as bigint) as con_qy1_mo,
            cast({quantity2} as bigint) as con_qy2_mo
        """
    else:
        numbers = f"""
            d.value as all_val_mo, cast({quantity1} as bigint) as qty_1_mo, cast({quantity2} as bigint) as qty_2_mo
        """
    con = duckdb.connect()
    try:
        for name, table in (("draws", draws), ("params", params), ("years", years), ("countries", countries)):
            con.register(name, table)
        detail = con.execute(
            f"""
            select d.time, d.code as {commodity}, p.sdesc as {commodity}_sdesc, d.cty_code, c.cty_name,
                {numbers}, p.unit1 as unit_qy1, p.unit2 as unit_qy2
            from (select *, {_RATE_SQL} as rate from draws as d join params as p using (code)) as d
            join params as p using (code)
            join years as y using (time)
            join countries as c using (cty_code)
            """
        ).to_arrow_table()
    finally:
        con.close()
    return _with_aggregates(flow, detail)


# --- reference tables --------------------------------------------------------------------------------------------


def concordance_rows(flow: str, products: list[Product], year: int) -> pa.Table:
    active = [p for p in products if _in_flow(p, flow) and p.first_month[:4] <= str(year) <= p.last_month[:4]]
    return pa.table(
        {
            "year": pa.array([year] * len(active), pa.int32()),
            "hs10": [p.hs10 for p in active],
            "description_short": [p.sdesc for p in active],
            "description_long": [f"{p.sdesc.capitalize()} (synthetic demo description)" for p in active],
            "unit_qy1": [p.unit1 for p in active],
            "unit_qy2": [p.unit2 for p in active],
            "sitc": [p.sitc for p in active],
            "end_use": [p.end_use for p in active],
            "naics": [p.naics for p in active],
            "usda": ["1" if p.hs10[:2] <= "24" else "0" for p in active],
            "hitech": ["04" if p.category in (cat.CH, cat.NT) and p.relevance == "High" else "00" for p in active],
            "source": [DEMO_SOURCE] * len(active),
        }
    )


def country_rows() -> pa.Table:
    return pa.table(
        {
            "cty_code": [c for c, _, _ in cat.COUNTRIES],
            "cty_name": [n for _, n, _ in cat.COUNTRIES],
            "iso_alpha2": [i for _, _, i in cat.COUNTRIES],
            "source": [DEMO_SOURCE] * len(cat.COUNTRIES),
        }
    )


_USES = {
    cat.CH: "servers, accelerators and storage in data-centre racks",
    cat.NT: "switching, routing and optical links inside and between data centres",
    cat.EP: "power supply, conversion and backup for data-centre loads",
    cat.COOL: "heat removal from server halls",
    cat.BS: "the data-centre building shell and structure",
    cat.FSS: "fire detection and physical security of data centres",
    cat.SM: "materials used to make chips and electronics",
    cat.MO: "monitoring and upkeep of data-centre equipment",
    cat.NDC: "uses unrelated to data centres",
}


def label_rows(flow: str, products: list[Product], seed: int) -> pa.Table:
    rng = random.Random(f"demo:{seed}:labels:{flow}")
    labelled = [p for p in products if _in_flow(p, flow) and p.relevance is not None]
    rows: dict[str, list] = defaultdict(list)
    for p in labelled:
        low, high = {"High": (70, 100), "Medium": (50, 90), "Low": (60, 100)}[p.relevance or "Low"]
        confidence = rng.randint(40, 69) if rng.random() < 0.08 else rng.randint(low, high)
        use = _USES[p.category or cat.NDC]
        rows["hs10"].append(p.hs10)
        rows["relevance"].append(p.relevance)
        rows["primary_category"].append(p.category)
        rows["confidence"].append(confidence)
        rows["specific_use"].append(use[0].upper() + use[1:])
        rows["reasoning"].append(
            f"{p.relevance} relevance: {p.sdesc.lower()} mainly serve {use}. Synthetic demo label, not a model output."
        )
        rows["description"].append(p.sdesc)
    n = len(labelled)
    return pa.table(
        {
            "flow": [flow] * n,
            **rows,
            "label_source": [DEMO_SOURCE] * n,
            "confidence": pa.array(rows["confidence"], pa.int32()),
            "model": [DEMO_MODEL] * n,
            "prompt_version": ["demo"] * n,
            "classified_at": pa.array([CLASSIFIED_AT] * n, pa.timestamp("us")),
        }
    )


def _replace_if_changed(con: duckdb.DuckDBPyConnection, table: str, where: dict[str, object], rows: pa.Table) -> bool:
    """Replace a raw slice only when its content differs, so a rerun leaves the warehouse identical."""
    columns = ", ".join(rows.column_names)
    where_sql = " and ".join(f"{name} = ?" for name in where) or "true"
    con.register("__demo_slice", rows)
    try:
        differs = con.execute(
            f"""
            select
                (select count(*) from raw.{table} where {where_sql}) <> (select count(*) from __demo_slice)
                or exists (
                    select {columns} from __demo_slice
                    except all
                    select {columns} from raw.{table} where {where_sql}
                )
            """,
            [*where.values(), *where.values()],
        ).fetchone()[0]
    finally:
        con.unregister("__demo_slice")
    if differs:
        replace_slice(con, table, where, rows)
    return bool(differs)


# --- entry point -------------------------------------------------------------------------------------------------


def demo_partition(flow: str, month: str, seed: int) -> TradePartition:
    return TradePartition(
        flow, month, "ALL", DEMO_SOURCE, DEMO_VINTAGE, FETCHED_AT, {"generator": "demo", "seed": seed}
    )


def partition_hashes(seed: int = DEFAULT_SEED) -> dict[str, str]:
    """partition_id -> sha256 of every demo trade partition for a seed, computed without a warehouse."""
    products = build_products()
    con = duckdb.connect()
    try:
        hashes = {}
        for flow in FLOWS:
            for month, table in generate_trade(flow, products, seed).items():
                partition = demo_partition(flow, month, seed)
                hashes[partition.partition_id] = content_sha256(con, partition, table)
        return hashes
    finally:
        con.close()


def _refuse_other_data(con: duckdb.DuckDBPyConnection, db_path: Path) -> None:
    """Stop before writing into a warehouse that holds trade, countries or concordances from another source: the demo
    would replace its country list and concordances and add synthetic trade beside the real rows."""
    found = []
    for table in ("load_manifest", "census_countries", "concordance_imports", "concordance_exports"):
        count = con.execute(f"select count(*) from raw.{table} where source <> ?", [DEMO_SOURCE]).fetchone()[0]
        if count:
            found.append(f"raw.{table} ({count:,} rows)")
    if found:
        raise UserError(
            f"{db_path} holds data that is not the demo's: {', '.join(found)}. `aitrade demo` would replace its "
            "country list and concordances and mix synthetic trade into it; load the demo into another warehouse "
            "with --db (e.g. the default data/warehouse.duckdb, with real data in data/real/)."
        )


def load_demo(db_path: Path, seed: int = DEFAULT_SEED, progress: bool = True) -> DemoSummary:
    """Generate and load the whole demo into the warehouse at `db_path` (idempotent for the same seed)."""
    started = time.perf_counter()
    summary = DemoSummary(seed=seed)
    products = build_products()
    con = connect(db_path)
    try:
        _refuse_other_data(con, Path(db_path))
        landing = landing_dir(Path(db_path))
        for flow in ("imports", "exports"):
            partitions = list(generate_trade(flow, products, seed).items())
            rows_loaded = 0
            with tqdm(total=len(partitions), desc=f"demo {flow}", unit="month", disable=not progress) as bar:
                for start in range(0, len(partitions), _BATCH_MONTHS):
                    batch = [
                        (demo_partition(flow, month, seed), table)
                        for month, table in partitions[start : start + _BATCH_MONTHS]
                    ]
                    for result in load_trade_partitions(con, batch, landing):
                        rows_loaded += result.rows
                        if result.skipped:
                            summary.partitions_skipped += 1
                        else:
                            summary.partitions_loaded += 1
                    bar.update(len(batch))
            summary.trade_rows[flow] = rows_loaded
        slices: list[tuple[str, dict[str, object], pa.Table]] = [("census_countries", {}, country_rows())]
        for flow in ("imports", "exports"):
            for year in CONCORDANCE_YEARS:
                slices.append((f"concordance_{flow}", {"year": year}, concordance_rows(flow, products, year)))
            slices.append(
                ("hs10_labels", {"flow": flow, "label_source": DEMO_SOURCE}, label_rows(flow, products, seed))
            )
        for table, where, rows in slices:
            if _replace_if_changed(con, table, where, rows.drop_columns([c for c in where if c in rows.column_names])):
                summary.slices_replaced += 1
            else:
                summary.slices_unchanged += 1
    finally:
        con.close()
    summary.seconds = time.perf_counter() - started
    return summary
