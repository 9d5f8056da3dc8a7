"""examples/openai-compatible-v2 (Rust) and examples/openai-compatible-go (the same provider in
Go, on the generated Go module) driven through the raw Extism Python SDK the way QueryMT's v2
host drives a provider plugin (tests/qmt_v2_host.py), against a loopback OpenAI-compatible
server that streams (tests/servers/openai_compat.py). Every test runs against both.

Every export call a test makes is checked afterwards against the v2 JSON Schemas
(tests/v2_schemas.py): outputs of successful calls, `PluginError` texts of return code 1, free
text for return code -1.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from qmt_v2_host import Call, HostError, QuerymtV2Host, StreamTrace
from servers import openai_compat as oai
from servers.openai_compat import OpenAICompatServer
from v2_schemas import SCHEMAS, check_call
from wasm_reader import wasm_kinds

# Per example: its size budget in bytes (Rust after wasm-opt; Go's runtime alone is ~1.5 MB)
# and the log target its records carry.
EXAMPLES = {
    "openai-compatible-v2": (450_000, "openai_compatible_v2_plugin::api"),
    "openai-compatible-go": (4_500_000, "openai_compatible_go::api"),
}
API_KEY = "sk-loop-test"
MODEL = "loop-mini"
HOST_FUNCTION_NAMES = {
    "qmt_log",
    "qmt_http_request",
    "qmt_http_stream_open",
    "qmt_http_stream_next",
    "qmt_http_stream_close",
    "qmt_yield_chunk",
}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
CLOCK = {
    "type": "function",
    "function": {"name": "get_time", "description": "The time.", "parameters": {}},
}


def user(text: str) -> dict[str, Any]:
    return {"role": "User", "content": [{"type": "text", "text": text}]}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=sorted(EXAMPLES))
def example(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def wasm(example: str, built_examples: dict[str, Path]) -> bytes:
    if example not in built_examples:
        pytest.fail(f"build/examples/{example}.wasm was not built")
    return built_examples[example].read_bytes()


@pytest.fixture(scope="module")
def _server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as server:
        yield server


@pytest.fixture
def server(_server: OpenAICompatServer) -> Iterator[OpenAICompatServer]:
    _server.reset()
    yield _server
    _server.reset()


MakeHost = Callable[..., QuerymtV2Host]


@pytest.fixture
def make_host(wasm: bytes, server: OpenAICompatServer) -> Iterator[MakeHost]:
    """Loads and builds the plugin as QueryMT does; afterwards checks every call it made."""
    hosts: list[QuerymtV2Host] = []

    def make(
        build: bool = True, env: dict[str, str] | None = None, log_level: int = 5, **cfg: Any
    ) -> QuerymtV2Host:
        config = {"api_key": API_KEY, "model": MODEL, "base_url": server.base_url, **cfg}
        config = {k: v for k, v in config.items() if v is not None}
        host = QuerymtV2Host(wasm, config, env=env, max_log_level=log_level)
        hosts.append(host)
        if build:
            host.build()
        return host

    yield make
    for host in hosts:
        assert host.host_errors == []
        for call in host.calls:
            check_call(call)


@pytest.fixture
def host(make_host: MakeHost) -> QuerymtV2Host:
    return make_host()


def calls_to(host: QuerymtV2Host, export: str) -> list[Call]:
    return [c for c in host.calls if c.export == export]


# --------------------------------------------------------------------------- load and build


def test_module_interface_load_sequence_and_allowed_hosts(
    make_host: MakeHost, wasm: bytes, example: str
) -> None:
    host = make_host(build=False)
    assert [c.export for c in host.calls] == ["name", "base_url", "init_logging"]
    assert all(c.ok for c in host.calls)
    assert host.name == "openai-compatible"
    assert host.default_base_url == "https://api.openai.com/v1/"
    assert host.allowed_hosts == ["127.0.0.1"]
    # Without a configured base_url the plugin's default decides the allowed host.
    assert make_host(build=False, base_url=None).allowed_hosts == ["api.openai.com"]
    import_kinds, export_kinds = wasm_kinds(wasm)
    assert set(import_kinds.values()) == {0}, "only function imports are expected"
    imports = list(import_kinds)
    exports = [name for name, kind in export_kinds.items() if kind == 0]
    spec_exports = {p.name.removesuffix(".output.json") for p in SCHEMAS.glob("*.output.json")}
    assert len(spec_exports) == 24
    assert set(exports) - {"_initialize"} == spec_exports
    assert len(wasm) <= EXAMPLES[example][0], f"{len(wasm)} bytes"
    user = {name for module, name in imports if module == "extism:host/user"}
    assert user <= HOST_FUNCTION_NAMES, user
    assert {module for module, _ in imports} <= {
        "extism:host/env",
        "extism:host/user",
        "wasi_snapshot_preview1",
    }


def test_config_schema_is_a_closed_json_schema_of_the_config(host: QuerymtV2Host) -> None:
    schema = host.config_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["model"]
    assert {"api_key", "model", "base_url", "models", "system", "tools"} <= set(
        schema["properties"]
    )
    # Every property the schema lists is one the config accepts, with a value it allows.
    samples = {
        "api_key": "",
        "base_url": "http://127.0.0.1:1/x",
        "model": "m",
        "max_tokens": 5,
        "temperature": 0.5,
        "system": "be brief",
        "timeout_seconds": 3,
        "stream": False,
        "top_p": 0.9,
        "top_k": 4,
        "tools": [WEATHER],
        "tool_choice": "auto",
        "embedding_encoding_format": "float",
        "embedding_dimensions": 8,
        "models": ["a"],
    }
    assert set(samples) == set(schema["properties"])
    validator = Draft202012Validator(schema)
    for key, value in samples.items():
        cfg = {"model": "m", key: value}
        assert validator.is_valid(cfg), key
        assert host.call("from_config", cfg).ok, key
    assert not validator.is_valid({"model": "m", "nope": 1})


def test_from_config_refuses_with_typed_errors_and_bad_json_with_free_text(
    host: QuerymtV2Host,
) -> None:
    unknown = host.call("from_config", {"model": "m", "provider": "x"})
    assert unknown.payload()["type"] == "json_error"
    assert "provider" in unknown.payload()["message"]
    assert host.call("from_config", {"api_key": "k"}).payload()["type"] == "json_error"
    bad_url = host.call("from_config", {"model": "m", "base_url": "not a url"})
    assert bad_url.payload()["type"] == "json_error"
    not_json = host.call("from_config", b"{nope")
    assert not_json.rc == -1
    assert not_json.error and not not_json.error.startswith("{")


def test_build_prunes_host_keys_and_per_call_exports_refuse_unpruned_config(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    host = make_host(provider="openai-compatible", validator_attempts=2, reasoning_effort="low")
    assert set(host.cfg) == {"api_key", "model", "base_url"}
    unpruned = {**host.cfg, "provider": "openai-compatible"}
    refused = host.call("chat_request", {"cfg": unpruned, "messages": [user("hi")], "tools": None})
    assert refused.rc == -1  # the input does not decode: no provider code ran
    assert refused.error and "provider" in refused.error
    missing_model = {k: v for k, v in host.cfg.items() if k != "model"}
    request = {"cfg": missing_model, "inputs": ["x"]}
    assert host.call("embed_request", request).rc == -1
    assert host.call("chat_request", b"not json").rc == -1
    assert server.requests == []


def test_api_key_comes_from_the_variable_api_key_name_names(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    host = make_host(api_key=None, env={"OPENAI_API_KEY": "sk-from-env"})
    assert calls_to(host, "api_key_name")[0].output == b"OPENAI_API_KEY"
    host.chat([user("hi")])
    assert server.requests[-1].headers["authorization"] == "Bearer sk-from-env"


def test_an_empty_api_key_sends_no_authorization(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    make_host(api_key="").list_models()
    assert "authorization" not in server.requests[-1].headers


def test_requests_are_logged_through_qmt_log_at_debug_level(
    make_host: MakeHost, server: OpenAICompatServer, example: str
) -> None:
    target = EXAMPLES[example][1]
    host = make_host()
    host.chat([user("hi")])
    host.list_models()
    assert host.logs == [
        {
            "level": 4,
            "target": target,
            "message": f"POST {server.base_url}chat/completions",
        },
        {
            "level": 4,
            "target": target,
            "message": f"GET {server.base_url}models",
        },
    ]
    quiet = make_host(log_level=3)
    quiet.chat([user("hi")])
    assert quiet.logs == []


@pytest.mark.parametrize("suffix", ["", "/"])
def test_base_url_gets_one_trailing_slash(
    make_host: MakeHost, server: OpenAICompatServer, suffix: str
) -> None:
    host = make_host(base_url=server.base_url.rstrip("/") + suffix)
    host.chat([user("hi")])
    host.list_models()
    assert [r.path for r in server.requests] == ["/v1/chat/completions", "/v1/models"]


# --------------------------------------------------------------------------- list models


def test_list_models_over_http(host: QuerymtV2Host, server: OpenAICompatServer) -> None:
    assert host.list_models() == list(oai.MODELS)
    static = calls_to(host, "list_models_static")
    assert [c.output for c in static] == [b"null"]
    (request,) = server.requests
    assert (request.method, request.path) == ("GET", "/v1/models")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_configured_models_are_listed_without_a_request(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    host = make_host(models=["fixed-a", "fixed-b"])
    assert host.list_models() == ["fixed-a", "fixed-b"]
    assert server.requests == []
    assert calls_to(host, "list_models_request") == []
    bad = host.call("list_models_static", {"cfg": {"models": [1, 2]}})
    assert bad.payload()["type"] == "invalid_request"


def test_list_models_failure_is_classified_by_the_host(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    server.fail("models", 401, {"error": {"message": "bad key", "type": "auth"}})
    with pytest.raises(HostError) as failure:
        host.list_models()
    assert failure.value.source == "host"
    assert failure.value.payload == {"type": "auth_error", "message": "bad key"}
    assert calls_to(host, "parse_list_models_response") == []
    garbage = host.call("parse_list_models_response", {"resp": _response(200, b"[1]")})
    assert garbage.payload()["type"] == "response_format_error"


def _response(status: int, body: bytes, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "resp": {
            "head": {"status": status, "headers": headers or {}, "version": "HTTP/1.1"},
            "body": list(body),
        }
    }


# --------------------------------------------------------------------------- chat


def test_chat_text_answer_with_usage(make_host: MakeHost, server: OpenAICompatServer) -> None:
    host = make_host(system=["You are terse.", "Answer in English."], max_tokens=64)
    answer = host.chat([user("Hello there")])
    assert answer == {
        "text": oai.CHAT_TEXT,
        "tool_calls": None,
        "thinking": None,
        "usage": oai.expected_usage(server.requests[-1].json),
        "finish_reason": "Stop",
    }
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/json"
    body = request.json
    assert body["model"] == MODEL
    assert body["stream"] is False
    assert "stream_options" not in body
    assert body["max_tokens"] == 64
    assert body["messages"] == [
        {"role": "system", "content": "You are terse."},
        {"role": "system", "content": "Answer in English."},
        {"role": "user", "content": "Hello there"},
    ]
    assert "tools" not in body


def test_chat_with_tools_returns_tool_calls(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    answer = host.chat([user("Weather in Paris?")], tools=[WEATHER, CLOCK])
    assert answer["finish_reason"] == "ToolCalls"
    assert answer["text"] is None
    assert answer["tool_calls"] == [
        {
            "id": oai.TOOL_CALL_IDS[i],
            "type": "function",
            "function": {"name": name, "arguments": oai.expected_arguments()},
        }
        for i, name in enumerate(["get_weather", "get_time"])
    ]
    assert server.requests[-1].json["tools"] == [WEATHER, CLOCK]


def test_configured_tools_and_tool_choice_apply_when_the_call_brings_none(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    host = make_host(tools=[WEATHER], tool_choice="required")
    host.chat([user("hi")])
    body = server.requests[-1].json
    assert (body["tools"], body["tool_choice"]) == ([WEATHER], "required")
    host.chat([user("hi")], tools=[CLOCK])
    assert server.requests[-1].json["tools"] == [CLOCK]


def test_tool_uses_and_results_become_openai_messages(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    messages = [
        user("Weather?"),
        {
            "role": "Assistant",
            "content": [
                {"type": "thinking", "text": "I should call the tool."},
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "call_9", "name": "get_weather", "arguments": {"c": 1}},
            ],
        },
        {
            "role": "User",
            "content": [
                {
                    "type": "tool_result",
                    "id": "call_9",
                    "name": "get_weather",
                    "is_error": False,
                    "content": [{"type": "text", "text": "18 °C"}, {"type": "text", "text": "dry"}],
                },
                {"type": "text", "text": "And tomorrow?"},
            ],
        },
        {
            "role": "User",
            "content": [
                {"type": "text", "text": "Also this:"},
                {"type": "image_url", "url": "https://example.invalid/a.png"},
                {"type": "image", "mime_type": "image/png", "data": [137, 80, 78, 71]},
            ],
        },
    ]
    host.chat(messages)
    sent = server.requests[-1].json["messages"]
    assert sent == [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": "Let me check.",
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"c":1}'},
                }
            ],
            "reasoning_content": "I should call the tool.",
        },
        {"role": "tool", "content": "18 °C\ndry", "tool_call_id": "call_9"},
        {"role": "user", "content": "And tomorrow?"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Also this:"},
                {"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw=="}},
            ],
        },
    ]


def test_a_2xx_body_that_is_not_a_completion_is_a_response_format_error(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    server.fail("chat/completions", 200, "<html>proxy</html>")
    with pytest.raises(HostError) as failure:
        host.chat([user("hi")])
    assert failure.value.source == "plugin"
    assert failure.value.payload is not None
    assert failure.value.payload["type"] == "response_format_error"
    assert failure.value.payload["raw_response"] == "<html>proxy</html>"
    empty = host.call("parse_chat_response", {"cfg": host.cfg, "resp": _response(200, b"{}")})
    assert empty.payload()["type"] == "response_format_error"


# --------------------------------------------------------------------------- chat errors


def _classified(host: QuerymtV2Host) -> dict[str, Any]:
    with pytest.raises(HostError) as failure:
        host.chat([user("hi")])
    assert failure.value.source == "classify_chat_error"
    assert failure.value.call is not None and failure.value.call.rc == 0
    assert failure.value.payload is not None
    return failure.value.payload


def test_429_with_retry_after_is_rate_limited(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    envelope = {
        "error": {
            "message": "Rate limit reached for requests",
            "type": "requests",
            "code": "rate_limit_exceeded",
        }
    }
    headers = {"Retry-After": "7", "x-request-id": "req_loop_1"}
    server.fail("chat/completions", 429, envelope, headers)
    assert _classified(host) == {
        "type": "provider_error",
        "message": "Rate limit reached for requests",
        "kind": "rate_limited",
        "code": "rate_limit_exceeded",
        "error_type": "requests",
        "request_id": "req_loop_1",
        "retry_after_secs": 7,
    }
    assert calls_to(host, "parse_chat_response") == []


def _env(status: int, message: str, kind: str, retry: int | None = None, **fields: str) -> Any:
    return pytest.param(status, {"message": message, **fields}, kind, retry, id=f"{status}-{kind}")


@pytest.mark.parametrize(
    ("status", "error", "kind", "retry"),
    [
        _env(429, "Please try again in 1.5s.", "rate_limited", 2, code="rate_limit_exceeded"),
        _env(429, "You exceeded your quota", "quota_exceeded", code="insufficient_quota"),
        _env(400, "too long", "context_window_exceeded", code="context_length_exceeded"),
        _env(
            401, "Bad key", "authentication", type="invalid_request_error", code="invalid_api_key"
        ),
        _env(400, "bad field", "invalid_request", type="invalid_request_error"),
        _env(503, "overloaded", "server_overloaded", type="server_is_overloaded"),
        _env(500, "boom", "unknown_transient", type="server_error"),
        _env(502, "bad gateway", "unknown_transient", code="weird_code"),
        _env(403, "forbidden", "authentication", code="weird_code"),
        _env(409, "conflict", "unknown_permanent"),
    ],
)
def test_openai_error_envelopes_are_classified(
    host: QuerymtV2Host,
    server: OpenAICompatServer,
    status: int,
    error: dict[str, Any],
    kind: str,
    retry: int | None,
) -> None:
    server.fail("chat/completions", status, {"error": error})
    payload = _classified(host)
    assert payload["type"] == "provider_error"
    assert (payload["kind"], payload["message"]) == (kind, error["message"])
    assert payload.get("retry_after_secs") == retry
    assert payload.get("code") == error.get("code")


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (429, b"slow down", "rate_limited", "slow down"),
        (401, b"", "authentication", "HTTP 401"),
        (403, b"  no  ", "authentication", "no"),
        (400, b"bad", "invalid_request", "bad"),
        (500, b"oops", "unknown_transient", "oops"),
        (503, b"", "unknown_transient", "HTTP 503"),
        (404, b"gone", "unknown_permanent", "gone"),
    ],
)
def test_non_2xx_without_an_envelope_is_classified_by_status(
    host: QuerymtV2Host,
    server: OpenAICompatServer,
    status: int,
    body: bytes,
    kind: str,
    message: str,
) -> None:
    server.fail("chat/completions", status, body, {"Retry-After": "3"})
    payload = _classified(host)
    assert payload == {
        "type": "provider_error",
        "message": message,
        "kind": kind,
        "retry_after_secs": 3,
    }


def test_499_is_cancelled(host: QuerymtV2Host, server: OpenAICompatServer) -> None:
    server.fail("chat/completions", 499, b"")
    assert _classified(host) == {"type": "cancelled"}


# --------------------------------------------------------------------------- streaming


def _text(chunks: list[dict[str, Any]]) -> str:
    return "".join(c["text"] for c in chunks if "text" in c)


def test_stream_text_deltas_then_usage_then_one_done(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    trace = StreamTrace()
    chunks = host.chat_stream([user("Hello")], trace=trace)
    body = server.requests[-1].json
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert chunks == [
        *({"text": piece} for piece in oai.STREAM_DELTAS),
        {"usage": oai.expected_usage(body)},
        {"done": {"finish_reason": "Stop"}},
    ]
    # The framing the plugin saw: one line per parse, each ending in its only "\n", and the
    # end-of-body "\n" last; the network reads it came from cut lines and characters.
    parses = calls_to(host, "chat_stream_parser_parse")
    assert [bytes(json.loads(c.input)["chunk"]) for c in parses] == trace.lines
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in trace.lines)
    assert trace.lines[-1] == b"\n"
    assert b"".join(trace.lines) == oai.stream_events(body) + b"\n"
    assert any(not read.endswith(b"\n") for read in trace.reads)
    assert any(_cuts_a_character(read) for read in trace.reads)
    sequence = [c.export for c in host.calls if c.export.startswith("chat_stream")]
    assert sequence[:2] == ["chat_stream_request", "chat_stream_parser_start"]
    assert sequence[-2:] == ["chat_stream_parser_finish", "chat_stream_parser_close"]
    assert calls_to(host, "chat_stream_parser_finish")[0].json() == []
    # Usage rides in the `usage` copy only for usage chunks.
    outputs = [item for c in parses for item in c.json()]
    assert all((item["usage"] is not None) == ("usage" in item["chunk"]) for item in outputs)


def _cuts_a_character(read: bytes) -> bool:
    try:
        read.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def test_stream_tool_call_deltas_are_assembled(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    chunks = host.chat_stream([user("Weather?")], tools=[WEATHER, CLOCK])
    expected: list[dict[str, Any]] = []
    for i, name in enumerate(["get_weather", "get_time"]):
        expected.append({"tool_use_start": {"index": i, "id": oai.TOOL_CALL_IDS[i], "name": name}})
        expected.extend(
            {"tool_use_input_delta": {"index": i, "partial_json": piece}}
            for piece in oai.TOOL_ARGUMENT_PIECES
        )
    for i, name in enumerate(["get_weather", "get_time"]):
        call = {
            "id": oai.TOOL_CALL_IDS[i],
            "type": "function",
            "function": {"name": name, "arguments": oai.expected_arguments()},
        }
        expected.append({"tool_use_complete": {"index": i, "tool_call": call}})
    expected.append({"usage": oai.expected_usage(server.requests[-1].json)})
    expected.append({"done": {"finish_reason": "ToolCalls"}})
    assert chunks == expected


@pytest.mark.parametrize("sizes", [(1,), (2,), (3, 7), (10_000,)], ids=str)
def test_stream_events_do_not_depend_on_network_boundaries(
    host: QuerymtV2Host, server: OpenAICompatServer, sizes: tuple[int, ...]
) -> None:
    server.split_sizes = sizes
    trace = StreamTrace()
    chunks = host.chat_stream([user("Weather?")], tools=[WEATHER], trace=trace)
    if sizes == (1,):
        assert all(len(read) == 1 for read in trace.reads)
    server.split_sizes = (10_000,)
    assert host.chat_stream([user("Weather?")], tools=[WEATHER]) == chunks
    assert chunks[-1] == {"done": {"finish_reason": "ToolCalls"}}


def test_a_stream_without_done_ends_in_finish(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    start = {
        "index": 0,
        "id": "c1",
        "type": "function",
        "function": {"name": "f", "arguments": "{}"},
    }
    events = [
        {"choices": [{"index": 0, "delta": {"content": "partial"}, "finish_reason": None}]},
        {"choices": [{"index": 0, "delta": {"tool_calls": [start]}, "finish_reason": None}]},
    ]
    # CRLF line ends, an `event:` field, and a last line without its newline.
    body = b"".join(
        b"event: chunk\r\ndata: " + json.dumps(e).encode() + b"\r\n\r\n" for e in events
    )
    server.sse_body = body + b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}'
    trace = StreamTrace()
    chunks = host.chat_stream([user("hi")], trace=trace)
    assert trace.lines[-1].endswith(b'"length"}]}\n')
    complete = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    assert chunks == [
        {"text": "partial"},
        {"tool_use_start": {"index": 0, "id": "c1", "name": "f"}},
        {"tool_use_input_delta": {"index": 0, "partial_json": "{}"}},
        {"tool_use_complete": {"index": 0, "tool_call": complete}},
        {"done": {"finish_reason": "Length"}},
    ]
    assert calls_to(host, "chat_stream_parser_finish")[0].json() == [
        {"chunk": {"done": {"finish_reason": "Length"}}, "usage": None}
    ]


def test_an_in_band_error_event_fails_the_parse_with_a_typed_error(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    error = {"error": {"message": "busy", "code": "server_is_overloaded", "retry_after": 2}}
    server.sse_body = b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n' + (
        b"data: " + json.dumps(error).encode() + b"\n\n"
    )
    with pytest.raises(HostError) as failure:
        host.chat_stream([user("hi")])
    assert failure.value.payload == {
        "type": "provider_error",
        "message": "busy",
        "kind": "server_overloaded",
        "code": "server_is_overloaded",
        "retry_after_secs": 2,
    }
    assert calls_to(host, "chat_stream_parser_finish") == []
    assert [c.ok for c in calls_to(host, "chat_stream_parser_close")] == [True]


def test_a_malformed_event_is_a_response_format_error(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    server.sse_body = b"data: {not json\n\n"
    with pytest.raises(HostError) as failure:
        host.chat_stream([user("hi")])
    assert failure.value.payload is not None
    assert failure.value.payload["type"] == "response_format_error"
    assert failure.value.payload["raw_response"] == "{not json"


def test_a_non_2xx_stream_is_classified_before_a_parser_exists(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    server.fail("chat/completions", 429, b"", {"Retry-After": "11"})
    with pytest.raises(HostError) as failure:
        host.chat_stream([user("hi")])
    assert failure.value.source == "classify_chat_error"
    assert failure.value.payload == {
        "type": "provider_error",
        "message": "HTTP 429",
        "kind": "rate_limited",
        "retry_after_secs": 11,
    }
    assert calls_to(host, "chat_stream_parser_start") == []


def test_stream_request_streams_even_when_the_config_says_not_to(
    make_host: MakeHost, server: OpenAICompatServer
) -> None:
    host = make_host(stream=False)
    assert _text(host.chat_stream([user("hi")])) == "".join(oai.STREAM_DELTAS)
    assert server.requests[-1].json["stream"] is True
    host.chat([user("hi")])
    assert server.requests[-1].json["stream"] is False


def test_parsers_are_independent_and_unknown_ids_fail_untyped(host: QuerymtV2Host) -> None:
    first = host.call("chat_stream_parser_start", host.cfg).json()
    second = host.call("chat_stream_parser_start", host.cfg).json()
    assert second == first + 1

    def line(parser: int, event: dict[str, Any]) -> list[dict[str, Any]]:
        chunk = list(b"data: " + json.dumps(event).encode() + b"\n")
        result = host.call("chat_stream_parser_parse", {"parser_id": parser, "chunk": chunk})
        assert result.ok, result
        return [c["chunk"] for c in result.json()]

    def tool(name: str | None, args: str) -> dict[str, Any]:
        call: dict[str, Any] = {"index": 0, "function": {"arguments": args}}
        if name is not None:
            call["id"] = f"id_{name}"
            call["function"]["name"] = name
        return {"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]}

    line(first, tool("a", '{"x":'))
    line(second, tool("b", '{"y":'))
    line(first, tool(None, "1}"))
    done = line(first, {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    function = done[0]["tool_use_complete"]["tool_call"]["function"]
    assert function == {"name": "a", "arguments": '{"x":1}'}
    pending = host.call("chat_stream_parser_finish", second).json()
    assert pending[0]["chunk"]["tool_use_complete"]["tool_call"]["function"]["arguments"] == '{"y":'
    assert host.call("chat_stream_parser_finish", second).rc == -1  # finish removed it
    unknown = host.call("chat_stream_parser_parse", {"parser_id": 999, "chunk": [10]})
    assert unknown.rc == -1
    assert unknown.error and "999" in unknown.error
    assert host.call("chat_stream_parser_close", 999).ok
    assert host.call("chat_stream_parser_close", first).ok


# --------------------------------------------------------------------------- embed, complete


def test_embeddings(make_host: MakeHost, server: OpenAICompatServer) -> None:
    host = make_host(embedding_dimensions=4)
    inputs = ["alpha", "beta gamma", "ü"]
    assert host.embed(inputs) == [oai.embedding_of(text) for text in inputs]
    request = server.requests[-1]
    assert (request.method, request.path) == ("POST", "/v1/embeddings")
    assert request.json == {
        "model": MODEL,
        "input": inputs,
        "encoding_format": "float",
        "dimensions": 4,
    }


def test_embedding_failures_are_classified_by_the_host(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    server.fail("embeddings", 503, {"error": {"message": "try later"}}, {"Retry-After": "5"})
    with pytest.raises(HostError) as failure:
        host.embed(["x"])
    assert failure.value.payload == {
        "type": "http_status",
        "status_code": 503,
        "message": "try later",
        "retry_after_secs": 5,
    }
    server.fail("embeddings", 429, b"", {"Retry-After": "9"})
    with pytest.raises(HostError) as limited:
        host.embed(["x"])
    assert limited.value.payload == {
        "type": "rate_limited",
        "message": "HTTP 429",
        "retry_after_secs": 9,
    }
    assert calls_to(host, "parse_embed_response") == []


def test_completions(host: QuerymtV2Host, server: OpenAICompatServer) -> None:
    request = {"prompt": "def add(a, b):", "suffix": "# end", "max_tokens": 16, "temperature": None}
    answer = host.complete(request)
    assert answer == {"text": oai.completion_text("def add(a, b):", "# end")}
    assert server.requests[-1].path == "/v1/completions"
    assert server.requests[-1].json == {
        "model": MODEL,
        "prompt": "def add(a, b):",
        "suffix": "# end",
        "max_tokens": 16,
    }
    server.fail("completions", 400, {"error": {"message": "bad prompt"}})
    with pytest.raises(HostError) as failure:
        host.complete(request)
    assert failure.value.payload == {"type": "invalid_request", "message": "bad prompt"}


# --------------------------------------------------------------------------- the rest


def test_speech_exports_answer_not_implemented_without_http(
    host: QuerymtV2Host, server: OpenAICompatServer
) -> None:
    stt = host.call("transcribe", {"cfg": host.cfg, "audio_base64": "UklGRg=="})
    assert stt.payload()["type"] == "not_implemented"
    tts = host.call("speech", {"cfg": host.cfg, "text": "hi"})
    assert tts.payload()["type"] == "not_implemented"
    assert server.requests == []
    assert host.call("supports_streaming", host.cfg).json() is True


def test_the_schema_check_itself_rejects_wrong_outputs() -> None:
    wrong_type = Call("parse_chat_response", b"", 0, b'{"text": 5}', None)
    with pytest.raises(AssertionError, match="parse_chat_response"):
        check_call(wrong_type)
    extra_field = Call("parse_complete_response", b"", 0, b'{"text": "a", "x": 1}', None)
    with pytest.raises(AssertionError):
        check_call(extra_field)
    untyped_payload = Call("chat_request", b"", -1, b"", '{"payload":{"type":"cancelled"}}')
    with pytest.raises(AssertionError, match="typed error"):
        check_call(untyped_payload)
    with pytest.raises(AssertionError):
        check_call(Call("chat_request", b"", 1, b"", '{"payload":{"type":"nope"}}'))
    with pytest.raises(AssertionError, match="return code"):
        check_call(Call("chat_request", b"", 134, b"", "trap"))
