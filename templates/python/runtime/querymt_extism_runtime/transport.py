"""The adapter host's HTTP: a plugin's `SerializableHttpRequest` sent under its `HttpPolicy`.

The request (JSON head + body bytes) goes out through the policy, so the allow-list is checked
on every hop and the policy's limits hold. Buffered calls use `send`/`asend`, a stream
`stream`/`astream` (the body as it arrives). A refused or failed exchange raises the typed
error `HttpFailure` carries, its text redacted.
"""

from __future__ import annotations

import json
import time
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any

from .errors import PluginError
from .http_policy import AsyncHttpStream, HttpFailure, HttpResponse, HttpStream

__all__ = ["aopen_stream", "asend", "http_error", "open_stream", "raw_request", "send"]


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
    """`send` on the policy's async driver."""
    raw, body = raw_request(request)
    policy = plugin._http
    deadline = policy.deadline(time.monotonic())
    try:
        response: HttpResponse = await policy.asend(raw, body, deadline)
    except HttpFailure as failure:
        raise http_error(plugin, failure, export) from None
    return response


def open_stream(plugin: Any, request: Any) -> AbstractContextManager[HttpStream]:
    """The request sent for a stream (enter it to send): no overall deadline, since a stream
    may outlast one plugin call's timeout; each read waits at most the policy's idle timeout."""
    raw, body = raw_request(request)
    manager: AbstractContextManager[HttpStream] = plugin._http.stream(raw, body, None)
    return manager


def aopen_stream(plugin: Any, request: Any) -> AbstractAsyncContextManager[AsyncHttpStream]:
    """`open_stream` for the event loop."""
    raw, body = raw_request(request)
    manager: AbstractAsyncContextManager[AsyncHttpStream] = plugin._http.astream(raw, body, None)
    return manager
