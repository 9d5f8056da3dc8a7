"""The adapter host's HTTP: a plugin's `SerializableHttpRequest` sent under its `HttpPolicy`.

The request (JSON head + body bytes) goes out through the policy, so the allow-list is checked
on every hop and the policy's limits hold. Buffered calls use `send`/`asend`; a stream uses the
policy's `stream`/`astream` when it has them (an incremental body), else the buffered answer
read as one piece. A refused or failed exchange raises the typed error `HttpFailure` carries,
its text redacted.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import PluginError
from .http_policy import HttpFailure, HttpResponse

__all__ = ["AsyncBodyStream", "BodyStream", "raw_request"]


def raw_request(request: Any) -> tuple[bytes, bytes | None]:
    """The policy's request block and body of a plugin's `SerializableHttpRequest` model."""
    head = request.req.head
    headers = {
        name: ", ".join(values) if isinstance(values, list) else values
        for name, values in head.headers.items()
    }
    raw = json.dumps({"method": head.method, "url": head.uri, "headers": headers}).encode()
    return raw, bytes(request.req.body) or None


def http_error(plugin: Any, failure: HttpFailure, export: str) -> PluginError:
    """The typed error of a failed exchange, every string of it redacted."""
    redact = plugin._redact
    fields = {k: redact(v) if isinstance(v, str) else v for k, v in failure.fields.items()}
    error: PluginError = failure.error(
        f"{export}: {redact(failure.message)}", export=export, **fields
    )
    return error


def send(plugin: Any, request: Any, export: str) -> HttpResponse:
    """Sends the request buffered, within the policy's deadline."""
    raw, body = raw_request(request)
    policy = plugin._http
    try:
        response: HttpResponse = policy.send(raw, body, policy.deadline(time.monotonic()))
    except HttpFailure as failure:
        raise http_error(plugin, failure, export) from None
    return response


async def asend(plugin: Any, request: Any, export: str) -> HttpResponse:
    """`send` without blocking the event loop (the policy's `asend` if it has one)."""
    raw, body = raw_request(request)
    policy = plugin._http
    deadline = policy.deadline(time.monotonic())
    try:
        if hasattr(policy, "asend"):
            response: HttpResponse = await policy.asend(raw, body, deadline)
        else:
            response = await asyncio.to_thread(policy.send, raw, body, deadline)
    except HttpFailure as failure:
        raise http_error(plugin, failure, export) from None
    return response


class BodyStream(Protocol):
    """An open response: status and lower-case headers at once, the body as it arrives."""

    status: int
    headers: dict[str, str]

    def iter_bytes(self) -> Iterator[bytes]: ...
    def read(self) -> bytes: ...


class AsyncBodyStream(Protocol):
    status: int
    headers: dict[str, str]

    def aiter_bytes(self) -> AsyncIterator[bytes]: ...
    async def aread(self) -> bytes: ...


@dataclass
class _Buffered:
    """A buffered response shaped as a stream (a policy without a streaming transport)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def iter_bytes(self) -> Iterator[bytes]:
        if self.body:
            yield self.body

    def read(self) -> bytes:
        return self.body

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        if self.body:
            yield self.body

    async def aread(self) -> bytes:
        return self.body

    def __enter__(self) -> _Buffered:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    async def __aenter__(self) -> _Buffered:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def _buffered(response: HttpResponse) -> _Buffered:
    return _Buffered(
        response.status, {k.lower(): v for k, v in response.headers.items()}, response.body
    )


def open_stream(plugin: Any, request: Any) -> AbstractContextManager[BodyStream]:
    """The request sent for a stream: no overall deadline (a stream may outlast one plugin
    call's timeout); each read waits at most the policy's idle timeout."""
    raw, body = raw_request(request)
    policy = plugin._http
    if hasattr(policy, "stream"):
        manager: AbstractContextManager[BodyStream] = policy.stream(raw, body, None)
        return manager
    return _buffered(policy.send(raw, body, None))


async def aopen_stream(plugin: Any, request: Any) -> AbstractAsyncContextManager[AsyncBodyStream]:
    """`open_stream` for the event loop (the policy's `astream` if it has one)."""
    raw, body = raw_request(request)
    policy = plugin._http
    if hasattr(policy, "astream"):
        manager: AbstractAsyncContextManager[AsyncBodyStream] = policy.astream(raw, body, None)
        return manager
    return _buffered(await asyncio.to_thread(policy.send, raw, body, None))
