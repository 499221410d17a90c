"""Secrets (API keys) come only from the environment and never leave this process in clear text.

Every string that may end up in a log line, an exception message, a stored request or a file passes through a
`Redactor` first. httpx logs full request URLs (with the `key=` query parameter) at INFO level, so the loggers of
httpx/httpcore get a scrubbing filter and are raised to WARNING while a client is open.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

from ingestion.errors import UserError

CENSUS_KEY_ENV = "CENSUS_API_KEY"
OPENAI_KEY_ENV = "OPENAI_API_KEY"  # read by the openai client itself
SECRET_ENV_VARIABLES = (CENSUS_KEY_ENV, OPENAI_KEY_ENV)  # never passed to processes that do not need them
CENSUS_KEY_SIGNUP = "https://api.census.gov/data/key_signup.html"
REDACTED = "***"
_KEY_PARAM = re.compile(r"(?i)([?&](?:key|api_key|apikey)=)[^&#\s\"']*")
_NOISY_HTTP_LOGGERS = ("httpx", "httpcore")


def census_api_key(environ: dict[str, str] | None = None) -> str:
    """The Census API key from `CENSUS_API_KEY`; a `UserError` saying how to get one when it is missing."""
    env = os.environ if environ is None else environ
    key = env.get(CENSUS_KEY_ENV, "").strip()
    if not key:
        raise UserError(
            f"{CENSUS_KEY_ENV} is not set. Get a free key at {CENSUS_KEY_SIGNUP}, then "
            f"`export {CENSUS_KEY_ENV}=<your key>` and rerun."
        )
    return key


def openai_api_key(environ: dict[str, str] | None = None) -> str | None:
    """The LLM key from `OPENAI_API_KEY` without surrounding blanks (a trailing newline from `$(cat key.txt)` would
    make every request fail as a "connection error"), or None for endpoints without keys; a key with a blank or
    control character inside is a `UserError`."""
    env = os.environ if environ is None else environ
    key = env.get(OPENAI_KEY_ENV, "").strip()
    if any(char.isspace() or not char.isprintable() for char in key):
        raise UserError(f"{OPENAI_KEY_ENV} holds a blank or control character inside the key; set it to the key alone")
    return key or None


class Redactor:
    """Replaces every secret (and any `key=` URL parameter) in a text by `***`."""

    def __init__(self, *secrets: str) -> None:
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))

    def __call__(self, text: object) -> str:
        result = _KEY_PARAM.sub(lambda m: m.group(1) + REDACTED, str(text))
        for secret in self._secrets:
            result = result.replace(secret, REDACTED)
        return result


class RedactingFilter(logging.Filter):
    """A logging filter that renders the message, scrubs it and drops the arguments."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self._redact = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed log call: keep the template only
            message = str(record.msg)
        record.msg = self._redact(message)
        record.args = None
        return True


@contextmanager
def quiet_http_logging(redactor: Redactor) -> Iterator[None]:
    """Keep httpx/httpcore from logging request URLs (which carry the key) while the block runs."""
    saved: list[tuple[logging.Logger, int, RedactingFilter]] = []
    for name in _NOISY_HTTP_LOGGERS:
        logger = logging.getLogger(name)
        log_filter = RedactingFilter(redactor)
        saved.append((logger, logger.level, log_filter))
        logger.addFilter(log_filter)
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level, log_filter in saved:
            logger.removeFilter(log_filter)
            logger.setLevel(level)
