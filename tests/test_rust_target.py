"""The Rust target: rendering, the generated crate, and the example plugins built against it.

The examples are built on every run (`scripts/build-examples.sh`, incremental under build/),
then checked: no compiler warnings, rustfmt-clean sources, the size budget, the export and
import sections, and a few calls through the Extism Python SDK, one of them end to end
against a loopback HTTP server.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from wasm_reader import wasm_interface

from generator import ir
from generator.loader import load_spec
from generator.targets import UnsupportedByTarget, rust

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "querymt-extism-v1.yaml"
RUST = "rust/querymt-extism-v1"  # where the target puts this ABI version's crate
GENERATED_RUST = ROOT / "generated" / "rust" / "querymt-extism-v1"
BUILD_OUT = ROOT / "build" / "examples"
RUSTFMT = "/usr/bin/rustfmt"
SIZE_LIMIT = 250_000  # bytes, for the release build of examples/openai-compatible
EXAMPLES = ("openai-compatible", "seed")


@pytest.fixture(scope="module")
def spec() -> ir.Spec:
    return load_spec(SPEC)


# --------------------------------------------------------------------------- rendering


def test_render_is_deterministic_and_complete(spec: ir.Spec) -> None:
    first, second = rust.render(spec), rust.render(spec)
    assert first == second
    assert {f"{RUST}/Cargo.toml", f"{RUST}/src/lib.rs", f"{RUST}/src/types.rs"} <= set(first)
    assert all(path.startswith(f"{RUST}/") for path in first)
    cargo = first[f"{RUST}/Cargo.toml"]
    assert f'name = "{spec.slug}"' in cargo
    assert 'name = "querymt"' in cargo


def test_types_have_the_wire_attributes(spec: ir.Spec) -> None:
    types = rust.render(spec)[f"{RUST}/src/types.rs"]
    assert '#[serde(rename = "type")]\n    pub tool_type: String' in types
    assert '#[serde(alias = "prompt_tokens", alias = "prompt_eval_count"' in types
    assert "Image(ImageMime, Vec<u8>)" in types
    assert "pub struct ExtismChatRequest<C> {" in types
    assert "pub tools: Option<Vec<Tool>>" in types
    assert "skip_serializing_if" not in types  # v1 writes `null` for every `None`


def test_macro_emits_every_export_with_its_encoding(spec: ir.Spec) -> None:
    macros = rust.render(spec)[f"{RUST}/src/plugin/extism_impl/macros.rs"]
    for export in spec.exports:
        assert f'pub extern "C" fn {export.name}() -> i32' in macros
    assert "runtime::encode_utf8_opt(output)" in macros  # api_key_name: empty output is None


def test_a_new_export_appears_in_the_macro(spec: ir.Spec) -> None:
    extra = ir.Export(
        name="supports_vision",
        description="Whether the provider accepts images.",
        input=ir.Payload(ir.Encoding.JSON, "The configuration.", ir.TypeParam("Config")),
        output=ir.Payload(ir.Encoding.JSON, "The answer.", ir.Primitive("bool")),
        optional=True,
        since=1,
        host_use="Not called by the v1 host.",
    )
    grown = dataclasses.replace(spec, exports=(*spec.exports, extra))
    files = rust.render(grown)
    assert (
        'pub extern "C" fn supports_vision() -> i32'
        in files[f"{RUST}/src/plugin/extism_impl/macros.rs"]
    )
    handlers = files[f"{RUST}/src/plugin/extism_impl/handlers.rs"]
    assert "pub fn supports_vision<C: PluginConfig, F: HTTPLLMProviderFactory>" in handlers
    assert "input: C" in handlers and "Result<bool, LLMError>" in handlers


def test_the_glue_says_what_it_needs_from_the_spec(spec: ir.Spec) -> None:
    """v1's glue (templates/rust/<slug>/glue.yaml) is written against named types and imports."""
    without = dataclasses.replace(
        spec,
        types=tuple(t for t in spec.types if t.name != "ChatMessage"),
        imports=tuple(i for i in spec.imports if i.name != "http_status_code"),
    )
    with pytest.raises(UnsupportedByTarget) as caught:
        rust.render(without)
    assert "plugin crate and needs ChatMessage, import http_status_code in" in str(caught.value)


def test_handlers_come_from_the_glue_list_not_from_files(spec: ir.Spec) -> None:
    glue = rust.load_glue(spec)
    assert glue.folder == f"rust/{spec.slug}"
    assert glue.handlers == {e.name for e in spec.exports}
    for name in glue.handlers:
        assert (rust.TEMPLATES_DIR / glue.folder / "handlers" / f"{name}.rs.j2").is_file()


def test_generated_rust_is_current_and_rustfmt_clean(spec: ir.Spec) -> None:
    files = rust.render(spec)
    for rel, text in files.items():
        on_disk = (ROOT / "generated" / rel).read_text(encoding="utf-8")
        if rel.endswith(".rs"):
            text = subprocess.run(
                [RUSTFMT, "--edition", "2021"],
                input=text,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        assert on_disk == text, f"generated/{rel} is stale: run `make generate`"
    sources = sorted(str(p) for p in GENERATED_RUST.rglob("*.rs"))
    check = subprocess.run(
        [RUSTFMT, "--edition", "2021", "--check", *sources], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


# --------------------------------------------------------------------------- building


@pytest.fixture(scope="module")
def built() -> dict[str, bytes]:
    """Builds every example (incrementally) and returns the .wasm bytes by example name."""
    result = subprocess.run(
        ["bash", "scripts/build-examples.sh"], cwd=ROOT, capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    # Cargo replays the cached diagnostics of up-to-date crates, so this sees every warning.
    assert "warning" not in output, output[-4000:]
    return {name: (BUILD_OUT / f"{name}.wasm").read_bytes() for name in EXAMPLES}


def test_openai_example_fits_the_size_budget(built: dict[str, bytes]) -> None:
    size = len(built["openai-compatible"])
    assert size <= SIZE_LIMIT, f"openai-compatible.wasm is {size} bytes (limit {SIZE_LIMIT})"


@pytest.mark.parametrize("example", EXAMPLES)
def test_examples_export_the_spec_and_import_only_extism_and_wasi(
    built: dict[str, bytes], spec: ir.Spec, example: str
) -> None:
    imports, exports = wasm_interface(built[example])
    for export in spec.exports:
        assert exports.get(export.name) == 0, f"{example} does not export function {export.name}"
    modules = {module for module, _ in imports}
    assert modules <= {"extism:host/env", "wasi_snapshot_preview1"}, modules
    for imp in spec.imports:
        assert (imp.module, imp.name) in imports


# --------------------------------------------------------------------------- calling the plugins


def _plugin(wasm: bytes, allowed_hosts: list[str] | None = None) -> Any:
    import extism

    manifest: dict[str, Any] = {"wasm": [{"data": wasm}]}
    if allowed_hosts is not None:
        manifest["allowed_hosts"] = allowed_hosts
    return extism.Plugin(manifest, wasi=True)


def test_openai_example_answers_the_probe_exports(built: dict[str, bytes]) -> None:
    plugin = _plugin(built["openai-compatible"])
    assert plugin.call("name", b"null") == b"My Example LLM HTTP Plugin"
    assert plugin.call("base_url", b"null") == b"https://api.examplellm.com/v1"
    assert plugin.call("api_key_name", b"null") == b"EXAMPLE_LLM_API_KEY"
    schema = json.loads(plugin.call("config_schema", b"null"))
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {"api_key", "model_name", "base_url"}
    assert schema["required"] == ["api_key"]
    normalized = json.loads(plugin.call("from_config", b'{"api_key": "sk-test"}'))
    assert normalized == {
        "api_key": "sk-test",
        "model_name": None,
        "base_url": "https://api.examplellm.com/v1",
    }


def test_seed_example_infers_schema_and_base_url_from_default(built: dict[str, bytes]) -> None:
    plugin = _plugin(built["seed"])
    assert plugin.call("name", b"null") == b"My Example LLM HTTP Plugin"
    assert plugin.call("base_url", b"null") == b"https://api.examplellm.com/v1"
    schema = json.loads(plugin.call("config_schema", b"null"))
    assert set(schema["properties"]) == {"api_key", "model_name", "base_url"}


class _Provider(BaseHTTPRequestHandler):
    """A tiny OpenAI-compatible provider; `server.status` forces an error status."""

    server: _Server

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"] or 0)))
        self.server.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        if self.server.status != 200:
            self._send(self.server.status, b'{"error": {"message": "model overloaded"}}')
            return
        answer = {
            "choices": [{"message": {"role": "assistant", "content": "Hi there!"}}],
            "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15},
        }
        if body.get("tools"):
            call = {"id": "call_1", "type": "function"}
            call["function"] = {"name": "get_weather", "arguments": '{"city":"Paris"}'}
            answer["choices"][0]["message"] = {"content": None, "tool_calls": [call]}
        self._send(200, json.dumps(answer).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    status = 200
    seen: list[tuple[str, dict[str, str], Any]]


@pytest.fixture
def provider() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Provider)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _chat_input(server: _Server, tools: bool = False) -> bytes:
    port = server.server_address[1]
    request: dict[str, Any] = {
        "cfg": {"api_key": "sk-test", "base_url": f"http://127.0.0.1:{port}/v1"},
        "messages": [{"role": "User", "message_type": "Text", "content": "Hello"}],
        "tools": None,
    }
    if tools:
        parameters = {"type": "object", "properties": {"city": {"type": "string"}}}
        function = {"name": "get_weather", "description": "Weather", "parameters": parameters}
        request["tools"] = [{"type": "function", "function": function}]
    return json.dumps(request).encode()


def test_openai_example_chats_end_to_end(built: dict[str, bytes], provider: _Server) -> None:
    plugin = _plugin(built["openai-compatible"], ["127.0.0.1"])
    answer = json.loads(plugin.call("chat", _chat_input(provider)))
    assert answer == {
        "text": "Hi there!",
        "tool_calls": None,
        "thinking": None,
        "usage": {"input_tokens": 12, "output_tokens": 3},
    }
    path, headers, body = provider.seen[-1]
    assert path == "/v1/chat/completions"
    assert headers["authorization"] == "Bearer sk-test"
    assert body == {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}

    answer = json.loads(plugin.call("chat", _chat_input(provider, tools=True)))
    assert answer["text"] is None
    assert answer["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
        }
    ]
    assert provider.seen[-1][2]["tools"][0]["function"]["name"] == "get_weather"


def test_errors_reach_the_host_as_messages(built: dict[str, bytes], provider: _Server) -> None:
    import extism

    plugin = _plugin(built["openai-compatible"], ["127.0.0.1"])
    with pytest.raises(extism.Error, match=r"^Serde error: .*line 1 column"):
        plugin.call("chat", b'{"cfg": ')
    with pytest.raises(extism.Error, match=r"^Serde error: missing field `api_key`"):
        plugin.call("from_config", b"{}")
    provider.status = 500
    with pytest.raises(extism.Error) as failure:
        plugin.call("chat", _chat_input(provider))
    assert str(failure.value).startswith("LLM Provider Error: HTTP 500 Internal Server Error: ")
    assert "model overloaded" in str(failure.value)
    # A failed call leaves the plugin usable.
    provider.status = 200
    assert json.loads(plugin.call("chat", _chat_input(provider)))["text"] == "Hi there!"
