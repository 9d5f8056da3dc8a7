"""The plugins' HTTP, sent by the host: a policy (see `http_exchange`) on an httpx transport.

A plugin's `http_request` import is served by the host (see `host`), never by Extism's own
client, so the host decides every byte: a request, and each redirect hop, goes only to an origin
(scheme, host and port) the allow-list names literally; redirects are followed only within the
same origin; the connection goes to exactly the host and port that were checked (no proxy or
netrc from the environment, no second URL parser); the call's deadline and a response size
limit bound the whole exchange. A refused or failed request raises `HttpFailure`, carrying the
typed error the call will raise.

Two drivers run the same `Exchange` and `Budget`: a sync one on one thread-safe
`httpx.Client` per policy (its sockets end at the deadline, see `http_transport`), and an async
one on an `httpx.AsyncClient` made for each exchange (a client is tied to the event loop it
first ran on; a plugin is used from any loop). Bodies are served as the bytes that arrived: no
content decoding, HTTP/1.1 only, no cookies kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import ssl
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx

from .http_exchange import (
    IDLE_TIMEOUT_S,
    MAX_REDIRECTS,
    TRANSPORT_ERRORS,
    Budget,
    Exchange,
    HttpFailure,
)
from .http_origins import (
    DEFAULT_PORTS,
    AllowList,
    Origin,
    UrlError,
    canonical_host,
    origin_of,
    origins_of_entry,
    parse_url,
)
from .http_transport import DeadlineTransport, deadline_set

__all__ = [
    "DEFAULT_PORTS",
    "IDLE_TIMEOUT_S",
    "MAX_REDIRECTS",
    "AllowList",
    "AsyncHttpStream",
    "HttpFailure",
    "HttpPolicy",
    "HttpResponse",
    "HttpStream",
    "Origin",
    "UrlError",
    "canonical_host",
    "origin_of",
    "origins_of_entry",
    "parse_url",
]

_LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=8)
"""Any number of connections at once (each call has its own deadline); 8 kept idle."""


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _Lease:
    """The sync client and the exchanges using it; `close()` retires it, the last one closes."""

    client: httpx.Client
    users: int = 0
    retired: bool = False


class HttpStream:
    """A response being received: status and headers now, the body as it arrives."""

    def __init__(self, response: httpx.Response, budget: Budget) -> None:
        self.status = response.status_code
        self.headers = _headers(response)
        self.url = budget.url
        self._chunks = response.iter_raw()
        self._budget = budget

    def iter_bytes(self) -> Iterator[bytes]:
        """The body's bytes as they arrive (not decoded); HttpFailure past a bound."""
        budget = self._budget
        while True:
            budget.check_time()
            try:
                with deadline_set(budget.deadline):
                    chunk = next(self._chunks, b"")
            except TRANSPORT_ERRORS as exc:
                raise budget.failure(exc) from None
            if not chunk:
                return
            yield budget.take(chunk)

    def read(self) -> bytes:
        """The rest of the body."""
        return b"".join(self.iter_bytes())


class AsyncHttpStream:
    """`HttpStream` for the async driver."""

    def __init__(self, response: httpx.Response, budget: Budget) -> None:
        self.status = response.status_code
        self.headers = _headers(response)
        self.url = budget.url
        self._chunks = response.aiter_raw()
        self._budget = budget

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        budget = self._budget
        while True:
            try:
                async with _bounded(budget):
                    chunk = await anext(self._chunks, b"")
            except TRANSPORT_ERRORS as exc:
                raise budget.failure(exc) from None
            if not chunk:
                return
            yield budget.take(chunk)

    async def aread(self) -> bytes:
        return b"".join([chunk async for chunk in self.aiter_bytes()])


class HttpPolicy:
    """What one loaded plugin's HTTP may do, and the clients that do it (thread-safe).

    `timeout_ms` is the call's timeout: a request must finish within what is left of it.
    `max_response_bytes` bounds each response body (None: no limit).
    """

    def __init__(
        self,
        allowed: AllowList,
        *,
        timeout_ms: int | None,
        max_response_bytes: int | None,
    ) -> None:
        self.allowed = allowed
        self.timeout_ms = timeout_ms
        self.max_response_bytes = max_response_bytes
        self._shared: _Lease | None = None
        self._ssl: ssl.SSLContext | None = None
        self._lock = threading.Lock()

    def deadline(self, started: float) -> float | None:
        return None if self.timeout_ms is None else started + self.timeout_ms / 1000

    # ----------------------------------------------------------------------- sync

    def send(self, raw_request: bytes, body: bytes | None, deadline: float | None) -> HttpResponse:
        """Sends the plugin's request, following same-origin redirects; HttpFailure if refused."""
        with self.stream(raw_request, body, deadline) as response:
            return HttpResponse(response.status, response.headers, response.read())

    @contextlib.contextmanager
    def stream(
        self, raw_request: bytes, body: bytes | None, deadline: float | None
    ) -> Iterator[HttpStream]:
        """`send`, with the body read as it arrives; leaving the block closes the response."""
        exchange = Exchange(raw_request, body, self.allowed)
        budget = Budget(exchange.url, deadline, self.max_response_bytes)
        lease = self._lease()
        try:
            while True:
                budget.url = exchange.url
                try:
                    with deadline_set(budget.deadline):
                        request = exchange.request(budget.timeout())
                        response = lease.client.send(request, stream=True)
                except TRANSPORT_ERRORS as exc:
                    raise budget.failure(exc) from None
                try:
                    if not _settled(exchange, budget, response):
                        continue
                    yield HttpStream(response, budget)
                    return
                finally:
                    response.close()
        finally:
            self._release(lease)

    def close(self) -> None:
        """Closes the sync client's connections, once the exchanges in flight on it have ended
        (closing them under a request would stall it); a later request opens a new client."""
        with self._lock:
            lease, self._shared = self._shared, None
            if lease is None:
                return
            lease.retired = True
            idle = lease.users == 0
        if idle:
            lease.client.close()

    # ----------------------------------------------------------------------- async

    async def asend(
        self, raw_request: bytes, body: bytes | None, deadline: float | None
    ) -> HttpResponse:
        async with self.astream(raw_request, body, deadline) as response:
            return HttpResponse(response.status, response.headers, await response.aread())

    @contextlib.asynccontextmanager
    async def astream(
        self, raw_request: bytes, body: bytes | None, deadline: float | None
    ) -> AsyncIterator[AsyncHttpStream]:
        exchange = Exchange(raw_request, body, self.allowed)
        budget = Budget(exchange.url, deadline, self.max_response_bytes)
        async with self._async_client() as client:
            while True:
                budget.url = exchange.url
                try:
                    async with _bounded(budget):
                        request = exchange.request(budget.timeout())
                        response = await client.send(request, stream=True)
                except TRANSPORT_ERRORS as exc:
                    raise budget.failure(exc) from None
                try:
                    if not _settled(exchange, budget, response):
                        continue
                    yield AsyncHttpStream(response, budget)
                    return
                finally:
                    await response.aclose()

    async def aclose(self) -> None:
        """Closes what the policy holds open (async clients live for one exchange)."""
        self.close()

    # ----------------------------------------------------------------------- clients

    def _context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(trust_env=False)
        return self._ssl

    def _lease(self) -> _Lease:
        with self._lock:
            if self._shared is None:
                client = httpx.Client(
                    transport=DeadlineTransport(self._context(), _LIMITS),
                    trust_env=False,
                    follow_redirects=False,
                    cookies=_no_cookies(),
                )
                self._shared = _Lease(client)
            self._shared.users += 1
            return self._shared

    def _release(self, lease: _Lease) -> None:
        with self._lock:
            lease.users -= 1
            last = lease.retired and lease.users == 0
        if last:
            lease.client.close()

    def _async_client(self) -> httpx.AsyncClient:
        # One per exchange: a client is bound to its first event loop and one kept per loop
        # would leak its sockets when the loop ends. Made on the shared SSL context it costs
        # about 0.3 ms; the price is a new connection per exchange instead of keep-alive.
        with self._lock:
            context = self._context()
        return httpx.AsyncClient(
            verify=context,
            trust_env=False,
            follow_redirects=False,
            http1=True,
            http2=False,
            cookies=_no_cookies(),
            limits=_LIMITS,
        )


def _no_cookies() -> http.cookiejar.CookieJar:
    """A jar that keeps nothing: a plugin's responses never set state for later requests."""
    return http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


def _settled(exchange: Exchange, budget: Budget, response: httpx.Response) -> bool:
    """False if the response is a redirect to follow; raises if it is refused or too large."""
    headers = _headers(response)
    if exchange.follows(response.status_code, headers):
        return False
    budget.check_declared(headers)
    return True


def _headers(response: httpx.Response) -> dict[str, str]:
    """Lower-cased names; a repeated header keeps its last value; latin-1 as on the wire."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in response.headers.raw}


def _bounded(budget: Budget) -> contextlib.AbstractAsyncContextManager[object]:
    """What is left of the call as an asyncio timeout (TimeoutError past it)."""
    if budget.deadline is None:
        return contextlib.nullcontext()
    return asyncio.timeout(budget.left())
