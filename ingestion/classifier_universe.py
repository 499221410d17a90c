"""Which codes a classifier run sends: the flow's concordance and trade codes that have no current label."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb

from ingestion import warehouse
from ingestion.classifier_prompt import CodeItem
from ingestion.errors import UserError
from ingestion.hs import pad_hs_code
from ingestion.schema import FLOWS

_COMMODITY = {"imports": ("i_commodity", "i_commodity_sdesc"), "exports": ("e_commodity", "e_commodity_sdesc")}


def warehouse_codes(con: duckdb.DuckDBPyConnection, flow: str) -> dict[str, CodeItem]:
    """Every code of the flow's concordance (newest year) or trade data, with its description and NAICS.

    The concordance's long description wins (the study's input), then its short one, then the trade data's.
    """
    if flow not in FLOWS:
        raise UserError(f"unknown flow {flow!r}; use one of {list(FLOWS)}")
    code, sdesc = _COMMODITY[flow]
    rows = con.execute(
        f"""
        with concordance as (
            select hs10, description_long, description_short, naics
            from raw.concordance_{flow}
            qualify row_number() over (partition by hs10 order by year desc) = 1
        ),
        trade as (
            select {code} as hs10, max({sdesc}) as description_trade
            from raw.census_{flow}
            group by {code}
        )
        select
            coalesce(c.hs10, t.hs10) as hs10,
            coalesce(nullif(trim(c.description_long), ''), nullif(trim(c.description_short), ''),
                nullif(trim(t.description_trade), '')) as description,
            nullif(trim(c.naics), '') as naics
        from concordance as c
        full outer join trade as t on c.hs10 = t.hs10
        order by 1
        """
    ).fetchall()
    return {hs10: CodeItem(hs10, description or "", naics) for hs10, description, naics in rows}


def labelled_codes(con: duckdb.DuckDBPyConnection, flow: str) -> set[str]:
    """Codes that already have a current label a classifier run must not replace.

    Labels from any source that is not a classifier run (imported files such as the study's, the demo labels)
    and analyst overrides (the seed, once `dbt seed` has loaded it) count; earlier classifier runs do not, so a
    new model or prompt version reclassifies their codes (answers of the same model and prompt come from the
    cache without a request).
    """
    codes = {
        r[0]
        for r in con.execute(
            "select distinct hs10 from raw.hs10_labels where flow = ? and label_source not like 'classifier:%'",
            [flow],
        ).fetchall()
    }
    if warehouse.has_table(con, "raw", "hs10_label_overrides"):
        codes |= {
            r[0]
            for r in con.execute(
                "select distinct cast(hs10 as varchar) from raw.hs10_label_overrides where flow = ?", [flow]
            ).fetchall()
        }
    return codes


def codes_from_file(path: Path, known: dict[str, CodeItem]) -> list[CodeItem]:
    """Codes listed in a file: one per line, or a CSV with `hs10` (or `hs10_code`) and optional `description`,
    `naics` columns. Codes are zero-padded; a code without a description here or in the warehouse is an error."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise UserError(f"cannot read --codes file {path}: {error.strerror}") from error
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UserError(f"--codes file {path} is empty")
    first = lines[0].split(",")[0].strip().strip('"')
    if first.isdigit():
        records = [{"hs10": line.split(",")[0].strip().strip('"')} for line in lines]
        start = 1
    else:
        reader = csv.DictReader(io.StringIO(text))
        fields = {name.strip().lower(): name for name in reader.fieldnames or []}
        code_field = fields.get("hs10") or fields.get("hs10_code")
        if not code_field:
            raise UserError(f"--codes file {path}: a CSV needs an `hs10` column; found {reader.fieldnames}")
        records = [
            {
                "hs10": row[code_field],
                "description": row.get(fields.get("description", ""), "") if "description" in fields else "",
                "naics": row.get(fields.get("naics", ""), "") if "naics" in fields else "",
            }
            for row in reader
        ]
        start = 2
    items: list[CodeItem] = []
    problems: list[str] = []
    for line_no, record in enumerate(records, start=start):
        try:
            hs10 = pad_hs_code(record["hs10"])
        except ValueError:
            problems.append(f"line {line_no}: {record['hs10']!r} is not a 9- or 10-digit HS code")
            continue
        description = (record.get("description") or "").strip()
        naics = (record.get("naics") or "").strip() or None
        if not description and hs10 in known:
            description, naics = known[hs10].description, naics or known[hs10].naics
        if not description:
            problems.append(f"line {line_no}: no description for {hs10} (add a description column)")
            continue
        items.append(CodeItem(hs10, description, naics))
    if problems:
        raise UserError(f"--codes file {path}: " + "; ".join(problems[:10]))
    return items


def codes_to_classify(
    con: duckdb.DuckDBPyConnection, flow: str, codes_file: Path | None = None, limit: int | None = None
) -> tuple[list[CodeItem], str]:
    """The codes a run sends (sorted), and a one-line account of how they were chosen."""
    known = warehouse_codes(con, flow)
    if codes_file is not None:
        items = codes_from_file(codes_file, known)
        note = f"{len(items):,} codes from {codes_file}"
    else:
        labelled = labelled_codes(con, flow)
        no_description = [c for c, item in known.items() if not item.description]
        items = [item for c, item in known.items() if item.description and c not in labelled]
        note = (
            f"{len(known):,} codes in the {flow} concordance/trade data, {len(labelled & known.keys()):,} with an "
            f"imported label or override, {len(no_description):,} without a description (skipped)"
        )
    items.sort(key=lambda item: item.hs10)
    if limit is not None:
        items = items[:limit]
        note += f"; --limit {limit}"
    return items, note
