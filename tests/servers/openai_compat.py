"""An OpenAI-compatible HTTP server on 127.0.0.1 that also streams (SSE), for the v2 plugin tests.

    with OpenAICompatServer() as server:
        cfg = {"api_key": API_KEY, "model": "loop-mini", "base_url": server.base_url}
        ...  # the host under test sends the plugin's requests to server.base_url + "..."
        assert server.requests[-1].path == "/v1/chat/completions"

Routes (under `prefix`, default `/v1`): `GET models`, `POST chat/completions` (JSON, or
`text/event-stream` when the body says `"stream": true`), `POST embeddings`, `POST completions`.
Answers are deterministic functions of the request; the `expected_*` helpers compute them.

Streamed bodies are sent with chunked transfer encoding, one HTTP chunk per slice of
`split_sizes` (cycled), so a client reading chunk by chunk sees the body cut at arbitrary byte
offsets: inside an SSE line, inside a multi-byte UTF-8 character, between `\\r` and `\\n`.
`fail()` answers the next request(s) to a path with a given status, headers and body instead;
`sse_body` replaces the computed event stream with given bytes; `drop_after` hangs up a stream
after that many body bytes (no terminating chunk); `echo` makes every chat answer (buffered or
streamed) the last message's text, so concurrent callers can each check their own answer;
`pause_after` holds a stream for `pause_s` seconds after that many body bytes.

Standard library only; one thread per connection; port 0 (a free port).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODELS = ("loop-mini", "loop-large", "loop-embed")
CHAT_TEXT = "Hello from the loopback server!"
# Text deltas with multi-byte characters, so byte-level splits land inside them.
STREAM_DELTAS = ("Hé", "llo, ", "wörld ", "✓ — ", "done")
TOOL_CALL_IDS = ("call_loop_0", "call_loop_1")
TOOL_ARGUMENT_PIECES = ('{"ci', 'ty": "Pa', "rís", '"}')
DEFAULT_SPLITS = (1, 5, 2, 13, 3, 64, 7, 1, 1, 29)


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
class Failure:
    path: str
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    times: int


def chat_usage_wire(request: Mapping[str, Any]) -> dict[str, Any]:
    """The `usage` object every chat answer carries (OpenAI's field names)."""
    words = sum(len(str(m.get("content") or "").split()) for m in request.get("messages", []))
    return {
        "prompt_tokens": words + 20,
        "completion_tokens": 9,
        "total_tokens": words + 29,
        "prompt_tokens_details": {"cached_tokens": 4},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }


def expected_usage(request: Mapping[str, Any]) -> dict[str, int]:
    """QueryMT's `Usage` for `chat_usage_wire`: cached prompt and reasoning tokens split out."""
    wire = chat_usage_wire(request)
    return {
        "input_tokens": wire["prompt_tokens"] - 4,
        "output_tokens": wire["completion_tokens"] - 2,
        "reasoning_tokens": 2,
        "cache_read": 4,
        "cache_write": 0,
    }


def tool_names(request: Mapping[str, Any]) -> list[str]:
    return [str(t["function"]["name"]) for t in request.get("tools") or []][:2]


def expected_arguments() -> str:
    return "".join(TOOL_ARGUMENT_PIECES)


def embedding_of(text: str) -> list[float]:
    """A deterministic vector whose components are exact in f32 (multiples of 1/8)."""
    raw = text.encode()
    return [len(raw) / 2, (sum(raw) % 64) / 8, -0.25, (raw[0] % 16) / 8 if raw else 0.0]


def completion_text(prompt: str, suffix: str | None) -> str:
    return f"<{prompt[-10:]}|{suffix or ''}>"


def last_text(request: Mapping[str, Any]) -> str:
    """The text of the request's last message (OpenAI string or content-part forms)."""
    messages = request.get("messages") or [{}]
    content = messages[-1].get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


def echo_deltas(text: str) -> tuple[str, ...]:
    """The text in three pieces (the streamed form of an echo)."""
    third = max(1, len(text) // 3)
    return (text[:third], text[third : 2 * third], text[2 * third :])


def chat_answer(request: Mapping[str, Any], echo: bool = False) -> dict[str, Any]:
    names = tool_names(request)
    text = last_text(request) if echo else CHAT_TEXT
    message: dict[str, Any] = {"role": "assistant", "content": text}
    finish = "stop"
    if names:
        calls = [
            {
                "id": TOOL_CALL_IDS[i],
                "type": "function",
                "function": {"name": name, "arguments": expected_arguments()},
            }
            for i, name in enumerate(names)
        ]
        message = {"role": "assistant", "content": None, "tool_calls": calls}
        finish = "tool_calls"
    return {
        "id": "chatcmpl-loop",
        "object": "chat.completion",
        "model": request.get("model", MODELS[0]),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": chat_usage_wire(request),
    }


def _event(payload: Mapping[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _delta(delta: Mapping[str, Any], finish: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": dict(delta), "finish_reason": finish}
    return {"id": "chatcmpl-loop", "object": "chat.completion.chunk", "choices": [choice]}


def stream_events(request: Mapping[str, Any], echo: bool = False) -> bytes:
    """The SSE body of a streamed chat answer: role, text or tool-call deltas, the finish
    reason, the usage chunk when `stream_options.include_usage` asks for it, then `[DONE]`."""
    out = [b": loopback keep-alive\n\n", _event(_delta({"role": "assistant", "content": ""}))]
    names = tool_names(request)
    if names:
        for i, name in enumerate(names):
            head = {"index": i, "id": TOOL_CALL_IDS[i], "type": "function"}
            head["function"] = {"name": name, "arguments": ""}
            out.append(_event(_delta({"tool_calls": [head]})))
            for piece in TOOL_ARGUMENT_PIECES:
                more = {"index": i, "function": {"arguments": piece}}
                out.append(_event(_delta({"tool_calls": [more]})))
        out.append(_event(_delta({}, "tool_calls")))
    else:
        pieces = echo_deltas(last_text(request)) if echo else STREAM_DELTAS
        out.extend(_event(_delta({"content": piece})) for piece in pieces if piece)
        out.append(_event(_delta({}, "stop")))
    options = request.get("stream_options") or {}
    if options.get("include_usage"):
        usage = {"id": "chatcmpl-loop", "choices": [], "usage": chat_usage_wire(request)}
        out.append(_event(usage))
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def split(body: bytes, sizes: Sequence[int]) -> Iterator[bytes]:
    pos, i = 0, 0
    while pos < len(body):
        size = sizes[i % len(sizes)]
        yield body[pos : pos + size]
        pos += size
        i += 1


class OpenAICompatServer:
    def __init__(self, prefix: str = "/v1") -> None:
        self.prefix = prefix
        self.split_sizes: Sequence[int] = DEFAULT_SPLITS
        self.sse_body: bytes | None = None
        self.drop_after: int | None = None
        self.echo = False
        self.pause_after: int | None = None
        self.pause_s = 0.0
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._failures: list[Failure] = []
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """A base URL as QueryMT providers keep it: ending in `/`."""
        return f"http://127.0.0.1:{self.port}{self.prefix}/"

    def __enter__(self) -> OpenAICompatServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd.server_close()

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._failures.clear()
        self.split_sizes = DEFAULT_SPLITS
        self.sse_body = None
        self.drop_after = None
        self.echo = False
        self.pause_after = None
        self.pause_s = 0.0

    def fail(
        self,
        path: str,
        status: int,
        body: bytes | str | Mapping[str, Any] = b"",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answers the next `times` requests to paths ending with `path` with this instead."""
        if isinstance(body, Mapping):
            raw = json.dumps(body).encode()
        else:
            raw = body.encode() if isinstance(body, str) else body
        failure = Failure(path, status, raw, tuple((headers or {}).items()), times)
        with self._lock:
            self._failures.append(failure)

    def _take_failure(self, path: str) -> Failure | None:
        with self._lock:
            for failure in self._failures:
                if path.endswith(failure.path):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def answer(self, method: str, route: str, body: Any) -> tuple[int, Any]:
        if not route.startswith(self.prefix + "/"):
            return 404, _error(f"no route for {method} {route}")
        route = route[len(self.prefix) + 1 :]
        if method == "GET" and route == "models":
            data = [{"id": m, "object": "model", "owned_by": "loopback"} for m in MODELS]
            return 200, {"object": "list", "data": data}
        if method != "POST" or not isinstance(body, dict):
            return 400, _error(f"{method} {route} needs a JSON object body")
        if route == "chat/completions":
            return 200, chat_answer(body, self.echo)
        if route == "embeddings":
            inputs = body.get("input", [])
            data = [
                {"object": "embedding", "index": i, "embedding": embedding_of(str(t))}
                for i, t in enumerate(inputs)
            ]
            return 200, {"object": "list", "data": data, "model": body.get("model")}
        if route == "completions":
            text = completion_text(str(body.get("prompt", "")), body.get("suffix"))
            choice = {"index": 0, "text": text, "finish_reason": "stop"}
            return 200, {"id": "cmpl-loop", "object": "text_completion", "choices": [choice]}
        return 404, _error(f"no route for {method} {route}")


class _Server(ThreadingHTTPServer):
    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().server_bind()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-stream is not an error here


def _error(message: str, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


def _make_handler(server: OpenAICompatServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            server._record(RecordedRequest(self.command, self.path, headers, raw))
            route = self.path.split("?", 1)[0]
            failure = server._take_failure(route)
            if failure is not None:
                self._send(failure.status, failure.body, "application/json", failure.headers)
                return
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            if isinstance(body, dict) and body.get("stream") is True:
                events = (
                    server.sse_body
                    if server.sse_body is not None
                    else stream_events(body, server.echo)
                )
                self._stream(events)
                return
            status, answer = server.answer(self.command, route, body)
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

        def _stream(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            paused = False
            for piece in split(body, server.split_sizes):
                drop = server.drop_after
                if drop is not None and sent + len(piece) > drop:
                    piece = piece[: drop - sent]
                    if piece:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                sent += len(piece)
                pause = server.pause_after
                if not paused and pause is not None and sent >= pause:
                    paused = True
                    time.sleep(server.pause_s)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        do_GET = _handle
        do_POST = _handle

    return Handler
