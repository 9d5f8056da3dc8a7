"""The Go guest beside the Rust one: examples/openai-compatible-go against
examples/openai-compatible-v2, the same provider on the same ABI (v2), through the bare Extism
SDK with QueryMT's two imported host functions.

- size: the .wasm bytes (Rust after wasm-opt -Oz; Go as `go build` writes it);
- open: a new instance from the bytes plus its first call (`name`), which for Go also runs
  the reactor's `_initialize` (the Go runtime and package inits);
- typed chat: `chat_request` then `parse_chat_response` on a canned completion;
- stream: `chat_stream_parser_start`, one `chat_stream_parser_parse` per line of a canned
  20-event SSE body, `chat_stream_parser_finish` and `chat_stream_parser_close`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from bench import ROOT
from bench.budget import Budget
from bench.plugins import extism_sdk
from bench.stats import Row, Section, Series, interleave

EXAMPLES = ROOT / "build" / "examples"
RUST, GO = "openai-compatible-v2", "openai-compatible-go"
CFG = {"api_key": "sk-bench", "model": "m", "base_url": "http://127.0.0.1:9/v1/"}
MESSAGES = [{"role": "User", "content": [{"type": "text", "text": "Hello there"}]}]
COMPLETION = {
    "choices": [
        {"index": 0, "message": {"content": "Hi! " * 40}, "finish_reason": "stop"},
    ],
    "usage": {"prompt_tokens": 12, "completion_tokens": 40},
}


def _response(body: bytes) -> dict[str, Any]:
    head = {"status": 200, "headers": {"content-type": "application/json"}, "version": "HTTP/1.1"}
    return {"resp": {"head": head, "body": list(body)}}


def _stream_lines() -> list[bytes]:
    lines = []
    for i in range(20):
        event = {"choices": [{"index": 0, "delta": {"content": f"piece {i} "}}]}
        lines += [b"data: " + json.dumps(event).encode() + b"\n", b"\n"]
    lines += [b"data: [DONE]\n", b"\n"]
    return lines


def _wasm(name: str) -> bytes:
    path = EXAMPLES / f"{name}.wasm"
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `bash scripts/build-examples.sh`")
    return path.read_bytes()


def _qmt_log(plugin: Any, params: list[Any], results: list[Any], *data: Any) -> None:
    del plugin, params, results, data


def _qmt_http_request(plugin: Any, params: list[Any], results: list[Any], *data: Any) -> None:
    del params, data
    plugin.return_bytes(results[0], json.dumps(_response(b"")).encode())


def _instance(extism: Any, data: bytes) -> Any:
    i64 = extism.ValType.I64
    host_fn: Any = extism.host_fn
    namespace = "extism:host/user"
    functions = [
        host_fn(name="qmt_log", namespace=namespace, signature=([i64], []))(_qmt_log),
        host_fn(name="qmt_http_request", namespace=namespace, signature=([i64], [i64]))(
            _qmt_http_request
        ),
    ]
    return extism.Plugin(data, wasi=True, functions=functions)


def _us(action: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    action()
    return (time.perf_counter_ns() - start) / 1000


def run(budget: Budget) -> Section:
    extism = extism_sdk()
    data = {name: _wasm(name) for name in (RUST, GO)}
    instances = {name: _instance(extism, data[name]) for name in (RUST, GO)}
    chat_in = json.dumps({"cfg": CFG, "messages": MESSAGES, "tools": None}).encode()
    parse_in = json.dumps({"cfg": CFG, "resp": _response(json.dumps(COMPLETION).encode())}).encode()
    cfg = json.dumps(CFG).encode()
    lines = _stream_lines()

    def open_(name: str) -> Callable[[], float]:
        def measure() -> float:
            def action() -> None:
                plugin = _instance(extism, data[name])
                plugin.call("name", b"null")
                del plugin

            return _us(action)

        return measure

    def chat(name: str) -> Callable[[], float]:
        plugin = instances[name]

        def action() -> None:
            plugin.call("chat_request", chat_in)
            plugin.call("parse_chat_response", parse_in)

        return lambda: _us(action)

    def stream(name: str) -> Callable[[], float]:
        plugin = instances[name]

        def action() -> None:
            parser = plugin.call("chat_stream_parser_start", cfg)
            pid = int(parser)
            for line in lines:
                chunk = json.dumps({"parser_id": pid, "chunk": list(line)}).encode()
                plugin.call("chat_stream_parser_parse", chunk)
            plugin.call("chat_stream_parser_finish", parser)
            plugin.call("chat_stream_parser_close", parser)

        return lambda: _us(action)

    for measure in (chat(RUST), chat(GO), stream(RUST), stream(GO)):
        measure()  # warm up
    rounds = max(2, budget.first_open_rounds)
    opened = interleave({RUST: open_(RUST), GO: open_(GO)}, rounds)
    calls = max(3, budget.call_batches * 3)
    chats = interleave({RUST: chat(RUST), GO: chat(GO)}, calls)
    streams = interleave({RUST: stream(RUST), GO: stream(GO)}, calls)

    def row(what: str, unit: str, samples: dict[str, list[float]]) -> Row:
        return Row(
            Series(f"Go: {what}", unit, tuple(samples[GO])),
            Series(f"Rust: {what}", unit, tuple(samples[RUST])),
        )

    sizes = {name: [float(len(data[name]))] for name in (RUST, GO)}
    return Section(
        "go_guest",
        "The Go guest beside the Rust one (openai-compatible, ABI v2); ratio = Go / Rust",
        (
            row(".wasm size", "bytes", sizes),
            row("open (new instance + first call)", "us", opened),
            row("typed chat (chat_request + parse_chat_response)", "us", chats),
            row(f"stream ({len(lines)} lines: start, parse each, finish, close)", "us", streams),
        ),
        notes=(
            "The Go module carries Go's runtime and garbage collector (about 1.5 MB of the "
            "size); its open includes compiling that code and running _initialize.",
            "Both examples build the same requests and parse the same answers: the round trips "
            "are tests/test_v2_raw_sdk.py, run against each.",
        ),
    )
