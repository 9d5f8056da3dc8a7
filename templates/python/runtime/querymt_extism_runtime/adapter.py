"""Adapter mode: the host does the HTTP between a plugin's `*_request` and `parse_*` exports.

For a plugin whose ABI has an `adapter` host mode (QueryMT v2): the plugin builds the request,
the host sends it through the plugin's `HttpPolicy` (allow-list checked, timeouts, size
limit), and the plugin parses the 2xx answer. A non-2xx chat answer goes to the plugin's
`classify_chat_error` if it has one, else to the spec's `classify_status_only`; other calls
use `classify_http_status` (the plugin is not called). Either way the result is raised as its
`llm_errors` class.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from .errors import MissingExportError
from .http_policy import HttpFailure, HttpResponse
from .llm_errors import llm_error
from .plugin import PluginBase

__all__ = ["adapter_chat", "adapter_list_models"]


def _require_adapter(plugin: PluginBase[Any]) -> None:
    abi = plugin.ABI
    mode = abi.mode_of(plugin.info.exports)
    if mode is None or mode.name != "adapter":
        raise MissingExportError(
            f"{abi.slug}: the plugin is not driven in adapter mode (it lacks its exports)",
            missing=tuple(n for m in abi.modes for n in m.requires if n not in plugin.info.exports),
        )


def _send(plugin: PluginBase[Any], request: Any, export: str) -> HttpResponse:
    """The plugin's `SerializableHttpRequest`, sent under its HttpPolicy."""
    head = request.req.head
    headers = {
        name: ", ".join(values) if isinstance(values, list) else values
        for name, values in head.headers.items()
    }
    raw = json.dumps({"method": head.method, "url": head.uri, "headers": headers}).encode()
    policy = plugin._http
    try:
        return policy.send(raw, bytes(request.req.body) or None, policy.deadline(time.monotonic()))
    except HttpFailure as failure:
        redact = plugin._redact
        fields = {k: redact(v) if isinstance(v, str) else v for k, v in failure.fields.items()}
        raise failure.error(
            f"{export}: {redact(failure.message)}", export=export, **fields
        ) from None


def _wire_response(response: HttpResponse) -> dict[str, Any]:
    return {
        "resp": {
            "head": {
                "status": response.status,
                "headers": {k.lower(): v for k, v in response.headers.items()},
                "version": "HTTP/1.1",
            },
            "body": list(response.body),
        }
    }


def _status_error(plugin: PluginBase[Any], classifier: str, response: HttpResponse) -> Exception:
    headers = {k.lower(): [v] for k, v in response.headers.items()}
    payload = plugin.ABI.classifier(classifier).classify(response.status, headers, response.body)
    return llm_error(payload, export=classifier, redact=plugin._redact)


def adapter_list_models(plugin: Any) -> list[str]:
    """The plugin's models: `list_models_static`, else its request sent and parsed."""
    _require_adapter(plugin)
    request_in = {"cfg": plugin._require_config()}
    if plugin.has_export("list_models_static"):
        static = plugin.list_models_static(request_in)
        if static is not None:
            return list(static)
    request = plugin.list_models_request(request_in)
    response = _send(plugin, request, "list_models_request")
    if not 200 <= response.status <= 299:
        raise _status_error(plugin, "classify_http_status", response)
    return list(plugin.parse_list_models_response({"resp": _wire_response(response)}))


def adapter_chat(plugin: Any, messages: Sequence[Any], tools: Sequence[Any] | None = None) -> Any:
    """One chat turn: `chat_request`, the HTTP, then `parse_chat_response`.

    A non-2xx status raises its `llm_errors` class. Messages and tools are the ABI's models
    (or their wire dicts); the answer is the ABI's `ExtismChatResponse`.
    """
    _require_adapter(plugin)
    request = plugin.chat_request(list(messages), list(tools) if tools is not None else None)
    response = _send(plugin, request, "chat_request")
    wire = _wire_response(response)
    if not 200 <= response.status <= 299:
        if plugin.has_export("classify_chat_error"):
            raise llm_error(
                plugin.classify_chat_error(wire),
                export="classify_chat_error",
                redact=plugin._redact,
            )
        raise _status_error(plugin, "classify_status_only", response)
    return plugin.parse_chat_response(wire)
