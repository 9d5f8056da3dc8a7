"""Adapter mode: the host does the HTTP between a plugin's `*_request` and `parse_*` exports.

For a plugin whose ABI has an `adapter` host mode (QueryMT v2): the plugin builds the request,
the host sends it through the plugin's `HttpPolicy` (allow-list checked on every hop,
timeouts, size limit), and the plugin parses the 2xx answer. A non-2xx chat answer (buffered
or streamed) goes to the plugin's `classify_chat_error` if it has one, else to the spec's
`classify_status_only`; other calls use `classify_http_status` (the plugin is not called).
Either way the result is raised as its `llm_errors` class, before any chunk of a stream.

Each call has an async twin (`a...`): plugin calls run in a worker thread (Extism calls
block), the HTTP goes through the policy's async transport.

Deadlines: each plugin call is bounded by the plugin's `timeout_ms`; a buffered request by what
is left of it when sent. A stream has no overall deadline (a long answer may outlast one
call's timeout): each read of its body waits at most the policy's idle timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .errors import MissingExportError
from .http_policy import HttpFailure, HttpResponse
from .llm_errors import LLMError, llm_error
from .plugin import PluginBase
from .qmt_http import response_document
from .streaming import AsyncChatStream, AsyncOpened, ChatStream, HeldInstance, merge_chunks
from .transport import aopen_stream, asend, http_error, open_stream, send

__all__ = [
    "aadapter_chat",
    "aadapter_chat_stream",
    "aadapter_complete",
    "aadapter_embed",
    "aadapter_list_models",
    "adapter_chat",
    "adapter_chat_stream",
    "adapter_complete",
    "adapter_embed",
    "adapter_list_models",
]


def _require_adapter(plugin: PluginBase[Any]) -> None:
    abi = plugin.ABI
    mode = abi.mode_of(plugin.info.exports)
    if mode is None or mode.name != "adapter":
        raise MissingExportError(
            f"{abi.slug}: the plugin is not driven in adapter mode (it lacks its exports)",
            missing=tuple(n for m in abi.modes for n in m.requires if n not in plugin.info.exports),
        )


def _ok(status: int) -> bool:
    return 200 <= status <= 299


def _status_error(
    plugin: PluginBase[Any], classifier: str, status: int, headers: dict[str, str], body: bytes
) -> LLMError:
    lists = {k.lower(): [v] for k, v in headers.items()}
    payload = plugin.ABI.classifier(classifier).classify(status, lists, body)
    return llm_error(payload, export=classifier, redact=plugin._redact)


def _chat_error(plugin: Any, status: int, headers: dict[str, str], body: bytes) -> LLMError:
    """A non-2xx chat answer: the plugin's classification, else the status alone."""
    if plugin.has_export("classify_chat_error"):
        document = plugin.classify_chat_error(response_document(status, headers, body))
        return llm_error(document, export="classify_chat_error", redact=plugin._redact)
    return _status_error(plugin, "classify_status_only", status, headers, body)


def _parsed(plugin: Any, response: HttpResponse, parse: Callable[[Any], Any]) -> Any:
    """A non-chat answer: parsed if 2xx, else classified by the host."""
    if not _ok(response.status):
        raise _status_error(
            plugin, "classify_http_status", response.status, response.headers, response.body
        )
    return parse(response_document(response.status, response.headers, response.body))


def _chat_answer(plugin: Any, response: HttpResponse) -> Any:
    if not _ok(response.status):
        raise _chat_error(plugin, response.status, response.headers, response.body)
    return plugin.parse_chat_response(
        response_document(response.status, response.headers, response.body)
    )


def _tools(tools: Sequence[Any] | None) -> list[Any] | None:
    return list(tools) if tools is not None else None


# --------------------------------------------------------------------------- buffered calls


def adapter_list_models(plugin: Any) -> list[str]:
    """The plugin's models: `list_models_static`, else its request sent and parsed."""
    _require_adapter(plugin)
    request_in = {"cfg": plugin._require_config()}
    if plugin.has_export("list_models_static"):
        static = plugin.list_models_static(request_in)
        if static is not None:
            return list(static)
    request = plugin.list_models_request(request_in)
    response = send(plugin, request, "list_models_request")
    return list(
        _parsed(plugin, response, lambda resp: plugin.parse_list_models_response({"resp": resp}))
    )


def adapter_chat(plugin: Any, messages: Sequence[Any], tools: Sequence[Any] | None = None) -> Any:
    """One chat turn: `chat_request`, the HTTP, then `parse_chat_response`.

    A non-2xx status raises its `llm_errors` class. Messages and tools are the ABI's models
    (or their wire dicts, validated); the answer is the ABI's `ExtismChatResponse`.
    """
    _require_adapter(plugin)
    request = plugin.chat_request(list(messages), _tools(tools))
    return _chat_answer(plugin, send(plugin, request, "chat_request"))


def adapter_embed(plugin: Any, inputs: Sequence[str]) -> list[list[float]]:
    """One vector per input: `embed_request`, the HTTP, `parse_embed_response`."""
    _require_adapter(plugin)
    request = plugin.embed_request(list(inputs))
    response = send(plugin, request, "embed_request")
    return list(_parsed(plugin, response, plugin.parse_embed_response))


def adapter_complete(plugin: Any, req: Any) -> Any:
    """A completion: `complete_request`, the HTTP, `parse_complete_response`."""
    _require_adapter(plugin)
    request = plugin.complete_request(req)
    response = send(plugin, request, "complete_request")
    return _parsed(plugin, response, plugin.parse_complete_response)


def _chunk_of(item: Any) -> Any:
    return item.chunk


def _builder(plugin: Any) -> Callable[[Iterable[Any]], Any]:
    adapter = plugin.ABI.export("parse_chat_response").adapter

    def build(chunks: Iterable[Any]) -> Any:
        return adapter.validate_python(merge_chunks(chunks), by_alias=True, by_name=False)

    return build


def _start(plugin: Any) -> tuple[HeldInstance, int]:
    """A parser on an instance of the plugin's own, held for the stream's life."""
    held = HeldInstance(plugin)
    try:
        parser_id = int(held.invoke("chat_stream_parser_start", None))
    except BaseException:
        held.release()
        raise
    return held, parser_id


def adapter_chat_stream(
    plugin: Any, messages: Sequence[Any], tools: Sequence[Any] | None = None
) -> ChatStream[Any, Any]:
    """One streamed chat turn (see `streaming`): `chat_stream_request`, the HTTP, then the
    body's lines through a parser. A non-2xx status is read whole and raised, classified, by
    this call; a 2xx gives the stream, which yields the ABI's `StreamChunk` models."""
    _require_adapter(plugin)
    request = plugin.chat_stream_request(list(messages), _tools(tools))
    try:
        manager = open_stream(plugin, request)
        response = manager.__enter__()
    except HttpFailure as failure:
        raise http_error(plugin, failure, "chat_stream_request") from None
    try:
        if not _ok(response.status):
            try:
                body = response.read()
            except HttpFailure as failure:
                raise http_error(plugin, failure, "chat_stream_request") from None
            raise _chat_error(plugin, response.status, response.headers, body)
        held, parser_id = _start(plugin)
    except BaseException as exc:
        manager.__exit__(type(exc), exc, exc.__traceback__)
        raise
    return ChatStream(plugin, held, parser_id, response, manager, _chunk_of, _builder(plugin))


# --------------------------------------------------------------------------- async twins


async def aadapter_list_models(plugin: Any) -> list[str]:
    """`adapter_list_models` without blocking the event loop."""
    _require_adapter(plugin)
    request_in = {"cfg": plugin._require_config()}
    if plugin.has_export("list_models_static"):
        static = await asyncio.to_thread(plugin.list_models_static, request_in)
        if static is not None:
            return list(static)
    request = await asyncio.to_thread(plugin.list_models_request, request_in)
    response = await asend(plugin, request, "list_models_request")
    parse = plugin.parse_list_models_response
    return list(
        await asyncio.to_thread(_parsed, plugin, response, lambda resp: parse({"resp": resp}))
    )


async def aadapter_chat(
    plugin: Any, messages: Sequence[Any], tools: Sequence[Any] | None = None
) -> Any:
    """`adapter_chat` without blocking the event loop."""
    _require_adapter(plugin)
    request = await asyncio.to_thread(plugin.chat_request, list(messages), _tools(tools))
    response = await asend(plugin, request, "chat_request")
    return await asyncio.to_thread(_chat_answer, plugin, response)


async def aadapter_embed(plugin: Any, inputs: Sequence[str]) -> list[list[float]]:
    """`adapter_embed` without blocking the event loop."""
    _require_adapter(plugin)
    request = await asyncio.to_thread(plugin.embed_request, list(inputs))
    response = await asend(plugin, request, "embed_request")
    return list(await asyncio.to_thread(_parsed, plugin, response, plugin.parse_embed_response))


async def aadapter_complete(plugin: Any, req: Any) -> Any:
    """`adapter_complete` without blocking the event loop."""
    _require_adapter(plugin)
    request = await asyncio.to_thread(plugin.complete_request, req)
    response = await asend(plugin, request, "complete_request")
    return await asyncio.to_thread(_parsed, plugin, response, plugin.parse_complete_response)


def aadapter_chat_stream(
    plugin: Any, messages: Sequence[Any], tools: Sequence[Any] | None = None
) -> AsyncChatStream[Any, Any]:
    """`adapter_chat_stream` for asyncio: `async for chunk in plugin.achat_stream(...)`,
    `async with plugin.achat_stream(...) as stream`, or `stream = await ...`. The turn starts
    on first use; a non-2xx answer raises there."""
    _require_adapter(plugin)
    message_list, tool_list = list(messages), _tools(tools)

    async def opener() -> AsyncOpened:
        request = await asyncio.to_thread(plugin.chat_stream_request, message_list, tool_list)
        try:
            manager = aopen_stream(plugin, request)
            response = await manager.__aenter__()
        except HttpFailure as failure:
            raise http_error(plugin, failure, "chat_stream_request") from None
        try:
            if not _ok(response.status):
                try:
                    body = await response.aread()
                except HttpFailure as failure:
                    raise http_error(plugin, failure, "chat_stream_request") from None
                raise await asyncio.to_thread(
                    _chat_error, plugin, response.status, response.headers, body
                )
            held, parser_id = await asyncio.to_thread(_start, plugin)
        except BaseException as exc:
            await manager.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return held, parser_id, response, manager

    return AsyncChatStream(plugin, opener, _chunk_of, _builder(plugin))
