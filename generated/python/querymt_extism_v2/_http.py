"""The plugins' HTTP, sent by the host: origins, the allow-list, and a bounded client.

A plugin's `http_request` import is served by the host (see `_host`), never by Extism's own
client, so the host decides every byte: a request, and each redirect hop, goes only to an origin
(scheme, host and port) the allow-list names literally; redirects are followed only within the
same origin; the connection goes to exactly the host and port that were checked (no proxy from
the environment, no second URL parser); the call's timeout and a response size limit bound it.
A refused or failed request raises `HttpFailure`, carrying the typed error the call will raise.

Generated from querymt-extism-v2; do not edit.
"""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3

from .errors import (
    ConnectionFailedError,
    HostFunctionError,
    HostNotAllowedError,
    PluginError,
    PluginTimeoutError,
    RedirectRefusedError,
    ResponseTooLargeError,
)

DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
"""Same-origin redirects followed for one request; one more is refused."""
IDLE_TIMEOUT_S = 60.0
"""Connect and read timeout of each socket operation when the call itself has no timeout."""
_CHUNK = 64 * 1024
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HOST_SET_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "upgrade"}
)
"""Request headers the host sets itself: a plugin's values for them are dropped."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class UrlError(ValueError):
    """A URL the host sends nothing to, and why."""


@dataclass(frozen=True, order=True)
class Origin:
    """Where a request goes: scheme, canonical host (no brackets, no trailing dot), port."""

    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def canonical_host(text: str) -> str:
    """The literal form hosts are compared in; UrlError if `text` is not a host name or address.

    IP addresses are normalised (`[0:0::1]` is `::1`) and a trailing dot is dropped. Names are
    compared as written, lowercased: nothing is a pattern, and a name is never resolved to
    compare it. Numeric forms other than dotted-quad IPv4 (`127.1`, `0x7f.1`) are refused.
    """
    host = text.lower()
    if host.startswith("[") or ":" in host:
        inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
        try:
            address = ipaddress.IPv6Address(inner)
        except ValueError:
            raise UrlError(f"{text!r} is not an IPv6 address") from None
        if address.scope_id:
            raise UrlError(f"{text!r} has a zone index")
        return address.compressed
    if host.endswith("."):
        host = host[:-1]
    try:
        return str(ipaddress.IPv4Address(host))
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UrlError(f"{text!r} is not a host name or IP address")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        raise UrlError(f"{text!r} is not a dotted-quad IPv4 address")
    return host


def parse_url(url: Any) -> tuple[Origin, str]:
    """(origin, request target) of an absolute http(s) URL; UrlError if the host sends nothing."""
    if not isinstance(url, str) or not url:
        raise UrlError("the URL is empty")
    if not url.isascii() or any(c <= " " or c in "\x7f\\" for c in url):
        raise UrlError("the URL has spaces, backslashes, control or non-ASCII characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"malformed URL ({exc})") from None
    if parts.scheme not in DEFAULT_PORTS:
        raise UrlError("only http and https URLs are allowed")
    if "@" in parts.netloc:
        raise UrlError("credentials in the URL are not supported")
    if not parts.hostname:
        raise UrlError("the URL has no host")
    if port == 0:
        raise UrlError("port 0")
    hostname = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    origin = Origin(parts.scheme, canonical_host(hostname), port or DEFAULT_PORTS[parts.scheme])
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return origin, target


def origin_of(url: Any) -> Origin | None:
    """The origin of a base URL, or None if it is not one the host would send to."""
    try:
        return parse_url(url.strip() if isinstance(url, str) else url)[0]
    except UrlError:
        return None


def origins_of_entry(entry: str) -> frozenset[Origin]:
    """What one `allowed_hosts` entry allows: a URL or origin its origin; `host` http on 80
    and https on 443; `host:port` both schemes on that port. UrlError if it is none of these."""
    if "://" in entry:
        return frozenset({parse_url(entry)[0]})
    if not entry or any(c in entry for c in "/?#@\\") or not entry.isascii():
        raise UrlError(f"{entry!r} is not a host, host:port or URL")
    try:
        parts = urlsplit(f"//{entry}")
        port = parts.port
    except ValueError as exc:
        raise UrlError(f"{entry!r}: {exc}") from None
    if not parts.hostname or port == 0:
        raise UrlError(f"{entry!r} is not a host, host:port or URL")
    hostname = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    host = canonical_host(hostname)
    return frozenset(
        Origin(scheme, host, port or default) for scheme, default in DEFAULT_PORTS.items()
    )


class AllowList:
    """The origins a plugin's HTTP may reach, compared literally (no patterns, no DNS)."""

    def __init__(self, origins: Iterable[Origin] = ()) -> None:
        self.origins = frozenset(origins)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """From `allowed_hosts` entries (see `origins_of_entry`); UrlError on a bad one."""
        origins: set[Origin] = set()
        for entry in entries:
            origins |= origins_of_entry(entry)
        return cls(origins)

    def __contains__(self, origin: object) -> bool:
        return origin in self.origins

    def __str__(self) -> str:
        return ", ".join(str(o) for o in sorted(self.origins)) or "nothing"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class HttpFailure(Exception):
    """A request the host refused or could not complete, as the typed error the call raises."""

    def __init__(self, error: type[PluginError], message: str, **fields: Any) -> None:
        super().__init__(message)
        self.error = error
        self.message = message
        self.fields = fields


@dataclass(frozen=True)
class _Request:
    method: str
    url: str
    headers: dict[str, str]


def _parse_request(raw: bytes) -> _Request:
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
    return _Request(method.upper(), url, clean)


class HttpPolicy:
    """What one loaded plugin's HTTP may do, and the client that does it (thread-safe).

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
        self._manager: urllib3.PoolManager | None = None
        self._lock = threading.Lock()

    def deadline(self, started: float) -> float | None:
        return None if self.timeout_ms is None else started + self.timeout_ms / 1000

    def send(self, raw_request: bytes, body: bytes | None, deadline: float | None) -> HttpResponse:
        """Sends the plugin's request, following same-origin redirects; HttpFailure if refused."""
        request = _parse_request(raw_request)
        method, url, headers = request.method, request.url, request.headers
        try:
            origin, target = parse_url(url)
        except UrlError as exc:
            raise HttpFailure(
                HostNotAllowedError,
                f"HTTP request to {url[:200]} is not allowed: {exc}",
                url=url,
                cause=str(exc),
            ) from None
        if origin not in self.allowed:
            cause = f"{origin} is not in the allow-list ({self.allowed})"
            raise HttpFailure(
                HostNotAllowedError,
                f"HTTP request to {url} is not allowed: {origin} is not an allowed origin",
                url=url,
                cause=cause,
            )
        for _ in range(MAX_REDIRECTS + 1):
            response = self._open(origin, method, target, headers, body, deadline, url)
            location = response.headers.get("location")
            if response.status not in _REDIRECTS or not location:
                return self._read(response, deadline, url)
            response.close()
            status = response.status
            next_url = urljoin(url, location)
            try:
                next_origin, target = parse_url(next_url)
            except UrlError:
                next_origin = None
            if next_origin != origin:
                raise HttpFailure(
                    RedirectRefusedError,
                    f"HTTP request to {url} was redirected ({status}) to {next_url[:200]}, "
                    "another origin: not followed",
                    url=url,
                    location=next_url,
                    cause=f"redirect {status} to another origin",
                )
            if status == 303 or (status in (301, 302) and method not in ("GET", "HEAD")):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
            url = next_url
        raise HttpFailure(
            RedirectRefusedError,
            f"HTTP request to {request.url} was redirected more than {MAX_REDIRECTS} times",
            url=request.url,
            location=url,
            cause="too many redirects",
        )

    # ----------------------------------------------------------------------- transport

    def _pools(self) -> urllib3.PoolManager:
        with self._lock:
            if self._manager is None:
                self._manager = urllib3.PoolManager(num_pools=8, maxsize=8, retries=False)
            return self._manager

    def _timeout(self, deadline: float | None, url: str) -> urllib3.Timeout:
        if deadline is None:
            return urllib3.Timeout(connect=IDLE_TIMEOUT_S, read=IDLE_TIMEOUT_S)
        left = deadline - time.monotonic()
        if left <= 0:
            raise _timed_out(url)
        return urllib3.Timeout(total=left)

    def _open(
        self,
        origin: Origin,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | None,
        deadline: float | None,
        url: str,
    ) -> Any:
        pool = self._pools().connection_from_host(origin.host, origin.port, origin.scheme)
        try:
            return pool.urlopen(
                method,
                target,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=self._timeout(deadline, url),
                preload_content=False,
                decode_content=False,
            )
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            raise _transport_failure(exc, deadline, url) from None

    def _read(self, response: Any, deadline: float | None, url: str) -> HttpResponse:
        limit = self.max_response_bytes
        headers = {k.lower(): v for k, v in response.headers.items()}
        declared = headers.get("content-length", "")
        if limit is not None and declared.isdigit() and int(declared) > limit:
            response.close()
            raise _too_large(url, limit)
        sock = getattr(response.connection, "sock", None)
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _timed_out(url)
                    if sock is not None:
                        sock.settimeout(left)  # a slow trickle cannot outlast the call
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _too_large(url, limit)
                chunks.append(chunk)
        except HttpFailure:
            response.close()
            raise
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            response.close()
            raise _transport_failure(exc, deadline, url) from None
        response.release_conn()
        return HttpResponse(response.status, headers, b"".join(chunks))


def _timed_out(url: str) -> HttpFailure:
    return HttpFailure(
        PluginTimeoutError, f"HTTP request to {url} did not finish within the call's timeout_ms"
    )


def _too_large(url: str, limit: int) -> HttpFailure:
    return HttpFailure(
        ResponseTooLargeError,
        f"HTTP response from {url} is larger than max_http_response_bytes ({limit:,})",
        url=url,
        limit=limit,
        cause=f"response over {limit} bytes",
    )


def _transport_failure(exc: Exception, deadline: float | None, url: str) -> HttpFailure:
    if deadline is not None and time.monotonic() >= deadline:
        return _timed_out(url)
    reason = getattr(exc, "reason", None)
    cause = f"{type(exc).__name__}: {exc}"
    if isinstance(reason, Exception) and str(reason) not in cause:
        cause += f" ({reason})"
    return HttpFailure(ConnectionFailedError, f"HTTP request to {url} failed: {cause}", cause=cause)
