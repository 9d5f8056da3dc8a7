"""`open_plugin`: the ABI of any module detected from its export section, and QueryMT's typed
`LLMErrorPayload` errors, through real plugin calls (built examples and scripted modules) and a
loopback OpenAI-compatible server."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1
import querymt_extism_v2 as v2
from qmt_v2_host import header_map, send
from servers import openai_compat as oai
from servers.openai_compat import OpenAICompatServer
from wasm_builder import Echo, Error, Output, Step, Trap, build_module

from generator.ir import EnumType
from generator.loader import load_spec

SPEC = Path(__file__).resolve().parents[1] / "spec" / "querymt-extism-v2.yaml"
API_KEY = "sk-open-plugin-secret-42"
SCHEMA = json.dumps(
    {
        "type": "object",
        "required": ["model"],
        "properties": {"model": {"type": "string"}, "api_key": {"type": "string"}},
    }
).encode()
CONFIG = {"model": "m", "api_key": API_KEY}
HTTP_REQUEST = {
    "req": {
        "head": {
            "method": "GET",
            "uri": "http://127.0.0.1:9/v1/models",
            "headers": {},
            "version": "HTTP/1.1",
        },
        "body": [],
    }
}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def scripted_v2(*, dialect: str = "0.6.0", **overrides: list[Step]) -> bytes:
    """A module with every export of the v2 dialect, answering what the tests need."""
    exports: dict[str, list[Step]] = {
        "name": [Output(b"scripted")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [Echo()],
        "init_logging": [Output(b"")],
        "list_models_request": [Output(_json(HTTP_REQUEST))],
        "classify_chat_error": [Output(_json({"payload": {"type": "cancelled"}}))],
    }
    for export in v2.plugin.ABI.exports:
        exports.setdefault(export.name, [Error(b"not scripted")])
    if dialect == "0.5.2":
        del exports["classify_chat_error"]
    exports.update(overrides)
    return build_module(exports)


def legacy_v03() -> bytes:
    """QueryMT 0.3's legacy shape: monolithic exports, HTTP through imported `qmt_*`."""
    names = [
        *querymt_extism_v1.plugin.REQUIRED_EXPORTS,
        "chat_stream",
        "init_logging",
        "supports_streaming",
    ]
    module = build_module({name: [Output(b"")] for name in names})
    renames = {
        ("extism:host/env", "log_error"): ("extism:host/user", "qmt_http_request"),
        ("extism:host/env", "log_warn"): ("extism:host/user", "qmt_yield_chunk"),
        ("extism:host/env", "log_info"): ("extism:host/user", "qmt_log"),
    }
    return runtime.rewrite_imports(module, renames)


# --------------------------------------------------------------------------- detection


def test_the_v1_example_is_detected_as_v1(openai_wasm: Path) -> None:
    match = runtime.detect_abi(openai_wasm.read_bytes())
    assert match.plugin_class is querymt_extism_v1.Plugin
    assert (match.abi.slug, match.mode, match.dialect) == ("querymt-extism-v1", None, None)


def test_the_v2_example_opens_in_adapter_mode_of_the_newest_dialect(v2_example_wasm: Path) -> None:
    match = runtime.detect_abi(v2_example_wasm.read_bytes())
    assert (match.abi.slug, match.mode, match.dialect) == ("querymt-extism-v2", "adapter", "0.6.0")
    config = {"model": "gpt-4o-mini", "api_key": API_KEY, "base_url": "http://127.0.0.1:9/v1/"}
    with runtime.open_plugin(v2_example_wasm, config) as plugin:
        assert isinstance(plugin, v2.Plugin)
        assert plugin.info.name == "openai-compatible"


def test_a_module_without_classify_chat_error_is_the_0_5_2_dialect() -> None:
    match = runtime.detect_abi(scripted_v2(dialect="0.5.2"))
    assert (match.plugin_class, match.mode, match.dialect) == (v2.Plugin, "adapter", "0.5.2")
    with runtime.open_plugin(scripted_v2(dialect="0.5.2"), CONFIG) as plugin:
        assert isinstance(plugin, v2.Plugin)
        with pytest.raises(runtime.MissingExportError):
            plugin.classify_chat_error(
                v2.models.SerializableHttpResponse.model_validate(
                    {
                        "resp": {
                            "head": {"status": 500, "headers": {}, "version": "HTTP/1.1"},
                            "body": [],
                        }
                    }
                )
            )


def test_a_legacy_plugin_is_refused_with_what_it_is() -> None:
    wasm = legacy_v03()
    exports = runtime.read_wasm_header(wasm).function_exports
    assert set(querymt_extism_v1.plugin.REQUIRED_EXPORTS) <= exports  # only its imports differ
    with pytest.raises(runtime.UnsupportedAbiError) as caught:
        runtime.open_plugin(wasm, CONFIG)
    error = caught.value
    assert isinstance(error, runtime.PluginLoadError)
    assert error.kind == "legacy"
    assert "QueryMT 0.3" in error.message and "qmt_http_request" in error.message
    assert "chat_request" in error.missing["querymt-extism-v2"]
    assert any("qmt_log" in m for m in error.missing["querymt-extism-v1"])


def test_a_module_of_no_known_abi_names_what_each_abi_lacks() -> None:
    with pytest.raises(runtime.UnsupportedAbiError) as caught:
        runtime.detect_abi(build_module({"hello": [Output(b"")]}))
    assert caught.value.kind == "unknown"
    assert set(caught.value.missing) == {"querymt-extism-v1", "querymt-extism-v2"}
    assert "parse_chat_response" in caught.value.missing["querymt-extism-v2"]


def test_bytes_that_are_no_module_are_a_load_error() -> None:
    with pytest.raises(runtime.PluginLoadError, match="not a WebAssembly module"):
        runtime.detect_abi(b"\0asm\x02\0\0\0")


def test_detection_reads_only_the_generated_tables(v2_example_wasm: Path) -> None:
    """Another table (an adapter mode needing one more export) changes the verdict."""
    assert runtime.abi_plugin_classes() == (querymt_extism_v1.Plugin, v2.Plugin)
    adapter = v2.plugin.ABI.modes[0]
    stricter = replace(
        v2.plugin.ABI, modes=(runtime.HostMode(adapter.name, (*adapter.requires, "chat_v3")),)
    )

    class Stricter(v2.Plugin):
        ABI = stricter

    wasm = v2_example_wasm.read_bytes()
    assert runtime.detect_abi(wasm, [v2.Plugin]).mode == "adapter"
    with pytest.raises(runtime.UnsupportedAbiError) as caught:
        runtime.detect_abi(wasm, [Stricter])
    assert caught.value.missing == {"querymt-extism-v2": ("chat_v3",)}
    assert caught.value.kind == "legacy"  # it imports qmt_* but lacks the (stricter) mode


# --------------------------------------------------------------------------- typed errors


def _payload_variants() -> dict[str, EnumType]:
    spec = load_spec(SPEC)
    enum = spec.type("LLMErrorPayload")
    assert isinstance(enum, EnumType)
    return {v.wire_name: enum for v in enum.variants}


def test_every_llm_error_payload_variant_has_a_class() -> None:
    variants = set(_payload_variants())
    assert variants == set(runtime.LLM_ERROR_CLASSES)
    kinds = load_spec(SPEC).type("ProviderErrorKind")
    assert isinstance(kinds, EnumType)
    assert set(runtime.PROVIDER_KIND_CLASSES) <= {v.wire_name for v in kinds.variants}
    for name, cls in runtime.LLM_ERROR_CLASSES.items():
        assert cls.payload_type == name and issubclass(cls, runtime.PluginCallError)


PAYLOADS: list[tuple[dict[str, Any], type[runtime.LLMError], dict[str, Any]]] = [
    (
        {"type": "rate_limited", "message": "slow", "retry_after_secs": 12},
        runtime.RateLimitedError,
        {"retry_after": 12},
    ),
    ({"type": "auth_error", "message": "bad key"}, runtime.AuthError, {}),
    ({"type": "invalid_request", "message": "no"}, runtime.InvalidRequestError, {}),
    (
        {
            "type": "provider_error",
            "message": "too long",
            "kind": "context_window_exceeded",
            "code": "context_length_exceeded",
            "request_id": "req-1",
        },
        runtime.ContextLengthExceededError,
        {"kind": "context_window_exceeded", "provider_code": "context_length_exceeded"},
    ),
    (
        {"type": "provider_error", "message": "busy", "kind": "server_overloaded"},
        runtime.ProviderError,
        {"kind": "server_overloaded", "request_id": None},
    ),
    (
        {"type": "http_status", "status_code": 503, "message": "down", "retry_after_secs": None},
        runtime.HttpStatusError,
        {"status_code": 503, "retry_after": None},
    ),
    (
        {"type": "transport", "kind": "timeout", "message": "slow net"},
        runtime.TransportError,
        {"kind": "timeout"},
    ),
    ({"type": "cancelled"}, runtime.CancelledError, {"provider_message": ""}),
    ({"type": "not_implemented", "message": "no"}, runtime.NotImplementedByPluginError, {}),
    ({"type": "json_error", "message": "bad"}, runtime.JsonError, {}),
    (
        {"type": "response_format_error", "message": "odd", "raw_response": "<html>"},
        runtime.ResponseFormatError,
        {"raw_response": "<html>"},
    ),
    ({"type": "plugin_error", "message": "oops"}, runtime.PluginReportedError, {}),
    ({"type": "io_error", "message": "disk"}, runtime.IoError, {}),
]


@pytest.mark.parametrize(
    ("payload", "cls", "attrs"),
    PAYLOADS,
    ids=[p[0]["type"] + str(i) for i, p in enumerate(PAYLOADS)],
)
def test_a_typed_plugin_error_raises_its_class(
    payload: dict[str, Any], cls: type[runtime.LLMError], attrs: dict[str, Any]
) -> None:
    wasm = scripted_v2(chat_request=[Error(_json({"payload": payload}), code=1)])
    with runtime.open_plugin(wasm, CONFIG) as plugin, pytest.raises(runtime.LLMError) as caught:
        plugin.chat_request([])
    error = caught.value
    assert type(error) is cls
    assert error.export == "chat_request" and error.payload == payload
    assert error.provider_message == payload.get("message", "")
    assert json.loads(error.plugin_message) == {"payload": payload}  # the plugin's text, intact
    for name, value in attrs.items():
        assert getattr(error, name) == value


def test_a_provider_rate_limit_is_caught_as_rate_limited_and_secrets_are_redacted() -> None:
    payload = {
        "type": "provider_error",
        "message": f"key {API_KEY} is throttled",
        "kind": "rate_limited",
        "retry_after_secs": 3,
    }
    wasm = scripted_v2(chat_request=[Error(_json({"payload": payload}), code=1)])
    with runtime.open_plugin(wasm, CONFIG) as plugin, pytest.raises(runtime.RateLimitedError) as c:
        plugin.chat_request([])
    assert isinstance(c.value, runtime.ProviderError) and c.value.retry_after == 3
    assert API_KEY not in str(c.value) and API_KEY not in json.dumps(c.value.payload)
    assert "***" in c.value.provider_message
    assert API_KEY not in c.value.plugin_message and "***" in c.value.plugin_message


def test_free_text_errors_and_traps_stay_their_own_classes() -> None:
    wasm = scripted_v2(
        chat_request=[Error(b"missing field `model` at line 1 column 2", code=-1)],
        parse_chat_response=[Trap()],
    )
    with runtime.open_plugin(wasm, CONFIG) as plugin:
        with pytest.raises(runtime.PluginCallError) as caught:
            plugin.chat_request([])
        assert not isinstance(caught.value, runtime.LLMError)
        assert "missing field" in caught.value.plugin_message
        response = v2.models.SerializableHttpResponse.model_validate(
            {"resp": {"head": {"status": 200, "headers": {}, "version": "HTTP/1.1"}, "body": []}}
        )
        with pytest.raises(runtime.PluginTrapError):
            plugin.parse_chat_response(response)


# --------------------------------------------------------------------------- classify_chat_error


def _failed_chat(plugin: Any, server: OpenAICompatServer) -> runtime.LLMError:
    """chat_request -> the loopback server (failing) -> classify_chat_error -> typed error."""
    hello = v2.models.ChatMessage(role="User", content=[{"type": "text", "text": "Hi"}])
    request = plugin.chat_request([hello])
    wire = send(request.to_wire()["req"])
    assert wire.status >= 400
    response = v2.models.SerializableHttpResponse.model_validate(
        {
            "resp": {
                "head": {
                    "status": wire.status,
                    "headers": header_map(wire.headers),
                    "version": "HTTP/1.1",
                },
                "body": list(wire.body),
            }
        }
    )
    return runtime.llm_error(plugin.classify_chat_error(response), export="classify_chat_error")


@pytest.fixture
def v2_example(v2_example_wasm: Path) -> Any:
    with OpenAICompatServer() as server:
        config = {"model": "loop-mini", "api_key": API_KEY, "base_url": server.base_url}
        with runtime.open_plugin(v2_example_wasm, config) as plugin:
            yield plugin, server


def test_the_examples_classifier_gives_rate_limited_with_retry_after(v2_example: Any) -> None:
    plugin, server = v2_example
    server.fail(
        "/chat/completions",
        429,
        {"error": {"message": "slow down", "type": "rate_limit_error"}},
        headers={"Retry-After": "7"},
    )
    error = _failed_chat(plugin, server)
    assert isinstance(error, runtime.RateLimitedError) and error.retry_after == 7
    assert error.provider_message == "slow down"


def test_the_examples_classifier_gives_auth_on_401(v2_example: Any) -> None:
    plugin, server = v2_example
    server.fail("/chat/completions", 401, {"error": {"message": "bad key", "type": "auth"}})
    error = _failed_chat(plugin, server)
    assert isinstance(error, runtime.AuthError) and not isinstance(error, runtime.RateLimitedError)


# --------------------------------------------------------------------------- status-only (0.5.2)


@pytest.mark.parametrize(
    ("status", "headers", "body", "cls", "retry"),
    [
        (429, {"retry-after": ["3"]}, b'{"error":{"message":"busy"}}', runtime.RateLimitedError, 3),
        (401, {}, b"denied\n", runtime.AuthError, None),
        (422, {}, b"", runtime.InvalidRequestError, None),
        (503, {"retry-after-ms": ["1500"]}, b"", runtime.ProviderError, 1),  # rounded down
        (499, {}, b"", runtime.CancelledError, None),
    ],
)
def test_the_specs_status_only_classifier(
    status: int,
    headers: dict[str, list[str]],
    body: bytes,
    cls: type[runtime.LLMError],
    retry: int | None,
) -> None:
    classifier = v2.plugin.ABI.classifier("classify_status_only")
    error = runtime.llm_error(classifier.classify(status, headers, body))
    assert isinstance(error, cls) and error.retry_after == retry
    if status != 499:
        expected = {429: "busy", 401: "denied", 422: "HTTP 422", 503: "HTTP 503"}[status]
        assert error.provider_message == expected
    if status == 503:
        assert error.payload["kind"] == "unknown_transient"


# --------------------------------------------------------------------------- adapter mode


def test_adapter_list_models_and_chat_round_trip(v2_example: Any) -> None:
    plugin, server = v2_example
    assert runtime.adapter_list_models(plugin) == list(oai.MODELS)
    hello = v2.models.ChatMessage(role="User", content=[{"type": "text", "text": "Hi"}])
    answer = runtime.adapter_chat(plugin, [hello])
    assert isinstance(answer, v2.models.ExtismChatResponse)
    assert answer.text == oai.CHAT_TEXT
    paths = [r.path for r in server.requests]
    assert paths == ["/v1/models", "/v1/chat/completions"]
    assert server.requests[1].headers["authorization"] == f"Bearer {API_KEY}"


def test_adapter_chat_raises_the_plugins_classification(v2_example: Any) -> None:
    plugin, server = v2_example
    server.fail("/chat/completions", 429, {"error": {"message": "later"}}, {"Retry-After": "9"})
    with pytest.raises(runtime.RateLimitedError) as caught:
        runtime.adapter_chat(plugin, [])
    assert caught.value.retry_after == 9 and caught.value.export == "classify_chat_error"
    server.fail("/models", 401, {"error": {"message": "who"}})
    with pytest.raises(runtime.AuthError) as denied:
        runtime.adapter_list_models(plugin)
    assert denied.value.export == "classify_http_status" and denied.value.payload == {
        "type": "auth_error",
        "message": "who",
    }


def _chat_to(url: str) -> list[Step]:
    request = {
        "req": {
            "head": {"method": "POST", "uri": url, "headers": {}, "version": "HTTP/1.1"},
            "body": list(b"{}"),
        }
    }
    return [Output(_json(request))]


def test_a_0_5_2_plugin_gets_the_status_only_classification() -> None:
    with OpenAICompatServer() as server:
        wasm = scripted_v2(
            dialect="0.5.2",
            chat_request=_chat_to(server.base_url + "chat/completions"),
            base_url=[Output(server.base_url.encode())],
        )
        server.fail("/chat/completions", 429, "busy", {"Retry-After": "4"})
        with (
            runtime.open_plugin(wasm, CONFIG) as plugin,
            pytest.raises(runtime.ProviderRateLimitedError) as caught,
        ):
            runtime.adapter_chat(plugin, [])
        assert caught.value.export == "classify_status_only"
        assert caught.value.payload == {
            "type": "provider_error",
            "kind": "rate_limited",
            "message": "busy",
            "retry_after_secs": 4,
        }
        assert len(server.requests) == 1


def test_adapter_http_goes_through_the_allow_list() -> None:
    with OpenAICompatServer() as allowed, OpenAICompatServer() as other:
        wasm = scripted_v2(
            chat_request=_chat_to(other.base_url + "chat/completions"),
            base_url=[Output(allowed.base_url.encode())],
        )
        with (
            runtime.open_plugin(wasm, CONFIG) as plugin,
            pytest.raises(runtime.HostNotAllowedError),
        ):
            runtime.adapter_chat(plugin, [])
        assert other.requests == [] and allowed.requests == []


def test_the_api_key_comes_from_the_named_env_var_only_on_request(
    v2_example_wasm: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env-7")
    with OpenAICompatServer() as server:
        config = {"model": "loop-mini", "base_url": server.base_url}
        with runtime.open_plugin(v2_example_wasm, config, api_key_from_env=True) as plugin:
            assert plugin.config["api_key"] == "sk-from-env-7"
            runtime.adapter_list_models(plugin)
        assert server.requests[0].headers["authorization"] == "Bearer sk-from-env-7"
        with runtime.open_plugin(v2_example_wasm, config) as plain:
            assert "api_key" not in (plain.config or {})
