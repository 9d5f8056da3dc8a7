"""The host's HTTP transport on its four drivers (`send`, `stream`, `asend`, `astream`) against
real loopback servers that script every byte: bodies arrive incrementally, the allow-list and
same-origin rule hold on every hop, size and deadline bound the whole exchange, a refused origin
sees no connection, and one policy serves many threads and many event loops."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from querymt_extism_runtime import AllowList, HttpPolicy, errors
from querymt_extism_runtime.http_exchange import Exchange
from querymt_extism_runtime.http_policy import HttpFailure
from test_python_http import http_plugin
from wasm_builder import Http

Script = Callable[["ScriptServer", socket.socket, bytes], None]


class ScriptServer:
    """HTTP/1.1 on 127.0.0.1 (a free port); each request is answered by `script(server, conn,
    request_head)` on the connection's own thread. Records every connection and request."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.heads: list[bytes] = []
        self.bodies: list[bytes] = []
        self.eof = threading.Event()
        self.released = threading.Event()
        self.sent_after_release: bool | None = None
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        buffered = b""
        try:
            while True:
                while b"\r\n\r\n" not in buffered:
                    data = conn.recv(65536)
                    if not data:
                        self.eof.set()
                        return
                    buffered += data
                head, _, buffered = buffered.partition(b"\r\n\r\n")
                length = _content_length(head)
                while len(buffered) < length:
                    buffered += conn.recv(65536)
                self.heads.append(head)
                self.bodies.append(buffered[:length])
                buffered = buffered[length:]
                self.script(self, conn, head)
        except OSError:
            self.eof.set()
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def _path(head: bytes) -> str:
    return head.split(b" ")[1].decode()


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


def ok(body: bytes = b"hello", extra: bytes = b"") -> Script:
    def script(server: ScriptServer, conn: socket.socket, head: bytes) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)
        )

    return script


def parts_then_wait(server: ScriptServer, conn: socket.socket, head: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunk(b"first"))
    server.sent_after_release = server.released.wait(5)
    conn.sendall(_chunk(b"second") + b"0\r\n\r\n")


def trickle(gap_s: float) -> Script:
    def script(server: ScriptServer, conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        for _ in range(int(5 / gap_s)):
            time.sleep(gap_s)
            conn.sendall(b"x")

    return script


def endless(server: ScriptServer, conn: socket.socket, head: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    for _ in range(200):
        conn.sendall(_chunk(b"y" * 1000))
        time.sleep(0.002)
    conn.sendall(b"0\r\n\r\n")


def redirect(location: Callable[[str], str], status: int = 302) -> Script:
    def script(server: ScriptServer, conn: socket.socket, head: bytes) -> None:
        path = _path(head)
        if path.startswith("/final"):
            method = head.split(b" ")[0]
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(method), method))
            return
        target = location(path).encode()
        conn.sendall(
            b"HTTP/1.1 %d Moved\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n" % (status, target)
        )

    return script


@pytest.fixture
def servers() -> Iterator[Callable[[Script], ScriptServer]]:
    made: list[ScriptServer] = []

    def make(script: Script) -> ScriptServer:
        made.append(ScriptServer(script))
        return made[-1]

    yield make
    for server in made:
        server.close()


def request(url: str, method: str = "GET", **headers: str) -> bytes:
    return json.dumps({"method": method, "url": url, "headers": headers}).encode()


def policy_for(
    *servers: ScriptServer, timeout_ms: int | None = None, limit: int | None = None
) -> HttpPolicy:
    return HttpPolicy(
        AllowList.parse([s.origin for s in servers]),
        timeout_ms=timeout_ms,
        max_response_bytes=limit,
    )


# The four drivers, each as (status, body) of one exchange; HttpFailure as raised.


def drive_send(
    policy: HttpPolicy, raw: bytes, body: bytes | None, deadline: float | None
) -> tuple[int, bytes]:
    response = policy.send(raw, body, deadline)
    return response.status, response.body


def drive_stream(
    policy: HttpPolicy, raw: bytes, body: bytes | None, deadline: float | None
) -> tuple[int, bytes]:
    with policy.stream(raw, body, deadline) as stream:
        return stream.status, b"".join(stream.iter_bytes())


def drive_asend(
    policy: HttpPolicy, raw: bytes, body: bytes | None, deadline: float | None
) -> tuple[int, bytes]:
    response = asyncio.run(policy.asend(raw, body, deadline))
    return response.status, response.body


def drive_astream(
    policy: HttpPolicy, raw: bytes, body: bytes | None, deadline: float | None
) -> tuple[int, bytes]:
    async def run() -> tuple[int, bytes]:
        async with policy.astream(raw, body, deadline) as stream:
            return stream.status, b"".join([chunk async for chunk in stream.aiter_bytes()])

    return asyncio.run(run())


DRIVERS = pytest.mark.parametrize(
    "drive",
    [drive_send, drive_stream, drive_asend, drive_astream],
    ids=["send", "stream", "asend", "astream"],
)
Drive = Callable[[HttpPolicy, bytes, "bytes | None", "float | None"], tuple[int, bytes]]


def failure_of(drive: Drive, *args: Any) -> HttpFailure:
    with pytest.raises(HttpFailure) as caught:
        drive(*args)
    return caught.value


# --------------------------------------------------------------------------- incremental bodies


def test_stream_yields_a_part_before_the_server_sends_the_next(servers: Any) -> None:
    server = servers(parts_then_wait)
    with policy_for(server).stream(request(f"{server.origin}/s"), None, None) as stream:
        chunks = stream.iter_bytes()
        assert next(chunks) == b"first"
        server.released.set()
        assert stream.read() == b"second"
    assert server.sent_after_release is True


def test_astream_yields_a_part_before_the_server_sends_the_next(servers: Any) -> None:
    server = servers(parts_then_wait)

    async def run() -> bytes:
        async with policy_for(server).astream(request(f"{server.origin}/s"), None, None) as stream:
            chunks = stream.aiter_bytes()
            first = await anext(chunks)
            server.released.set()
            return first + await stream.aread()

    assert asyncio.run(run()) == b"firstsecond"
    assert server.sent_after_release is True


@DRIVERS
def test_the_body_is_served_as_sent_and_no_header_is_added(servers: Any, drive: Drive) -> None:
    packed = gzip.compress(b"not to be unpacked by the host")
    server = servers(ok(packed, b"Content-Encoding: gzip\r\n"))
    raw = request(f"{server.origin}/p", "POST", **{"X-Mine": "kept", "Host": "evil.example"})
    assert drive(policy_for(server), raw, b"{}", None) == (200, packed)
    lines = server.heads[0].split(b"\r\n")
    assert lines[0] == b"POST /p HTTP/1.1"
    names = sorted(line.split(b":")[0].lower() for line in lines[1:])
    assert names == [b"content-length", b"host", b"x-mine"]
    assert f"host: {server.origin[7:]}".encode() in server.heads[0].lower()
    assert server.bodies == [b"{}"]


def test_leaving_the_stream_closes_the_response(servers: Any) -> None:
    server = servers(parts_then_wait)
    with policy_for(server).stream(request(f"{server.origin}/s"), None, None) as stream:
        assert next(stream.iter_bytes()) == b"first"
    server.released.set()  # the server sends the rest, then reads: the end of the connection
    assert server.eof.wait(2), "the connection stayed open after the block"


# --------------------------------------------------------------------------- allow-list per hop


@DRIVERS
def test_a_refused_origin_gets_no_connection(servers: Any, drive: Drive) -> None:
    allowed, other = servers(ok()), servers(ok())
    failure = failure_of(drive, policy_for(allowed), request(f"{other.origin}/x"), None, None)
    assert failure.error is errors.HostNotAllowedError
    assert other.connections == 0 and allowed.connections == 0


@DRIVERS
def test_a_redirect_to_another_allowed_origin_is_refused_before_it_is_sent(
    servers: Any, drive: Drive
) -> None:
    other = servers(ok())
    first = servers(redirect(lambda path: f"{other.origin}/final"))
    failure = failure_of(drive, policy_for(first, other), request(f"{first.origin}/a"), None, None)
    assert failure.error is errors.RedirectRefusedError
    assert failure.fields["location"] == f"{other.origin}/final"
    assert other.connections == 0


@DRIVERS
def test_same_origin_redirects_are_followed_with_the_303_rewrite(
    servers: Any, drive: Drive
) -> None:
    server = servers(redirect(lambda path: "/final", status=303))
    raw = request(f"{server.origin}/a", "POST", **{"Content-Type": "application/json"})
    assert drive(policy_for(server), raw, b"{}", None) == (200, b"GET")
    assert b"content-type" not in server.heads[1].lower()
    assert server.bodies == [b"{}", b""]


@DRIVERS
def test_a_sixth_redirect_is_refused(servers: Any, drive: Drive) -> None:
    server = servers(redirect(lambda path: f"/n{len(path)}"))
    failure = failure_of(drive, policy_for(server), request(f"{server.origin}/a"), None, None)
    assert failure.error is errors.RedirectRefusedError
    assert failure.fields["cause"] == "too many redirects"
    assert len(server.heads) == 6


@DRIVERS
def test_a_closed_port_is_a_connection_failure(servers: Any, drive: Drive) -> None:
    server = servers(ok())
    server.close()
    failure = failure_of(drive, policy_for(server), request(f"{server.origin}/x"), None, None)
    assert failure.error is errors.ConnectionFailedError
    assert "ConnectError" in failure.fields["cause"]


# --------------------------------------------------------------------------- bounds


@DRIVERS
def test_the_size_limit_holds_mid_stream(servers: Any, drive: Drive) -> None:
    server = servers(endless)
    failure = failure_of(
        drive, policy_for(server, limit=10_000), request(f"{server.origin}/b"), None, None
    )
    assert failure.error is errors.ResponseTooLargeError
    assert failure.fields["limit"] == 10_000


def test_a_stream_serves_the_bytes_under_the_limit_then_fails(servers: Any) -> None:
    server = servers(endless)
    received = 0
    policy = policy_for(server, limit=10_000)
    with (
        pytest.raises(HttpFailure) as caught,
        policy.stream(request(f"{server.origin}/b"), None, None) as stream,
    ):
        for chunk in stream.iter_bytes():
            received += len(chunk)
    assert caught.value.error is errors.ResponseTooLargeError
    assert 0 < received <= 10_000


@DRIVERS
@pytest.mark.parametrize("gap_s", [0.05, 0.5], ids=["fast-trickle", "just-inside-each-read"])
def test_a_trickle_cannot_outlast_the_deadline(servers: Any, drive: Drive, gap_s: float) -> None:
    server = servers(trickle(gap_s))
    started = time.monotonic()
    deadline = started + 0.6
    failure = failure_of(drive, policy_for(server), request(f"{server.origin}/t"), None, deadline)
    elapsed = time.monotonic() - started
    assert failure.error is errors.PluginTimeoutError
    assert 0.6 <= elapsed < 0.85, f"took {elapsed:.2f}s for a 0.6s deadline"


# --------------------------------------------------------------------------- sharing


def test_one_policy_serves_two_asyncio_runs(servers: Any) -> None:
    server = servers(ok(b"again"))
    policy = policy_for(server)
    raw = request(f"{server.origin}/r")
    assert drive_asend(policy, raw, None, None) == (200, b"again")
    assert drive_astream(policy, raw, None, None) == (200, b"again")
    assert drive_asend(policy, raw, None, None) == (200, b"again")
    assert len(server.heads) == 3


def test_one_policy_serves_eight_threads(servers: Any) -> None:
    server = servers(ok(b"shared"))
    policy = policy_for(server, timeout_ms=5000)
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        for _ in range(5):
            drive = drive_stream if index % 2 else drive_send
            answer = drive(policy, request(f"{server.origin}/t{index}"), None, time.monotonic() + 5)
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [(200, b"shared")] * 40
    assert len(server.heads) == 40
    assert server.connections <= 40


def test_close_closes_the_kept_connections_and_the_policy_still_works(servers: Any) -> None:
    server = servers(ok())
    policy = policy_for(server)
    raw = request(f"{server.origin}/k")
    assert drive_send(policy, raw, None, None) == (200, b"hello")
    assert drive_send(policy, raw, None, None) == (200, b"hello")
    assert server.connections == 1  # kept alive
    policy.close()
    assert server.eof.wait(2)
    assert drive_send(policy, raw, None, None) == (200, b"hello")
    assert server.connections == 2
    asyncio.run(policy.aclose())


def test_a_plugins_close_closes_its_http_connections(servers: Any) -> None:
    server = servers(ok(b"from the host"))
    plugin = http_plugin([Http(request(f"{server.origin}/models"))], allowed_hosts=[server.origin])
    assert plugin.call_raw("list_models", b"{}") == b"from the host"
    assert server.connections == 1 and not server.eof.is_set()  # kept alive by the client
    plugin.close()
    assert server.eof.wait(2), "the plugin's connection outlived close()"


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("http://xn--bcher-kva.example/x", b"xn--bcher-kva.example", None, b"/x"),
        ("https://[0:0::1]:8443/x?q=1", b"::1", 8443, b"/x?q=1"),
        ("http://127.0.0.1.", b"127.0.0.1", None, b"/"),
    ],
)
def test_each_hop_is_addressed_to_the_checked_origin_as_written(
    url: str, host: bytes, port: int | None, target: bytes
) -> None:
    exchange = Exchange(request(url), None, AllowList.parse([url]))
    sent = exchange.request(httpx.Timeout(1.0))
    assert (sent.url.raw_host, sent.url.port, sent.url.raw_path) == (host, port, target)


def test_close_racing_requests_fails_them_typed_or_not_at_all(servers: Any) -> None:
    server = servers(ok(b"raced"))
    policy = policy_for(server)
    raw = request(f"{server.origin}/race")
    outcomes: list[object] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            try:
                outcome: object = drive_send(policy, raw, None, time.monotonic() + 5)
            except HttpFailure as failure:
                outcome = failure.error
            except Exception as exc:  # any other class is what this test looks for
                outcome = exc
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for _ in range(20):
        policy.close()
        time.sleep(0.005)
    for thread in threads:
        thread.join(30)
    assert len(outcomes) == 80
    assert set(outcomes) <= {(200, b"raced"), errors.ConnectionFailedError}, outcomes
    assert (200, b"raced") in outcomes
