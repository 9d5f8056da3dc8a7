"""The generated Go module (`generated/go/querymt-extism-v2`) through a real Go plugin.

`tests/go/v2-echo` implements `Exports` and calls `Register` from `init`; it is vetted,
gofmt-checked and built for wasip1 with the pinned toolchain, then driven through the Extism
runtime with the two host functions the spec says every plugin may import (`qmt_http_request`
answered by a real loopback HTTP server). Return codes are read from the runtime directly,
because the Python SDK drops them when an error message is set.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from extism_log import release
from go_wasm import build_go_wasm
from wasm_reader import wasm_interface

from generator import ir
from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path(__file__).resolve().parent / "go" / "v2-echo"

HEAD_EXPORTS = {  # what QueryMT HEAD's impl_extism_http_plugin! emits
    "name", "base_url", "init_logging", "config_schema", "api_key_name", "from_config",
    "list_models_static", "list_models_request", "parse_list_models_response",
    "chat_request", "chat_stream_request", "classify_chat_error", "parse_chat_response",
    "chat_stream_parser_start", "chat_stream_parser_parse", "chat_stream_parser_finish",
    "chat_stream_parser_close", "embed_request", "parse_embed_response", "complete_request",
    "parse_complete_response", "transcribe", "speech", "supports_streaming",
}  # fmt: skip
CFG = {"model": "m1"}


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    return load_spec(ROOT / "spec" / "querymt-extism-v2.yaml")


@pytest.fixture(scope="module")
def wasm() -> bytes:
    data, _ = build_go_wasm(PLUGIN)
    return data


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"] or 0))
        answer = b"got " + body
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/stt"
    finally:
        httpd.shutdown()
        httpd.server_close()


class Host:
    """A plugin instance with qmt_log and qmt_http_request, and raw calls."""

    def __init__(self, wasm: bytes) -> None:
        import urllib.request

        import extism

        self.logs: list[dict[str, Any]] = []
        i64 = extism.ValType.I64

        @extism.host_fn(name="qmt_log", namespace="extism:host/user", signature=([i64], []))
        def qmt_log(plugin: Any, params: list[Any], results: list[Any], *data: Any) -> None:
            del results, data
            self.logs.append(json.loads(plugin.input_bytes(params[0])))

        @extism.host_fn(
            name="qmt_http_request", namespace="extism:host/user", signature=([i64], [i64])
        )
        def qmt_http_request(plugin: Any, params: list[Any], results: list[Any], *_: Any) -> None:
            head = json.loads(plugin.input_bytes(params[0]))["req"]
            assert head["head"]["uri"].startswith("http://127.0.0.1:")
            sent = urllib.request.Request(
                head["head"]["uri"], data=bytes(head["body"]), method=head["head"]["method"]
            )
            with urllib.request.urlopen(sent, timeout=10) as answer:
                status, body = answer.status, answer.read()
            out = {"head": {"status": status, "headers": {}, "version": "HTTP/1.1"}}
            response = {"resp": {**out, "body": list(body)}}
            plugin.return_bytes(results[0], json.dumps(response).encode())

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


def test_the_plugin_exports_exactly_heads_24_functions(wasm: bytes, spec: ir.Spec) -> None:
    _, exports = wasm_interface(wasm)
    functions = {name for name, kind in exports.items() if kind == 0}
    assert len(HEAD_EXPORTS) == 24
    # Go's reactor adds `_initialize` (runs the package inits, hence Register).
    assert functions - {"_initialize"} == HEAD_EXPORTS == {e.name for e in spec.exports}
    assert "_initialize" in functions
    assert "memory" in exports


def test_the_plugin_imports_only_the_host_functions_it_calls(wasm: bytes) -> None:
    imports, _ = wasm_interface(wasm)
    assert {module for module, _ in imports} == {
        "extism:host/env",
        "extism:host/user",
        "wasi_snapshot_preview1",
    }
    user = {name for module, name in imports if module == "extism:host/user"}
    assert user == {"qmt_log", "qmt_http_request"}  # never the stream or yield functions


def test_text_exports_and_the_optional_ones_left_to_defaults(host: Host) -> None:
    assert host.raw("name", b"null") == (0, b"go-echo")
    rc, schema = host.raw("config_schema", b"null")
    assert rc == 0 and json.loads(schema)["required"] == ["model"]
    for export in ("base_url", "api_key_name"):
        message = f"the `{export}` export is not implemented by this plugin".encode()
        assert host.raw(export, b"null") == (-1, message)
    rc, text = host.raw("list_models_static", json.dumps({"cfg": CFG}))
    assert rc == -1 and b"list_models_static" in text
    rc, text = host.raw("classify_chat_error", json.dumps({"cfg": CFG, "resp": _response(500)}))
    assert rc == -1 and b"classify_chat_error" in text


def _response(status: int, body: bytes = b"") -> dict[str, Any]:
    head = {"status": status, "headers": {}, "version": "HTTP/1.1"}
    return {"resp": {"head": head, "body": list(body)}}


def test_json_in_and_out_with_the_specs_encodings(host: Host) -> None:
    assert host.raw("init_logging", b"3") == (0, b"")
    listing = host.ok("list_models_request", {"cfg": {"anything": [1]}})
    assert listing == {
        "req": {
            "head": {
                "method": "GET",
                "uri": "http://127.0.0.1:9/models",
                "headers": {"accept": ["a", "b"]},
                "version": "HTTP/1.1",
            },
            "body": [],
        }
    }
    assert host.logs == [{"level": 3, "target": "v2_echo", "message": "listing models"}]
    messages = [
        {"role": "User", "content": [{"type": "text", "text": "hé <>&\u2028"}], "cache": None},
        {"role": "Assistant", "content": [{"type": "image", "mime_type": "a", "data": [0, 255]}]},
    ]
    chat = host.ok("chat_request", {"cfg": CFG, "messages": messages})
    assert chat["req"]["head"]["uri"] == "http://127.0.0.1:9/m1"
    assert chat["req"]["head"]["version"] == "HTTP/2.0"
    body = bytes(chat["req"]["body"])
    # serde_json's bytes: skipped null dropped, no escapes for <>& or U+2028, bytes as integers
    assert (
        body
        == json.dumps(
            [{"role": "User", "content": messages[0]["content"]}, messages[1]],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
    )
    answer = host.ok("parse_chat_response", {"cfg": CFG, "resp": _response(200, b"hi")})
    assert answer == {
        "text": "hi",
        "tool_calls": None,
        "thinking": None,
        "usage": None,
        "finish_reason": "Stop",
    }
    assert host.ok("parse_embed_response", {"cfg": CFG, "resp": _response(200)}) == [
        [0.5, 1.0, -2.25]
    ]
    assert host.ok("from_config", {"z": 1, "a": [True]}) == {"a": [True], "z": 1}
    assert host.ok("supports_streaming", CFG) is False
    models = host.ok("parse_list_models_response", {"resp": _response(200, b'["a","b"]')})
    assert models == ["a", "b"]


def test_the_parser_ids_and_an_empty_output(host: Host) -> None:
    assert [host.ok("chat_stream_parser_start", CFG) for _ in range(3)] == [1, 2, 3]
    line = {"parser_id": 1, "chunk": list(b"data: x\n")}
    assert host.ok("chat_stream_parser_parse", line) == [
        {"chunk": {"text": "data: x\n"}, "usage": None}
    ]
    assert host.raw("chat_stream_parser_close", b"1") == (0, b"")
    assert host.raw("chat_stream_parser_finish", b"7") == (-1, b"Unknown parser id 7")


def test_inputs_that_do_not_decode_fail_with_minus_one_and_free_text(host: Host) -> None:
    extra_key = json.dumps({"cfg": {"model": "m", "x": 1}, "messages": []})
    repeated = b'{"parser_id":1,"parser_id":1,"chunk":[]}'
    cases = [
        ("chat_request", b"not json", b"expected value"),
        ("chat_request", extra_key, b"unknown field `x`"),
        ("chat_request", json.dumps({"cfg": {}, "messages": []}), b"missing field `model`"),
        ("init_logging", b"-1", b"expected u32"),
        ("init_logging", b"1.0", b"expected u32"),
        ("chat_stream_parser_parse", json.dumps({"parser_id": 1, "chunk": [256]}), b"expected u8"),
        ("chat_stream_parser_parse", repeated, b"duplicate field `parser_id`"),
        ("parse_list_models_response", b'{"resp":"\xff"}', b"invalid unicode"),
        ("supports_streaming", b'{"model":"m"} x', b"trailing characters"),
    ]  # fmt: skip
    for export, data, message in cases:
        rc, text = host.raw(export, data)
        assert rc == -1 and message in text, (export, data, rc, text)
        assert not text.startswith(b"{")


def test_provider_errors_are_typed_plugin_errors_with_code_one(host: Host) -> None:
    assert host.typed_error("embed_request", {"cfg": CFG, "inputs": ["a"]}) == {
        "type": "not_implemented",
        "message": "no embeddings",
    }
    request = {"prompt": "x", "suffix": None, "max_tokens": None, "temperature": None}
    assert host.typed_error("complete_request", {"cfg": CFG, "req": request})["type"] == (
        "not_implemented"
    )
    assert host.typed_error("chat_stream_request", {"cfg": CFG, "messages": [], "tools": None}) == {
        "type": "not_implemented",
        "message": "no streaming",
    }
    # A provider error that is not a Failure: free text with the spec's fallback code.
    rc, text = host.raw("parse_list_models_response", json.dumps({"resp": _response(200, b"{")}))
    assert rc == -1 and b"EOF while parsing" in text


def test_transcribe_goes_through_qmt_http_request(host: Host, server: str) -> None:
    answer = host.ok("transcribe", {"cfg": {"model": server}, "audio_base64": "AAEC"})
    assert answer == {"text": "201 got AAEC"}


def test_a_panic_traps_the_instance(wasm: bytes) -> None:
    host = Host(wasm)
    try:
        rc, text = host.raw("speech", json.dumps({"cfg": CFG, "text": "hi"}))
        assert rc != 0 and rc != 1, (rc, text)
        assert text and not text.startswith(b"{")
    finally:
        release(host.plugin)
