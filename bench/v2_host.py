"""The v2 host against the same work done with the raw Extism SDK and a raw HTTP client.

Both sides drive openai-compatible-v2.wasm against one loopback server (bench.v2_server):

- chat: the typed side is `plugin.chat(messages)` on the generated `querymt_extism_v2`
  bindings (encode and validate, `chat_request`, the HTTP under the plugin's policy,
  `parse_chat_response`, the typed answer). The raw side makes the same two `Plugin.call`s
  with pre-encoded JSON around the same request sent with an `httpx.Client`, and decodes the
  outputs with `json.loads`.
- stream: the typed side iterates `plugin.chat_stream(messages)` over a 2,000-chunk SSE body
  (the HTTP, the line framing, one typed chunk list per line, finish, close). The raw side
  makes the parser calls over the same lines, already split, with no HTTP at all.

Batches alternate between the two sides; each row reports the median batch.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from bench import GENERATED_PYTHON, ROOT
from bench.budget import Budget
from bench.plugins import extism_sdk
from bench.stats import Row, Section, Series, Target, interleave
from bench.v2_server import STREAM_CHUNKS, BenchServer, stream_body

EXAMPLE_V2 = ROOT / "build" / "examples" / "openai-compatible-v2.wasm"
MESSAGES = [{"role": "User", "content": [{"type": "text", "text": "Say hello."}]}]


def _bindings() -> Any:
    if str(GENERATED_PYTHON) not in sys.path:
        sys.path.insert(0, str(GENERATED_PYTHON))
    return importlib.import_module("querymt_extism_v2")


def _wasm() -> bytes:
    if not EXAMPLE_V2.exists():
        raise SystemExit(f"{EXAMPLE_V2} is missing: run `bash scripts/build-examples.sh`")
    return EXAMPLE_V2.read_bytes()


def _wire(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class RawHost:
    """The v2 example on a bare `extism.Plugin`: the two `qmt_*` imports it needs are no-ops
    (neither is called on these paths: logging is never initialised, the host does the HTTP)."""

    def __init__(self, wasm: bytes, cfg: dict[str, Any]) -> None:
        extism = extism_sdk()

        def unused(current: Any, inputs: Any, outputs: Any, *data: Any) -> None:
            del current, inputs, outputs, data

        i64, namespace = extism.ValType.I64, "extism:host/user"
        functions = [
            extism.host_fn("qmt_log", namespace, ([i64], []))(unused),
            extism.host_fn("qmt_http_request", namespace, ([i64], [i64]))(unused),
        ]
        self.plugin = extism.Plugin(wasm, wasi=True, functions=functions)
        self.cfg = cfg
        self.client = httpx.Client(trust_env=False, follow_redirects=False)
        self.chat_input = _wire({"cfg": cfg, "messages": MESSAGES, "tools": None})

    def chat(self) -> Any:
        request = json.loads(self.plugin.call("chat_request", self.chat_input))["req"]
        head = request["head"]
        response = self.client.request(
            head["method"], head["uri"], headers=head["headers"], content=bytes(request["body"])
        )
        wire = {
            "cfg": self.cfg,
            "resp": {
                "resp": {
                    "head": {
                        "status": response.status_code,
                        "headers": dict(response.headers),
                        "version": "HTTP/1.1",
                    },
                    "body": list(response.content),
                }
            },
        }
        return json.loads(self.plugin.call("parse_chat_response", _wire(wire)))

    def stream(self, lines: list[bytes]) -> int:
        call = self.plugin.call
        parser = json.loads(call("chat_stream_parser_start", _wire(self.cfg)))
        chunks = 0
        for line in lines:
            chunks += len(
                json.loads(
                    call(
                        "chat_stream_parser_parse",
                        _wire({"parser_id": parser, "chunk": list(line)}),
                    )
                )
            )
        chunks += len(json.loads(call("chat_stream_parser_finish", _wire(parser))))
        call("chat_stream_parser_close", _wire(parser))
        return chunks

    def close(self) -> None:
        self.client.close()


def sse_lines(body: bytes) -> list[bytes]:
    """The parse inputs QueryMT's host makes of a body: each line with its `\\n`, then `\\n`."""
    lines = body.splitlines(keepends=True)
    if lines and lines[-1].endswith(b"\n"):
        return [*lines, b"\n"]
    return [*lines[:-1], lines[-1] + b"\n"] if lines else [b"\n"]


def per_call_us(call: Callable[[], object], calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        call()
    return (time.perf_counter_ns() - start) / calls / 1000


def _open(server: BenchServer) -> tuple[Any, RawHost]:
    config = {"api_key": "sk-bench", "model": "bench-model", "base_url": server.base_url}
    wasm = _wasm()
    typed = _bindings().QuerymtExtismPlugin.open(wasm, config)
    raw = RawHost(wasm, config)
    return typed, raw


def _chat_row(typed: Any, raw: RawHost, budget: Budget) -> Row:
    typed_answer = typed.chat(MESSAGES)
    raw_answer = raw.chat()
    if typed_answer.model_dump(mode="json", exclude_none=True) != _drop_none(raw_answer):
        raise RuntimeError("the typed and raw chats disagree")
    calls = budget.v2_chat_calls
    for one in (raw.chat, lambda: typed.chat(MESSAGES)):
        per_call_us(one, max(2, calls // 4))
    samples = interleave(
        {
            "raw": lambda: per_call_us(raw.chat, calls),
            "typed": lambda: per_call_us(lambda: typed.chat(MESSAGES), calls),
        },
        budget.call_batches,
    )
    return Row(
        Series("typed chat() (2 plugin calls + host HTTP)", "us/call", tuple(samples["typed"])),
        Series("raw: 2 Plugin.call + httpx request", "us/call", tuple(samples["raw"])),
        Target("<= 1.15x raw", 1.15, "<="),
    )


def _stream_row(typed: Any, raw: RawHost, budget: Budget) -> Row:
    lines = sse_lines(stream_body())

    def typed_stream() -> int:
        with typed.chat_stream(MESSAGES) as stream:
            return sum(1 for _ in stream)

    def raw_stream() -> int:
        return raw.stream(lines)

    typed_count, raw_count = typed_stream(), raw_stream()
    if typed_count != raw_count or typed_count < STREAM_CHUNKS:
        raise RuntimeError(f"the streams disagree: {typed_count} typed, {raw_count} raw chunks")
    rounds = budget.v2_stream_rounds
    samples = interleave(
        {
            "raw": lambda: per_call_us(raw_stream, rounds),
            "typed": lambda: per_call_us(typed_stream, rounds),
        },
        budget.call_batches,
    )
    return Row(
        Series(
            f"typed chat_stream(), {STREAM_CHUNKS:,}-chunk SSE over HTTP",
            "us/stream",
            tuple(samples["typed"]),
        ),
        Series(
            f"raw parse calls over the same {len(lines):,} lines",
            "us/stream",
            tuple(samples["raw"]),
        ),
        Target("<= 1.3x raw", 1.3, "<="),
        extra={"lines": len(lines), "chunks": typed_count},
    )


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def run(budget: Budget) -> Section:
    with BenchServer() as server:
        typed, raw = _open(server)
        try:
            rows = (_chat_row(typed, raw, budget), _stream_row(typed, raw, budget))
        finally:
            typed.close()
            raw.close()
    return Section(
        "v2_host",
        "v2 host (openai-compatible-v2, loopback server, median of batches)",
        rows,
        notes=(
            "The raw stream side does no HTTP and no line framing: the typed side's ratio "
            "includes both, as a consumer of the bindings pays them.",
        ),
    )
