"""Where a plugin's HTTP may go: origins, URLs as the host reads them, and the allow-list.

An origin is a scheme, a canonical host and a port; an allow-list names origins literally (no
patterns, no DNS). `parse_url` is the one URL parser the host trusts: the transport connects to
the origin it returns, never to what another parser makes of the text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_PORTS",
    "AllowList",
    "Origin",
    "UrlError",
    "canonical_host",
    "origin_of",
    "origins_of_entry",
    "parse_url",
]

DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+")


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
