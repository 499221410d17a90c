"""Census JSON (header row + rows of strings) -> the raw-contract columns of a flow as a pyarrow table.

* The header may name a column twice (a `get=` variable echoed as a predicate): the first occurrence wins.
* Rows of other countries (the `-` world total Census adds even to country requests) are dropped, so the detail
  never double counts the world total; the world total is its own partition (`cty_code = '-'`).
* Every value is a string; money and quantities become int64 (null stays null; a null main value is 0).
* A body whose rows do not fit the header, or whose numbers are not integers, is `MalformedResponse` (retried).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.census_client import MalformedResponse
from ingestion.census_plan import (
    COMMODITY_VARIABLE,
    FLOW_VARIABLES,
    INTEGER_VARIABLES,
    VALUE_VARIABLE,
    PlannedRequest,
)
from ingestion.hs import pad_hs_code


@dataclass(frozen=True)
class ParsedPart:
    table: pa.Table  # raw columns of the flow (time first), codes as strings, money int64
    served_rows: int  # data rows in the response
    dropped_other_countries: int


def output_schema(flow: str) -> pa.Schema:
    fields = [pa.field("time", pa.string())]
    for name in FLOW_VARIABLES[flow]:
        fields.append(pa.field(name.lower(), pa.int64() if name in INTEGER_VARIABLES else pa.string()))
    return pa.schema(fields)


def _first_index(header: list[Any]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        if isinstance(name, str):
            index.setdefault(name, i)
    return index


def _to_int(column: pa.Array, name: str) -> pa.Array:
    try:
        return pc.cast(column, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise MalformedResponse(f"{name} holds a value that is not a whole number") from None


def _pad_codes(codes: pa.Array, comm_level: str) -> pa.Array:
    if comm_level != "HS10":  # HS2/HS4/HS6 reference pulls: the chapter code right-padded ('84' -> '8400000000')
        return pc.utf8_rpad(codes, width=10, padding="0")
    if pc.all(pc.equal(pc.utf8_length(codes), 10)).as_py() is not False:
        return codes
    return pa.array([None if c is None else _safe_pad(c) for c in codes.to_pylist()], pa.string())


def _safe_pad(code: str) -> str:
    try:
        return pad_hs_code(code)
    except ValueError:
        return code  # left as is: the warehouse names the bad rows


def parse_payload(payload: list[list[Any]], request: PlannedRequest) -> ParsedPart:
    """Convert one decoded Census response for `request` into a table of the flow's raw columns."""
    header, rows = payload[0], payload[1:]
    width = len(header)
    if any(len(row) != width for row in rows):
        raise MalformedResponse(f"a row does not have the {width} columns of the header")
    index = _first_index(header)
    flow = request.flow
    missing = [v for v in (COMMODITY_VARIABLE[flow], VALUE_VARIABLE[flow], "CTY_CODE") if v not in index]
    if missing:
        raise MalformedResponse(f"the header lacks {', '.join(missing)}")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(width)]

    def text(name: str) -> pa.Array:
        if name not in index:
            return pa.nulls(len(rows), pa.string())
        values = columns[index[name]]
        try:
            return pa.array(values, pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.array([None if v is None else str(v) for v in values], pa.string())

    arrays: dict[str, pa.Array] = {"time": _times(text, index, len(rows))}
    for name in FLOW_VARIABLES[flow]:
        column = text(name)
        if name in INTEGER_VARIABLES:
            column = _to_int(column, name)
            if name == VALUE_VARIABLE[flow]:
                column = pc.fill_null(column, 0)
        arrays[name.lower()] = column
    arrays[COMMODITY_VARIABLE[flow].lower()] = _pad_codes(arrays[COMMODITY_VARIABLE[flow].lower()], request.comm_level)
    table = pa.Table.from_pydict(arrays, schema=output_schema(flow))
    keep = pc.equal(table["cty_code"], request.cty_code)
    kept = table.filter(keep)
    if kept.num_rows and not pc.all(pc.is_in(kept["time"], pa.array(request.months))).as_py():
        raise MalformedResponse(f"rows outside the requested months {request.months[0]}..{request.months[-1]}")
    return ParsedPart(kept, len(rows), table.num_rows - kept.num_rows)


def _times(text: Any, index: dict[str, int], n: int) -> pa.Array:
    """'YYYY-MM' per row: the `time` column, or YEAR + MONTH when `time` only echoes a year."""
    if "time" in index:
        times = text("time")
        if n == 0 or pc.all(pc.equal(pc.utf8_length(times), 7)).as_py():
            return times
    if "YEAR" in index and "MONTH" in index:
        month = pc.utf8_lpad(text("MONTH"), width=2, padding="0")
        return pc.binary_join_element_wise(text("YEAR"), month, "-")
    raise MalformedResponse("rows carry no YYYY-MM time (neither `time` nor YEAR/MONTH)")
