"""QueryMT's v2 crate (`generated/rust/querymt-extism-v2`) through a real plugin.

`tests/rust/v2-minimal` is written against QueryMT's module paths and traits and calls
`impl_extism_http_plugin!`; it is built for wasm32-wasi with `-D warnings` and driven through
the Extism runtime with the two host functions it imports, `qmt_http_request` answered by a
real loopback HTTP server. Return codes are read from the runtime directly, because the Python
SDK drops them when an error message is set.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cargo_wasm import build_wasm
from extism_log import release
from wasm_reader import wasm_interface

from generator import ir
from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path(__file__).resolve().parent / "rust" / "v2-minimal"

HEAD_EXPORTS = {  # what QueryMT HEAD's impl_extism_http_plugin! emits
    "name", "base_url", "init_logging", "config_schema", "api_key_name", "from_config",
    "list_models_static", "list_models_request", "parse_list_models_response",
    "chat_request", "chat_stream_request", "classify_chat_error", "parse_chat_response",
    "chat_stream_parser_start", "chat_stream_parser_parse", "chat_stream_parser_finish",
    "chat_stream_parser_close", "embed_request", "parse_embed_response", "complete_request",
    "parse_complete_response", "transcribe", "speech", "supports_streaming",
}  # fmt: skip


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    return load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")


@pytest.fixture(scope="module")
def wasm() -> bytes:
    data, _ = build_wasm(PLUGIN)
    return data


def test_the_plugin_exports_exactly_heads_24_functions(wasm: bytes, spec: ir.Spec) -> None:
    _, exports = wasm_interface(wasm)
    functions = {name for name, kind in exports.items() if kind == 0}
    assert len(HEAD_EXPORTS) == 24
    assert functions == HEAD_EXPORTS
    assert functions == {e.name for e in spec.exports}
    assert "memory" in exports


def test_the_plugin_imports_only_the_host_functions_it_uses(wasm: bytes) -> None:
    imports, _ = wasm_interface(wasm)
    modules = {module for module, _ in imports}
    assert modules == {"extism:host/env", "extism:host/user", "wasi_snapshot_preview1"}
    user = {name for module, name in imports if module == "extism:host/user"}
    assert user == {"qmt_log", "qmt_http_request"}  # never the stream or yield functions


# --------------------------------------------------------------------------- calling it


class _Provider(BaseHTTPRequestHandler):
    """Answers `POST .../transcribe` with the body's length and the x-language header."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        if self.headers.get("x-language") == "xx":
            self._send(429, b'{"error": {"message": "slow down"}}', {"Retry-After": "7"})
            return
        self._send(200, f"{len(body)} bytes in {self.headers['x-language']}".encode(), {})

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/"
    finally:
        server.shutdown()
        server.server_close()


def _send(request: dict[str, Any]) -> dict[str, Any]:
    """What QueryMT's `qmt_http_request` does, over real HTTP (loopback only)."""
    head = request["req"]["head"]
    assert head["uri"].startswith("http://127.0.0.1:")
    headers = {k: v if isinstance(v, str) else ", ".join(v) for k, v in head["headers"].items()}
    sent = urllib.request.Request(
        head["uri"], data=bytes(request["req"]["body"]), headers=headers, method=head["method"]
    )
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            status, body, got = answer.status, answer.read(), answer.headers
    except urllib.error.HTTPError as failure:
        status, body, got = failure.code, failure.read(), failure.headers
    out_head = {"status": status, "headers": {k.lower(): v for k, v in got.items()}}
    out_head["version"] = "HTTP/1.1"
    return {"resp": {"head": out_head, "body": list(body)}}


class Host:
    """A plugin instance with QueryMT's two imported host functions, and raw calls."""

    def __init__(self, wasm: bytes) -> None:
        import extism

        self.logs: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        i64 = extism.ValType.I64

        @extism.host_fn(name="qmt_log", namespace="extism:host/user", signature=([i64], []))
        def qmt_log(plugin: Any, params: list[Any], results: list[Any], *data: Any) -> None:
            del results, data
            self.logs.append(json.loads(plugin.input_bytes(params[0])))

        @extism.host_fn(
            name="qmt_http_request", namespace="extism:host/user", signature=([i64], [i64])
        )
        def qmt_http_request(plugin: Any, params: list[Any], results: list[Any], *_: Any) -> None:
            request = json.loads(plugin.input_bytes(params[0]))
            self.requests.append(request)
            plugin.return_bytes(results[0], json.dumps(_send(request)).encode())

        self.plugin = extism.Plugin(wasm, wasi=True, functions=[qmt_log, qmt_http_request])

    def raw(self, export: str, data: bytes | str) -> tuple[int, bytes]:
        """(return code, output or error message) of one call."""
        from extism.extism import _ffi, _lib

        data = data.encode() if isinstance(data, str) else data
        context = _ffi.new_handle(None)
        rc = _lib.extism_plugin_call_with_host_context(
            self.plugin.plugin, export.encode(), data, len(data), context
        )
        error = _lib.extism_plugin_error(self.plugin.plugin)
        if error != _ffi.NULL:
            return rc, _ffi.string(error)
        length = _lib.extism_plugin_output_length(self.plugin.plugin)
        return rc, bytes(_ffi.buffer(_lib.extism_plugin_output_data(self.plugin.plugin), length))

    def ok(self, export: str, data: Any) -> Any:
        rc, out = self.raw(export, json.dumps(data))
        assert rc == 0, out
        return json.loads(out) if out else None

    def typed_error(self, export: str, data: Any) -> dict[str, Any]:
        rc, out = self.raw(export, json.dumps(data))
        assert rc == 1, (rc, out)
        document: dict[str, Any] = json.loads(out)
        assert set(document) == {"payload"}
        return document["payload"]  # type: ignore[no-any-return]


@pytest.fixture
def host(wasm: bytes) -> Iterator[Host]:
    instance = Host(wasm)
    yield instance
    release(instance.plugin)


CFG = {"base_url": "http://127.0.0.1:9/v1/", "model": "m1"}
MESSAGES = [{"role": "User", "content": [{"type": "text", "text": "Hello"}]}]


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    head = {"status": status, "headers": headers or {}, "version": "HTTP/1.1"}
    return {"resp": {"head": head, "body": list(body)}}


def test_the_probe_exports(host: Host) -> None:
    assert host.raw("name", b"null") == (0, b"minimal")
    assert host.raw("base_url", b"null") == (0, b"http://127.0.0.1:9/v1/")
    assert host.raw("api_key_name", b"null") == (0, b"")  # None: empty output
    rc, schema = host.raw("config_schema", b"null")
    assert rc == 0 and json.loads(schema)["required"] == ["base_url", "model"]
    assert host.ok("supports_streaming", CFG) is True
    assert host.ok("list_models_static", {"cfg": CFG}) is None  # JSON null: ask over HTTP
    listing = host.ok("list_models_request", {"cfg": CFG})
    assert listing["req"]["head"]["method"] == "GET"
    assert listing["req"]["head"]["uri"] == "http://127.0.0.1:9/v1/models"
    models = host.ok("parse_list_models_response", {"resp": _response(200, b'["a","b"]')})
    assert models == ["a", "b"]


def test_from_config_answers_the_config_or_a_typed_json_error(host: Host) -> None:
    assert host.ok("from_config", CFG) == CFG
    payload = host.typed_error("from_config", {**CFG, "extra": 1})  # deny_unknown_fields
    assert payload["type"] == "json_error"
    assert "unknown field `extra`" in payload["message"]
    rc, text = host.raw("from_config", b"{not json")  # undecodable input: -1, free text
    assert rc == -1 and b"key must be a string" in text


def test_chat_request_and_the_logger(host: Host) -> None:
    assert host.raw("init_logging", b"3") == (0, b"")
    request = host.ok("chat_request", {"cfg": CFG, "messages": MESSAGES, "tools": None})
    head = request["req"]["head"]
    assert head == {
        "method": "POST",
        "uri": "http://127.0.0.1:9/v1/chat",
        "headers": {"content-type": "application/json"},
        "version": "HTTP/1.1",
    }
    assert json.loads(bytes(request["req"]["body"])) == {
        "model": "m1",
        "prompt": "Hello",
        "tools": 0,
    }
    assert host.logs == [{"level": 3, "target": "v2_minimal", "message": "chat with 1 message(s)"}]
    assert host.raw("init_logging", b"1") == (0, b"")  # error only: info is filtered out
    host.ok("chat_request", {"cfg": CFG, "messages": MESSAGES, "tools": None})
    assert len(host.logs) == 1
    streamed = host.ok("chat_stream_request", {"cfg": CFG, "messages": MESSAGES, "tools": []})
    assert streamed["req"]["head"]["headers"]["accept"] == "text/event-stream"
    rc, text = host.raw("chat_request", json.dumps({"cfg": {"model": "m1"}, "messages": []}))
    assert rc == -1 and b"missing field `base_url`" in text  # the config does not decode


def test_parse_and_classify_chat(host: Host) -> None:
    answer = host.ok("parse_chat_response", {"cfg": CFG, "resp": _response(200, b'{"text":"Hi"}')})
    assert answer == {
        "text": "Hi",
        "tool_calls": None,
        "thinking": None,
        "usage": None,
        "finish_reason": "Stop",
    }
    payload = host.typed_error("parse_chat_response", {"cfg": CFG, "resp": _response(200, b"{}")})
    assert payload == {"type": "response_format_error", "message": "no text", "raw_response": "{}"}
    limited = _response(429, b'{"error":{"message":"slow down"}}', {"retry-after": "12"})
    classified = host.ok("classify_chat_error", {"cfg": CFG, "resp": limited})  # rc 0
    assert classified == {
        "payload": {
            "type": "provider_error",
            "message": "slow down",
            "kind": "rate_limited",
            "retry_after_secs": 12,
        }
    }
    cancelled = host.ok("classify_chat_error", {"cfg": CFG, "resp": _response(499, b"")})
    assert cancelled == {"payload": {"type": "cancelled"}}
    teapot = host.ok("classify_chat_error", {"cfg": CFG, "resp": _response(418, b"")})
    assert teapot["payload"]["kind"] == "unknown_permanent"
    assert teapot["payload"]["message"] == "HTTP 418"


def test_the_stream_parser_table(host: Host) -> None:
    assert host.ok("chat_stream_parser_start", CFG) == 1
    assert host.ok("chat_stream_parser_start", CFG) == 2  # ids per instance, from 1
    line = list(b"data: Hi\n")
    events = host.ok("chat_stream_parser_parse", {"parser_id": 1, "chunk": line})
    assert events == [{"chunk": {"text": "Hi"}, "usage": None}]
    assert host.ok("chat_stream_parser_parse", {"parser_id": 1, "chunk": [10]}) == []
    done = host.ok("chat_stream_parser_parse", {"parser_id": 1, "chunk": list(b"data: [DONE]\n")})
    assert done == [{"chunk": {"done": {"finish_reason": "Stop"}}, "usage": None}]
    bad = host.typed_error("chat_stream_parser_parse", {"parser_id": 2, "chunk": list(b"x\n")})
    assert bad["type"] == "response_format_error"
    assert host.raw("chat_stream_parser_parse", json.dumps({"parser_id": 9, "chunk": []})) == (
        -1,
        b"Unknown parser id 9",
    )
    usage = {
        "input_tokens": 0,
        "output_tokens": 1,
        "reasoning_tokens": 0,
        "cache_read": 0,
        "cache_write": 0,
    }
    assert host.ok("chat_stream_parser_finish", 1) == [{"chunk": {"usage": usage}, "usage": usage}]
    assert host.raw("chat_stream_parser_finish", b"1") == (-1, b"Unknown parser id 1")  # removed
    assert host.raw("chat_stream_parser_close", b"2") == (0, b"")
    assert host.raw("chat_stream_parser_close", b"2") == (0, b"")  # closing twice is fine
    assert host.raw("chat_stream_parser_parse", json.dumps({"parser_id": 2, "chunk": []}))[0] == -1
    assert host.ok("chat_stream_parser_start", CFG) == 3


def test_unsupported_calls_are_typed_not_implemented_errors(host: Host) -> None:
    payload = host.typed_error("embed_request", {"cfg": CFG, "inputs": ["a"]})
    assert payload == {"type": "not_implemented", "message": "no embeddings"}
    request = {"prompt": "x", "suffix": None, "max_tokens": None, "temperature": None}
    payload = host.typed_error("complete_request", {"cfg": CFG, "req": request})
    assert payload == {"type": "not_implemented", "message": "no completions"}
    payload = host.typed_error("speech", {"cfg": CFG, "text": "hi"})  # HTTPLLMProvider default
    assert payload == {"type": "not_implemented", "message": "TTS not supported"}


def test_transcribe_goes_through_qmt_http_request(host: Host, provider: str) -> None:
    cfg = {**CFG, "base_url": provider}
    answer = host.ok("transcribe", {"cfg": cfg, "audio_base64": "AAEC", "language": "fr"})
    assert answer == {"text": "3 bytes in fr"}
    sent = host.requests[-1]["req"]
    assert sent["head"]["uri"] == f"{provider}transcribe"
    assert sent["body"] == [0, 1, 2]
    payload = host.typed_error("transcribe", {"cfg": cfg, "audio_base64": "AA==", "language": "xx"})
    assert payload == {"type": "rate_limited", "message": "slow down", "retry_after_secs": 7}
    rc, text = host.raw("transcribe", json.dumps({"cfg": cfg, "audio_base64": "A"}))
    assert rc == -1 and b"Invalid input length" in text  # base64: free text, as QueryMT
    assert len(host.requests) == 2
