"""HTTP client for the Census International Trade API: pacing, retries and every documented failure mode.

| Census answer | what the client does |
|---|---|
| 200 + JSON array of arrays | parsed by the caller's `parse` callback (a malformed body raises `MalformedResponse`) |
| 204, empty body | `None`: no data (or a month not yet published); the caller records an empty partition |
| 200 + HTML page | `KeyRejectedError` (a `UserError`: exit 2), never retried |
| 400 | `BadRequestError` naming the request, never retried |
| 429 / 503 | exponential backoff, honouring `Retry-After`, at most `max_retries` retries |
| 500 / 502 / 504 / timeout | the same backoff; after `SPLIT_AFTER_SIZE_FAILURES` of them a splittable one is split |
| truncated / malformed JSON, dropped connection | retried, then `FetchFailedError` |

The key is added to the query here and nowhere else; every message is scrubbed by a `Redactor`, and httpx
exceptions (whose text and traceback carry the URL) are never chained into ours.
"""

from __future__ import annotations

import codecs
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ingestion.errors import UserError
from ingestion.retry import RetryPolicy
from ingestion.secrets import CENSUS_KEY_ENV, CENSUS_KEY_SIGNUP, Redactor, quiet_http_logging

log = logging.getLogger(__name__)
T = TypeVar("T")

_THROTTLE = frozenset({429, 503})
_SERVER_SIZE = frozenset({500, 502, 504})
SPLIT_AFTER_SIZE_FAILURES = 2  # size-like failures (500/502/504/timeout) before a splittable request is split


class CensusError(Exception):
    """Base of the client's errors; messages are already scrubbed of the key."""


class KeyRejectedError(UserError):
    """Census answered with its HTML 'Missing/Invalid Key' page."""


class BadRequestError(UserError):
    """HTTP 400: the request itself is wrong (unknown variable, bad time); retrying cannot help."""


class FetchFailedError(CensusError):
    """The request kept failing (5xx, 429, timeouts, bad JSON) after the allowed retries."""


class TooLargeError(CensusError):
    """Census failed on the size of the request (5xx or timeout); split it by chapter."""


class MalformedResponse(Exception):
    """Raised by a parse callback for a body that is not the Census array-of-arrays form (retried)."""


class RateLimiter:
    """At most `per_second` request starts per second across threads (evenly spaced slots)."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep) -> None:
        if per_second <= 0:
            raise UserError(f"the request rate limit must be positive, got {per_second}")
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()
        self._sleep = sleep

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


class ClientStats:
    """Thread-safe counters for the end-of-run summary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self.counts[name] += n

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


def decode_census_json(body: bytes) -> list[list[Any]]:
    """The Census body as a list of rows (row 0 the header); `MalformedResponse` for anything else."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedResponse(f"invalid JSON ({type(error).__name__} at {len(body)} bytes)") from None
    if not isinstance(payload, list) or not payload or not all(isinstance(r, list) for r in payload):
        raise MalformedResponse("JSON is not an array of arrays with a header row")
    return payload


class CensusClient:
    """One httpx connection pool to `base_url` (e.g. https://api.census.gov/data/timeseries/intltrade)."""

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = 120.0,
        max_rps: float = 2.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pool_size: int = 8,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._key = key
        self.redact = Redactor(key)
        self.retry = retry or RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._limiter = RateLimiter(max_rps, sleep)
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 30.0)),
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            headers={"User-Agent": "aitrade-census-ingest/0.1"},
            follow_redirects=True,
        )
        self._quiet = quiet_http_logging(self.redact)
        self._quiet.__enter__()

    def close(self) -> None:
        self._http.close()
        self._quiet.__exit__(None, None, None)

    def __enter__(self) -> CensusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def describe(self, endpoint: str, params: list[tuple[str, str]]) -> str:
        """A readable request name without host or key, for messages."""
        shown = "&".join(f"{k}={v}" for k, v in params if k != "get")
        return self.redact(f"{endpoint}?{shown}")

    def get(
        self,
        endpoint: str,
        params: list[tuple[str, str]],
        parse: Callable[[list[list[Any]]], T],
        *,
        splittable: bool = False,
    ) -> T | None:
        """GET `base/endpoint?params&key=...`; the parsed payload, or None for a 204 (no data)."""
        url = f"{self._base}/{endpoint}"
        query = [*params, ("key", self._key)]
        name = self.describe(endpoint, params)
        size_failures = 0
        last_problem = "no attempt made"
        for attempt in range(self.retry.max_retries + 1):
            if attempt:
                self.stats.add("retries")
            self._limiter.wait()
            self.stats.add("requests")
            retry_after: str | None = None
            try:
                response = self._http.get(url, params=query)
            except httpx.TimeoutException:
                self.stats.add("timeouts")
                size_failures += 1
                last_problem = "timed out"
            except httpx.HTTPError as error:  # connection refused/reset, body cut off mid-stream
                self.stats.add("network_errors")
                last_problem = f"network error ({type(error).__name__})"
            else:
                status = response.status_code
                retry_after = response.headers.get("Retry-After")
                if status == 204:
                    self.stats.add("empty_204")
                    return None
                if status == 200:
                    body = response.content
                    if body.lstrip()[:1] == b"<":
                        self.stats.add("key_rejected")
                        raise KeyRejectedError(
                            f"Census rejected the API key (it answered {name} with its HTML key page). "
                            f"Check {CENSUS_KEY_ENV}; a new key is free at {CENSUS_KEY_SIGNUP}. Partitions loaded "
                            "before this answer are kept: rerun the same command to resume."
                        )
                    try:
                        return parse(decode_census_json(body))
                    except MalformedResponse as error:
                        self.stats.add("malformed")
                        last_problem = f"malformed response: {self.redact(error)}"
                elif status == 400:
                    self.stats.add("bad_request")
                    text = self.redact(response.text.strip()[:300]) or "(no message)"
                    raise BadRequestError(
                        f"Census answered HTTP 400 to {name}: {text}. This request is not retried; check the "
                        f"variables and --base-url. Partitions loaded so far are kept."
                    )
                elif status in _THROTTLE or status in _SERVER_SIZE:
                    self.stats.add(f"http_{status}")
                    if status in _SERVER_SIZE:
                        size_failures += 1
                    last_problem = f"HTTP {status}"
                else:
                    self.stats.add(f"http_{status}")
                    text = self.redact(response.text.strip()[:200])
                    raise FetchFailedError(f"{name}: unexpected HTTP {status} {text}")
            if splittable and size_failures >= SPLIT_AFTER_SIZE_FAILURES:
                raise TooLargeError(f"{name}: {last_problem} {size_failures} times (too large?)")
            if attempt < self.retry.max_retries:
                delay = self.retry.delay(attempt, retry_after)
                log.debug("retrying %s in %.2fs after %s", name, delay, last_problem)
                self._sleep(delay)
        self.stats.add("failures")
        raise FetchFailedError(f"{name}: {last_problem} after {self.retry.max_retries + 1} attempts")


def decode_census_file(payload: bytes) -> str:
    """A Census reference file's text: UTF-8 when the bytes are valid UTF-8 (a file re-saved by an editor; reading it
    as latin-1 would turn `É` into two characters and shift every later fixed-width field), else latin-1 (the
    Census's own files, e.g. `±` as byte 0xB1). A UTF-8 BOM is dropped, so it cannot hide the first line's code."""
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError:
        return payload.removeprefix(codecs.BOM_UTF8).decode("latin-1")


def fetch_text(
    url: str, *, timeout: float = 60.0, retry: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep
) -> str | None:
    """GET a Census text file (country.txt, imp-code.txt), decoded by `decode_census_file`; None for 404, retries
    429/5xx/timeouts. No key is sent.
    """
    policy = retry or RetryPolicy()
    problem = "no attempt made"
    with httpx.Client(timeout=timeout, follow_redirects=True) as http:
        for attempt in range(policy.max_retries + 1):
            retry_after = None
            try:
                response = http.get(url)
            except httpx.HTTPError as error:
                problem = type(error).__name__
            else:
                if response.status_code == 200:
                    return decode_census_file(response.content)
                if response.status_code == 404:
                    return None
                if response.status_code not in _THROTTLE | _SERVER_SIZE:
                    raise UserError(f"{url} answered HTTP {response.status_code}; check --base-url")
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
            if attempt < policy.max_retries:
                sleep(policy.delay(attempt, retry_after))
    raise UserError(f"could not download {url} ({problem} after {policy.max_retries + 1} attempts); rerun later")
