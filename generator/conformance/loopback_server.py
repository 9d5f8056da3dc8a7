"""A small OpenAI-compatible HTTP server on 127.0.0.1, for driving plugins without a provider.

    with LoopbackServer() as server:
        config = {"api_key": "sk-test", "base_url": server.base_url}
        ...  # the plugin calls server.base_url + "/chat/completions" etc.
        assert server.requests[-1].path == "/v1/chat/completions"

Endpoints (under any prefix, e.g. `/v1`): `GET /models`, `POST /chat/completions` (text, or
`tool_calls` when the request offers tools; always with `usage`; with `"stream": true` the text
as server-sent events ending in `data: [DONE]`), `POST /embeddings`,
`POST /completions`. Answers are deterministic functions of the request (`expected_*` compute
them for tests), every request is recorded, and `fail()` injects faults: a status code, a
malformed body, extra headers (a redirect's `Location`), a delay, for some or all paths, once or
until `reset()`; `replay()` answers the next request with a recorded provider response (what
`verify` does for the requests of a host-driven ABI).

Standard library only; one thread per connection; binds port 0 (a free port) unless told, on
127.0.0.1 unless told (any loopback address, IPv6 `::1` too).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODELS: tuple[str, ...] = ("loopback-mini", "loopback-large")
CHAT_TEXT = "Hello from the loopback server!"
COMPLETION_SUFFIX = " /* completed by loopback */"
TOOL_CALL_ID = "call_loopback_1"


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """What to do instead of (or before) answering: applies to paths ending with `path`."""

    path: str = ""
    status: int | None = None
    body: bytes | None = None
    delay_s: float = 0.0
    times: int | None = None  # None: until reset()
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def _word_count(text: str) -> int:
    return len(text.split())


def chat_usage(request: Mapping[str, Any]) -> dict[str, int]:
    prompt = sum(_word_count(str(m.get("content") or "")) for m in request.get("messages", []))
    return {"prompt_tokens": prompt + 1, "completion_tokens": 6, "total_tokens": prompt + 7}


def expected_tool_arguments(tool_name: str) -> str:
    return json.dumps({"tool": tool_name, "city": "Paris"}, separators=(",", ":"))


def embedding_of(text: str) -> list[float]:
    """A deterministic vector whose components are exact in f32 (multiples of 1/8)."""
    raw = text.encode()
    return [len(raw) / 2, (sum(raw) % 64) / 8, -0.25, (raw[0] % 16) / 8 if raw else 0.0]


def completion_text(prompt: str) -> str:
    return f"{prompt[-12:]}{COMPLETION_SUFFIX}"


def chat_answer(request: Mapping[str, Any]) -> dict[str, Any]:
    tools = request.get("tools") or []
    message: dict[str, Any] = {"role": "assistant", "content": CHAT_TEXT}
    finish = "stop"
    if tools:
        name = str(tools[0].get("function", {}).get("name", "tool"))
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": TOOL_CALL_ID,
                    "type": "function",
                    "function": {"name": name, "arguments": expected_tool_arguments(name)},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", MODELS[0]),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": chat_usage(request),
    }


@dataclass(frozen=True)
class Raw:
    """An answer that is not JSON."""

    body: bytes
    content_type: str


def chat_stream(request: Mapping[str, Any]) -> Raw:
    """The chat answer as OpenAI streams it: one event per word, then the finish reason."""
    model = request.get("model", MODELS[0])
    words = CHAT_TEXT.split(" ")
    deltas = [{"content": w if i == 0 else f" {w}"} for i, w in enumerate(words)]
    events = [
        {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "model": model,
         "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
        for delta in [{"role": "assistant", "content": ""}, *deltas]
    ]  # fmt: skip
    events.append(
        {"id": "chatcmpl-loopback", "object": "chat.completion.chunk", "model": model,
         "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    )  # fmt: skip
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return Raw(text.encode(), "text/event-stream")


class LoopbackServer:
    """The server; start it with `with` or `start()`, stop it with `stop()`."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        prefix: str = "/v1",
    ) -> None:
        self.api_key = api_key
        self.prefix = prefix
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        handler = _make_handler(self)
        server_class = _QuietServer6 if ":" in host else _QuietServer
        self._httpd = server_class((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What a plugin's `base_url` should be set to."""
        return f"{self.url}{self.prefix}"

    def start(self) -> LoopbackServer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="loopback-server",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------------- control

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def fail(
        self,
        path: str = "",
        *,
        status: int | None = None,
        body: bytes | str | None = None,
        delay_s: float = 0.0,
        times: int | None = None,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Makes requests to paths ending with `path` ("" = all) fail this way."""
        raw = body.encode() if isinstance(body, str) else body
        extra = tuple((headers or {}).items())
        fault = Fault(path, status, raw, delay_s, times, content_type, extra)
        with self._lock:
            self._faults.append(fault)
        return fault

    def replay(self, body: bytes, content_type: str, status: int = 200) -> Fault:
        """Answers the next request (any path) with this recorded response."""
        return self.fail(status=status, body=body, times=1, content_type=content_type)

    def withdraw(self, fault: Fault) -> None:
        """Removes a fault (or replay) that no request has taken yet."""
        with self._lock:
            self._faults[:] = [f for f in self._faults if f is not fault]

    def reset(self) -> None:
        """Removes every fault and forgets the recorded requests."""
        with self._lock:
            self._faults.clear()
            self._requests.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.endswith(fault.path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    # ----------------------------------------------------------------------- answers

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        route = path.split("?", 1)[0]
        if method == "GET" and route.endswith("/models"):
            data = [{"id": m, "object": "model", "owned_by": "loopback"} for m in MODELS]
            return 200, {"object": "list", "data": data}
        if method != "POST":
            return 404, _error(f"no route for {method} {route}")
        if not isinstance(body, dict):
            return 400, _error("the request body is not a JSON object")
        if route.endswith("/chat/completions"):
            return 200, chat_stream(body) if body.get("stream") is True else chat_answer(body)
        if route.endswith("/embeddings"):
            inputs = body.get("input", [])
            if isinstance(inputs, str):
                inputs = [inputs]
            vectors: list[dict[str, Any]] = [
                {"object": "embedding", "index": i, "embedding": embedding_of(str(text))}
                for i, text in enumerate(inputs)
            ]
            return 200, {
                "object": "list",
                "data": vectors,
                "model": body.get("model", MODELS[0]),
                "usage": {"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
            }
        if route.endswith("/completions"):
            prompt = str(body.get("prompt", ""))
            return 200, {
                "id": "cmpl-loopback",
                "object": "text_completion",
                "model": body.get("model", MODELS[0]),
                "choices": [{"index": 0, "text": completion_text(prompt), "finish_reason": "stop"}],
                "usage": {"prompt_tokens": _word_count(prompt), "completion_tokens": 4},
            }
        return 404, _error(f"no route for {method} {route}")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (a plugin call timed out) is not an error here


class _QuietServer6(_QuietServer):
    address_family = socket.AF_INET6


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


def _make_handler(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "loopback/1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            request = RecordedRequest(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, raw
            )
            server._record(request)
            fault = server._take_fault(self.path.split("?", 1)[0])
            if fault is not None and fault.delay_s:
                time.sleep(fault.delay_s)
            if fault is not None and (fault.status is not None or fault.body is not None):
                status = fault.status or 200
                body = fault.body
                if body is None:
                    body = json.dumps(_error(f"injected failure {status}", "loopback")).encode()
                self._send(status, body, fault.content_type, fault.headers)
                return
            if server.api_key is not None:
                auth = self.headers.get("Authorization", "")
                if auth != f"Bearer {server.api_key}":
                    self._send(401, json.dumps(_error("bad api key", "auth")).encode())
                    return
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            status, answer = server.answer(self.command, self.path, parsed)
            if isinstance(answer, Raw):
                self._send(status, answer.body, answer.content_type)
            else:
                self._send(status, json.dumps(answer).encode())

        def _send(
            self,
            status: int,
            body: bytes,
            content_type: str = "application/json",
            headers: tuple[tuple[str, str], ...] = (),
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = _handle
        do_POST = _handle

    return Handler
