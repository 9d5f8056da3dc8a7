"""The Go target is spec-driven: QueryMT's v1 through the same target as v2.

`tests/go/v1-echo` implements v1's `Exports` (its own export names, a configuration-typed
`from_config`, v1's single error convention) on `generated/go/querymt-extism-v1`, and sends
`list_models` through Extism's built-in `http_request` (a raw import of the v1 spec, called
with `WriteBlock`/`ReadBlock`) to a real loopback server that the manifest allows.
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

from generator.loader import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")


class _Models(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/v1/models" and self.headers["authorization"] == "Bearer k"
        body = b'["m-a","m-b"]' if ok else b"denied"
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def wasm() -> bytes:
    data, _ = build_go_wasm(Path(__file__).resolve().parent / "go" / "v1-echo")
    return data


@pytest.fixture
def plugin(wasm: bytes) -> Iterator[Any]:
    import extism

    manifest = {"wasm": [{"data": wasm}], "allowed_hosts": ["127.0.0.1"]}
    instance = extism.Plugin(manifest, wasi=True)
    yield instance
    release(instance)


def test_the_v1_plugin_exports_exactly_v1s_exports(wasm: bytes) -> None:
    imports, exports = wasm_interface(wasm)
    functions = {name for name, kind in exports.items() if kind == 0}
    assert functions - {"_initialize"} == {e.name for e in SPEC.exports}
    assert ("extism:host/env", "http_request") in imports
    assert not [name for module, name in imports if module == "extism:host/user"]


def test_v1_calls_with_v1s_encodings(plugin: Any, base_url: str) -> None:
    import extism

    assert plugin.call("name", b"null") == b"go-v1"
    assert plugin.call("api_key_name", b"null") == b""  # none: empty output
    cfg = {"api_key": "k", "base_url": base_url}
    assert json.loads(plugin.call("from_config", json.dumps({"api_key": "k"}))) == {
        "api_key": "k",
        "base_url": "http://127.0.0.1:9/v1/",  # the default filled in, as serde writes it back
    }
    with pytest.raises(extism.Error, match="unknown field `model`"):
        plugin.call("from_config", json.dumps({"api_key": "k", "model": "x"}))
    assert json.loads(plugin.call("list_models", json.dumps(cfg))) == ["m-a", "m-b"]
    with pytest.raises(extism.Error, match="HTTP 401: denied"):
        plugin.call("list_models", json.dumps({**cfg, "api_key": "wrong"}))
    message = {"role": "User", "message_type": "Text", "content": "hé"}
    answer = json.loads(plugin.call("chat", json.dumps({"cfg": cfg, "messages": [message]})))
    assert answer["text"] == "hé"
    assert json.loads(plugin.call("embed", json.dumps({"cfg": cfg, "inputs": ["ab", ""]}))) == [
        [2.0],
        [0.0],
    ]
    with pytest.raises(extism.Error, match=r"^no completions$"):
        plugin.call("complete", json.dumps({"cfg": cfg, "req": {"prompt": "x"}}))
