"""The host runtime package (`querymt_extism_runtime`) on its own: its pure parts (allow-list,
redaction, failure classification, the ABI table's checks), and its call machinery driving a
made-up ABI whose exports cover every call shape, against a real module run by Extism.

The tests import the copy in generated/python (the one the bindings import); the first test
proves it is the source under templates/python/runtime byte for byte.
"""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1
from querymt_extism_runtime import (
    Abi,
    AllowList,
    CallState,
    ExportSpec,
    HostRoles,
    HttpFailure,
    HttpPolicy,
    Origin,
    PluginBase,
    Redactor,
    UrlError,
    WireModel,
    classify_failure,
)
from querymt_extism_runtime import InputShape as In
from querymt_extism_runtime import OutputShape as Out
from wasm_builder import Echo, Log, Output, Trap, build_module

from generator import ir
from generator.targets import python as python_target

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "templates" / "python" / "runtime" / "querymt_extism_runtime"
COPY = ROOT / "generated" / "python" / "querymt_extism_runtime"


# --------------------------------------------------------------------------- the package


def test_the_generated_copy_is_the_source_and_is_what_imports() -> None:
    def files(base: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(base.iterdir()) if p.is_file()}

    assert files(COPY) == files(SOURCE)
    assert "py.typed" in files(SOURCE)
    assert Path(runtime.__file__).parent == COPY
    assert set(python_target.runtime_files()) == {
        f"python/querymt_extism_runtime/{name}" for name in files(SOURCE)
    }


def test_the_public_api_is_exactly_all_and_documented() -> None:
    assert sorted(runtime.__all__) == sorted(set(runtime.__all__))
    public = {n for n in vars(runtime) if not n.startswith("_")}
    submodules = {n for n in public if type(getattr(runtime, n)).__name__ == "module"}
    assert public - submodules == set(runtime.__all__)
    undocumented = [
        n
        for n in runtime.__all__
        if callable(getattr(runtime, n))
        and not isinstance(getattr(runtime, n), type(runtime.ConfigT))
        and not (getattr(runtime, n).__doc__ or "").strip()
    ]
    assert undocumented == []


def test_the_bindings_use_the_runtime_s_classes() -> None:
    assert querymt_extism_v1.errors.PluginError is runtime.PluginError
    assert querymt_extism_v1.PluginInfo is runtime.PluginInfo
    assert issubclass(querymt_extism_v1.Plugin, runtime.PluginBase)
    # The compatibility aliases of the runtime's names are gone: tools import the runtime.
    assert not hasattr(querymt_extism_v1, "_runtime") and not hasattr(querymt_extism_v1, "_http")
    assert not hasattr(querymt_extism_v1.plugin, "_schema_problems")


def test_the_shapes_are_the_generator_s(spec_v1: ir.Spec) -> None:
    assert {s.name: s.value for s in In} == {s.name: s.value for s in ir.calls.InputShape}
    assert {s.name: s.value for s in Out} == {s.name: s.value for s in ir.calls.OutputShape}
    table = querymt_extism_v1.plugin.ABI
    for name, call in ir.calls.calls(spec_v1).items():
        row = table.export(name)
        assert (row.input.value, row.output.value) == (call.input.value, call.output.value)
        assert row.optional is call.export.optional
        assert row.does_http is call.export.does_http
        assert row.defaults_to_config is call.defaults_to_config
        assert row.output_schema == f"urn:qmt-abigen:{spec_v1.slug}:{name}.output"
    assert table.required_exports == querymt_extism_v1.REQUIRED_EXPORTS
    assert table.optional_exports == querymt_extism_v1.OPTIONAL_EXPORTS


def test_an_abi_table_refuses_what_the_runtime_cannot_call() -> None:
    with pytest.raises(ValueError, match="needs `request` and `config_field`"):
        ExportSpec("chat", In.REQUEST, Out.JSON)
    ok = ExportSpec("title", In.IGNORED, Out.TEXT)
    with pytest.raises(ValueError, match="the display_name role names no export"):
        Abi("x", 1, "x-v1", (ok,), HostRoles(display_name="name"))
    with pytest.raises(ValueError, match="two exports share a name"):
        Abi("x", 1, "x-v1", (ok, ok), HostRoles())


# --------------------------------------------------------------------------- allow-list


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("api.example.com", {"http://api.example.com:80", "https://api.example.com:443"}),
        ("API.Example.com.:8443", {"http://api.example.com:8443", "https://api.example.com:8443"}),
        ("https://api.example.com/v1?x=1", {"https://api.example.com:443"}),
        ("http://[0:0::1]:9", {"http://[::1]:9"}),
        ("10.0.0.1", {"http://10.0.0.1:80", "https://10.0.0.1:443"}),
    ],
)
def test_allow_list_entries_name_literal_origins(entry: str, expected: set[str]) -> None:
    assert {str(o) for o in AllowList.parse([entry]).origins} == expected


@pytest.mark.parametrize(
    "entry",
    ["*.example.com", "127.1", "0x7f.0.0.1", "ftp://example.com", "user@example.com", "", "a/b"],
)
def test_allow_list_entries_that_are_not_literal_hosts_are_refused(entry: str) -> None:
    with pytest.raises(UrlError):
        AllowList.parse([entry])


def test_the_allow_list_matches_scheme_host_and_port_exactly() -> None:
    allowed = AllowList.parse(["https://api.example.com"])
    assert runtime.origin_of("https://API.example.com./v1/models") in allowed
    assert runtime.origin_of("http://api.example.com/v1") not in allowed  # another scheme
    assert runtime.origin_of("https://api.example.com:8443/") not in allowed  # another port
    assert runtime.origin_of("https://evil.api.example.com/") not in allowed  # no suffixes
    assert runtime.origin_of("https://u:p@api.example.com/") is None  # credentials: refused
    assert runtime.parse_url("https://api.example.com/v1?q=1") == (
        Origin("https", "api.example.com", 443),
        "/v1?q=1",
    )


def test_a_request_to_an_origin_outside_the_allow_list_fails_before_any_connection() -> None:
    policy = HttpPolicy(AllowList.parse(["127.0.0.1:9"]), timeout_ms=1000, max_response_bytes=10)
    request = b'{"method":"GET","url":"http://127.0.0.2:9/x","headers":{}}'
    with pytest.raises(HttpFailure) as caught:
        policy.send(request, None, None)
    assert caught.value.error is runtime.HostNotAllowedError
    assert caught.value.fields["url"] == "http://127.0.0.2:9/x"
    assert "not in the allow-list (http://127.0.0.1:9, https://127.0.0.1:9)" in (
        caught.value.fields["cause"]
    )


# --------------------------------------------------------------------------- redaction

SECRET = 'sk-"live"-4242+/é'
"""A secret whose JSON, URL and base64 forms all differ from its raw text."""


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        SECRET.upper(),  # matched case-insensitively
        json.dumps(SECRET)[1:-1],  # inside a JSON string
        json.dumps(SECRET, ensure_ascii=False)[1:-1],
        quote(SECRET, safe=""),  # in a URL
        quote_plus(quote(SECRET, safe=""), safe=""),  # encoded twice
    ],
)
def test_every_encoding_of_a_secret_is_redacted(form: str) -> None:
    redact = Redactor(runtime.secret_values({"nested": {"apiKey": SECRET}, "model": "gpt"}))
    assert redact(f"401 for {form}!") == "401 for ***!"


def test_a_secret_inside_a_longer_base64_value_is_redacted() -> None:
    import base64

    header = base64.b64encode(f"user:{SECRET}".encode()).decode()
    redacted = Redactor([SECRET])(f"Authorization: Basic {header}")
    assert header not in redacted and "***" in redacted


def test_only_secret_looking_keys_are_secrets() -> None:
    config = {"api_key": "k-123", "model_hint": "500", "model": "m", "db": {"password": "pw1"}}
    assert set(runtime.secret_values(config)) == {"k-123", "pw1"}
    assert Redactor([])("nothing to hide") == "nothing to hide"
    assert Redactor(["ab"])("ab") == "ab"  # too short to be a secret: left alone


# --------------------------------------------------------------------------- classification


def _state(export: str = "chat") -> CallState:
    policy = HttpPolicy(AllowList(), timeout_ms=1000, max_response_bytes=None)
    return CallState(export, policy, Redactor([SECRET]))


def test_a_host_recorded_failure_decides_the_class_whatever_the_runtime_said() -> None:
    state = _state()
    state.failure = HttpFailure(
        runtime.HostNotAllowedError, f"to {SECRET} refused", url="http://x", cause="no"
    )
    state.guest_error = "forged: timeout"
    error = classify_failure("chat", "timeout", state, [], state.redact)
    assert isinstance(error, runtime.HostNotAllowedError)
    assert error.message == "chat: to *** refused" and error.url == "http://x"
    assert error.instance_reusable is False


@pytest.mark.parametrize(
    ("message", "guest", "expected", "reusable"),
    [
        ("timeout", None, runtime.PluginTimeoutError, False),
        ("oom", None, runtime.PluginOutOfMemoryError, False),
        ("failed to allocate extism memory", None, runtime.PluginOutOfMemoryError, False),
        ("Function not found: chat", None, runtime.MissingExportError, True),
        ("error while executing at wasm backtrace:\n 0: x", None, runtime.PluginTrapError, False),
        ("Error code: 7", "bad api key", runtime.PluginCallError, True),
        (None, "bad api key", runtime.PluginCallError, True),
    ],
)
def test_the_runtime_outcome_then_the_plugin_s_message_decide_the_rest(
    message: str | None, guest: str | None, expected: type[Exception], reusable: bool
) -> None:
    state = _state()
    state.guest_error = guest
    error = classify_failure("chat", message, state, [], state.redact)
    assert type(error) is expected
    assert error.export == "chat" and error.instance_reusable is reusable
    if guest is not None:
        assert isinstance(error, runtime.PluginCallError) and error.plugin_message == guest


def test_an_error_code_without_a_message_keeps_the_code() -> None:
    error = classify_failure("embed", "Error code: -3", _state("embed"), [], str)
    assert isinstance(error, runtime.PluginCallError)
    assert error.code == -3 and error.plugin_message == ""


# --------------------------------------------------------------------------- call machinery


class Request(WireModel):
    settings: dict[str, Any]
    word: str
    times: runtime.U32 = 1


SHAPES = Abi(
    name="shapes",
    version=9,
    slug="shapes-v9",
    exports=(
        ExportSpec("title", In.IGNORED, Out.TEXT),
        ExportSpec("schema", In.IGNORED, Out.TEXT),
        ExportSpec("check", In.CONFIG, Out.JSON),
        ExportSpec("shout", In.TEXT, Out.TEXT),
        ExportSpec("ask", In.REQUEST, Out.JSON, request=Request, config_field="settings"),
        ExportSpec("count", In.JSON, Out.JSON, output_type=runtime.U32),
        ExportSpec("maybe", In.JSON, Out.JSON, empty_is_none=True, output_type=list[int] | None),
        ExportSpec("probe", In.IGNORED, Out.TEXT_OR_NONE),
        ExportSpec("nothing", In.IGNORED, Out.NONE),
        ExportSpec("settings", In.JSON, Out.JSON, defaults_to_config=True),
        ExportSpec("note", In.TEXT, Out.TEXT, optional=True),
    ),
    roles=HostRoles(display_name="title", config_schema="schema", check_config="check"),
    probe_input=b"{}",
    logger="shapes_v9.plugin",
)
"""A made-up ABI: other roles than v1, no base URL, every call shape, another probe input."""


class ShapesPlugin(PluginBase[dict[str, Any]]):
    ABI = SHAPES


SCHEMA = b'{"type":"object","properties":{"api_key":{"type":"string"},"depth":{"type":"integer"}}}'
CONFIG = {"api_key": "k-shapes", "depth": 2, "unlisted": True}
PRUNED = {"api_key": "k-shapes", "depth": 2}


@pytest.fixture(scope="module")
def shapes() -> Any:
    wasm = build_module(
        {
            "title": [Output(b"Shapes")],
            "schema": [Output(SCHEMA)],
            "check": [Echo()],
            "shout": [Log(b"shouting", level="info"), Echo()],
            "ask": [Echo()],
            "count": [Echo()],
            "maybe": [Output(b"")],
            "probe": [Echo()],
            "nothing": [Output(b"ignored")],
            "settings": [Echo()],
        }
    )
    plugin = ShapesPlugin._open(
        wasm,
        CONFIG,
        allowed_hosts=(),
        timeout_ms=10_000,
        max_pages=64,
        max_http_response_bytes=None,
        manifest_config=None,
        inherit_env=False,
        max_idle_instances=1,
        check_config=True,
    )
    yield plugin
    plugin.close()


def test_the_roles_drive_the_load_sequence(shapes: Any) -> None:
    assert isinstance(shapes, ShapesPlugin)
    assert shapes.info.name == "Shapes" and shapes.info.base_url is None
    assert shapes.info.missing == {"note"} and shapes.capabilities == frozenset()
    assert shapes.info.config_schema["properties"].keys() == {"api_key", "depth"}
    assert shapes.config == CONFIG  # as given; what is sent is pruned


def test_each_input_shape_is_encoded_and_each_output_shape_decoded(shapes: Any) -> None:
    assert shapes._invoke("shout", "héllo") == "héllo"
    assert shapes._invoke("probe") == "{}"  # the ABI's probe input, decoded as text
    assert shapes._invoke("nothing") is None
    assert shapes._invoke("check") == PRUNED  # the bound configuration
    assert shapes._invoke("check", {"api_key": "other", "zzz": 1}) == {"api_key": "other"}
    assert shapes._invoke("settings") == PRUNED
    assert shapes._invoke("settings", [1, "two"]) == [1, "two"]
    assert shapes._invoke("ask", {"word": "hi"}) == {"settings": PRUNED, "word": "hi", "times": 1}
    assert shapes._invoke("count", 41) == 41
    assert shapes._invoke("maybe", [1]) is None  # empty output means none


def test_output_is_checked_against_the_export_s_type(shapes: Any) -> None:
    with pytest.raises(runtime.OutputValidationError, match="count: output violates the spec"):
        shapes._invoke("count", -1)  # echoed back: not a u32
    with pytest.raises(runtime.OutputValidationError, match="count: output violates the spec"):
        shapes._invoke("count", "41")  # strict, as serde: a string is not a number


def test_bad_input_is_refused_before_the_call(shapes: Any) -> None:
    created = shapes._pool.created
    with pytest.raises(runtime.InputValidationError, match="count: input is not JSON"):
        shapes._invoke("count", math.nan)
    with pytest.raises(runtime.InputValidationError, match="ask: invalid input: word"):
        shapes._invoke("ask", {"word": 5})
    with pytest.raises(runtime.InputValidationError, match="times"):
        shapes._invoke("ask", {"word": "w", "times": -1})
    with pytest.raises(runtime.MissingExportError, match="optional in shapes v9"):
        shapes._invoke("note", "x")
    assert shapes._pool.created == created


def test_plugin_logs_go_to_the_plugins_child_of_the_abi_s_logger(
    shapes: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="shapes_v9.plugin"):
        shapes._invoke("shout", "x")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [
        ("shapes_v9.plugin.Shapes", "shout: shouting")
    ]


def test_a_missing_required_export_fails_the_load() -> None:
    wasm = build_module({"title": [Output(b"T")], "schema": [Output(b"{}")]})
    with pytest.raises(runtime.MissingExportError, match="not a shapes v9 plugin") as caught:
        ShapesPlugin._open(
            wasm,
            None,
            allowed_hosts=(),
            timeout_ms=10_000,
            max_pages=64,
            max_http_response_bytes=None,
            manifest_config=None,
            inherit_env=False,
            max_idle_instances=1,
            check_config=True,
        )
    assert "check" in caught.value.missing and "note" not in caught.value.missing


def test_open_unprobed_assembles_one_plugin_per_allow_list_without_the_load_sequence() -> None:
    # The display-name export traps and most exports are absent: `open()` would fail on either.
    wasm = build_module({"title": [Trap()], "shout": [Echo()]})
    lists = [("http://127.0.0.1:1",), ()]
    plugins = runtime.open_unprobed(
        ShapesPlugin,
        wasm,
        wasi=False,
        timeout_ms=10_000,
        exports=frozenset({"shout"}),
        allow_lists=lists,
    )
    try:
        assert [type(p) for p in plugins] == [ShapesPlugin, ShapesPlugin]
        assert [p.info.allowed_hosts for p in plugins] == lists
        for plugin in plugins:
            assert plugin._pool.created == 1  # instantiated now, so link errors show here
            assert plugin.info.name == "" and plugin.info.config_schema == {}
            assert plugin.info.exports == {"shout"} and plugin.config is None
            assert plugin.call_raw("shout", b"raw bytes") == b"raw bytes"
            assert plugin._pool.created == 1  # the call reused the warm instance
        with pytest.raises(runtime.PluginTrapError):
            plugins[0].call_raw("title", b"")
    finally:
        for plugin in plugins:
            plugin.close()
