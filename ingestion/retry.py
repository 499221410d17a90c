"""How the HTTP clients (the Census API, the label classifier) retry: a bounded number of retries, exponential
backoff with jitter, and a server's Retry-After honoured up to a cap."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 5
    base_delay: float = 1.0  # seconds; retry n (from 0) waits base * 2**n (+ up to 25% jitter), capped at max_delay
    max_delay: float = 60.0
    max_retry_after: float = 300.0  # cap on a server-sent Retry-After

    @property
    def attempts(self) -> int:
        return self.max_retries + 1

    def delay(self, retry: int, retry_after: str | float | None = None) -> float:
        """Seconds to wait before retry number `retry` (0 for the first): the server's Retry-After in seconds
        when it sent one, else the backoff."""
        if retry_after is not None and retry_after != "":
            try:
                seconds = float(retry_after)
            except ValueError:
                seconds = math.nan  # an HTTP date: fall back to our own backoff
            if math.isfinite(seconds):  # 'nan' and 'inf' parse as floats too
                return min(max(seconds, 0.0), self.max_retry_after)
        backoff = min(self.base_delay * (2**retry), self.max_delay)
        return backoff * (1 + 0.25 * random.random())
