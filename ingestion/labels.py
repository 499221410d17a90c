"""Published label files into `raw.hs10_labels`, and the audit of two label sets.

Import accepts the study's two CSV layouts (and any CSV with the same column names in any order):
- `hs10_high_relevance_imports.csv`: hs10_code, relevance, primary_category, specific_use, reasoning, description
- `hs10_classification_exports_final.csv`: relevance, confidence, primary_category, specific_use, reasoning,
  hs10_code, description
Codes that lost their leading zero are zero-padded (`ingestion.hs.pad_hs_code`); an unknown relevance or category,
a bad confidence or code, or a duplicate code rejects the whole file with the offending rows named, and nothing is
written. A file replaces the slice (flow, label_source) atomically; provenance (where from, sha256, when, how many)
goes to `raw.label_imports`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ingestion import warehouse
from ingestion.csv_rows import numbered_rows
from ingestion.errors import UserError
from ingestion.hs import pad_hs_code
from ingestion.locations import is_url, read_location, url_without_secrets
from ingestion.schema import CATEGORY_VALUES, FLOWS, RELEVANCE_VALUES

_CODE_COLUMNS = ("hs10_code", "hs10", "hs10 code", "code", "i_commodity", "e_commodity")
_MAX_NAMED = 10
_WHOLE_NUMBER = re.compile(r"([0-9]{1,3})(?:\.0*)?")  # a confidence: 85, or 85.0 from a spreadsheet
IMPORTS_DDL = """
create table if not exists raw.label_imports (
    flow varchar not null,
    label_source varchar not null,
    location varchar not null,
    sha256 varchar not null,
    row_count integer not null,
    padded_codes integer not null,
    high integer not null,
    medium integer not null,
    low integer not null,
    imported_at timestamp not null
)
"""


@dataclass(frozen=True)
class ImportResult:
    flow: str
    label_source: str
    location: str
    rows: int
    padded: int
    by_relevance: dict[str, int]
    by_category: dict[str, int]


def _display_location(location: str) -> str:
    """A URL without credentials or query string (safe to store), or the file path as given."""
    return url_without_secrets(location) if is_url(location) else str(Path(location).resolve())


def parse_label_csv(content: bytes, flow: str, source: str) -> tuple[pa.Table, int]:
    """Validate a label CSV; returns the rows for `raw.hs10_labels` and how many codes were zero-padded."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(f"the label file is not UTF-8 text: {error}") from None
    try:
        return _parse_label_rows(csv.DictReader(io.StringIO(text, newline="")), flow, source)
    except csv.Error as error:  # e.g. a field longer than the csv module's limit (131,072 characters)
        raise UserError(f"the label file is not readable CSV: {error}; nothing was written") from None


def _parse_label_rows(reader: csv.DictReader, flow: str, source: str) -> tuple[pa.Table, int]:
    header = reader.fieldnames or []
    names = [name.strip().lower() for name in header]
    repeated = sorted({name for name in names if name and names.count(name) > 1})  # a spreadsheet's empty columns aside
    code_columns = [name for name in _CODE_COLUMNS if name in names]
    if repeated or len(code_columns) > 1:
        raise UserError(
            f"the label file has column(s) {repeated or code_columns} more than once or under two names; "
            "keep one of each, nothing was written"
        )
    fields = dict(zip(names, header, strict=True))
    code_field = fields[code_columns[0]] if code_columns else None
    required = {"relevance", "primary_category"}
    if code_field is None or not required <= fields.keys():
        raise UserError(
            f"the label file needs columns hs10_code (or hs10), relevance and primary_category; found {header}"
        )

    def get(row: dict[str, str], name: str) -> str | None:
        value = row.get(fields[name]) if name in fields else None
        value = value.strip() if isinstance(value, str) else None
        return value or None

    columns: dict[str, list] = defaultdict(list)
    problems: list[str] = []
    lines_by_code: dict[str, list[int]] = defaultdict(list)
    padded = 0
    for line_no, row in numbered_rows(reader):
        extra = row.get(None) or []  # fields past the header's: an unquoted comma shifts every field after it
        if extra:
            problems.append(
                f"line {line_no}: {len(header) + len(extra)} fields where the header has {len(header)};"
                " quote fields that hold commas"
            )
            continue
        # a short row leaves its missing trailing fields empty; a required one is then reported below
        raw_code = (row.get(code_field) or "").strip()
        try:
            hs10 = pad_hs_code(raw_code)
        except ValueError:
            problems.append(f"line {line_no}: code {raw_code!r} is not a 9- or 10-digit HS code")
            continue
        padded += hs10 != raw_code
        relevance, category = get(row, "relevance"), get(row, "primary_category")
        if relevance not in RELEVANCE_VALUES:
            problems.append(f"line {line_no} ({hs10}): relevance {relevance!r} is not one of {RELEVANCE_VALUES}")
        if category not in CATEGORY_VALUES:
            problems.append(f"line {line_no} ({hs10}): primary_category {category!r} is not a known category")
        confidence_text = get(row, "confidence")
        confidence = None
        if confidence_text is not None:
            # ASCII digits, and ".0" for a spreadsheet's 85.0: 100.9 or 85.5 is not a confidence to round silently
            whole = _WHOLE_NUMBER.fullmatch(confidence_text)
            if whole and int(whole[1]) <= 100:
                confidence = int(whole[1])
            else:
                problems.append(f"line {line_no} ({hs10}): confidence {confidence_text!r} is not a whole number 0-100")
        lines_by_code[hs10].append(line_no)
        columns["hs10"].append(hs10)
        columns["relevance"].append(relevance)
        columns["primary_category"].append(category)
        columns["confidence"].append(confidence)
        columns["specific_use"].append(get(row, "specific_use"))
        columns["reasoning"].append(get(row, "reasoning"))
        columns["description"].append(get(row, "description"))
    duplicates = {code: lines for code, lines in lines_by_code.items() if len(lines) > 1}
    for code, lines in sorted(duplicates.items())[:_MAX_NAMED]:
        problems.append(f"code {code} appears {len(lines)} times (lines {', '.join(map(str, lines))})")
    if duplicates:
        problems.append(f"{len(duplicates)} duplicated code(s) in all")
    if problems:
        shown = problems[:_MAX_NAMED]
        if len(problems) > _MAX_NAMED:
            shown.append(f"... and {len(problems) - _MAX_NAMED} more")
        raise UserError("the label file was rejected, nothing was written:\n  " + "\n  ".join(shown))
    if not columns["hs10"]:
        raise UserError("the label file has no rows")
    n = len(columns["hs10"])
    table = pa.table(
        {
            "flow": [flow] * n,
            "hs10": columns["hs10"],
            "label_source": [source] * n,
            "relevance": columns["relevance"],
            "primary_category": columns["primary_category"],
            "confidence": pa.array(columns["confidence"], pa.int32()),
            "specific_use": pa.array(columns["specific_use"], pa.string()),
            "reasoning": pa.array(columns["reasoning"], pa.string()),
            "description": pa.array(columns["description"], pa.string()),
        }
    )
    return table, padded


def import_labels(con: duckdb.DuckDBPyConnection, location: str, flow: str, source: str) -> ImportResult:
    """Load a published label file as the (flow, source) slice of `raw.hs10_labels`, with provenance."""
    if flow not in FLOWS:
        raise UserError(f"unknown flow {flow!r}; use one of {list(FLOWS)}")
    source = source.strip()
    if not source or source.startswith("classifier:"):
        raise UserError("--source must be a non-empty name not starting with 'classifier:' (kept for model runs)")
    content = read_location(location, "label file")
    table, padded = parse_label_csv(content, flow, source)
    shown = _display_location(location)
    relevance = Counter(table.column("relevance").to_pylist())
    category = Counter(table.column("primary_category").to_pylist())
    con.execute(IMPORTS_DDL)
    provenance = [
        flow,
        source,
        shown,
        hashlib.sha256(content).hexdigest(),
        table.num_rows,
        padded,
        relevance["High"],
        relevance["Medium"],
        relevance["Low"],
        warehouse.utc_now(),
    ]
    rows = warehouse.replace_slice(
        con,
        "hs10_labels",
        {"flow": flow, "label_source": source},
        table,
        record=("insert into raw.label_imports values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", provenance),
    )
    return ImportResult(flow, source, shown, rows, padded, dict(relevance), dict(category))


# --- audit ------------------------------------------------------------------------------------------------------


@dataclass
class AuditReport:
    flow: str
    source_a: str
    source_b: str
    year: int
    value_basis: str
    codes_a: int = 0
    codes_b: int = 0
    common: int = 0
    agree: int = 0
    common_value: float = 0.0
    disagree_value: float = 0.0
    matrix: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)
    top: list[tuple[str, str, str, float, str | None]] = field(default_factory=list)

    @property
    def agreement_rate(self) -> float | None:
        return self.agree / self.common if self.common else None

    @property
    def disagreement_value_share(self) -> float | None:
        return self.disagree_value / self.common_value if self.common_value else None


def _trade_values(con: duckdb.DuckDBPyConnection, year: int) -> tuple[str, str]:
    """SQL of (flow, hs10, value) for the year, and a sentence naming the basis."""
    if warehouse.has_table(con, "marts", "fct_trade_monthly"):
        return (
            f"select flow, hs10, sum(value) as value from marts.fct_trade_monthly "
            f"where year = {int(year)} and not is_excluded_chapter group by flow, hs10",
            f"{year} trade in marts.fct_trade_monthly (detail countries, excluded chapters dropped)",
        )
    return (
        f"""
        select 'imports' as flow, i_commodity as hs10, sum(con_val_mo) as value from raw.census_imports
        where cty_code = '-' and left(time, 4) = '{int(year)}' group by i_commodity
        union all
        select 'exports', e_commodity, sum(all_val_mo) from raw.census_exports
        where cty_code = '-' and left(time, 4) = '{int(year)}' group by e_commodity
        """,
        f"{year} world-total rows of raw.census_* (run `dbt build` for the mart basis)",
    )


def audit_labels(
    con: duckdb.DuckDBPyConnection, source_a: str, source_b: str, year: int = 2025, top: int = 10
) -> list[AuditReport]:
    """Compare the relevance of two label sources, per flow both label; see `format_audit`."""
    sources = {r[0] for r in con.execute("select distinct label_source from raw.hs10_labels").fetchall()}
    missing = [s for s in (source_a, source_b) if s not in sources]
    if missing:
        raise UserError(f"no labels with label_source {missing} in raw.hs10_labels; present: {sorted(sources)}")
    values_sql, basis = _trade_values(con, year)
    con.execute(
        f"""
        create or replace temp table audit_pairs as
        with a as (select flow, hs10, relevance, description from raw.hs10_labels where label_source = ?),
        b as (select flow, hs10, relevance, description from raw.hs10_labels where label_source = ?),
        v as ({values_sql})
        select
            coalesce(a.flow, b.flow) as flow,
            coalesce(a.hs10, b.hs10) as hs10,
            a.relevance as relevance_a,
            b.relevance as relevance_b,
            coalesce(a.description, b.description) as description,
            coalesce(v.value, 0) as value
        from a
        full outer join b on a.flow = b.flow and a.hs10 = b.hs10
        left join v on v.flow = coalesce(a.flow, b.flow) and v.hs10 = coalesce(a.hs10, b.hs10)
        """,
        [source_a, source_b],
    )
    flows = con.execute(
        "select flow from audit_pairs group by flow having count(relevance_a) > 0 and count(relevance_b) > 0 "
        "order by flow"
    ).fetchall()
    if not flows:
        raise UserError(f"{source_a!r} and {source_b!r} label no flow in common; nothing to compare")
    reports = []
    for (flow,) in flows:
        report = AuditReport(flow, source_a, source_b, year, basis)
        report.codes_a, report.codes_b = con.execute(
            "select count(relevance_a), count(relevance_b) from audit_pairs where flow = ?", [flow]
        ).fetchone()
        for rel_a, rel_b, codes, value in con.execute(
            """
            select relevance_a, relevance_b, count(*), sum(value) from audit_pairs
            where flow = ? and relevance_a is not null and relevance_b is not null group by all
            """,
            [flow],
        ).fetchall():
            report.matrix[(rel_a, rel_b)] = (codes, float(value))
            report.common += codes
            report.common_value += float(value)
            if rel_a == rel_b:
                report.agree += codes
            else:
                report.disagree_value += float(value)
        report.top = [
            (r[0], r[1], r[2], float(r[3]), r[4])
            for r in con.execute(
                """
                select hs10, relevance_a, relevance_b, value, description from audit_pairs
                where flow = ? and relevance_a <> relevance_b
                order by value desc, hs10 limit ?
                """,
                [flow, top],
            ).fetchall()
        ]
        reports.append(report)
    return reports


def _dollars(value: float) -> str:
    for divisor, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= divisor:
            return f"${value / divisor:,.1f}{suffix}"
    return f"${value:,.0f}"


def format_audit(report: AuditReport) -> str:
    """A readable agreement table (matrix of codes and trade, agreement rate, value-weighted disagreement)."""
    lines = [
        f"== {report.flow}: A = {report.source_a} ({report.codes_a:,} codes), "
        f"B = {report.source_b} ({report.codes_b:,} codes)",
        f"codes labelled by both: {report.common:,}; only A: {report.codes_a - report.common:,}; "
        f"only B: {report.codes_b - report.common:,}",
        f"trade value basis: {report.value_basis}",
        "",
        "relevance matrix (codes / trade value); rows = A, columns = B",
    ]
    width = 22
    corner = "A \\ B"
    lines.append(f"{corner:<8}" + "".join(f"{b:>{width}}" for b in RELEVANCE_VALUES) + f"{'total':>{width}}")
    for a in RELEVANCE_VALUES:
        cells = [report.matrix.get((a, b), (0, 0.0)) for b in RELEVANCE_VALUES]
        total = (sum(c for c, _ in cells), sum(v for _, v in cells))
        lines.append(f"{a:<8}" + "".join(f"{f'{c:,} / {_dollars(v)}':>{width}}" for c, v in [*cells, total]))
    rate = report.agreement_rate
    share = report.disagreement_value_share
    rate_text = f"{rate:.1%} ({report.agree:,} of {report.common:,} codes)" if rate is not None else "n/a"
    lines += [
        "",
        f"agreement rate: {rate_text}",
        f"value-weighted disagreement: {_dollars(report.disagree_value)} of {report.year} trade in codes whose "
        "relevance differs"
        + (f" ({share:.1%} of {_dollars(report.common_value)} in codes both label)" if share is not None else ""),
    ]
    if report.top:
        lines += ["", f"top {len(report.top)} disagreements by {report.year} trade value:"]
        lines.append(f"{'hs10':<12}{'A':<8}{'B':<8}{'value':>12}  description")
        for hs10, rel_a, rel_b, value, description in report.top:
            lines.append(f"{hs10:<12}{rel_a:<8}{rel_b:<8}{_dollars(value):>12}  {(description or '')[:70]}")
    return "\n".join(lines)
