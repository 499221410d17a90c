"""A fake OpenAI-compatible chat completions server on 127.0.0.1 for the classifier tests and benchmark.

It reads the codes from the user message (`HS10 Code: <code>` lines), answers with the structured JSON the
classifier asks for (`choices[0].message.content`) plus a usage block, after an optional latency, and counts
every request. Misbehaviour is scripted:
- `script`: modes for the next requests, in order (one popped per request; then 'ok'):
  'ok', 'reversed' (answers in reverse order), 'drop' (first code missing), 'duplicate' (first code answered
  twice), 'invent' (an extra code nobody asked for), 'invalid_enum' (first code's relevance 'Very High'),
  'missing_field' (first entry without `reasoning`), 'malformed' (content not JSON), 'wrong_shape'
  (JSON without `classifications`), '429' (rate limited, Retry-After: 0), '500', 'slow' (sleeps `slow_s`),
  '401' (rejects the key, echoing it in the message), 'html' (HTTP 200 whose body is a proxy's HTML page).
- `reject_temperature`: answer 400 to any request that sets `temperature` (as reasoning models do).
- `bad_codes`: code -> mode applied to that code in every answer ('invalid_enum', 'drop', 'missing_field').
"""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _QuietServer(ThreadingHTTPServer):
    """Does not print a traceback when a client hung up first (the timeout tests' client gives up on purpose)."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


_CODE = re.compile(r"HS10 Code: (\d+)")
INVENTED_CODE = "9999999999"


def fake_label(code: str) -> dict[str, Any]:
    """A deterministic answer for a code (so tests can assert what was stored)."""
    chapter = code[:2]
    if chapter in {"84", "85"}:
        relevance, category = "High", "Compute_Hardware" if chapter == "84" else "Electrical_Power"
    elif chapter in {"73", "74", "76"}:
        relevance, category = "Medium", "Specialty_Materials"
    else:
        relevance, category = "Low", "Not_DC_Related"
    return {
        "hs10_code": code,
        "relevance": relevance,
        "confidence": 80 + int(code[-1]),
        "primary_category": category,
        "specific_use": f"use of {code}",
        "reasoning": f"fake reasoning for {code}",
    }


class FakeOpenAI:
    def __init__(self, latency: float = 0.0, expected_key: str | None = None, slow_s: float = 2.0) -> None:
        self.latency = latency
        self.expected_key = expected_key
        self.slow_s = slow_s
        self.script: deque[str] = deque()
        self.bad_codes: dict[str, str] = {}
        self.reject_temperature = False  # like reasoning models: 400 when the request sets a temperature
        self.requests = 0
        self.bodies: list[dict[str, Any]] = []
        self.authorizations: list[str] = []
        self.codes_seen: list[list[str]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- answering --------------------------------------------------------------------------------------------

    def _next_mode(self) -> str:
        with self._lock:
            return self.script.popleft() if self.script else "ok"

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        user = next((m["content"] for m in body.get("messages", []) if m.get("role") == "user"), "")
        codes = _CODE.findall(user)
        with self._lock:
            self.requests += 1
            self.bodies.append(body)
            self.codes_seen.append(codes)
        if self.reject_temperature and "temperature" in body:
            message = "Unsupported value: 'temperature' does not support 0 with this model."
            return 400, {}, json.dumps({"error": {"message": message}}).encode()
        mode = self._next_mode()
        if mode == "429":
            return 429, {"Retry-After": "0"}, json.dumps({"error": {"message": "rate limited"}}).encode()
        if mode == "500":
            return 500, {}, json.dumps({"error": {"message": "server error"}}).encode()
        if mode == "html":
            return 200, {}, b"<html><body>502 Bad Gateway</body></html>"
        if mode == "401":  # echoes the key it was sent, so the client must scrub the message
            with self._lock:
                key = self.authorizations[-1].removeprefix("Bearer ") if self.authorizations else ""
            message = f"Incorrect API key provided: {key}."
            return 401, {}, json.dumps({"error": {"message": message}}).encode()
        if mode == "slow":
            time.sleep(self.slow_s)
        entries = []
        for code in codes:
            per_code = self.bad_codes.get(code)
            if per_code == "drop":
                continue
            entry = fake_label(code)
            if per_code == "invalid_enum":
                entry["relevance"] = "Very High"
            if per_code == "missing_field":
                del entry["reasoning"]
            entries.append(entry)
        if entries:
            if mode == "reversed":
                entries.reverse()
            elif mode == "drop":
                entries.pop(0)
            elif mode == "duplicate":
                entries.append(dict(entries[0], reasoning="a second answer"))
            elif mode == "invalid_enum":
                entries[0]["relevance"] = "Very High"
            elif mode == "missing_field":
                del entries[0]["reasoning"]
        if mode == "invent":
            entries.append(fake_label(INVENTED_CODE))
        if mode == "malformed":
            content = '{"classifications": [{"hs10_code": "01'
        elif mode == "wrong_shape":
            content = json.dumps({"answers": entries})
        else:
            content = json.dumps({"classifications": entries})
        prompt_chars = sum(len(m.get("content", "")) for m in body.get("messages", []))
        payload = {
            "id": f"chatcmpl-fake-{self.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "fake-model"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_chars // 4,
                "completion_tokens": len(content) // 4,
                "total_tokens": prompt_chars // 4 + len(content) // 4,
            },
        }
        return 200, {}, json.dumps(payload).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    fake.authorizations.append(self.headers.get("Authorization") or "")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {}, b'{"error": {"message": "not found"}}')
                    return
                if fake.expected_key and self.headers.get("Authorization") != f"Bearer {fake.expected_key}":
                    self._send(401, {}, b'{"error": {"message": "invalid api key"}}')
                    return
                if fake.latency:
                    time.sleep(fake.latency)
                status, headers, data = fake.answer(json.loads(raw or b"{}"))
                self._send(status, headers, data)

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def main() -> None:
    """Run standalone: `python tests/python/fake_openai.py [PORT] [LATENCY]` (for manual tries)."""
    server = FakeOpenAI(latency=float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
    if len(sys.argv) > 1:
        server._server.server_close()
        server._server = _QuietServer(("127.0.0.1", int(sys.argv[1])), server._handler())
    print(server.base_url, flush=True)
    server._server.serve_forever()


if __name__ == "__main__":
    main()
