"""Benchmark of the Census ingestion (issue 3), against a local fake Census server in a separate process.

1. Throughput: 12 months of full-size imports (~150k HS10 x country rows a month: 30 large partners and the world
   total per month, 200 small partners per year) with no latency; rows parsed and loaded per second and the peak
   RSS of the ingesting process. Also the parse-only rate (JSON -> Arrow) to show where the time goes.
2. Pacing: with 200 ms latency per request and the default concurrency, requests per second achieved against the
   configured limit (the default 2/s and a higher one).

    .venv/bin/python bench/census_load.py            # full size
    .venv/bin/python bench/census_load.py --scale 0.05 --pacing-requests 10   # a smoke run

Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingestion.census_plan import LARGE_PARTNERS, WORLD_TOTAL  # noqa: E402

KEY = "bench0key0000000000000000000000000000000"
SMALL_PARTNERS = tuple(f"{7000 + i:04d}" for i in range(200))
LARGE_ROWS, SMALL_ROWS, WORLD_ROWS = 3300, 250, 20_000  # per month: 30*3300 + 200*250 = 149k detail rows
POOL = tuple(f"{(i * 7919) % 97 + 1:02d}{i:08d}" for i in range(40_000))


def _months(time_value: str) -> list[str]:
    if time_value.startswith("from "):
        _, first, _, last = time_value.split()
    elif len(time_value) == 4:
        first, last = f"{time_value}-01", f"{time_value}-12"
    else:
        first = last = time_value
    a = int(first[:4]) * 12 + int(first[5:]) - 1
    b = int(last[:4]) * 12 + int(last[5:]) - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(a, b + 1)]


def _payload(params: list[tuple[str, str]], scale: float) -> bytes | None:
    q = dict(params)
    variables = q["get"].split(",")
    if q.get("COMM_LVL") == "HS2":  # the 'latest month' probe
        return json.dumps([variables, ["-", "1"]]).encode()
    cty = q["CTY_CODE"]
    per_month = WORLD_ROWS if cty == WORLD_TOTAL else LARGE_ROWS if cty in LARGE_PARTNERS else SMALL_ROWS
    per_month = max(1, int(per_month * scale))
    echoed = [k for k, _ in params if k != "get"]
    rows: list[list[str | None]] = [[*variables, *echoed]]
    offset = (int(cty) if cty.isdigit() else 0) * 37 % (len(POOL) - per_month)
    for month in _months(q["time"]):
        m = int(month[5:])
        for i in range(per_month):
            code = POOL[offset + i]
            zero = (i + m) % 10 == 0
            value = "0" if zero else str((i * 7 + m * 13) % 5_000_000 + 1)
            row_values = {
                "I_COMMODITY": code,
                "I_COMMODITY_SDESC": "GOODS",
                "CTY_CODE": cty,
                "CTY_NAME": "COUNTRY",
                "CON_VAL_MO": value,
                "GEN_VAL_MO": value,
                "CAL_DUT_MO": "0" if zero else str(i % 977),
                "DUT_VAL_MO": value,
                "CON_QY1_MO": None if i % 5 == 0 else str(i),
                "CON_QY2_MO": None,
                "UNIT_QY1": "NO",
                "UNIT_QY2": None,
                "YEAR": month[:4],
                "MONTH": month[5:],
                "time": month,
                "COMM_LVL": "HS10",
                "SUMMARY_LVL": "DET",
            }
            rows.append([row_values.get(v) for v in variables] + [row_values.get(e) for e in echoed])
    return json.dumps(rows).encode()


def serve(port_file: Path, latency: float, scale: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if latency:
                time.sleep(latency)
            params = [(k, v) for k, v in parse_qsl(urlsplit(self.path).query) if k != "key"]
            body = _payload(params, scale)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


class Server:
    def __init__(self, latency: float, scale: float) -> None:
        self._dir = tempfile.TemporaryDirectory()
        port_file = Path(self._dir.name) / "port"
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port_file), "--latency", str(latency), "--scale", str(scale)]
        )
        for _ in range(500):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.01)
        self.base_url = f"http://127.0.0.1:{port_file.read_text()}/data/timeseries/intltrade"

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self._dir.cleanup()


def _config(db_path: Path, base_url: str, **kw: object):
    from datetime import date

    from ingestion.census import CensusIngestConfig
    from ingestion.retry import RetryPolicy

    settings: dict[str, object] = dict(
        db_path=db_path,
        flows=("imports",),
        start=2024 * 12,
        end=2024 * 12 + 11,
        countries=(*sorted(LARGE_PARTNERS), *SMALL_PARTNERS, WORLD_TOTAL),
        base_url=base_url,
        today=date(2025, 6, 1),
        progress=False,
        retry=RetryPolicy(max_retries=2, base_delay=0.1),
    )
    settings.update(kw)
    return CensusIngestConfig(**settings)  # type: ignore[arg-type]


def throughput(scale: float, concurrency: int) -> dict[str, float]:
    from ingestion.census import run_census_ingest

    server = Server(latency=0.0, scale=scale)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = _config(Path(tmp) / "bench.duckdb", server.base_url, concurrency=concurrency, max_rps=10_000)
            started = time.perf_counter()
            summary = run_census_ingest(config, KEY)
            seconds = time.perf_counter() - started
            requests = summary.client_counts.get("requests", 0)
    finally:
        server.close()
    return {  # counted on the rows stored: the all-zero rows the fake also serves are parsed, then dropped
        "requests": requests,
        "rows_loaded": summary.rows,
        "seconds": seconds,
        "rows_per_second": summary.rows / seconds,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 10**6,  # KiB on Linux; decimal MB
        "failures": len(summary.failures),
    }


def parse_only(scale: float) -> dict[str, float]:
    from ingestion.census_client import decode_census_json
    from ingestion.census_parse import parse_payload
    from ingestion.census_plan import PlannedRequest

    request = PlannedRequest("imports", "2024-05", "5700", "2024-05", ("2024-05",))
    body = _payload(request.params(), max(scale, 1.0) * 3)  # ~10k rows: China for a month
    started = time.perf_counter()
    rows = 0
    for _ in range(20):
        rows += parse_payload(decode_census_json(body), request).table.num_rows
    seconds = time.perf_counter() - started
    return {"rows": rows, "rows_per_second": rows / seconds, "mb_per_second": 20 * len(body) / seconds / 1e6}


def pacing(max_rps: float, requests: int, concurrency: int) -> dict[str, float]:
    from ingestion.census_client import CensusClient
    from ingestion.retry import RetryPolicy

    server = Server(latency=0.2, scale=0.001)
    try:
        with CensusClient(server.base_url, KEY, max_rps=max_rps, retry=RetryPolicy(max_retries=0)) as client:
            params = [("get", "CTY_CODE,CON_VAL_MO"), ("COMM_LVL", "HS2"), ("CTY_CODE", "-"), ("time", "2024-01")]
            client.get("imports/hs", params, len)  # warm the connection pool
            started = time.perf_counter()
            threads = [
                threading.Thread(
                    target=lambda: [client.get("imports/hs", params, len) for _ in range(requests // concurrency)]
                )
                for _ in range(concurrency)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            seconds = time.perf_counter() - started
    finally:
        server.close()
    done = (requests // concurrency) * concurrency
    return {"limit_rps": max_rps, "concurrency": concurrency, "requests": done, "achieved_rps": done / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of full-size rows (default 1)")
    parser.add_argument("--concurrency", type=int, default=4, help="client concurrency (default 4, the CLI's)")
    parser.add_argument("--pacing-requests", type=int, default=40, help="requests per pacing measurement")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.latency, args.scale)
        return

    parsed = parse_only(args.scale)
    print(
        f"parse only (JSON -> Arrow, one ~10k-row response x20): {parsed['rows_per_second']:,.0f} rows/s, "
        f"{parsed['mb_per_second']:.0f} MB/s of JSON"
    )
    result = throughput(args.scale, args.concurrency)
    print(
        f"12 months of imports at scale {args.scale}: {result['requests']:.0f} requests, "
        f"{result['rows_loaded']:,} rows loaded in {result['seconds']:.1f} s "
        f"-> {result['rows_per_second']:,.0f} rows/s fetched, parsed and loaded; "
        f"peak RSS {result['peak_rss_mb']:.0f} MB; "
        f"failures {result['failures']}"
    )
    for limit in (2.0, 10.0):
        paced = pacing(
            limit, args.pacing_requests if limit > 2 else max(args.pacing_requests // 4, 4), args.concurrency
        )
        print(
            f"200 ms latency, concurrency {paced['concurrency']}, limit {paced['limit_rps']:.0f}/s: "
            f"{paced['achieved_rps']:.2f} requests/s achieved over {paced['requests']:.0f} requests"
        )


if __name__ == "__main__":
    main()
