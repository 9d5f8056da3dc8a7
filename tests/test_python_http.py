"""The host decides every byte of a plugin's HTTP: only origins (scheme, host, port) the
allow-list names literally, at every hop; IPv6 and trailing-dot forms work; every failure has
its typed cause, recorded host-side. "Other hosts" are other loopback addresses and ports."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v1 as bindings
from test_python_faults import CONFIG, SECRET, assert_secret_free, scripted
from wasm_builder import Echo, Http, HttpHeaders, Output, Step, build_module

from generator.conformance.loopback_server import LoopbackServer

errors = bindings.errors
models = bindings.models
HI = models.ChatMessage(role="User", message_type="Text", content="hi")


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> bytes:
    return json.dumps({"method": method, "url": url, "headers": headers or {}}).encode()


def http_plugin(
    steps: list[Step], *, base_url: str = "http://127.0.0.1:9/v1", **kwargs: Any
) -> Any:
    """A scripted plugin whose `list_models` runs `steps`, opened with CONFIG (+ kwargs)."""
    config = kwargs.pop("config", CONFIG)
    wasm = scripted(base_url=[Output(base_url.encode())], list_models=steps)
    return bindings.Plugin.open(wasm, config, **kwargs)


@pytest.fixture(scope="module")
def other() -> Iterator[LoopbackServer]:
    """A second server, on another loopback address: it must never see a request."""
    with LoopbackServer("127.0.0.2") as server:
        yield server


@pytest.fixture
def elsewhere(other: LoopbackServer) -> Iterator[LoopbackServer]:
    other.reset()
    yield other
    other.reset()


# --------------------------------------------------------------------------- literal hosts


@pytest.mark.parametrize(
    "plugin_base", ["http://*/", "http://127.0.0.*:{port}/v1", "http://*.0.0.2"]
)
def test_glob_characters_in_base_urls_are_not_patterns(
    elsewhere: LoopbackServer, plugin_base: str
) -> None:
    target = f"{elsewhere.base_url}/models"
    config = {"api_key": SECRET, "base_url": f"http://*.0.0.2:{elsewhere.port}/v1"}
    plugin = http_plugin(
        [Http(get(target))], base_url=plugin_base.format(port=elsewhere.port), config=config
    )
    assert plugin.info.allowed_hosts == ()  # neither base URL names a host
    assert plugin.info.base_url is None
    with pytest.raises(errors.HostNotAllowedError) as caught:
        plugin.list_models()
    assert caught.value.url == target
    assert elsewhere.requests == []
    plugin.close()


@pytest.mark.parametrize("entry", ["*", "127.0.0.*", "*.example.com", "http://[::1", "a b", ""])
def test_allowed_hosts_entries_must_be_literal(entry: str) -> None:
    with pytest.raises(errors.ConfigError, match="allowed_hosts"):
        http_plugin([], allowed_hosts=[entry])


def test_non_canonical_numeric_hosts_are_refused(elsewhere: LoopbackServer) -> None:
    # 127.2 and 0x7f.0.0.2 would resolve to loopback addresses; they are not literal IPv4.
    plugin = http_plugin(
        [Http(get(f"http://0x7f.0.0.2:{elsewhere.port}/v1/models"))],
        allowed_hosts=[f"127.0.0.2:{elsewhere.port + 1}"],
    )
    with pytest.raises(errors.HostNotAllowedError, match="dotted-quad"):
        plugin.list_models()
    with pytest.raises(errors.ConfigError):
        http_plugin([], allowed_hosts=[f"127.2:{elsewhere.port}"])
    assert elsewhere.requests == []
    plugin.close()


def test_the_port_is_part_of_the_allow_list(loopback: LoopbackServer) -> None:
    # The plugin's base URL allows 127.0.0.1 on port 1 only; the server listens on another port.
    plugin = http_plugin(
        [Http(get(f"{loopback.base_url}/models"))], base_url="http://127.0.0.1:1/v1"
    )
    assert plugin.info.allowed_hosts == ("http://127.0.0.1:1",)
    with pytest.raises(errors.HostNotAllowedError) as caught:
        plugin.list_models()
    assert f"127.0.0.1:{loopback.port}" in caught.value.cause
    assert loopback.requests == []
    plugin.close()


def test_the_scheme_is_part_of_the_allow_list(loopback: LoopbackServer) -> None:
    plugin = http_plugin(
        [Http(get(f"{loopback.base_url}/models"))],
        allowed_hosts=[f"https://127.0.0.1:{loopback.port}"],
    )
    with pytest.raises(errors.HostNotAllowedError):
        plugin.list_models()
    assert loopback.requests == []
    plugin.close()


def test_nothing_more_leaves_after_a_refused_request(loopback: LoopbackServer) -> None:
    plugin = http_plugin(
        [Http(get("http://127.0.0.3:9/steal")), Http(get(f"{loopback.base_url}/models"))],
        config={"api_key": SECRET, "base_url": loopback.base_url},
    )
    with pytest.raises(errors.HostNotAllowedError) as caught:
        plugin.list_models()
    assert "127.0.0.3" in caught.value.url
    assert loopback.requests == []
    plugin.close()


def test_http_from_the_start_function_obeys_the_allow_list_too(elsewhere: LoopbackServer) -> None:
    # The start function runs as a timed call of each new instance, with the same host functions
    # and allow-list as any export: instantiation is no way around them.
    exports: dict[str, list[Step]] = {
        "name": [Output(b"Scripted")],
        "base_url": [Output(b"http://127.0.0.1:9/v1")],
        "config_schema": [Output(b"{}")],
        "from_config": [Echo()],
        "list_models": [Output(b"[]")],
        "chat": [Output(b"{}")],
        "embed": [Output(b"[]")],
        "complete": [Output(b"{}")],
    }
    wasm = build_module(exports, start=[Http(get(f"{elsewhere.url}/steal"))])
    with pytest.raises(errors.PluginLoadError) as caught:
        bindings.Plugin.open(wasm, CONFIG, timeout_ms=5000)
    assert "is not an allowed origin" in str(caught.value)
    assert "initialization failed" in str(caught.value)
    assert elsewhere.requests == []


def test_credentials_in_urls_are_refused(loopback: LoopbackServer) -> None:
    # `http://127.0.0.1:P@127.0.0.2/` is 127.0.0.2 to a URL parser: never a way around the list.
    url = f"http://127.0.0.1:{loopback.port}@127.0.0.2:{loopback.port}/v1/models"
    plugin = http_plugin(
        [Http(get(url))], config={"api_key": SECRET, "base_url": loopback.base_url}
    )
    with pytest.raises(errors.HostNotAllowedError, match="credentials"):
        plugin.list_models()
    assert loopback.requests == []
    plugin.close()


# --------------------------------------------------------------------------- address forms


def test_ipv6_base_url_works(openai_wasm: Path) -> None:
    with LoopbackServer("::1") as server:
        assert server.base_url.startswith("http://[::1]:")
        config = {"api_key": SECRET, "base_url": server.base_url}
        with bindings.Plugin.open(openai_wasm, config) as plugin:
            assert f"http://[::1]:{server.port}" in plugin.info.allowed_hosts
            assert plugin.list_models() == ["loopback-mini", "loopback-large"]
            assert plugin.chat([HI]).text
        assert server.requests[0].headers["host"] == f"[::1]:{server.port}"
        assert server.requests[0].headers["authorization"] == f"Bearer {SECRET}"


def test_ipv6_hosts_are_compared_canonically() -> None:
    with LoopbackServer("::1") as server:
        plugin = http_plugin(
            [Http(get(f"http://[0:0::1]:{server.port}/v1/models"))],
            allowed_hosts=[f"http://[::1]:{server.port}"],
        )
        assert json.loads(plugin.call_raw("list_models", b"{}"))["object"] == "list"
        assert len(server.requests) == 1
        plugin.close()


def test_trailing_dot_base_url_works(openai_wasm: Path, loopback: LoopbackServer) -> None:
    config = {"api_key": SECRET, "base_url": f"http://127.0.0.1.:{loopback.port}/v1"}
    with bindings.Plugin.open(openai_wasm, config) as plugin:
        assert f"http://127.0.0.1:{loopback.port}" in plugin.info.allowed_hosts
        assert plugin.list_models() == ["loopback-mini", "loopback-large"]
    assert [r.path for r in loopback.requests] == ["/v1/models"]


# --------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_origin_is_refused_and_sends_nothing_there(
    loopback: LoopbackServer, elsewhere: LoopbackServer, status: int
) -> None:
    location = f"{elsewhere.base_url}/models"
    loopback.fail("/models", status=status, headers={"Location": location})
    plugin = http_plugin(
        [Http(get(f"{loopback.base_url}/models", {"x-api-key": SECRET}))],
        config={"api_key": SECRET, "base_url": loopback.base_url},
        allowed_hosts=[elsewhere.base_url],  # even an allowed origin: a redirect stays put
    )
    with pytest.raises(errors.RedirectRefusedError) as caught:
        plugin.list_models()
    assert caught.value.location == location
    assert caught.value.url == f"{loopback.base_url}/models"
    assert_secret_free(caught.value)
    assert elsewhere.requests == []
    assert loopback.requests[0].headers["x-api-key"] == SECRET
    plugin.close()


def test_the_example_plugins_post_redirected_elsewhere_is_refused(
    openai_wasm: Path, loopback: LoopbackServer, elsewhere: LoopbackServer
) -> None:
    loopback.fail(
        "/chat/completions",
        status=307,
        headers={"Location": f"{elsewhere.base_url}/chat/completions"},
        times=1,
    )
    with bindings.Plugin.open(openai_wasm, {"api_key": SECRET, "base_url": loopback.base_url}) as p:
        with pytest.raises(errors.RedirectRefusedError):
            p.chat([HI])
        assert elsewhere.requests == []  # the bearer token never went there
        assert p.chat([HI]).text  # the plugin is fine afterwards


def test_same_origin_307_on_post_is_followed_with_the_body(
    openai_wasm: Path, loopback: LoopbackServer
) -> None:
    again = f"{loopback.base_url}/again/chat/completions"
    loopback.fail("/v1/chat/completions", status=307, headers={"Location": again}, times=1)
    with bindings.Plugin.open(openai_wasm, {"api_key": SECRET, "base_url": loopback.base_url}) as p:
        assert p.chat([HI]).text
    first, second = loopback.requests
    assert (first.method, second.method) == ("POST", "POST")
    assert second.path == "/v1/again/chat/completions"
    assert second.body == first.body and second.json["messages"]
    assert second.headers["authorization"] == f"Bearer {SECRET}"


def test_same_origin_303_becomes_a_get_without_body(loopback: LoopbackServer) -> None:
    loopback.fail("/v1/post", status=303, headers={"Location": "/v1/models"}, times=1)
    request = get(f"{loopback.base_url}/post", {"content-type": "application/json"}, "POST")
    plugin = http_plugin([Http(request, b'{"a":1}')], allowed_hosts=[loopback.base_url])
    assert json.loads(plugin.call_raw("list_models", b"{}"))["object"] == "list"
    post, follow = loopback.requests
    assert (post.method, post.body) == ("POST", b'{"a":1}')
    assert (follow.method, follow.path, follow.body) == ("GET", "/v1/models", b"")
    plugin.close()


def test_a_redirect_loop_is_cut(loopback: LoopbackServer) -> None:
    loopback.fail("/loop", status=302, headers={"Location": "/v1/loop"})
    plugin = http_plugin([Http(get(f"{loopback.base_url}/loop"))], allowed_hosts=[loopback.url])
    with pytest.raises(errors.RedirectRefusedError, match="more than 5"):
        plugin.list_models()
    assert len(loopback.requests) == 6
    plugin.close()


# --------------------------------------------------------------------------- limits and causes


def test_a_response_over_the_limit_fails_typed(loopback: LoopbackServer) -> None:
    loopback.fail("/models", status=200, body="x" * 5000)
    plugin = http_plugin(
        [Http(get(f"{loopback.base_url}/models"))],
        allowed_hosts=[loopback.url],
        max_http_response_bytes=1000,
    )
    with pytest.raises(errors.ResponseTooLargeError) as caught:
        plugin.list_models()
    assert caught.value.limit == 1000
    plugin.close()


class RawServer:
    """A one-connection-at-a-time HTTP server writing what `respond` yields, for responses the
    loopback server does not make (no Content-Length, chunked, a slow trickle)."""

    def __init__(self, respond: Callable[[], Iterator[bytes]]) -> None:
        self.respond = respond
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                conn.recv(65536)
                try:
                    for part in self.respond():
                        if self._stop.is_set():
                            break
                        conn.sendall(part)
                except OSError:
                    pass  # the host hung up

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[], Iterator[bytes]]], RawServer]]:
    servers: list[RawServer] = []

    def start(respond: Callable[[], Iterator[bytes]]) -> RawServer:
        servers.append(RawServer(respond))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def test_an_unsized_response_is_cut_at_the_limit(raw_server: Any) -> None:
    def unsized() -> Iterator[bytes]:
        yield b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
        for _ in range(50):
            yield b"y" * 4096

    url = raw_server(unsized).url
    plugin = http_plugin(
        [Http(get(f"{url}/big"))], allowed_hosts=[url], max_http_response_bytes=64 * 1024
    )
    with pytest.raises(errors.ResponseTooLargeError):
        plugin.list_models()
    plugin.close()
    plugin = http_plugin([Http(get(f"{url}/big"))], allowed_hosts=[url])
    assert plugin.call_raw("list_models", b"{}") == b"y" * 4096 * 50
    plugin.close()


def test_a_chunked_response_is_read_whole(raw_server: Any) -> None:
    parts = [b"hello ", b"chunked ", b"world" * 20_000]

    def chunked() -> Iterator[bytes]:
        yield b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        for part in parts:
            yield b"%x\r\n%s\r\n" % (len(part), part)
        yield b"0\r\n\r\n"

    url = raw_server(chunked).url
    plugin = http_plugin([Http(get(f"{url}/x"))], allowed_hosts=[url])
    assert plugin.call_raw("list_models", b"{}") == b"".join(parts)
    plugin.close()


def test_a_trickling_response_cannot_outlast_the_call(raw_server: Any) -> None:
    def trickle() -> Iterator[bytes]:
        yield b"HTTP/1.0 200 OK\r\n\r\n"
        for _ in range(600):  # a minute, one byte every 100 ms
            time.sleep(0.1)
            yield b"."

    url = raw_server(trickle).url
    plugin = http_plugin([Http(get(f"{url}/slow"))], allowed_hosts=[url], timeout_ms=400)
    started = time.monotonic()
    with pytest.raises(errors.PluginTimeoutError):
        plugin.list_models()
    assert time.monotonic() - started < 10  # generous: the trickle alone would take 60 s
    plugin.close()


def test_a_response_that_does_not_fit_in_plugin_memory(loopback: LoopbackServer) -> None:
    loopback.fail("/models", status=200, body="z" * (3 * 1024 * 1024))
    steps = [Http(get(f"{loopback.base_url}/models"))]
    plugin = http_plugin(steps, allowed_hosts=[loopback.url], max_pages=20)
    with pytest.raises(errors.PluginOutOfMemoryError, match="does not fit"):
        plugin.list_models()
    plugin.close()
    plugin = http_plugin(steps, allowed_hosts=[loopback.url], max_pages=200)
    assert len(plugin.call_raw("list_models", b"{}")) == 3 * 1024 * 1024
    plugin.close()


def test_a_slow_server_is_bounded_by_the_calls_timeout(loopback: LoopbackServer) -> None:
    loopback.fail("/models", delay_s=3.0, times=1)
    plugin = http_plugin(
        [Http(get(f"{loopback.base_url}/models"))], allowed_hosts=[loopback.url], timeout_ms=300
    )
    with pytest.raises(errors.PluginTimeoutError, match="HTTP request"):
        plugin.list_models()
    plugin.close()


def test_a_malformed_request_is_a_host_function_error() -> None:
    plugin = http_plugin([Http(b"{not json")])
    with pytest.raises(errors.HostFunctionError, match="not JSON") as caught:
        plugin.list_models()
    assert type(caught.value) is errors.HostFunctionError
    plugin.close()


def test_response_status_and_body_reach_the_plugin(loopback: LoopbackServer) -> None:
    loopback.fail("/models", status=404, body="no such thing", times=1)
    plugin = http_plugin([Http(get(f"{loopback.base_url}/models"))], allowed_hosts=[loopback.url])
    assert plugin.call_raw("list_models", b"{}") == b"no such thing"  # a 404 is not an error
    plugin.close()


def test_the_host_sets_framing_headers_and_serves_response_headers(
    loopback: LoopbackServer,
) -> None:
    request = get(f"{loopback.base_url}/models", {"Host": "evil.example", "X-Mine": "kept"})
    plugin = http_plugin([Http(request), HttpHeaders()], allowed_hosts=[loopback.url])
    headers = json.loads(plugin.call_raw("list_models", b"{}"))
    assert headers["content-type"] == "application/json"
    (seen,) = loopback.requests
    assert seen.headers["host"] == f"127.0.0.1:{loopback.port}"
    assert seen.headers["x-mine"] == "kept"
    plugin.close()


def test_rewriting_renames_only_the_served_imports() -> None:
    wasm = scripted()
    rewritten = runtime.rewrite_imports(wasm, runtime.RENAMES)
    before = bindings.read_wasm_header(wasm)
    after = bindings.read_wasm_header(rewritten)
    assert after.exports == before.exports
    moved = {name for module, name in after.imports if module == runtime.NAMESPACE}
    assert moved == {
        "http_request",
        "http_headers",
        "error_set",
        "log_error",
        "log_warn",
        "log_info",
    }
    kept = [i for i in after.imports if i[0] == "extism:host/env"]
    assert kept == [i for i in before.imports if i[1] not in moved]
    assert runtime.rewrite_imports(rewritten, runtime.RENAMES) == rewritten
