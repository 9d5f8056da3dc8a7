"""Hostile data: config schemas that would stall or reach out, secrets in every encoding,
the process environment, and JSON that serde would refuse (on output and on input).

Modules are assembled byte by byte (tests/plugins/wasm_builder.py); HTTP goes to loopback only.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1 as bindings
from bounded import returns
from pydantic import ValidationError
from typer.testing import CliRunner
from wasm_builder import ConfigGet, Echo, Error, Output, Step, build_module

from generator.cli import app
from generator.conformance.loopback_server import LoopbackServer

errors = bindings.errors
models = bindings.models

SCHEMA: dict[str, Any] = {"type": "object", "properties": {"api_key": {"type": "string"}}}


def module(schema: Any = SCHEMA, **overrides: list[Step]) -> bytes:
    text = schema if isinstance(schema, bytes) else json.dumps(schema).encode()
    exports: dict[str, list[Step]] = {
        "name": [Output(b"Hostile")],
        "config_schema": [Output(text)],
        "from_config": [Echo()],
        "list_models": [Echo()],
        "chat": [Echo()],
        "embed": [Echo()],
        "complete": [Echo()],
    }
    exports.update(overrides)
    return build_module(exports)


# --------------------------------------------------------------------------- config schemas


def test_a_remote_ref_is_never_fetched(loopback: LoopbackServer) -> None:
    schema = {"type": "object", "properties": {"api_key": {"$ref": loopback.url + "/s.json"}}}
    with pytest.raises(errors.ConfigError, match="outside itself"):
        bindings.Plugin.open(module(schema), {"api_key": "k"})
    assert loopback.requests == []


def test_verify_never_fetches_a_remote_ref_either(loopback: LoopbackServer, tmp_path: Path) -> None:
    schema = {"type": "object", "properties": {"api_key": {"$ref": loopback.url + "/s.json"}}}
    wasm = tmp_path / "ref.wasm"
    wasm.write_bytes(module(schema))
    result = returns(lambda: CliRunner().invoke(app, ["verify", str(wasm), "--timeout-ms", "500"]))
    assert result.exit_code == 1
    assert "outside itself" in result.output
    assert loopback.requests == []


def test_a_file_ref_is_a_typed_error(tmp_path: Path) -> None:
    target = tmp_path / "s.json"
    target.write_text('{"type": "string"}')
    for ref in (target.as_uri(), "s.json#/x", "other.json"):
        schema = {"type": "object", "properties": {"api_key": {"$ref": ref}}}
        with pytest.raises(errors.ConfigError):
            bindings.Plugin.open(module(schema), {"api_key": "k"})


def test_local_refs_still_work() -> None:
    schema = {
        "type": "object",
        "properties": {"api_key": {"$ref": "#/definitions/key"}},
        "definitions": {"key": {"type": "string", "minLength": 2}},
    }
    with bindings.Plugin.open(module(schema), {"api_key": "ok"}) as plugin:
        assert plugin.from_config() == {"api_key": "ok"}
    with pytest.raises(errors.ConfigError, match="minLength"):
        bindings.Plugin.open(module(schema), {"api_key": "k"})


EVIL = "^(a+)+$"
"""Backtracking regular expressions take time exponential in the length of a near match."""
NEAR_MATCH = "a" * 64 + "!"  # Python's re would take longer than the universe exists


@pytest.mark.parametrize(
    "schema, config",
    [
        (
            {"type": "object", "properties": {"api_key": {"type": "string", "pattern": EVIL}}},
            {"api_key": NEAR_MATCH},
        ),
        (
            {"type": "object", "properties": {"api_key": {}}, "patternProperties": {EVIL: {}}},
            {"api_key": "k", NEAR_MATCH: 1},
        ),
        (
            {
                "type": "object",
                "properties": {"api_key": {}},
                "patternProperties": {EVIL: {}},
                "additionalProperties": False,
            },
            {"api_key": "k", NEAR_MATCH: 1},
        ),
        (
            {"type": "object", "propertyNames": {"pattern": EVIL}},
            {NEAR_MATCH: 1},
        ),
    ],
    ids=["pattern", "patternProperties", "additionalProperties", "propertyNames"],
)
def test_patterns_match_in_linear_time(schema: dict[str, Any], config: dict[str, Any]) -> None:
    problems = returns(lambda: runtime.schema_problems(config, schema))
    assert isinstance(problems, list)


def test_pattern_results_are_right() -> None:
    schema = {"type": "object", "properties": {"api_key": {"type": "string", "pattern": "^sk-"}}}
    assert runtime.schema_problems({"api_key": "sk-1"}, schema) == []
    assert runtime.schema_problems({"api_key": "nope"}, schema) == [
        "api_key: fails 'pattern' ('^sk-')"
    ]
    closed = {"type": "object", "patternProperties": {"^x-": {}}, "additionalProperties": False}
    assert runtime.schema_problems({"x-a": 1}, closed) == []
    assert runtime.schema_problems({"y": 1}, closed) != []


def test_a_pattern_only_backtracking_can_match_is_refused_typed() -> None:
    schema = {"type": "object", "properties": {"api_key": {"type": "string", "pattern": "(?=a)"}}}
    with pytest.raises(errors.ConfigError, match="linear-time"):
        bindings.Plugin.open(module(schema), {"api_key": "a"})


def test_unevaluated_properties_with_pattern_properties_is_refused_typed() -> None:
    schema = {
        "type": "object",
        "properties": {"api_key": {}},
        "patternProperties": {EVIL: {}},
        "unevaluatedProperties": False,
    }
    with pytest.raises(errors.ConfigError, match="unevaluatedProperties"):
        returns(lambda: bindings.Plugin.open(module(schema), {"api_key": "k", NEAR_MATCH: 1}))


def nested_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"api_key": schema}}
    return schema


def test_a_900_level_schema_is_a_typed_error() -> None:
    levels = 900
    text = b'{"type":"object","properties":{"api_key":' * levels + b"{}" + b"}}" * levels
    with pytest.raises(errors.PluginLoadError, match="config_schema"):
        bindings.Plugin.open(module(text), {"api_key": "k"})


def test_a_too_deep_config_is_a_typed_error() -> None:
    config: Any = "k"
    for _ in range(200):
        config = {"api_key": config}
    with pytest.raises(errors.ConfigError, match="nests deeper"):
        bindings.Plugin.open(module(nested_schema(60)), config)
    assert bindings.plugin.schema_limits_problem(nested_schema(60)) is None
    assert "nests deeper" in (bindings.plugin.schema_limits_problem(nested_schema(70)) or "")


# --------------------------------------------------------------------------- secrets

KEY = 'sk-adv/Az+By=Cx9"q\\u'
"""A key with characters every encoding changes: / + = (URL), " and \\ (JSON)."""


@pytest.mark.parametrize(
    "leak",
    [
        KEY,
        quote(KEY, safe=""),
        quote(KEY, safe="").lower(),
        quote(quote(KEY, safe=""), safe=""),
        json.dumps(KEY)[1:-1],
        json.dumps(json.dumps(KEY))[1:-1],
        base64.b64encode(KEY.encode()).decode(),
        "Basic " + base64.b64encode(f"user:{KEY}".encode()).decode(),
        "Basic " + base64.b64encode(f"u:{KEY}".encode()).decode(),
        "Basic " + base64.b64encode(f"{KEY}:x".encode()).decode(),
        base64.urlsafe_b64encode(f"ab{KEY}".encode()).decode(),
    ],
    ids=lambda leak: "leak",
)
def test_every_encoding_of_a_secret_is_masked(leak: str) -> None:
    redact = runtime.Redactor([KEY])
    text = redact(f"HTTP request to http://127.0.0.1:1/?key={leak} is not allowed")
    assert "***" in text
    for form in (KEY, quote(KEY, safe=""), json.dumps(KEY)[1:-1]):
        assert form not in text
    encoded = base64.b64encode(KEY.encode()).decode()
    assert encoded[2:-4] not in text  # a base64 core that depends on the key alone


def test_secret_key_names() -> None:
    secret = [
        "api_key", "apiKey", "x-api-key", "access_token", "accessToken", "refresh_tokens",
        "client_secret", "password", "db_passwd", "ssh_passphrase", "bearer", "bearer_token",
        "github_pat", "pat", "credentials", "gcp_credential_json", "private_key",
        "privateKeyPem", "Authorization", "auth", "cookie", "session_jwt", "webhook_signature",
    ]  # fmt: skip
    plain = ["model_name", "base_url", "temperature", "max_tokens_hint", "path", "patience"]
    assert [k for k in secret if not runtime.is_secret_key(k)] == []
    assert [k for k in plain if runtime.is_secret_key(k)] == ["max_tokens_hint"]
    config = {"nested": {"github_pat": "ghp-123456"}, "list": [{"passphrase": "hunter22"}]}
    assert set(runtime.secret_values(config)) == {"ghp-123456", "hunter22"}


def test_a_plugin_message_with_the_key_url_encoded_is_masked() -> None:
    wasm = module(embed=[Error(f"GET /?key={quote(KEY, safe='')} failed".encode())])
    with (
        bindings.Plugin.open(wasm, {"api_key": KEY}) as plugin,
        pytest.raises(errors.PluginCallError) as caught,
    ):
        plugin.embed(["a"])
    assert caught.value.plugin_message == "GET /?key=*** failed"
    assert quote(KEY, safe="") not in repr(caught.value)


def test_the_cli_never_prints_the_config_secrets(tmp_path: Path) -> None:
    wasm = tmp_path / "echo.wasm"
    schema = {"type": "object", "properties": {"api_key": {}, "passphrase": {}, "m": {}}}
    wasm.write_bytes(module(schema))
    config = json.dumps({"api_key": KEY, "passphrase": "open-sesame", "m": "visible"})
    runner = CliRunner()
    result = runner.invoke(app, ["call", str(wasm), "from_config", "--config", config])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"api_key": "***", "passphrase": "***", "m": "visible"}
    failing = tmp_path / "fail.wasm"
    failing.write_bytes(module(schema, list_models=[Error(f"bad {KEY}".encode())]))
    result = runner.invoke(app, ["call", str(failing), "list_models", "--config", config])
    assert result.exit_code == 1
    assert KEY not in result.output and "bad ***" in result.output


# --------------------------------------------------------------------------- environment


@pytest.fixture
def env_secret() -> Iterator[str]:
    name = "QMT_TEST_PROVIDER_API_KEY"
    os.environ[name] = "sk-from-the-environment"
    yield name
    del os.environ[name]


def test_the_manifest_does_not_carry_the_environment_by_default(env_secret: str) -> None:
    wasm = module(list_models=[ConfigGet(env_secret.encode())])
    with bindings.Plugin.open(wasm, {"api_key": "k"}) as plugin:
        assert plugin.call_raw("list_models", b"null") == b""
    passed = bindings.Plugin.open(wasm, {"api_key": "k"}, manifest_config={env_secret: "given"})
    with passed:
        assert passed.call_raw("list_models", b"null") == b"given"
    inherited = bindings.Plugin.open(wasm, {"api_key": "k"}, inherit_env=True)
    with inherited:
        assert inherited.call_raw("list_models", b"null") == b"sk-from-the-environment"


# --------------------------------------------------------------------------- wire strictness


@pytest.mark.parametrize(
    "output",
    [b"NaN", b"[Infinity]", b'{"a":-Infinity}', b"1e99999999999", b"[-1e400]",
     b"1" + b"0" * 400, b'{"a":1,"a":2}', b'{"x":{"b":1,"b":1}}', b"[" * 128 + b"]" * 128],
    ids=["nan", "inf", "-inf", "huge", "-huge", "huge-int", "dup", "nested-dup", "deep"],
)  # fmt: skip
def test_output_serde_refuses_is_refused(output: bytes) -> None:
    wasm = module(from_config=[Output(output)], embed=[Output(output)])
    with bindings.Plugin.open(wasm, {"api_key": "k"}, check_config=False) as plugin:
        for call, export in (
            (plugin.from_config, "from_config"),
            (lambda: plugin.embed([]), "embed"),
        ):
            with pytest.raises(errors.OutputValidationError) as caught:
                call()
            assert caught.value.export == export
            assert str(caught.value).startswith(f"{export}: ")


def test_duplicate_keys_in_a_typed_output_are_refused() -> None:
    answer = b'{"text":"a","text":"b","tool_calls":null,"thinking":null,"usage":null}'
    with (
        bindings.Plugin.open(module(chat=[Output(answer)]), {"api_key": "k"}) as plugin,
        pytest.raises(errors.OutputValidationError, match="duplicate key"),
    ):
        plugin.chat([])


def test_valid_numbers_and_serdes_deepest_nesting_still_pass() -> None:
    deepest = b"[" * 127 + b"]" * 127  # serde_json reads 127 levels and refuses 128
    wasm = module(embed=[Output(b"[[1e308, -2.5e-300, 0, 3]]")], from_config=[Output(deepest)])
    with bindings.Plugin.open(wasm, {"api_key": "k"}, check_config=False) as plugin:
        assert plugin.embed(["x"]) == [[1e308, -2.5e-300, 0.0, 3.0]]
        assert plugin.from_config() == json.loads(deepest)


@pytest.mark.parametrize(
    "bad", [float("nan"), float("inf"), "\udc80"], ids=["nan", "inf", "surrogate"]
)
def test_config_serde_refuses_is_refused_before_sending(bad: Any) -> None:
    with pytest.raises(errors.ConfigError):
        bindings.Plugin.open(module(), {"api_key": bad})


def test_input_serde_refuses_is_refused_before_sending() -> None:
    with bindings.Plugin.open(module(), {"api_key": "k"}) as plugin:
        for payload in ({"x": float("nan")}, [float("-inf")], ["\ud800"]):
            with pytest.raises(errors.InputValidationError) as caught:
                plugin.list_models(payload)
            assert caught.value.export == "list_models"
        deep: Any = []
        for _ in range(200):
            deep = [deep]
        with pytest.raises(errors.InputValidationError, match="nests deeper"):
            plugin.list_models(deep)
        lone = models.ChatMessage(role="User", message_type="Text", content="hi \udc80")
        with pytest.raises(errors.InputValidationError) as caught:
            plugin.chat([lone])
        assert caught.value.export == "chat"
    with pytest.raises(ValidationError, match="finite"):  # the models refuse it, as serde does
        models.CompletionRequest(prompt="x", temperature=float("nan"))
