"""The HS10 relevance classifier: batched structured-output requests to any OpenAI-compatible endpoint.

A run takes the codes to classify, answers the ones the cache holds without a request, sends the rest in batches
of `batch_size` codes (`concurrency` requests in flight), validates every answer with pydantic, matches answers
back by code, retries codes a batch answer missed, duplicated or got wrong alone, and commits each finished batch
to `raw.label_cache` before the next, so a killed run resumes where it stopped. The labels are then published to
`raw.hs10_labels` as label_source `classifier:<model>:<prompt_version>`.

Default batch size (25) was chosen by measurement (`bench/classifier.py --sweep`, 19,424 codes): prompt
characters per code (system prompt + JSON schema shared by the batch, plus ~110 characters per code) fall from
4,410 at one code per request to 348 at 20, 306 at 25, 242 at 40 and 220 at 50. 20 codes per request just misses
the request budget of codes / 20 (972 requests for 19,424 codes, budget 971) before any retry; 25 leaves room for
retries (777 requests) and already sends 1/14 of the baseline's prompt characters, while going to 50 would save
only 28% more but double the output per answer (~6,500 tokens, near the output cap of many local models) and
the codes a bad answer puts back in the retry queue. Concurrency 8 keeps 777 one-second requests under 2 min.
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import openai
from tqdm import tqdm

from ingestion import classifier_cache as cache
from ingestion import warehouse
from ingestion.classifier_prompt import (
    CHARS_PER_TOKEN,
    EST_COMPLETION_TOKENS_PER_CODE,
    AnswerError,
    Classification,
    CodeItem,
    Prompt,
    load_prompt,
    parse_answer,
    request_chars,
    response_format,
)
from ingestion.errors import UserError
from ingestion.locations import url_without_secrets
from ingestion.retry import RetryPolicy
from ingestion.secrets import Redactor

log = logging.getLogger(__name__)

DEFAULT_MODEL = "gpt-4.1-mini"
DEFAULT_BATCH_SIZE = 25
DEFAULT_CONCURRENCY = 8
PRICES_FILE = Path(__file__).resolve().parent / "model_prices.toml"
_RETRYABLE_STATUS = {408, 409, 429}
_NO_KEY = "no-key"  # sent as the bearer token to a local server when OPENAI_API_KEY is unset


@dataclass(frozen=True)
class ClassifierSettings:
    flow: str
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    batch_size: int = DEFAULT_BATCH_SIZE
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = 120.0
    temperature: float | None = 0.0
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_retries=3, max_delay=30.0))
    # between retries; None waits on the classifier's stop signal, so an interrupt ends the wait (tests pass a fake)
    sleep: Callable[[float], object] | None = field(default=None, repr=False)
    publish_every_s: float = 60.0

    @property
    def endpoint(self) -> str:
        """The base URL without credentials or query (safe to print and store)."""
        if not self.base_url:
            return "https://api.openai.com/v1 (default)"
        return url_without_secrets(self.base_url)


@dataclass
class Outcome:
    """What classifying some codes produced (summed over a run)."""

    answers: list[tuple[CodeItem, Classification]] = field(default_factory=list)
    failures: list[tuple[CodeItem, str]] = field(default_factory=list)
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    prompt_chars: int = 0
    retried_alone: int = 0
    invented: int = 0

    def add_counts(self, other: Outcome) -> None:
        for name in ("requests", "prompt_tokens", "completion_tokens", "prompt_chars", "retried_alone", "invented"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


class _GaveUp(Exception):
    """Retries exhausted for a request or an answer; the message is the reason recorded."""


def _retry_after(error: openai.APIStatusError) -> str | None:
    return error.response.headers.get("retry-after") if error.response is not None else None


class Classifier:
    """Sends requests and turns answers into validated classifications; safe to call from several threads."""

    def __init__(self, settings: ClassifierSettings, prompt: Prompt | None = None) -> None:
        self.settings = settings
        self.prompt = prompt or load_prompt()
        self.client = openai.OpenAI(
            api_key=settings.api_key or _NO_KEY,
            base_url=settings.base_url or None,
            max_retries=0,
            timeout=settings.timeout,
        )
        self._temperature = settings.temperature
        self._stopped = threading.Event()
        self.redact = Redactor(settings.api_key or "")

    def stop(self) -> None:
        """No request or retry starts after this (Ctrl-C: their answers would be dropped, and they cost money). A
        request already in flight is not cut short: closing the client does not wake a thread blocked on its read,
        so the CLI exits without waiting for it (`ingestion/cli.py`)."""
        self._stopped.set()
        self.client.close()

    def classify(self, items: list[CodeItem]) -> Outcome:
        """Classify a batch: answers matched by code; codes the batch answer got wrong are retried alone."""
        out = Outcome()
        try:
            accepted, alone = self._group(items, out)
        except _GaveUp as error:
            out.failures.extend((item, str(error)) for item in items)
            return out
        by_code = {item.hs10: item for item in items}
        out.answers.extend((by_code[code], answer) for code, answer in accepted.items())
        for code, why in alone.items():
            out.retried_alone += 1
            try:
                single, _ = self._group([by_code[code]], out)
                out.answers.append((by_code[code], single[code]))
            except _GaveUp as error:
                out.failures.append((by_code[code], f"in batch: {why}; alone: {error}"))
        return out

    def _group(self, items: list[CodeItem], out: Outcome) -> tuple[dict[str, Classification], dict[str, str]]:
        """One batch (or one code) with content retries: (accepted answers, codes to retry alone with why)."""
        wanted = {item.hs10 for item in items}
        reason = "no answer"
        for _attempt in range(self.settings.retry.attempts):
            content = self._request(items, out)
            try:
                entries, rejected = parse_answer(content)
            except AnswerError as error:
                reason = str(error)
                continue
            named = Counter([e.hs10_code for e in entries] + [code for code, _ in rejected if code])
            out.invented += sum(1 for code in named if code not in wanted)
            problems = {code: why for code, why in rejected if code in wanted}
            for code in wanted:
                if named[code] > 1:
                    problems[code] = f"code answered {named[code]} times"
                elif named[code] == 0:
                    problems[code] = "code missing from the answer"
            accepted = {e.hs10_code: e for e in entries if e.hs10_code in wanted and e.hs10_code not in problems}
            if len(items) > 1 or not problems:
                return accepted, problems
            reason = next(iter(problems.values()))
        if len(items) > 1:
            return {}, {item.hs10: f"{reason} (after {self.settings.retry.attempts} attempts)" for item in items}
        raise _GaveUp(f"{reason} (after {self.settings.retry.attempts} attempts)")

    def _request(self, items: list[CodeItem], out: Outcome) -> str | None:
        """One chat completion with bounded retries on 429/5xx/timeouts/connection errors."""
        policy = self.settings.retry
        messages = self.prompt.messages(items)
        chars = request_chars(self.prompt, items)
        retries = 0
        while True:
            if self._stopped.is_set():
                raise _GaveUp("stopped (interrupted)")
            out.requests += 1
            out.prompt_chars += chars
            extra = {} if self._temperature is None else {"temperature": self._temperature}
            try:
                response = self.client.chat.completions.create(
                    model=self.settings.model,
                    messages=messages,
                    response_format=response_format(),
                    **extra,
                )
            except openai.APIStatusError as error:
                status = error.status_code
                if status == 400 and self._temperature is not None and "temperature" in str(error.message):
                    # Reasoning models accept only their default temperature: drop ours and resend at once (not a
                    # failed attempt, and it happens once).
                    log.info("the model rejects temperature=%s; using its default", self._temperature)
                    self._temperature = None
                    continue
                if status not in _RETRYABLE_STATUS and status < 500:
                    raise UserError(
                        f"the endpoint {self.settings.endpoint} rejected the request with HTTP {status}: "
                        f"{self.redact(error.message)[:300]} "
                        "(check OPENAI_API_KEY, --base-url and --model)"
                    ) from None
                reason = f"HTTP {status}"
                wait_s = policy.delay(retries, _retry_after(error))
            except (openai.APITimeoutError, openai.APIConnectionError) as error:
                reason = "timeout" if isinstance(error, openai.APITimeoutError) else "connection error"
                wait_s = policy.delay(retries)
            except (json.JSONDecodeError, openai.APIResponseValidationError):  # HTTP 200, not the API's JSON (a proxy)
                reason = "a reply that is not the API's JSON"
                wait_s = policy.delay(retries)
            else:
                usage = getattr(response, "usage", None)
                content = response.choices[0].message.content if response.choices else None
                if usage is not None and usage.prompt_tokens is not None:
                    out.prompt_tokens += usage.prompt_tokens
                    out.completion_tokens += usage.completion_tokens or 0
                else:
                    out.prompt_tokens += chars // CHARS_PER_TOKEN
                    out.completion_tokens += len(content or "") // CHARS_PER_TOKEN
                return content
            if retries == policy.max_retries:
                raise _GaveUp(f"{reason} (after {policy.attempts} attempts)")
            retries += 1
            log.debug("request failed (%s); retrying in %.2fs", reason, wait_s)
            sleep = self._stopped.wait if self.settings.sleep is None else self.settings.sleep
            sleep(wait_s)


# --- prices -----------------------------------------------------------------------------------------------------


def model_price(model: str, prices_file: Path = PRICES_FILE) -> tuple[float, float] | None:
    """(input, output) USD per million tokens for the model: exact name, else the longest listed prefix."""
    prices = tomllib.loads(prices_file.read_text())["models"]
    if model in prices:
        entry = prices[model]
    else:
        prefixes = sorted((name for name in prices if model.startswith(name)), key=len, reverse=True)
        if not prefixes:
            return None
        entry = prices[prefixes[0]]
    return float(entry["input"]), float(entry["output"])


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    price = model_price(model)
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000


def _money(cost: float | None, model: str) -> str:
    return f"${cost:,.2f}" if cost is not None else f"unknown (add {model!r} to ingestion/model_prices.toml)"


# --- runs -------------------------------------------------------------------------------------------------------


@dataclass
class RunSummary:
    run_id: str
    label_source: str
    codes: int
    cache_hits: int
    to_send: int
    outcome: Outcome
    published: int = 0
    dry_run: bool = False


def _batches(items: list[CodeItem], size: int) -> Iterator[list[CodeItem]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_requests(prompt: Prompt, items: list[CodeItem], batch_size: int) -> tuple[int, int, int]:
    """(requests, estimated prompt tokens, estimated completion tokens) to classify `items` without retries."""
    requests = prompt_chars = 0
    for batch in _batches(items, batch_size):
        requests += 1
        prompt_chars += request_chars(prompt, batch)
    return requests, prompt_chars // CHARS_PER_TOKEN, len(items) * EST_COMPLETION_TOKENS_PER_CODE


def run_classification(
    con: duckdb.DuckDBPyConnection,
    items: list[CodeItem],
    settings: ClassifierSettings,
    *,
    dry_run: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    prompt: Prompt | None = None,
) -> RunSummary:
    """Classify `items` (cache first), commit per batch, publish the labels; see the module docstring."""
    prompt = prompt or load_prompt()
    if settings.batch_size < 1 or settings.concurrency < 1:
        raise UserError("--batch-size and --concurrency must be at least 1")
    cache.ensure_classifier_tables(con)
    stale = cache.check_prompt_unchanged(con, prompt.version, prompt.sha256)
    if stale:
        raise UserError(
            f"the prompt file changed but its version {prompt.version!r} did not: the cache holds answers to "
            "another text under this version. Bump the version on the first line of ingestion/prompts/"
            "hs10_relevance.md."
        )
    items = sorted({item.hs10: item for item in items}.values(), key=lambda item: item.hs10)
    hits = cache.cached_codes(con, settings.flow, items, prompt.version, settings.model)
    todo = [item for item in items if item.hs10 not in hits]
    source = cache.label_source_for(settings.model, prompt.version)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    summary = RunSummary(run_id, source, len(items), len(hits), len(todo), Outcome(), dry_run=dry_run)
    requests, est_in, est_out = plan_requests(prompt, todo, settings.batch_size)
    echo(
        f"{settings.flow}: {len(items):,} codes, {len(hits):,} answered by the cache, {len(todo):,} to classify "
        f"with {settings.model} (prompt {prompt.version}) at {settings.endpoint}: {requests:,} requests of up to "
        f"{settings.batch_size} codes, ~{est_in:,} prompt + ~{est_out:,} completion tokens, estimated cost "
        f"{_money(estimate_cost(settings.model, est_in, est_out), settings.model)}"
    )
    if dry_run:
        return summary
    abandoned = cache.close_abandoned_runs(con)
    if abandoned:
        echo(f"{abandoned:,} earlier run(s) never finished (killed); marked 'abandoned' in raw.label_runs")
    _insert_run(con, summary, settings, prompt)
    status = "failed"
    try:
        if todo:
            _classify_all(con, todo, items, settings, prompt, summary, progress)
        status = "finished"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        summary.published = cache.publish_labels(con, settings.flow, prompt.version, settings.model, items)
        _finish_run(con, summary, settings, status)
    out = summary.outcome
    cost = estimate_cost(settings.model, out.prompt_tokens, out.completion_tokens)
    echo(
        f"classified {len(out.answers):,} codes in {out.requests:,} requests ({out.retried_alone:,} codes retried "
        f"alone); {len(out.failures):,} failed; {out.prompt_tokens:,} prompt + {out.completion_tokens:,} "
        f"completion tokens, estimated cost {_money(cost, settings.model)}; {summary.published:,} labels in "
        f"raw.hs10_labels as {source!r}"
    )
    if out.failures:
        reasons = Counter(reason.split("alone: ")[-1].split(" (after")[0] for _, reason in out.failures)
        echo(
            f"{len(out.failures):,} codes failed (kept in raw.label_failures, run {run_id}); rerun to retry them. "
            f"Reasons: {dict(reasons.most_common(5))}"
        )
    return summary


def _classify_all(
    con: duckdb.DuckDBPyConnection,
    todo: list[CodeItem],
    items: list[CodeItem],
    settings: ClassifierSettings,
    prompt: Prompt,
    summary: RunSummary,
    progress: bool,
) -> None:
    classifier = Classifier(settings, prompt)
    batches = iter(_batches(todo, settings.batch_size))
    last_publish = time.monotonic()
    bar = tqdm(total=len(todo), unit="code", desc=f"classify {settings.flow}", disable=not progress)
    executor = ThreadPoolExecutor(max_workers=settings.concurrency)
    running: dict[Future[Outcome], list[CodeItem]] = {}
    # Ctrl-C sets a flag that the loop turns into KeyboardInterrupt at a point where it holds no lock: raised
    # wherever the signal lands (inside concurrent.futures' or tqdm's locks), it could leave a lock held for good.
    interrupted = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGINT, lambda *_: interrupted.set()) if in_main_thread else None
    try:
        # Keep at most 2 x concurrency batches queued so an interrupt abandons little work.
        while True:
            while len(running) < 2 * settings.concurrency:
                batch = next(batches, None)
                if batch is None:
                    break
                running[executor.submit(classifier.classify, batch)] = batch
            if not running:
                break
            done, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            if interrupted.is_set():
                raise KeyboardInterrupt
            for future in done:
                batch = running.pop(future)
                outcome = future.result()
                cache.store_answers(
                    con,
                    settings.flow,
                    outcome.answers,
                    prompt.version,
                    prompt.sha256,
                    settings.model,
                    summary.run_id,
                )
                cache.store_failures(
                    con,
                    settings.flow,
                    [(item, classifier.redact(reason)) for item, reason in outcome.failures],
                    prompt.version,
                    settings.model,
                    summary.run_id,
                )
                summary.outcome.answers.extend(outcome.answers)
                summary.outcome.failures.extend(outcome.failures)
                summary.outcome.add_counts(outcome)
                bar.update(len(batch))
            if time.monotonic() - last_publish > settings.publish_every_s:
                cache.publish_labels(con, settings.flow, prompt.version, settings.model, items)
                last_publish = time.monotonic()
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGINT, previous_handler)
        classifier.stop()  # an interrupt or error: no request or retry starts; queued batches end at once
        executor.shutdown(wait=False)
        bar.close()


def _insert_run(
    con: duckdb.DuckDBPyConnection, summary: RunSummary, settings: ClassifierSettings, prompt: Prompt
) -> None:
    con.execute(
        """
        insert into raw.label_runs (run_id, flow, model, prompt_version, label_source, endpoint, batch_size,
            concurrency, codes, cache_hits, started_at, status)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running')
        """,
        [
            summary.run_id,
            settings.flow,
            settings.model,
            prompt.version,
            summary.label_source,
            settings.endpoint,
            settings.batch_size,
            settings.concurrency,
            summary.codes,
            summary.cache_hits,
            warehouse.utc_now(),
        ],
    )


def _finish_run(con: duckdb.DuckDBPyConnection, summary: RunSummary, settings: ClassifierSettings, status: str) -> None:
    out = summary.outcome
    con.execute(
        """
        update raw.label_runs set classified = ?, failed = ?, requests = ?, prompt_tokens = ?,
            completion_tokens = ?, estimated_cost_usd = ?, finished_at = ?, status = ?
        where run_id = ?
        """,
        [
            len(out.answers),
            len(out.failures),
            out.requests,
            out.prompt_tokens,
            out.completion_tokens,
            estimate_cost(settings.model, out.prompt_tokens, out.completion_tokens),
            warehouse.utc_now(),
            status,
            summary.run_id,
        ],
    )
