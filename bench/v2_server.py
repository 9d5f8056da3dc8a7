"""A loopback OpenAI-compatible server with fixed answers, for the v2 rows of `make bench`.

It answers `POST <prefix>/chat/completions` with one small completion, or, when the request
asks for `"stream": true`, with an SSE body of `STREAM_CHUNKS` text deltas, a finish event and
`[DONE]`. HTTP/1.1 keep-alive, so both sides of a row reuse one connection; it runs in a
child process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

STREAM_CHUNKS = 2000

CHAT_ANSWER = {
    "id": "chatcmpl-bench",
    "object": "chat.completion",
    "model": "bench-model",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Hello from the bench server."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15},
}


def _event(payload: Any) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


def stream_body(chunks: int = STREAM_CHUNKS) -> bytes:
    """`chunks` text deltas, then a finish event and `[DONE]`: about 2 lines per chunk."""
    parts = [
        _event({"choices": [{"index": 0, "delta": {"content": f"tok{i} "}, "finish_reason": None}]})
        for i in range(chunks)
    ]
    parts.append(_event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    stream = stream_body()
    answer = json.dumps(CHAT_ANSWER).encode()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions"):
            self._reply(404, "application/json", b'{"error":{"message":"no such route"}}')
        elif request.get("stream"):
            self._reply(200, "text/event-stream", self.stream)
        else:
            self._reply(200, "application/json", self.answer)

    def _reply(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class BenchServer:
    """`with BenchServer() as server:` serves on 127.0.0.1 at `server.base_url`, from a child
    process: in this one, its threads would take the GIL from the side being measured."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}/v1/"

    def __enter__(self) -> BenchServer:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.v2_server"],
            cwd=Path(__file__).resolve().parent.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.strip().isdigit():
            self._process.kill()
            raise RuntimeError(f"the bench server did not start: {line!r}")
        self._port = int(line)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)


def serve() -> None:
    """Serves until terminated; prints the port first."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    serve()
