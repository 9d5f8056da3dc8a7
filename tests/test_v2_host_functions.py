"""QueryMT's `qmt_*` host functions as this host serves them, against real Extism instances of
scripted v2 plugins (tests/plugins/wasm_builder.py) and a real loopback HTTP server.

`qmt_http_request` goes through the plugin's HttpPolicy (allow-list on every hop, same-origin
redirects, the size limit, the calling export's deadline) and answers QueryMT's wire shapes;
whatever it refuses or fails to do raises the call's typed error even when the plugin ignores
the answer and returns 0. The same holds for an exception inside any host function and for the
legacy functions this host refuses. `qmt_log` records reach the plugin's own logger, filtered by
the level the host passed to `init_logging`, bounded, and redacted.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v2 as v2
from querymt_extism_runtime import host
from wasm_builder import HostCall, Output, Step, build_module

SECRET = "sk-test-0123456789abcdef"
CONFIG = {"model": "m", "api_key": SECRET}
SCHEMA = {
    "type": "object",
    "required": ["model"],
    "properties": {"model": {"type": "string"}, "api_key": {"type": "string"}},
}
LOGGER = "querymt_extism_v2.plugin.qmt-host-test"
"""The plugin's own logger: the ABI's logger, then the plugin's `name`."""


# --------------------------------------------------------------------------- a loopback server


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        del format, args

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        self.server.seen.append((self.command, self.path, dict(self.headers), body))
        if self.path == "/echo":
            echoed = {"method": self.command, "x-probe": self.headers.get("x-probe")}
            self._reply(201, json.dumps({**echoed, "body": body.decode()}).encode(), {"X-A": "1"})
        elif self.path == "/teapot":
            self._reply(418, b"short and stout")
        elif self.path == "/big":
            self._reply(200, b"x" * 4096)
        elif self.path == "/slow":
            time.sleep(4)
            self._reply(200, b"late")
        elif self.path == "/here":
            self._reply(302, b"", {"Location": "/echo"})
        elif self.path == "/away":
            self._reply(302, b"", {"Location": "http://localhost:9/elsewhere"})
        else:
            self._reply(404, b"no such path")

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


# --------------------------------------------------------------------------- scripted plugins


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _request(uri: str, method: str = "POST", body: bytes = b"", **headers: Any) -> bytes:
    head = {"method": method, "uri": uri, "headers": headers, "version": "HTTP/1.1"}
    return _json({"req": {"head": head, "body": list(body)}})


def _scripted(base_url: str, **overrides: list[Step]) -> bytes:
    exports: dict[str, list[Step]] = {
        "name": [Output(b"qmt-host-test")],
        "base_url": [Output(base_url.encode())],
        "config_schema": [Output(_json(SCHEMA))],
        "from_config": [Output(b"{}")],
        "init_logging": [Output(b"")],
    }
    for name in v2.plugin.REQUIRED_EXPORTS:
        exports.setdefault(name, [Output(b"null")])
    exports.update(overrides)
    return build_module(exports)


def _open(base_url: str, **overrides: list[Step]) -> Any:
    return v2.Plugin.open(_scripted(base_url, **overrides), CONFIG, timeout_ms=1000)


def _answer(output: bytes) -> tuple[int, dict[str, Any], bytes]:
    head = json.loads(output)["resp"]["head"]
    return head["status"], head["headers"], bytes(json.loads(output)["resp"]["body"])


# --------------------------------------------------------------------------- qmt_http_request


def test_a_request_is_sent_and_answered_in_querymts_wire_shape(server: _Server) -> None:
    request = _request(server.origin + "/echo", body=b"hello", **{"x-probe": ["a", "b"]})
    with _open(server.origin + "/", transcribe=[HostCall("qmt_http_request", request)]) as plugin:
        status, headers, body = _answer(plugin.call_raw("transcribe", b"{}"))
    assert status == 201 and headers["x-a"] == "1"
    assert json.loads(body) == {"method": "POST", "x-probe": "a, b", "body": "hello"}
    assert [(m, p) for m, p, _, _ in server.seen] == [("POST", "/echo")]


def test_a_non_2xx_answer_is_the_plugins_to_read(server: _Server) -> None:
    request = _request(server.origin + "/teapot", method="GET")
    with _open(server.origin + "/", speech=[HostCall("qmt_http_request", request)]) as plugin:
        status, _, body = _answer(plugin.call_raw("speech", b"{}"))
    assert (status, body) == (418, b"short and stout")


def test_same_origin_redirects_are_followed(server: _Server) -> None:
    request = _request(server.origin + "/here", method="GET")
    with _open(server.origin + "/", transcribe=[HostCall("qmt_http_request", request)]) as plugin:
        status, _, _ = _answer(plugin.call_raw("transcribe", b"{}"))
    assert status == 201 and [p for _, p, _, _ in server.seen] == ["/here", "/echo"]


@pytest.mark.parametrize(
    ("path", "error", "answer_status"),
    [
        ("/away", runtime.RedirectRefusedError, 500),
        ("/big", runtime.ResponseTooLargeError, 500),
        ("/slow", runtime.PluginTimeoutError, 500),
    ],
)
def test_a_failed_request_fails_the_call_even_when_the_plugin_ignores_it(
    server: _Server, path: str, error: type[runtime.PluginError], answer_status: int
) -> None:
    step = HostCall("qmt_http_request", _request(server.origin + path, method="GET"), ignore=True)
    wasm = _scripted(server.origin + "/", transcribe=[step, Output(b"fine")])
    started = time.monotonic()
    with (
        v2.Plugin.open(wasm, CONFIG, timeout_ms=1000, max_http_response_bytes=1024) as plugin,
        pytest.raises(error) as caught,
    ):
        plugin.call_raw("transcribe", b"{}")
    assert caught.value.export == "transcribe"
    assert time.monotonic() - started < 3  # the call's own deadline (1 s) bounds the request
    assert SECRET not in str(caught.value)


def test_a_refused_origin_is_answered_403_and_fails_the_call(server: _Server) -> None:
    elsewhere = "http://localhost:1/steal"
    step = HostCall("qmt_http_request", _request(elsewhere, body=SECRET.encode()), ignore=True)
    wasm = _scripted(server.origin + "/", transcribe=[step, Output(b"fine")])
    with (
        v2.Plugin.open(wasm, CONFIG) as plugin,
        pytest.raises(runtime.HostNotAllowedError) as caught,
    ):
        plugin.call_raw("transcribe", b"{}")
    assert "localhost:1" in str(caught.value) and not server.seen
    # What the plugin itself was answered: QueryMT's synthetic 403.
    state = host.CallState("transcribe", plugin._http, lambda text: text)
    status, _, body = _answer(host._qmt_answer(state, _request(elsewhere)) or b"")
    assert (status, body) == (403, b"Host 'localhost' not in allowlist")
    assert state.failure is not None and state.failure.error is runtime.HostNotAllowedError


def test_a_failed_send_is_answered_500_with_the_error_text(server: _Server) -> None:
    with _open(server.origin + "/") as plugin:
        state = host.CallState("transcribe", plugin._http, lambda text: text)
        answer = host._qmt_answer(state, _request(server.origin + "/away", method="GET"))
    status, _, body = _answer(answer or b"")
    assert status == 500 and b"another origin" in body
    # Once the call has failed, nothing more leaves.
    again = host._qmt_answer(state, _request(server.origin + "/echo"))
    assert _answer(again or b"")[0] == 500 and [p for _, p, _, _ in server.seen] == ["/away"]


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        (b"not json", "not JSON"),
        (b'{"head": {}}', '{"req"'),
        (_request("http://x/", method="BAD METHOD"), "method"),
        (_request("http://x/").replace(b"HTTP/1.1", b"HTTP/9"), "version"),
        (_request("http://x/").replace(b'"body":[]', b'"body":[256]'), "body"),
        (_request("http://x/", **{"bad name": "v"}), "header"),
    ],
)
def test_a_request_querymt_refuses_fails_the_call(server: _Server, raw: bytes, cause: str) -> None:
    step = HostCall("qmt_http_request", raw, ignore=True)
    with (
        _open(server.origin + "/", transcribe=[step, Output(b"fine")]) as plugin,
        pytest.raises(runtime.HostFunctionError) as caught,
    ):
        plugin.call_raw("transcribe", b"{}")
    assert type(caught.value) is runtime.HostFunctionError
    assert cause in str(caught.value) and not server.seen


def test_header_values_that_are_not_visible_ascii_are_dropped(server: _Server) -> None:
    request = _request(server.origin + "/echo", **{"x-probe": "caf\u00e9", "x-other": "ok"})
    with _open(server.origin + "/", transcribe=[HostCall("qmt_http_request", request)]) as plugin:
        _, _, body = _answer(plugin.call_raw("transcribe", b"{}"))
    assert json.loads(body)["x-probe"] is None
    assert server.seen[0][2].get("x-other") == "ok"


# --------------------------------------------------------------------------- refused and failing


@pytest.mark.parametrize(
    "name",
    ["qmt_http_stream_open", "qmt_http_stream_next", "qmt_http_stream_close", "qmt_yield_chunk"],
)
def test_an_unserved_function_fails_the_call_though_the_plugin_returns_0(name: str) -> None:
    step = HostCall(name, b"1", ignore=True)
    with (
        _open("http://127.0.0.1:9/", transcribe=[step, Output(b"fine")]) as plugin,
        pytest.raises(runtime.HostFunctionError, match=f"{name} is not served|called {name}"),
    ):
        plugin.call_raw("transcribe", b"{}")


class _Exploding(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        raise RuntimeError("the handler broke")


def test_an_exception_inside_a_host_function_surfaces_as_a_typed_error() -> None:
    record = _json({"level": 1, "target": "t", "message": "boom"})
    logger = logging.getLogger(LOGGER)
    handler = _Exploding()
    logger.addHandler(handler)
    try:
        with (
            _open(
                "http://127.0.0.1:9/", transcribe=[HostCall("qmt_log", record), Output(b"ok")]
            ) as plugin,
            pytest.raises(runtime.HostFunctionError) as caught,
        ):
            plugin.call_raw("transcribe", b"{}")
    finally:
        logger.removeHandler(handler)
    assert "qmt_log" in str(caught.value) and "RuntimeError: the handler broke" in str(caught.value)
    assert caught.value.export == "transcribe"


# --------------------------------------------------------------------------- qmt_log


def _log(level: int, message: str, target: str = "plugin::api") -> HostCall:
    return HostCall("qmt_log", _json({"level": level, "target": target, "message": message}))


@pytest.fixture
def info_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger(LOGGER)
    before = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield logger
    finally:
        logger.setLevel(before)


def test_records_go_to_the_plugins_logger_at_the_init_logging_level(
    info_logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    got: list[bytes] = []
    steps = [_log(1, "e"), _log(2, "w"), _log(3, "i"), _log(4, "d"), _log(5, "t"), _log(0, "t0")]
    wasm = _scripted("http://127.0.0.1:9/", transcribe=[*steps, Output(b"ok")])
    original = host._qmt_record

    def spy(raw: bytes) -> tuple[int, str, str]:
        got.append(raw)
        return original(raw)

    with v2.Plugin.open(wasm, CONFIG) as plugin:
        assert plugin._pool.log_level == 3  # what `init_logging` was given at INFO
        info_logger.setLevel(host.QMT_TRACE)  # the logger now lets everything through...
        host._qmt_record = spy
        try:
            with caplog.at_level(host.QMT_TRACE, logger=LOGGER):
                assert plugin.call_raw("transcribe", b"{}") == b"ok"
        finally:
            host._qmt_record = original
    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    # ...but the host drops what is above the level the plugin was initialized with.
    assert records == [
        (LOGGER, logging.ERROR, "transcribe: e"),
        (LOGGER, logging.WARNING, "transcribe: w"),
        (LOGGER, logging.INFO, "transcribe: i"),
    ]
    assert caplog.records[0].qmt_target == "plugin::api"  # type: ignore[attr-defined]
    assert len(got) == 6


def test_init_logging_gets_the_level_and_its_failure_fails_the_load(
    info_logger: logging.Logger,
) -> None:
    from wasm_builder import Error, RequirePrefix

    accepts_3 = {"init_logging": [RequirePrefix(b"3"), Output(b"")]}
    with v2.Plugin.open(_scripted("http://127.0.0.1:9/", **accepts_3), CONFIG) as plugin:
        assert plugin._pool.created == 1  # the instance init_logging ran on serves the calls
    refusing = {"init_logging": [Error(b"no logger for you")]}
    with pytest.raises(runtime.PluginLoadError, match=r"`init_logging` failed.*no logger for you"):
        v2.Plugin.open(_scripted("http://127.0.0.1:9/", **refusing), CONFIG)


def test_records_are_redacted_cut_and_counted(
    info_logger: logging.Logger, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    monkeypatch.setattr(host, "MAX_LOG_BYTES", 40)
    monkeypatch.setattr(host, "MAX_LOG_RECORDS", 3)
    monkeypatch.setattr(host, "MAX_QMT_RECORD_BYTES", 200)
    steps: list[Step] = [
        _log(1, f"key is {SECRET}"),
        _log(1, "y" * 100),
        HostCall("qmt_log", b'{"level":1', pad=300),  # over the record limit: not parsed
        _log(1, "three"),
        _log(1, "four"),
        Output(b"ok"),
    ]
    with (
        _open("http://127.0.0.1:9/", transcribe=steps) as plugin,
        caplog.at_level(logging.INFO, logger=LOGGER),
    ):
        assert plugin.call_raw("transcribe", b"{}") == b"ok"
    messages = [r.getMessage() for r in caplog.records]
    assert SECRET not in " ".join(messages) and messages[0] == "transcribe: key is ***"
    assert messages[1] == "transcribe: " + "y" * 40 + " [cut]"
    assert "over 200 bytes was dropped unread" in messages[2]
    assert messages[3:] == ["transcribe: more than 3 log records in one call: the rest are dropped"]


def test_a_record_that_is_not_an_extism_log_record_fails_the_call() -> None:
    step = HostCall("qmt_log", b'{"level": "loud", "message": "x"}')
    with (
        _open("http://127.0.0.1:9/", transcribe=[step, Output(b"ok")]) as plugin,
        pytest.raises(runtime.HostFunctionError, match="ExtismLogRecord"),
    ):
        plugin.call_raw("transcribe", b"{}")
