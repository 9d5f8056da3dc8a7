"""The fault matrix: every failure gives its typed exception, hides secrets, and leaves the
plugin usable for the next call. Faults the example plugin cannot produce come from small
scripted modules assembled byte by byte (tests/plugins/wasm_builder.py)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import querymt_extism_v1 as bindings
from wasm_builder import (
    Alloc,
    Echo,
    Error,
    Http,
    Loop,
    Output,
    ReturnCode,
    Step,
    Trap,
    build_module,
)

from generator.conformance.loopback_server import LoopbackServer

errors = bindings.errors
models = bindings.models

SECRET = "sk-fault-secret-4242"
SCHEMA = json.dumps(
    {
        "type": "object",
        "required": ["api_key"],
        "properties": {"api_key": {"type": "string"}, "base_url": {"type": "string"}},
    }
).encode()
CONFIG = {"api_key": SECRET}


def scripted(**overrides: list[Step] | None) -> bytes:
    """A conforming plugin with canned answers; `export=None` removes an export."""
    exports: dict[str, list[Step] | None] = {
        "name": [Output(b"Scripted")],
        "base_url": [Output(b"http://127.0.0.1:9/v1")],
        "config_schema": [Output(SCHEMA)],
        "from_config": [Echo()],
        "list_models": [Output(b'["m1"]')],
        "chat": [Output(b'{"text":"ok","tool_calls":null,"thinking":null,"usage":null}')],
        "embed": [Output(b"[[0.5]]")],
        "complete": [Output(b'{"text":"done"}')],
    }
    exports.update(overrides)
    return build_module({k: v for k, v in exports.items() if v is not None})


def open_scripted(wasm: bytes, **kwargs: Any) -> Any:
    return bindings.Plugin.open(wasm, CONFIG, **kwargs)


def assert_usable(plugin: Any, *avoid: str) -> None:
    """The plugin still answers (through exports the test did not break)."""
    checks = {
        "name": lambda: plugin.name() == "Scripted",
        "list_models": lambda: plugin.list_models() == ["m1"],
        "complete": lambda: plugin.complete(models.CompletionRequest(prompt="x")).text == "done",
        "from_config": lambda: plugin.from_config() == CONFIG,
    }
    for name, check in checks.items():
        if name not in avoid:
            assert check(), name


def assert_secret_free(exc: BaseException) -> None:
    assert SECRET not in str(exc)
    assert SECRET not in repr(exc)
    assert SECRET not in repr(exc.args)


# --------------------------------------------------------------------------- scripted faults


def test_plugin_error_keeps_the_message_and_hides_secrets() -> None:
    wasm = scripted(embed=[Error(f"LLM Provider Error: bad key {SECRET}".encode())])
    with open_scripted(wasm) as plugin:
        with pytest.raises(errors.PluginCallError) as caught:
            plugin.embed(["a"])
        assert caught.value.plugin_message == "LLM Provider Error: bad key ***"
        assert caught.value.export == "embed"
        assert_secret_free(caught.value)
        assert_usable(plugin)


def test_non_zero_code_without_message() -> None:
    with open_scripted(scripted(embed=[ReturnCode(3)])) as plugin:
        with pytest.raises(errors.PluginCallError) as caught:
            plugin.embed(["a"])
        assert caught.value.code == 3
        assert_usable(plugin)


def test_trap() -> None:
    with open_scripted(scripted(chat=[Trap()])) as plugin:
        with pytest.raises(errors.PluginTrapError) as caught:
            plugin.chat([])
        assert "unreachable" in str(caught.value)
        assert_usable(plugin)
        with pytest.raises(errors.PluginTrapError):
            plugin.chat([])
        assert_usable(plugin)


def test_timeout() -> None:
    with open_scripted(scripted(chat=[Loop()]), timeout_ms=150) as plugin:
        with pytest.raises(errors.PluginTimeoutError):
            plugin.chat([])
        assert_usable(plugin)


def test_out_of_memory() -> None:
    with open_scripted(scripted(chat=[Alloc(64 * 65536)]), max_pages=32) as plugin:
        with pytest.raises(errors.PluginOutOfMemoryError):
            plugin.chat([])
        assert_usable(plugin)


def test_host_not_allowed() -> None:
    url = b"http://10.255.0.1:9/v1/models"
    wasm = scripted(list_models=[Http(b'{"method":"GET","url":"' + url + b'","headers":{}}')])
    plugin = open_scripted(wasm)
    with pytest.raises(errors.HostNotAllowedError) as caught:
        plugin.list_models()
    assert caught.value.url == url.decode()
    assert "10.255.0.1" in str(caught.value)
    assert plugin.complete(models.CompletionRequest(prompt="x")).text == "done"
    plugin.close()


def test_missing_required_export_fails_the_load() -> None:
    with pytest.raises(errors.MissingExportError) as caught:
        open_scripted(scripted(embed=None, complete=None))
    assert caught.value.missing == ("embed", "complete")


def test_missing_optional_export_is_a_capability() -> None:
    with open_scripted(scripted()) as plugin:
        assert "api_key_name" not in plugin.capabilities
        assert "base_url" in plugin.capabilities
        with pytest.raises(errors.MissingExportError):
            plugin.api_key_name()
        with pytest.raises(errors.MissingExportError):
            plugin.call_raw("no_such_export", b"")
        assert_usable(plugin)


@pytest.mark.parametrize(
    ("export", "steps", "call"),
    [
        (
            "complete",
            [Output(b'{"text":5}')],
            lambda p: p.complete(models.CompletionRequest(prompt="x")),
        ),
        ("chat", [Output(b"not json")], lambda p: p.chat([])),
        (
            "chat",
            [Output(b'{"usage":{"input_tokens":-1,"output_tokens":0}}')],
            lambda p: p.chat([]),
        ),
        ("embed", [Output(b'[["x"]]')], lambda p: p.embed(["a"])),
        ("list_models", [Output(b'{"models":[]}')], lambda p: p.list_models()),
        ("api_key_name", [Output(b"\xff\xfe")], lambda p: p.api_key_name()),
    ],
)
def test_output_violating_the_spec(export: str, steps: list[Step], call: Any) -> None:
    with open_scripted(scripted(**{export: steps})) as plugin:
        with pytest.raises(errors.OutputValidationError) as caught:
            call(plugin)
        assert caught.value.export == export
        assert_usable(plugin, export)


def test_optional_empty_output_is_none() -> None:
    with open_scripted(scripted(api_key_name=[])) as plugin:
        assert plugin.api_key_name() is None
    with open_scripted(scripted(api_key_name=[Output(b"MY_KEY")])) as plugin:
        assert plugin.api_key_name() == "MY_KEY"


def test_bad_base_url_is_ignored_and_a_failing_name_fails_the_load() -> None:
    with open_scripted(scripted(base_url=[Output(b"not a url")])) as plugin:
        assert plugin.info.base_url is None
    with open_scripted(scripted(base_url=[Error(b"no")])) as plugin:
        assert plugin.info.base_url is None
    with pytest.raises(errors.PluginLoadError):
        open_scripted(scripted(name=[Trap()]))
    with pytest.raises(errors.PluginLoadError):
        open_scripted(scripted(config_schema=[Output(b"{not json")]))
    with pytest.raises(errors.PluginLoadError):
        bindings.Plugin.open(b"definitely not wasm")


def test_config_is_checked_against_the_plugins_schema_without_quoting_it() -> None:
    wasm = scripted()
    with pytest.raises(errors.ConfigError) as caught:
        bindings.Plugin.open(wasm, {"api_key": 42, "token": SECRET})
    assert "api_key" in str(caught.value)
    assert_secret_free(caught.value)
    with pytest.raises(errors.ConfigError):
        bindings.Plugin.open(wasm, {"base_url": "http://x"})
    # unknown keys are pruned as the v1 host does, and the rest reaches from_config
    with bindings.Plugin.open(wasm, {"api_key": SECRET, "unknown": 1}) as plugin:
        assert plugin.from_config() == {"api_key": SECRET}
        assert SECRET not in repr(plugin)


def test_from_config_rejection_fails_open() -> None:
    with pytest.raises(errors.PluginCallError, match="invalid config"):
        open_scripted(scripted(from_config=[Error(b"invalid config")]))
    plugin = open_scripted(scripted(from_config=[Error(b"invalid config")]), check_config=False)
    assert_usable(plugin, "from_config")


def test_allowed_hosts_come_from_base_urls_and_the_caller() -> None:
    plugin = bindings.Plugin.open(
        scripted(),
        {"api_key": SECRET, "base_url": "https://configured.example:8443/v1"},
        allowed_hosts=["extra.example"],
    )
    # origins: a bare host allows http on 80 and https on 443
    assert plugin.info.allowed_hosts == (
        "http://127.0.0.1:9",
        "http://extra.example:80",
        "https://configured.example:8443",
        "https://extra.example:443",
    )


# --------------------------------------------------------------------------- example plugin


@pytest.fixture
def free_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


def test_connection_refused(openai_wasm: Path, free_port: int, loopback: LoopbackServer) -> None:
    plugin = bindings.Plugin.open(
        openai_wasm, {"api_key": SECRET, "base_url": f"http://127.0.0.1:{free_port}/v1"}
    )
    with pytest.raises(errors.ConnectionFailedError) as caught:
        plugin.list_models()
    assert "refused" in str(caught.value).lower()
    assert_secret_free(caught.value)
    # The port is part of the allow-list: the loopback server's port is another origin.
    moved = plugin.with_config({"api_key": SECRET, "base_url": loopback.base_url}, check=False)
    with pytest.raises(errors.HostNotAllowedError):
        moved.list_models()
    assert loopback.requests == []
    plugin.close()
    plugin = bindings.Plugin.open(
        openai_wasm,
        {"api_key": SECRET, "base_url": f"http://127.0.0.1:{free_port}/v1"},
        allowed_hosts=[loopback.base_url],
    )
    good = plugin.with_config({"api_key": SECRET, "base_url": loopback.base_url})
    assert good.list_models()  # same loaded plugin, an origin allowed at open
    plugin.close()


def test_host_not_allowed_by_the_example(openai_wasm: Path, loopback: LoopbackServer) -> None:
    plugin = bindings.Plugin.open(openai_wasm, {"api_key": SECRET, "base_url": loopback.base_url})
    # Allowed hosts are fixed at open; `localhost` is not `127.0.0.1` to Extism.
    moved = plugin.with_config(
        {"api_key": SECRET, "base_url": f"http://localhost:{loopback.port}/v1"}, check=False
    )
    with pytest.raises(errors.HostNotAllowedError) as caught:
        moved.list_models()
    assert "localhost" in caught.value.url
    assert_secret_free(caught.value)
    assert plugin.list_models()
    plugin.close()


@pytest.mark.parametrize(
    ("fault", "exception"),
    [
        ({"status": 401}, "PluginCallError"),
        ({"status": 500, "body": "upstream exploded"}, "PluginCallError"),
        ({"status": 200, "body": "{malformed"}, "PluginCallError"),
    ],
)
def test_provider_failures_are_plugin_errors(
    openai_wasm: Path, loopback: LoopbackServer, fault: dict[str, Any], exception: str
) -> None:
    plugin = bindings.Plugin.open(openai_wasm, {"api_key": SECRET, "base_url": loopback.base_url})
    loopback.fail("/chat/completions", times=1, **fault)
    message = models.ChatMessage(role="User", message_type="Text", content="hi")
    with pytest.raises(getattr(errors, exception)) as caught:
        plugin.chat([message])
    assert_secret_free(caught.value)
    assert plugin.chat([message]).text  # the next call works
    plugin.close()
