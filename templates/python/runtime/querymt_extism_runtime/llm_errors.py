"""Typed errors of QueryMT's `LLMErrorPayload`: one exception class per payload `type`.

A plugin reports a provider failure as a `PluginError` document, `{"payload": {"type": ...}}`,
either as the message of a failed call (return code 1) or as the output of
`classify_chat_error`; `llm_error` turns the payload into the matching class. A
`provider_error` with a `kind` that has a class of its own (rate limited, authentication,
invalid request, context window exceeded) gets a class that is also a subclass of the
payload's generic counterpart, so `except RateLimitedError` catches both a `rate_limited`
payload and a provider's own rate-limit answer. Every string of the payload is redacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import jiter

from .errors import PluginCallError
from .wire import WireModel

__all__ = [
    "LLM_ERROR_CLASSES",
    "PROVIDER_KIND_CLASSES",
    "AuthError",
    "CancelledError",
    "ContextLengthExceededError",
    "GenericLLMError",
    "HttpError",
    "HttpStatusError",
    "InvalidRequestError",
    "InvalidUrlError",
    "IoError",
    "JsonError",
    "LLMError",
    "NotImplementedByPluginError",
    "PluginReportedError",
    "ProviderAuthError",
    "ProviderError",
    "ProviderInvalidRequestError",
    "ProviderRateLimitedError",
    "RateLimitedError",
    "RemoteStreamDisconnectedError",
    "RemoteStreamReconnectedError",
    "ResponseFormatError",
    "ToolConfigError",
    "TransportError",
    "llm_error",
    "llm_error_from_message",
]


class LLMError(PluginCallError):
    """A failure the plugin reported as an `LLMErrorPayload`; `payload` is it (redacted)."""

    payload_type: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        export: str | None = None,
        plugin_message: str = "",
        code: int | None = None,
        payload: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, export=export, plugin_message=plugin_message, code=code)
        self.payload: dict[str, Any] = dict(payload or {})

    @property
    def provider_message(self) -> str:
        """The payload's `message` (empty for `cancelled`)."""
        value = self.payload.get("message")
        return value if isinstance(value, str) else ""

    @property
    def retry_after(self) -> int | None:
        """Seconds to wait before retrying, if the payload says (`retry_after_secs`)."""
        value = self.payload.get("retry_after_secs")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class GenericLLMError(LLMError):
    """The payload `generic_error`: any other error."""

    payload_type = "generic_error"


class ProviderError(LLMError):
    """The provider refused or failed; `kind` classifies it when the plugin could."""

    payload_type = "provider_error"

    def _text(self, key: str) -> str | None:
        value = self.payload.get(key)
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> str | None:
        return self._text("kind")

    @property
    def provider_code(self) -> str | None:
        return self._text("code")

    @property
    def error_type(self) -> str | None:
        return self._text("error_type")

    @property
    def request_id(self) -> str | None:
        return self._text("request_id")


class AuthError(LLMError):
    """The payload `auth_error`: authentication failed."""

    payload_type = "auth_error"


class ToolConfigError(LLMError):
    """The payload `tool_config_error`: the tools are misconfigured."""

    payload_type = "tool_config_error"


class PluginReportedError(LLMError):
    """The payload `plugin_error`: the plugin's own failure."""

    payload_type = "plugin_error"


class InvalidRequestError(LLMError):
    """The payload `invalid_request`: the request is invalid."""

    payload_type = "invalid_request"


class ResponseFormatError(LLMError):
    """The payload `response_format_error`: the answer did not read (`raw_response`)."""

    payload_type = "response_format_error"

    @property
    def raw_response(self) -> str:
        value = self.payload.get("raw_response")
        return value if isinstance(value, str) else ""


class RateLimitedError(LLMError):
    """The payload `rate_limited`: too many requests (`retry_after`: seconds, if known)."""

    payload_type = "rate_limited"


class HttpStatusError(LLMError):
    """The payload `http_status`: a non-2xx status (`status_code`), with a retry hint."""

    payload_type = "http_status"

    @property
    def status_code(self) -> int | None:
        value = self.payload.get("status_code")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


class HttpError(LLMError):
    """The payload `http_error`: the HTTP exchange failed."""

    payload_type = "http_error"


class TransportError(LLMError):
    """The payload `transport`: the connection failed; `kind` says how (timeout, dns, ...)."""

    payload_type = "transport"

    @property
    def kind(self) -> str | None:
        value = self.payload.get("kind")
        return value if isinstance(value, str) else None


class CancelledError(LLMError):
    """The payload `cancelled`: the call was cancelled."""

    payload_type = "cancelled"


class RemoteStreamDisconnectedError(LLMError):
    """The payload `remote_stream_disconnected`: a stream ended early."""

    payload_type = "remote_stream_disconnected"


class RemoteStreamReconnectedError(LLMError):
    """The payload `remote_stream_reconnected`: a stream was resumed."""

    payload_type = "remote_stream_reconnected"


class NotImplementedByPluginError(LLMError):
    """The payload `not_implemented`: the provider lacks the operation (e.g. streaming)."""

    payload_type = "not_implemented"


class JsonError(LLMError):
    """The payload `json_error`: JSON (often the configuration) did not decode."""

    payload_type = "json_error"


class InvalidUrlError(LLMError):
    """The payload `invalid_url`: a URL (often `base_url`) is invalid."""

    payload_type = "invalid_url"


class IoError(LLMError):
    """The payload `io_error`: an I/O failure."""

    payload_type = "io_error"


class ProviderRateLimitedError(ProviderError, RateLimitedError):
    """`provider_error` of kind `rate_limited`."""

    payload_type = "provider_error"


class ProviderAuthError(ProviderError, AuthError):
    """`provider_error` of kind `authentication`."""

    payload_type = "provider_error"


class ProviderInvalidRequestError(ProviderError, InvalidRequestError):
    """`provider_error` of kind `invalid_request`."""

    payload_type = "provider_error"


class ContextLengthExceededError(ProviderError):
    """`provider_error` of kind `context_window_exceeded`: the conversation is too long."""


LLM_ERROR_CLASSES: dict[str, type[LLMError]] = {
    cls.payload_type: cls
    for cls in (
        GenericLLMError,
        ProviderError,
        AuthError,
        ToolConfigError,
        PluginReportedError,
        InvalidRequestError,
        ResponseFormatError,
        RateLimitedError,
        HttpStatusError,
        HttpError,
        TransportError,
        CancelledError,
        RemoteStreamDisconnectedError,
        RemoteStreamReconnectedError,
        NotImplementedByPluginError,
        JsonError,
        InvalidUrlError,
        IoError,
    )
}
"""Payload `type` -> class."""

PROVIDER_KIND_CLASSES: dict[str, type[ProviderError]] = {
    "rate_limited": ProviderRateLimitedError,
    "authentication": ProviderAuthError,
    "invalid_request": ProviderInvalidRequestError,
    "context_window_exceeded": ContextLengthExceededError,
}
"""`provider_error` `kind` -> class; other kinds are plain `ProviderError`."""


def _redacted(value: Any, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v, redact) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v, redact) for v in value]
    return value


def llm_error(
    payload: Mapping[str, Any] | WireModel,
    *,
    export: str | None = None,
    redact: Callable[[str], str] = str,
    code: int | None = None,
    plugin_message: str | None = None,
) -> LLMError:
    """The exception of an `LLMErrorPayload` (a JSON object with `type`).

    `payload` may also be a whole `PluginError` document (`{"payload": {...}}`, e.g. what
    `classify_chat_error` answers) or a generated model of either. An unknown `type` gives the
    base `LLMError`, so a newer plugin's payload still surfaces. `plugin_message` is the
    plugin's own error text (redacted here), if the payload came as one; else the payload's
    `message`.
    """
    raw: Any = payload.to_wire() if isinstance(payload, WireModel) else dict(payload)
    if isinstance(raw, dict) and set(raw) == {"payload"} and isinstance(raw["payload"], dict):
        raw = raw["payload"]
    clean: dict[str, Any] = _redacted(dict(raw), redact)
    kind = clean.get("type")
    cls: type[LLMError] = (
        LLM_ERROR_CLASSES.get(kind, LLMError) if isinstance(kind, str) else LLMError
    )
    if cls is ProviderError and isinstance(clean.get("kind"), str):
        cls = PROVIDER_KIND_CLASSES.get(clean["kind"], ProviderError)
    text = clean.get("message")
    detail = f"{kind}: {text}" if isinstance(text, str) and text else str(kind)
    where = f"{export}: " if export else ""
    return cls(
        f"{where}{detail}",
        export=export,
        plugin_message=(
            redact(plugin_message)
            if plugin_message is not None
            else text if isinstance(text, str) else ""
        ),
        code=code,
        payload=clean,
    )


def llm_error_from_message(
    message: str, *, export: str | None = None, redact: Callable[[str], str] = str
) -> LLMError | None:
    """The typed error a plugin's error message encodes (`{"payload": {"type": ...}}`), else None.

    The Extism SDK drops a failed call's return code when the plugin set a message, so a typed
    error (return code 1) is recognised by its content; free text (return code -1) gives None.
    """
    try:
        document = jiter.from_json(message.encode("utf-8"))
    except ValueError:
        return None
    if not isinstance(document, dict) or set(document) != {"payload"}:
        return None
    payload = document["payload"]
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return None
    return llm_error(payload, export=export, redact=redact, code=1, plugin_message=message)
