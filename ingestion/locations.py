"""Inputs given as a local file or an http(s) URL (label files, exemption lists): read them, and name them safely."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from ingestion.errors import UserError
from ingestion.secrets import Redactor, quiet_http_logging


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def url_without_secrets(location: str) -> str:
    """A URL as `scheme://host[:port]/path`, without credentials, query or fragment, so it is safe to print and
    store; a file path as given."""
    if not is_url(location):
        return location
    parts = urlsplit(location)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def read_location(location: str, what: str, timeout: float = 60.0) -> bytes:
    """The bytes of a local file or an http(s) URL; `what` names the input in errors ("label file")."""
    if is_url(location):
        shown = url_without_secrets(location)
        try:
            # httpx logs each request's full URL at INFO, query (a token) and password included
            parts = urlsplit(location)
            with quiet_http_logging(Redactor(parts.query, parts.password or "")):
                response = httpx.get(location, timeout=timeout, follow_redirects=True)
        except httpx.HTTPError as error:
            raise UserError(f"could not download {shown}: {type(error).__name__}; check the URL and retry") from None
        if response.status_code != 200:
            raise UserError(f"downloading {shown} returned HTTP {response.status_code}; check the URL")
        return response.content
    path = Path(location)
    if not path.is_file():
        raise UserError(f"{what} {location} does not exist; pass a CSV file or an http(s) URL")
    return path.read_bytes()
