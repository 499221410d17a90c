"""A fake Census International Trade API on 127.0.0.1 for tests and the benchmark (real HTTP, no mocks).

It serves `/data/timeseries/intltrade/{imports|exports}/hs` in the exact Census JSON form: a header row then rows of
strings (nulls for missing values), predicate columns echoed at the end of the header (so `CTY_CODE` appears twice),
the world-total rows (`CTY_CODE = '-'`) mixed into country answers, zero-month rows, 204 for no data or an
unpublished month, and an HTML page with status 200 for a bad key. Faults can be injected on chosen requests:
HTTP statuses (with Retry-After), timeouts, truncated or malformed JSON, dropped connections, HTML key pages.
Static files (country.txt, imp-code.txt) are served from `static`.

Data are generated deterministically (`FakeCensus.generated`) or read from the real HS2 reference payloads
(`FakeCensus.from_reference`).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

API_PREFIX = "/data/timeseries/intltrade"
COMMODITY = {"imports": "I_COMMODITY", "exports": "E_COMMODITY"}
VALUE = {"imports": "CON_VAL_MO", "exports": "ALL_VAL_MO"}
NUMBERS = {
    "imports": ("CON_VAL_MO", "GEN_VAL_MO", "CAL_DUT_MO", "DUT_VAL_MO", "CON_QY1_MO", "CON_QY2_MO"),
    "exports": ("ALL_VAL_MO", "QTY_1_MO", "QTY_2_MO"),
}
HTML_KEY_PAGE = (
    "<html><head><title>Invalid Key</title></head><body><p>A valid <em>key</em> must be included with each "
    "data API request.</p></body></html>"
)
COUNTRY_NAMES = {"-": "TOTAL FOR ALL COUNTRIES", "5700": "CHINA", "1220": "CANADA", "2010": "MEXICO"}


@dataclass(frozen=True)
class Row:
    code: str
    month: str  # YYYY-MM
    cty: str
    sdesc: str
    values: dict[str, str | None]


@dataclass(frozen=True)
class Seen:
    """One request the server received (without the key)."""

    flow: str
    params: tuple[tuple[str, str], ...]
    key_ok: bool
    index: int

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)

    @property
    def cty(self) -> str | None:
        return self.param("CTY_CODE")

    @property
    def time(self) -> str | None:
        return self.param("time")

    @property
    def chapter(self) -> str | None:
        return self.param(COMMODITY[self.flow])

    @property
    def comm_lvl(self) -> str | None:
        return self.param("COMM_LVL")


@dataclass
class Fault:
    """Answer matching requests with a failure, `times` times (then normally)."""

    match: Callable[[Seen], bool]
    kind: str  # status | html | timeout | truncated | malformed | short_row | duplicate_row | drop | empty
    status: int = 500
    retry_after: str | None = None
    body: str = "There was an error while running your query.  We've logged the error and we'll correct it ASAP."
    times: int = 1
    sleep: float = 1.0
    hits: int = 0


@dataclass
class FakeCensus:
    key: str
    data: dict[str, dict[tuple[str, str], list[Row]]]  # flow -> (cty, month) -> rows
    level: str = "HS10"  # level of the stored rows; HS2 requests of HS10 data are aggregated
    published_through: str = "9999-12"
    echo_world_total: bool = True
    too_large: set[tuple[str, str]] = field(default_factory=set)  # (flow, cty): 500 unless split by chapter
    latency: float = 0.0
    static: dict[str, bytes] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # --- construction -------------------------------------------------------------------------------------

    @classmethod
    def generated(
        cls,
        key: str,
        months: Iterable[str],
        countries: Iterable[str] = ("5700", "1220", "1010", "7770"),
        rows_per_month: int = 25,
        seed: int = 7,
        flows: Iterable[str] = ("imports", "exports"),
        silent: Iterable[tuple[str, str]] = (("exports", "7770"),),
        **kwargs: object,
    ) -> FakeCensus:
        """Deterministic HS10 data; `silent` (flow, cty) pairs have no trade at all (every request is a 204).
        The world total (`-`) of a code is the sum over the served countries plus some rest-of-world trade."""
        rng = random.Random(seed)
        months = list(months)
        codes = [f"{rng.randint(1, 97):02d}{rng.randint(0, 99_999_999):08d}" for _ in range(rows_per_month * 4)]
        codes = sorted(set(codes) | {"0101210010", "0304610000"})
        silent_set = set(silent)
        data: dict[str, dict[tuple[str, str], list[Row]]] = {}
        for flow in flows:
            per_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
            world: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for cty in countries:
                if (flow, cty) in silent_set:
                    continue
                for month in months:
                    for code in rng.sample(codes, min(rows_per_month, len(codes))):
                        values = _random_values(rng, flow)
                        per_key[(cty, month)].append(Row(code, month, cty, f"GOODS {code[:4]}", values))
                        for name, value in values.items():
                            world[(code, month)][name] += int(value or 0)
            for (code, month), sums in sorted(world.items()):
                rest = rng.randint(0, 50_000)
                values = {n: str(v + (rest if n == VALUE[flow] else 0)) for n, v in sums.items()}
                per_key[("-", month)].append(Row(code, month, "-", f"GOODS {code[:4]}", values))
            data[flow] = dict(per_key)
        return cls(key=key, data=data, **kwargs)  # type: ignore[arg-type]

    @classmethod
    def from_reference(cls, folder: Path, key: str, **kwargs: object) -> FakeCensus:
        """The real HS2 API payloads of `../shared/reference/census-hs2` (`TOTALdata` is the world total)."""
        import pyarrow.parquet as pq

        data: dict[str, dict[tuple[str, str], list[Row]]] = {}
        for flow in ("imports", "exports"):
            per_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
            for path in sorted((folder / flow).glob("*data.parquet")):
                table = pq.read_table(path)
                for record in table.to_pylist():
                    cty = record.get("CTY_CODE") or "-"
                    values = {n: record.get(n) for n in NUMBERS[flow]}
                    row = Row(
                        record[COMMODITY[flow]],
                        record["time"],
                        cty,
                        record.get(f"{COMMODITY[flow]}_SDESC") or "",
                        values,
                    )
                    per_key[(cty, row.month)].append(row)
            data[flow] = dict(per_key)
        return cls(key=key, data=data, level="HS2", **kwargs)  # type: ignore[arg-type]

    # --- test helpers -------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"

    @property
    def root_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add_fault(self, match: Callable[[Seen], bool], kind: str, **kwargs: object) -> Fault:
        fault = Fault(match=match, kind=kind, **kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.faults.append(fault)
        return fault

    def data_requests(self) -> list[Seen]:
        """Requests for HS10 data (not the HS2 'latest month' probes)."""
        with self._lock:
            return [s for s in self.seen if "CTY_NAME" in (s.param("get") or "")]

    def served_sums(self, flow: str, detail_only: bool = True) -> dict[str, int]:
        """month -> sum of the flow's main value (published months; detail countries unless told)."""
        sums: dict[str, int] = defaultdict(int)
        for (cty, month), rows in self.data[flow].items():
            if month > self.published_through or (detail_only and cty == "-"):
                continue
            for row in rows:
                sums[month] += int(row.values.get(VALUE[flow]) or 0)
        return dict(sums)

    def nonzero_rows(self, flow: str) -> int:
        return sum(
            1
            for (_, month), rows in self.data[flow].items()
            if month <= self.published_through
            for row in rows
            if any(int(v or 0) for v in row.values.values())
        )

    def revise(self, flow: str, month: str, add: int = 1000) -> None:
        """Census revised a month: every non-zero main value of `month` grows by `add`."""
        for (cty, m), rows in self.data[flow].items():
            if m != month:
                continue
            revised = []
            for row in rows:
                values = dict(row.values)
                if int(values.get(VALUE[flow]) or 0):
                    values[VALUE[flow]] = str(int(values[VALUE[flow]] or 0) + add)
                revised.append(Row(row.code, row.month, row.cty, row.sdesc, values))
            self.data[flow][(cty, m)] = revised

    # --- server -------------------------------------------------------------------------------------------

    def start(self) -> FakeCensus:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake._handle(self)

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeCensus:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        if url.path in self.static:
            return _send(handler, 200, self.static[url.path], "text/plain")
        if not url.path.startswith(API_PREFIX + "/") or not url.path.endswith("/hs"):
            return _send(handler, 404, b"not found", "text/plain")
        flow = url.path[len(API_PREFIX) + 1 :].split("/")[0]
        pairs = parse_qsl(url.query, keep_blank_values=True)
        key = next((v for k, v in pairs if k == "key"), None)
        params = tuple((k, v) for k, v in pairs if k != "key")
        with self._lock:
            seen = Seen(flow, params, key == self.key, len(self.seen))
            self.seen.append(seen)
            fault = next((f for f in self.faults if f.hits < f.times and f.match(seen)), None)
            if fault is not None:
                fault.hits += 1
        if self.latency:
            time.sleep(self.latency)
        if not seen.key_ok:
            return _send(handler, 200, HTML_KEY_PAGE.encode(), "text/html")
        if fault is not None and fault.kind not in ("short_row", "duplicate_row"):
            return _fault(handler, fault)
        if flow not in self.data:
            return _send(handler, 400, f"error: unknown dataset {flow}".encode(), "text/plain")
        if seen.cty is not None and self.too_large.__contains__((flow, seen.cty)) and seen.chapter is None:
            time.sleep(0.01)
            return _send(handler, 500, b"There was an error while running your query.", "text/plain")
        try:
            payload = self._answer(flow, seen)
        except ValueError as error:
            return _send(handler, 400, f"error: {error}".encode(), "text/plain")
        if payload is None:
            return _send(handler, 204, b"", None)
        if fault is not None and fault.kind == "short_row":  # one data row loses its last column
            payload[-1] = payload[-1][:-1]
        elif fault is not None:  # duplicate_row: every data row served twice (all-zero rows are dropped unread)
            payload.extend(payload[1:])
        _send(handler, 200, json.dumps(payload).encode(), "application/json;charset=utf-8")

    def _answer(self, flow: str, seen: Seen) -> list[list[str | None]] | None:
        variables = (seen.param("get") or "").split(",")
        if not variables or "" in variables:
            raise ValueError("unknown variable ''")
        if seen.time is None:
            raise ValueError("missing time predicate")
        months = _months_of(seen.time)
        cty = seen.cty
        prefix = (seen.chapter or "").rstrip("*")
        level = seen.comm_lvl or self.level
        keys: list[tuple[str, str]] = []
        for month in months:
            if month > self.published_through:
                continue
            if cty is None:
                keys += [k for k in self.data[flow] if k[1] == month]
            else:
                keys.append((cty, month))
                if self.echo_world_total and cty != "-":
                    keys.append(("-", month))
        rows = [r for k in keys for r in self.data[flow].get(k, []) if r.code.startswith(prefix)]
        if level != self.level:
            rows = _aggregate(rows, int(level[2:]), flow)
        if not rows or not any(r.cty == cty or cty is None for r in rows):
            return None
        echoed = [k for k, _ in seen.params if k != "get"]
        header: list[str | None] = [*variables, *echoed]
        out: list[list[str | None]] = [header]
        for row in rows:
            line = [_value(row, name, flow, level) for name in variables]
            line += [_value(row, name, flow, level) if name != "SUMMARY_LVL" else "DET" for name in echoed]
            out.append(line)
        return out


def _value(row: Row, name: str, flow: str, level: str) -> str | None:
    if name == COMMODITY[flow]:
        return row.code
    if name.endswith("_SDESC") or name.endswith("_LDESC"):
        return row.sdesc
    if name == "CTY_CODE":
        return row.cty
    if name == "CTY_NAME":
        return COUNTRY_NAMES.get(row.cty, f"COUNTRY {row.cty}")
    if name == "time":
        return row.month
    if name == "YEAR":
        return row.month[:4]
    if name == "MONTH":
        return row.month[5:]
    if name == "COMM_LVL":
        return level
    if name.startswith("UNIT_QY"):
        return "NO" if row.values.get(NUMBERS[flow][-2]) not in (None, "0") else "X"
    if name in NUMBERS[flow]:
        return row.values.get(name)
    return None


def _aggregate(rows: list[Row], digits: int, flow: str) -> list[Row]:
    sums: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for name, value in row.values.items():
            sums[(row.cty, row.month, row.code[:digits])][name] += int(value or 0)
    return [
        Row(code, month, cty, f"CHAPTER {code}", {n: str(v) for n, v in vals.items()})
        for (cty, month, code), vals in sums.items()
    ]


def _months_of(text: str) -> list[str]:
    text = text.strip()
    if text.startswith("from "):
        _, first, _, last = text.split()
    elif len(text) == 4:
        first, last = f"{text}-01", f"{text}-12"
    else:
        first = last = text
    start = int(first[:4]) * 12 + int(first[5:]) - 1
    end = int(last[:4]) * 12 + int(last[5:]) - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, end + 1)]


def _random_values(rng: random.Random, flow: str) -> dict[str, str | None]:
    zero = rng.random() < 0.1  # a row that exists only for its year-to-date value
    names = NUMBERS[flow]
    values: dict[str, str | None] = {}
    for name in names:
        if zero:
            values[name] = "0"
        elif "QY" in name or "QTY" in name:
            values[name] = None if rng.random() < 0.2 else str(rng.randint(0, 10_000))
        else:
            values[name] = str(rng.randint(1, 5_000_000))
    return values


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str | None,
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> None:
    try:
        handler.send_response(status)
        if content_type:
            handler.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if status != 204:
            handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        if body:
            handler.wfile.write(body)
        handler.wfile.flush()
    except (BrokenPipeError, ConnectionResetError):
        pass


def _fault(handler: BaseHTTPRequestHandler, fault: Fault) -> None:
    if fault.kind == "status":
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
        return _send(handler, fault.status, fault.body.encode(), "text/plain", headers)
    if fault.kind == "html":
        return _send(handler, 200, HTML_KEY_PAGE.encode(), "text/html")
    if fault.kind == "empty":
        return _send(handler, 204, b"", None)
    if fault.kind == "timeout":
        time.sleep(fault.sleep)
        return _send(handler, 503, b"late", "text/plain")
    if fault.kind == "truncated":  # a complete HTTP message whose JSON stops half-way
        return _send(handler, 200, b'[["CTY_CODE","CON_VAL_MO"],["5700","12', "application/json")
    if fault.kind == "malformed":
        return _send(handler, 200, b'{"error": "not the array form"}', "application/json")
    if fault.kind == "drop":  # promise more bytes than sent, then close the connection
        _send(handler, 200, b'[["CTY_CODE"],["57', "application/json", length=10_000)
        handler.close_connection = True
        return None
    raise ValueError(f"unknown fault kind {fault.kind}")


# --- helpers shared by the census tests and the benchmark -----------------------------------------------------

TEST_KEY = "f4k3c3n5u5k3y0000000000000000000000000abc"  # 40+ chars like a real key; must never be stored


def census_config(fake: FakeCensus, db_path: Path, **overrides: object):
    """A CensusIngestConfig pointed at `fake`, fast (no pacing, millisecond backoff), no progress bar."""
    from datetime import date

    from ingestion.census import CensusIngestConfig
    from ingestion.retry import RetryPolicy

    settings: dict[str, object] = {
        "db_path": db_path,
        "start": 2024 * 12,
        "end": None,
        "countries": ("5700", "1220", "1010", "7770", "-"),
        "monthly_codes": frozenset({"5700", "-"}),
        "base_url": fake.base_url,
        "max_rps": 10_000.0,
        "timeout": 5.0,
        "retry": RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.01, max_retry_after=0.05),
        "today": date(2025, 4, 10),
        "progress": False,
        "concurrency": 3,
    }
    settings.update(overrides)
    return CensusIngestConfig(**settings)  # type: ignore[arg-type]


def loaded_sums(db_path: Path, flow: str, detail_only: bool = True) -> dict[str, int]:
    """month -> loaded sum of the flow's main value (country detail unless told)."""
    import duckdb

    value = VALUE[flow].lower()
    where = "where cty_code <> '-'" if detail_only else ""
    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(f"select time, sum({value}) from raw.census_{flow} {where} group by time").fetchall()
    return {month: int(total) for month, total in rows}
