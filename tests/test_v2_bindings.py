"""The generated v2 bindings (`querymt_extism_v2`) drive a real Extism instance: a scripted
module (tests/plugins/wasm_builder.py) answering like a QueryMT 0.6.0 plugin, so each typed
method is checked against the real runtime: JSON scalars in, the empty output, a nullable
output, a typed error answered as a successful output, and the typed error of return code 1."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import querymt_extism_v2 as bindings
from wasm_builder import Echo, Error, Output, RequirePrefix, Step, build_module

models = bindings.models
errors = bindings.errors

SCHEMA = json.dumps(
    {"type": "object", "required": ["model"], "properties": {"model": {"type": "string"}}}
).encode()
CONFIG = {"model": "m"}
HTTP_REQUEST = {
    "req": {
        "head": {
            "method": "POST",
            "uri": "http://127.0.0.1:9/v1/chat/completions",
            "headers": {"content-type": "application/json", "x-many": ["a", "b"]},
            "version": "HTTP/1.1",
        },
        "body": [123, 125],
    }
}
RATE_LIMITED = {
    "payload": {"type": "provider_error", "message": "slow down", "kind": "rate_limited"}
}
RESPONSE = {"resp": {"head": {"status": 429, "headers": {}, "version": "HTTP/1.1"}, "body": []}}


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def scripted(**overrides: list[Step]) -> bytes:
    exports: dict[str, list[Step]] = {
        "name": [Output(b"scripted-v2")],
        "base_url": [Output(b"http://127.0.0.1:9/v1/")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [Echo()],
        "init_logging": [Output(b"")],
        "list_models_static": [Output(b"null")],
        "chat_request": [Output(_json(HTTP_REQUEST))],
        "classify_chat_error": [Output(_json(RATE_LIMITED))],
        "chat_stream_parser_start": [Output(b"1")],
        "chat_stream_parser_parse": [Output(b'[{"chunk":{"text":"Hi"},"usage":null}]')],
        "chat_stream_parser_close": [Output(b"")],
    }
    for name in bindings.plugin.REQUIRED_EXPORTS:
        exports.setdefault(name, [Error(b"not scripted")])
    exports.update(overrides)
    return build_module(exports)


@pytest.fixture
def plugin() -> Any:
    # At INFO the host passes `init_logging` 3 at load, the only input the script accepts.
    logger = logging.getLogger("querymt_extism_v2.plugin")
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        wasm = scripted(init_logging=[RequirePrefix(b"3"), Output(b"")])
        with bindings.Plugin.open(wasm, CONFIG) as opened:
            yield opened
    finally:
        logger.setLevel(before)


def test_a_request_export_answers_a_typed_http_request(plugin: Any) -> None:
    hello = models.ChatMessage(role="User", content=[{"type": "text", "text": "Hi"}])
    request = plugin.chat_request([hello])
    assert isinstance(request, models.SerializableHttpRequest)
    assert request.req.head.uri == "http://127.0.0.1:9/v1/chat/completions"
    assert request.req.head.headers["x-many"] == ["a", "b"]
    assert request.to_wire() == HTTP_REQUEST


def test_classify_chat_error_answers_the_error_as_its_output(plugin: Any) -> None:
    error = plugin.classify_chat_error(models.SerializableHttpResponse.model_validate(RESPONSE))
    assert isinstance(error, models.PluginErrorDocument)
    assert error.payload.kind is models.ProviderErrorKind.rate_limited
    assert error.to_wire() == RATE_LIMITED


def test_scalar_inputs_the_empty_output_and_a_null_output(plugin: Any) -> None:
    assert plugin.init_logging(3) is None  # the script refuses any input but `3`
    assert plugin.list_models_static(models.ExtismListModelsRequest(cfg=CONFIG)) is None
    assert plugin.chat_stream_parser_start() == 1
    chunks = plugin.chat_stream_parser_parse(
        models.ExtismChatChunkParseRequest(parser_id=1, chunk=b"data: x\n")
    )
    assert [c.to_wire() for c in chunks] == [{"chunk": {"text": "Hi"}, "usage": None}]
    assert plugin.chat_stream_parser_close(1) is None


def test_a_wrong_scalar_is_refused_before_the_call(plugin: Any) -> None:
    with pytest.raises(errors.InputValidationError):
        plugin.init_logging(-1)


def test_a_typed_provider_error_keeps_its_json_message() -> None:
    typed = _json({"payload": {"type": "not_implemented", "message": "no streaming"}})
    wasm = scripted(chat_stream_request=[Error(typed, code=1)])
    with (
        bindings.Plugin.open(wasm, CONFIG) as opened,
        pytest.raises(errors.PluginCallError) as caught,
    ):
        opened.chat_stream_request([])
    message = caught.value.plugin_message
    assert models.PluginErrorDocument.model_validate_json(message).to_wire() == json.loads(typed)


def test_a_nonconforming_output_is_refused() -> None:
    wasm = scripted(list_models_static=[Output(b'{"models":[]}')])
    with bindings.Plugin.open(wasm, CONFIG) as opened, pytest.raises(errors.OutputValidationError):
        opened.list_models_static(models.ExtismListModelsRequest(cfg=CONFIG))
