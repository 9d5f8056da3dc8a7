"""The policy of one plugin HTTP exchange, apart from any transport: both drivers (sync and
async, see `http_policy`) run exactly this.

`Exchange` reads the plugin's request block, checks the first URL against the allow-list, builds
each hop's request for exactly the origin that was checked, and decides what a response means:
the final answer, a same-origin redirect to follow (with the 301/302/303 method rewrite), or a
refusal. `Budget` bounds the body (size) and the whole exchange (the call's deadline). Every
refusal or failure is an `HttpFailure` carrying the typed error the call raises.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx

from .errors import (
    ConnectionFailedError,
    HostFunctionError,
    HostNotAllowedError,
    PluginError,
    PluginTimeoutError,
    RedirectRefusedError,
    ResponseTooLargeError,
)
from .http_origins import DEFAULT_PORTS, AllowList, UrlError, parse_url

__all__ = [
    "IDLE_TIMEOUT_S",
    "MAX_REDIRECTS",
    "TRANSPORT_ERRORS",
    "Budget",
    "Exchange",
    "HttpFailure",
    "timed_out",
    "too_large",
]

MAX_REDIRECTS = 5
"""Same-origin redirects followed for one request; one more is refused."""
IDLE_TIMEOUT_S = 60.0
"""Connect and read timeout of each socket operation when the call itself has no timeout."""
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HOST_SET_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "upgrade"}
)
"""Request headers the host sets itself: a plugin's values for them are dropped."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class HttpFailure(Exception):
    """A request the host refused or could not complete, as the typed error the call raises."""

    def __init__(self, error: type[PluginError], message: str, **fields: Any) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.fields = fields


class Exchange:
    """One plugin request across its redirect hops: where the next hop goes and with what."""

    def __init__(self, raw_request: bytes, body: bytes | None, allowed: AllowList) -> None:
        method, url, headers = _parse_request(raw_request)
        try:
            origin, target = parse_url(url)
        except UrlError as exc:
            raise HttpFailure(
                HostNotAllowedError,
                f"HTTP request to {url[:200]} is not allowed: {exc}",
                url=url,
                cause=str(exc),
            ) from None
        if origin not in allowed:
            raise HttpFailure(
                HostNotAllowedError,
                f"HTTP request to {url} is not allowed: {origin} is not an allowed origin",
                url=url,
                cause=f"{origin} is not in the allow-list ({allowed})",
            )
        self.first_url = url
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.origin = origin
        self.target = target
        self.hops = 0

    def request(self, timeout: httpx.Timeout) -> httpx.Request:
        """This hop's request, addressed to the checked origin itself (not a re-parsed URL).

        Only the headers the plugin gave, plus `Host` and the body's framing, are sent."""
        try:
            url = httpx.URL(
                scheme=self.origin.scheme,
                host=self.origin.host,
                port=self.origin.port,
                raw_path=self.target.encode("ascii"),
            )
        except httpx.InvalidURL as exc:
            raise HttpFailure(
                HostNotAllowedError,
                f"HTTP request to {self.url[:200]} is not allowed: {exc}",
                url=self.url,
                cause=str(exc),
            ) from None
        host = url.raw_host.decode("ascii")  # `host` would be the IDNA-decoded name
        if (url.scheme, host, url.port or DEFAULT_PORTS[url.scheme]) != (
            self.origin.scheme,
            self.origin.host,
            self.origin.port,
        ):
            raise HttpFailure(HostFunctionError, f"http_request: cannot address {self.origin}")
        # latin-1, as HTTP/1.1 (and the plugin's own runtime) sends header values.
        headers = [(k.encode("ascii"), v.encode("latin-1")) for k, v in self.headers.items()]
        request = httpx.Request(
            self.method,
            url,
            headers=headers,
            content=self.body,
            extensions={"timeout": timeout.as_dict()},
        )
        return request

    def follows(self, status: int, headers: Mapping[str, str]) -> bool:
        """True if the response is a redirect this exchange follows (the next `request()` goes
        there); False if it is the answer. HttpFailure for another origin or too many hops."""
        location = headers.get("location")
        if status not in _REDIRECTS or not location:
            return False
        next_url = urljoin(self.url, location)
        try:
            next_origin, target = parse_url(next_url)
        except UrlError:
            next_origin = None
        if next_origin != self.origin:
            raise HttpFailure(
                RedirectRefusedError,
                f"HTTP request to {self.url} was redirected ({status}) to {next_url[:200]}, "
                "another origin: not followed",
                url=self.url,
                location=next_url,
                cause=f"redirect {status} to another origin",
            )
        if self.hops == MAX_REDIRECTS:
            raise HttpFailure(
                RedirectRefusedError,
                f"HTTP request to {self.first_url} was redirected more than {MAX_REDIRECTS} times",
                url=self.first_url,
                location=self.url,
                cause="too many redirects",
            )
        self.hops += 1
        if status == 303 or (status in (301, 302) and self.method not in ("GET", "HEAD")):
            self.method, self.body = "GET", None
            self.headers = {k: v for k, v in self.headers.items() if k.lower() != "content-type"}
        self.url, self.target = next_url, target
        return True


@dataclass
class Budget:
    """What is left of one exchange: time to the deadline, bytes to the size limit."""

    url: str
    deadline: float | None
    limit: int | None
    size: int = 0

    def timeout(self) -> httpx.Timeout:
        """Each socket operation's timeout: what is left of the call, else the idle timeout."""
        if self.deadline is None:
            return httpx.Timeout(IDLE_TIMEOUT_S)
        return httpx.Timeout(self.left())

    def left(self) -> float:
        """Seconds to the deadline (positive); HttpFailure once it has passed."""
        assert self.deadline is not None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise timed_out(self.url)
        return left

    def check_time(self) -> None:
        if self.deadline is not None:
            self.left()

    def check_declared(self, headers: Mapping[str, str]) -> None:
        declared = headers.get("content-length", "")
        if self.limit is not None and declared.isdigit() and int(declared) > self.limit:
            raise too_large(self.url, self.limit)

    def take(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise too_large(self.url, self.limit)
        return chunk

    def failure(self, exc: Exception) -> HttpFailure:
        """The typed failure of a transport error: a timeout once the deadline has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return timed_out(self.url)
        if isinstance(exc, httpx.TimeoutException) and self.deadline is not None:
            return timed_out(self.url)
        cause = f"{type(exc).__name__}: {exc}"
        context = exc.__context__
        if isinstance(context, Exception) and str(context) and str(context) not in cause:
            cause += f" ({context})"
        return HttpFailure(
            ConnectionFailedError, f"HTTP request to {self.url} failed: {cause}", cause=cause
        )


TRANSPORT_ERRORS = (httpx.TransportError, OSError, ValueError)
"""What a transport raises for a request it could not complete."""


def timed_out(url: str) -> HttpFailure:
    return HttpFailure(
        PluginTimeoutError, f"HTTP request to {url} did not finish within the call's timeout_ms"
    )


def too_large(url: str, limit: int) -> HttpFailure:
    return HttpFailure(
        ResponseTooLargeError,
        f"HTTP response from {url} is larger than max_http_response_bytes ({limit:,})",
        url=url,
        limit=limit,
        cause=f"response over {limit} bytes",
    )


def _parse_request(raw: bytes) -> tuple[str, str, dict[str, str]]:
    """The plugin's request block: `{"method", "url", "headers"}` as Extism's runtime reads it."""
    try:
        meta = json.loads(raw)
    except ValueError:
        raise HttpFailure(HostFunctionError, "http_request: the request is not JSON") from None
    if not isinstance(meta, dict):
        raise HttpFailure(HostFunctionError, "http_request: the request is not a JSON object")
    method = meta.get("method") or "GET"
    url = meta.get("url")
    headers = meta.get("headers") or {}
    if not isinstance(method, str) or not _TOKEN.fullmatch(method):
        raise HttpFailure(HostFunctionError, "http_request: the method is not an HTTP token")
    if not isinstance(url, str):
        raise HttpFailure(HostFunctionError, "http_request: the request has no URL")
    if not isinstance(headers, dict):
        raise HttpFailure(HostFunctionError, "http_request: `headers` is not an object")
    clean: dict[str, str] = {}
    for name, value in headers.items():
        if not isinstance(value, str) or not _TOKEN.fullmatch(name) or _BAD_VALUE.search(value):
            raise HttpFailure(
                HostFunctionError, f"http_request: header {name[:40]!r} is not a valid header"
            )
        if name.lower() not in _HOST_SET_HEADERS:
            clean[name] = value
    return method.upper(), url, clean
