"""Which Census requests a run makes: one per (flow, country, period), shaped as the Census docs advise.

* Large partners (about 30 countries, China ~10k HS10 rows a month) and the world total (`-`) are fetched per
  country-month (`time=YYYY-MM`).
* Every other partner is fetched per country-year (`time=YYYY`, one row per month). A year that the run covers only
  partly (the current year, or a start inside a year) is asked as `time=from YYYY-MM to YYYY-MM` and stays in the
  same `YYYY` partition; when a later run covers more of that year the request differs and it is re-pulled.

A partition is skipped when the warehouse holds it as complete *for the same request*; see `census.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date

from ingestion.errors import UserError

DEFAULT_BASE_URL = "https://api.census.gov/data/timeseries/intltrade"
WORLD_TOTAL = "-"

# Census Schedule C codes of the ~30 largest U.S. trade partners: fetched per month (the docs' recommendation).
LARGE_PARTNERS: frozenset[str] = frozenset(
    {
        "1220",  # Canada
        "2010",  # Mexico
        "5700",  # China
        "5880",  # Japan
        "4280",  # Germany
        "5800",  # Korea, South
        "5830",  # Taiwan
        "4120",  # United Kingdom
        "5520",  # Vietnam
        "5330",  # India
        "4759",  # Italy
        "4279",  # France
        "4190",  # Ireland
        "4419",  # Switzerland
        "5570",  # Malaysia
        "5490",  # Thailand
        "4210",  # Netherlands
        "5590",  # Singapore
        "3510",  # Brazil
        "5081",  # Israel
        "4231",  # Belgium
        "6021",  # Australia
        "4700",  # Spain
        "5600",  # Indonesia
        "5650",  # Philippines
        "5820",  # Hong Kong
        "5170",  # Saudi Arabia
        "3010",  # Colombia
        "3370",  # Chile
        "4010",  # Sweden
    }
)
DEFAULT_MONTHLY_CODES: frozenset[str] = LARGE_PARTNERS | {WORLD_TOTAL}

# get= variables per flow, in raw-contract order; the raw column is the lower-case name.
FLOW_VARIABLES: dict[str, tuple[str, ...]] = {
    "imports": (
        "I_COMMODITY",
        "I_COMMODITY_SDESC",
        "CTY_CODE",
        "CTY_NAME",
        "CON_VAL_MO",
        "GEN_VAL_MO",
        "CAL_DUT_MO",
        "DUT_VAL_MO",
        "CON_QY1_MO",
        "CON_QY2_MO",
        "UNIT_QY1",
        "UNIT_QY2",
    ),
    "exports": (
        "E_COMMODITY",
        "E_COMMODITY_SDESC",
        "CTY_CODE",
        "CTY_NAME",
        "ALL_VAL_MO",
        "QTY_1_MO",
        "QTY_2_MO",
        "UNIT_QY1",
        "UNIT_QY2",
    ),
}
COMMODITY_VARIABLE = {"imports": "I_COMMODITY", "exports": "E_COMMODITY"}
VALUE_VARIABLE = {"imports": "CON_VAL_MO", "exports": "ALL_VAL_MO"}
INTEGER_VARIABLES = frozenset(
    {
        "CON_VAL_MO",
        "GEN_VAL_MO",
        "CAL_DUT_MO",
        "DUT_VAL_MO",
        "CON_QY1_MO",
        "CON_QY2_MO",
        "ALL_VAL_MO",
        "QTY_1_MO",
        "QTY_2_MO",
    }
)
CHAPTERS = tuple(f"{n:02d}" for n in range(1, 100))

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_COUNTRY = re.compile(r"^\d{4}$")


def parse_month(text: str, flag: str = "month") -> int:
    """'YYYY-MM' -> a month index (year * 12 + month - 1)."""
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UserError(f"{flag} must look like YYYY-MM (e.g. 2013-01), got {text!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def format_month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_of(day: date) -> int:
    return day.year * 12 + day.month - 1


def parse_countries(text: str) -> tuple[str, ...] | None:
    """`all` -> None (every country in raw.census_countries plus the world total); else the validated codes and
    the world total. The world total is always fetched: without it the build has nothing to check the country
    detail against, and a pull of a few partners would pass as the whole of U.S. trade."""
    if text.strip().lower() == "all":
        return None
    codes = tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))
    bad = [c for c in codes if c != WORLD_TOTAL and not _COUNTRY.match(c)]
    if not codes or bad:
        raise UserError(
            f"--countries takes `all` or Census 4-digit country codes separated by commas (`-` = world total), "
            f"got {bad or text!r}"
        )
    return codes if WORLD_TOTAL in codes else (*codes, WORLD_TOTAL)


@dataclass(frozen=True)
class PlannedRequest:
    """One Census request = one warehouse partition (flow / period / country)."""

    flow: str
    period: str  # 'YYYY' or 'YYYY-MM'
    cty_code: str
    time: str  # the Census time predicate
    months: tuple[str, ...]
    comm_level: str = "HS10"
    extra: tuple[tuple[str, str], ...] = field(default=())

    @property
    def partition_id(self) -> str:
        return f"{self.flow}/{self.period}/{self.cty_code}"

    @property
    def endpoint(self) -> str:
        return f"{self.flow}/hs"

    @property
    def variables(self) -> tuple[str, ...]:
        names = FLOW_VARIABLES[self.flow]
        return (*names, "YEAR", "MONTH") if len(self.period) == 4 else names

    def params(self) -> list[tuple[str, str]]:
        """Query parameters without the key, in a stable order (repeated names allowed)."""
        params = [("get", ",".join(self.variables)), ("COMM_LVL", self.comm_level)]
        if self.cty_code != WORLD_TOTAL:
            params.append(("SUMMARY_LVL", "DET"))
        params += [("CTY_CODE", self.cty_code), ("time", self.time), *self.extra]
        return params

    def request_record(self) -> dict[str, object]:
        """What the manifest stores (never the key, never the host)."""
        return {"endpoint": self.endpoint, "params": [list(p) for p in self.params()]}


def plan_requests(
    flows: Iterable[str],
    countries: Iterable[str],
    start: int,
    end: int,
    monthly_codes: frozenset[str] = DEFAULT_MONTHLY_CODES,
    comm_level: str = "HS10",
) -> list[PlannedRequest]:
    """Every request of a run from month index `start` to `end` inclusive, newest period first per country."""
    if end < start:
        raise UserError(f"--end ({format_month(end)}) is before --start ({format_month(start)})")
    plan: list[PlannedRequest] = []
    for flow in flows:
        for cty in countries:
            if cty in monthly_codes:
                for m in range(start, end + 1):
                    month = format_month(m)
                    plan.append(PlannedRequest(flow, month, cty, month, (month,), comm_level))
                continue
            for year in range(start // 12, end // 12 + 1):
                first, last = max(start, year * 12), min(end, year * 12 + 11)
                plan.append(year_request(PlannedRequest(flow, f"{year:04d}", cty, "", (), comm_level), first, last))
    return plan


def year_request(request: PlannedRequest, first: int, last: int) -> PlannedRequest:
    """`request` (a country-year partition) for the months `first`..`last` of its year: the whole year as 'YYYY',
    part of it as 'from YYYY-MM to YYYY-MM'."""
    year = int(request.period)
    months = tuple(format_month(m) for m in range(first, last + 1))
    full = first == year * 12 and last == year * 12 + 11
    return replace(request, time=f"{year:04d}" if full else f"from {months[0]} to {months[-1]}", months=months)


_TIME_RANGE = re.compile(r"^from (\d{4}-\d{2}) to (\d{4}-\d{2})$")


def covering_stored_months(request: PlannedRequest, stored_params: list[list[str]] | None) -> PlannedRequest:
    """A country-year request widened to the months its partition already holds too: replacing a partition
    replaces all its rows, so a run whose window covers another part of the year (2024-07.. after ..2024-06)
    must not drop the months an earlier run loaded. Other requests, and unreadable stored params, as they are."""
    if len(request.period) != 4 or not stored_params:
        return request
    try:
        stored_time = next((value for name, value in stored_params if name == "time"), "")
        if stored_time == request.period:
            stored_first, stored_last = int(request.period) * 12, int(request.period) * 12 + 11
        elif match := _TIME_RANGE.match(stored_time):
            stored_first, stored_last = parse_month(match.group(1)), parse_month(match.group(2))
        else:
            return request
    except (UserError, ValueError, TypeError):  # a record this version cannot read: the request as planned
        return request
    first, last = parse_month(request.months[0]), parse_month(request.months[-1])
    if stored_first >= first and stored_last <= last:
        return request
    return year_request(request, min(first, stored_first), max(last, stored_last))


def refresh_window(end: int, refresh_months: int) -> set[str]:
    """The trailing `refresh_months` months up to and including `end`."""
    return {format_month(m) for m in range(end - refresh_months + 1, end + 1)} if refresh_months > 0 else set()
