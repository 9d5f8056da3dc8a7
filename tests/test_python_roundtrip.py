"""Every export of the spec, called on every built example plugin through the generated bindings.

The cases come from the spec: each export is called with its own example input (the config
swapped for one pointing at the loopback server), its output is validated against the generated
JSON Schema of that export, and compared with the raw bytes the plugin returned. For exports the
tests know (`EXPECTED`), the decoded value is also compared with what the loopback server's
canned answers imply. A new export in the spec gets the schema and raw-bytes checks without new
code here. The OpenAI-compatible example must pass every export; other examples must answer
each export with schema-valid output or a clean plugin error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pydantic_core import to_jsonable_python

from generator import ir
from generator.conformance import loopback_server
from generator.conformance.loopback_server import LoopbackServer
from generator.loader import load_spec
from generator.targets.python import Method, methods

ROOT = Path(__file__).resolve().parent.parent
SPEC = load_spec(ROOT / "spec" / "querymt-extism-v1.yaml")
SCHEMAS = ROOT / "generated" / "schemas" / SPEC.slug
METHODS = {m.export.name: m for m in methods(SPEC)}

import querymt_extism_v1 as bindings  # noqa: E402  (conftest puts generated/python on the path)

API_KEY = "sk-roundtrip-secret"


def config_for(server: LoopbackServer) -> dict[str, Any]:
    return {"api_key": API_KEY, "base_url": server.base_url}


def example_input(export: ir.Export, config: dict[str, Any]) -> Any:
    """The export's spec example input, with any configuration replaced by `config`."""
    method = METHODS[export.name]
    value = export.examples[0].input if export.examples else None
    if method.kind in ("config", "json") and export.input.type in (
        ir.TypeParam("Config"),
        ir.Primitive("json"),
    ):
        return config
    if method.kind == "request" and isinstance(value, dict):
        return {**value, method.cfg_field or "cfg": config}
    return value


def invoke(plugin: Any, method: Method, wire_input: Any) -> Any:
    function = getattr(plugin, method.name)
    match method.kind:
        case "ignored":
            return function()
        case "utf8":
            return function(wire_input)
        case "config" | "json":
            return function(wire_input)
        case "request":
            return function(**{p.name: wire_input.get(p.wire_name) for p in method.params})
    raise AssertionError(method.kind)


def raw_input(method: Method, wire_input: Any) -> bytes:
    if method.kind == "ignored":
        return b"null"
    if method.kind == "utf8":
        return str(wire_input).encode()
    return json.dumps(wire_input, separators=(",", ":")).encode()


def decode_raw(export: ir.Export, raw: bytes) -> Any:
    match export.output.encoding:
        case ir.Encoding.IGNORED:
            return None
        case ir.Encoding.UTF8:
            return None if (export.output.empty_is_none and not raw) else raw.decode()
        case ir.Encoding.JSON:
            return None if (export.output.empty_is_none and not raw) else json.loads(raw)
    raise AssertionError(export.output.encoding)


def output_schema(export: ir.Export) -> dict[str, Any]:
    return dict(json.loads((SCHEMAS / f"{export.name}.output.json").read_text(encoding="utf-8")))


# ------------------------------------------------------------------ what the server implies

Check = Callable[[Any, Any, LoopbackServer, Any], None]  # (output, input, server, plugin)


def _chat(out: Any, inp: Any, server: LoopbackServer, plugin: Any) -> None:
    sent = server.requests[-1].json
    assert out["usage"]["input_tokens"] == loopback_server.chat_usage(sent)["prompt_tokens"]
    assert out["usage"]["output_tokens"] == loopback_server.chat_usage(sent)["completion_tokens"]
    if inp.get("tools"):
        name = inp["tools"][0]["function"]["name"]
        assert out["text"] is None
        assert out["tool_calls"] == [
            {
                "id": loopback_server.TOOL_CALL_ID,
                "type": "function",
                "function": {
                    "name": name,
                    "arguments": loopback_server.expected_tool_arguments(name),
                },
            }
        ]
    else:
        assert out["text"] == loopback_server.CHAT_TEXT
        assert out["tool_calls"] is None


EXPECTED: dict[str, Check] = {
    "name": lambda out, inp, server, plugin: _equal(out, plugin.info.name) and _nonempty(out),
    "base_url": lambda out, inp, server, plugin: _equal(out, plugin.info.base_url),
    "api_key_name": lambda out, inp, server, plugin: _check(out is None or out.isidentifier()),
    "config_schema": lambda out, inp, server, plugin: _equal(
        json.loads(out), plugin.info.config_schema
    ),
    "from_config": lambda out, inp, server, plugin: _equal(
        (out["api_key"], out["base_url"]), (API_KEY, server.base_url)
    ),
    "list_models": lambda out, inp, server, plugin: _equal(out, list(loopback_server.MODELS)),
    "chat": _chat,
    "embed": lambda out, inp, server, plugin: _equal(
        out, [loopback_server.embedding_of(t) for t in inp["inputs"]]
    ),
    "complete": lambda out, inp, server, plugin: _equal(
        out, {"text": loopback_server.completion_text(inp["req"]["prompt"])}
    ),
}


def _equal(a: Any, b: Any) -> bool:
    assert a == b
    return True


def _nonempty(a: Any) -> bool:
    assert a
    return True


def _check(condition: bool) -> bool:
    assert condition
    return True


# ------------------------------------------------------------------ the round trips


@pytest.fixture(scope="module")
def server() -> Any:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def openai_plugin(openai_wasm: Path, server: LoopbackServer) -> Any:
    plugin = bindings.Plugin.open(openai_wasm, config_for(server))
    yield plugin
    plugin.close()


def _call_and_check(plugin: Any, export: ir.Export, wire_input: Any) -> Any:
    method = METHODS[export.name]
    result = invoke(plugin, method, wire_input)
    wire = to_jsonable_python(result, by_alias=True)
    jsonschema.Draft202012Validator(output_schema(export)).validate(wire)
    raw = plugin.call_raw(export.name, raw_input(method, wire_input))
    assert decode_raw(export, raw) == wire, "the typed output differs from the plugin's bytes"
    return wire


@pytest.mark.parametrize("export", SPEC.exports, ids=lambda e: e.name)
def test_openai_example_round_trip(
    export: ir.Export, openai_plugin: Any, server: LoopbackServer
) -> None:
    server.reset()
    wire_input = example_input(export, config_for(server))
    wire = _call_and_check(openai_plugin, export, wire_input)
    check = EXPECTED.get(export.name)
    if check is not None:
        check(wire, wire_input, server, openai_plugin)
    if export.does_http:
        assert server.requests, f"{export.name} is marked does_http but made no request"
        assert all(r.headers.get("authorization") == f"Bearer {API_KEY}" for r in server.requests)


def test_chat_with_tools_returns_tool_calls(openai_plugin: Any, server: LoopbackServer) -> None:
    export = SPEC.export("chat")
    example = SPEC.type("ExtismChatRequest").examples[0]
    assert isinstance(example, dict)
    wire_input = {**example, "cfg": config_for(server)}
    wire = _call_and_check(openai_plugin, export, wire_input)
    _chat(wire, wire_input, server, openai_plugin)


@pytest.mark.parametrize("export", SPEC.exports, ids=lambda e: e.name)
def test_every_example_plugin_answers_within_the_spec(
    export: ir.Export, example_wasms: list[Path], server: LoopbackServer
) -> None:
    for wasm in example_wasms:
        plugin = bindings.Plugin.open(wasm, config_for(server), check_config=False)
        try:
            if export.optional and export.name not in plugin.capabilities:
                continue
            _call_and_check(plugin, export, example_input(export, config_for(server)))
        except bindings.PluginCallError:
            pass  # a clean, spec-conforming failure (e.g. a plugin that cannot embed)
        finally:
            plugin.close()


def test_every_export_has_a_schema_file() -> None:
    for export in SPEC.exports:
        assert (SCHEMAS / f"{export.name}.output.json").is_file()
