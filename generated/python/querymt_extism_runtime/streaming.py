"""A streamed chat turn in adapter mode: the body re-framed into lines and fed to the plugin's
stream parser, chunks yielded as they come.

QueryMT's host splits the body on `\\n` alone (not on SSE events): every `parse` call gets one
line including its `\\n` (a `\\r\\n` kept), an empty line the single byte `\\n`; at the end of
the body the unterminated tail plus `\\n`, or one more `\\n` if the body ended with one. Then
`finish` (only at the end of the body, never after a transport or parse error), and `close`
always: at the normal end, when the consumer stops early or the stream is garbage collected,
after an error, and when an async consumer is cancelled.

A parser id lives on the plugin instance that created it, so a stream holds one instance,
checked out of the plugin's pool, for its whole life: concurrent streams each hold their own.

One divergence from QueryMT: when a line fails to parse, QueryMT drops the chunks that earlier
lines of the same network read produced; here they are yielded first, then the error is raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Generator, Iterable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from time import perf_counter
from typing import Any, Generic, Self, TypeVar

from .errors import PluginError
from .http_policy import AsyncHttpStream, HttpFailure, HttpStream
from .plugin import PluginBase
from .pool import Instance
from .transport import http_error

__all__ = [
    "AsyncChatStream",
    "ChatStream",
    "LineFramer",
    "acollect",
    "collect",
    "merge_chunks",
]

ChunkT = TypeVar("ChunkT")
ResponseT = TypeVar("ResponseT")

_LOG = logging.getLogger("querymt_extism_runtime.streaming")
_PARSE = "chat_stream_parser_parse"
_FINISH = "chat_stream_parser_finish"
_CLOSE = "chat_stream_parser_close"


class LineFramer:
    """Bytes in, whole lines out: each ends in its only `\\n`, whatever the network cut."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        """The lines `data` completes; the unterminated rest stays buffered."""
        buffer = self._buffer
        buffer += data
        lines: list[bytes] = []
        start = 0
        while (end := buffer.find(b"\n", start)) != -1:
            lines.append(bytes(buffer[start : end + 1]))
            start = end + 1
        del buffer[:start]
        return lines

    def end(self) -> bytes:
        """The end of the body: the tail plus `\\n` (just `\\n` when no tail is left)."""
        tail = bytes(self._buffer) + b"\n"
        self._buffer.clear()
        return tail


class HeldInstance:
    """One instance of a plugin, out of its pool until `release` (a parser lives on it).

    Calls are serialized: an async stream cancelled during a call closes only once it is over.
    """

    def __init__(self, plugin: PluginBase[Any]) -> None:
        self.plugin = plugin
        self.instance: Instance | None = plugin._pool.acquire(plugin._new_state)
        self._usable = True
        self._started: float | None = None
        self._lock = threading.Lock()

    def invoke(self, export: str, value: Any) -> Any:
        with self._lock:
            instance = self.instance
            if instance is None:
                raise RuntimeError("the stream's plugin instance was released")
            self._started = perf_counter()
            try:
                return self.plugin._invoke_on(instance, export, value)
            except PluginError as error:
                if not error.instance_reusable:
                    self._usable = False
                raise

    @property
    def usable(self) -> bool:
        """False once a call trapped (or ran out of time or memory) on the instance."""
        return self._usable

    def release(self) -> None:
        with self._lock:
            instance, self.instance = self.instance, None
            if instance is not None and self._usable:
                self.plugin._pool.release(instance, self._started)


class _Turn:
    """What both stream flavours share: the parser, its lines, the chunks due, the end."""

    def __init__(self, held: HeldInstance, parser_id: int, chunk_of: Callable[[Any], Any]) -> None:
        self.held = held
        self.parser_id = parser_id
        self.framer = LineFramer()
        self.pending: deque[Any] = deque()
        self.error: BaseException | None = None
        self.ended = False  # no more network reads, parses or finish
        self.closed = False  # `close` sent (or attempted) and the instance given back
        self._chunk_of = chunk_of
        parse_input = held.plugin.ABI.export(_PARSE).input_type
        # The hot path: one call per line. The host builds this input from an int and bytes,
        # so it skips validation when the ABI gives a model (the encoder still checks its type).
        self._construct = getattr(parse_input, "model_construct", None)

    def parse_lines(self, lines: Iterable[bytes]) -> None:
        """Parses each line, queueing its chunks; a failure is kept for after them."""
        construct, parser_id = self._construct, self.parser_id
        for line in lines:
            value: Any = (
                construct(parser_id=parser_id, chunk=list(line))
                if construct is not None
                else {"parser_id": parser_id, "chunk": line}
            )
            out = self.held.invoke(_PARSE, value)
            self.pending.extend(self._chunk_of(item) for item in out)

    def feed(self, data: bytes) -> None:
        self.parse_lines(self.framer.feed(data))

    def finish(self) -> None:
        """The end of the body: the last line, then `finish`."""
        self.parse_lines([self.framer.end()])
        out = self.held.invoke(_FINISH, self.parser_id)
        self.pending.extend(self._chunk_of(item) for item in out)

    def fail(self, error: BaseException) -> None:
        self.ended = True
        self.error = error

    def close_parser(self) -> None:
        """`close`, always, once; its own failure is only logged (as QueryMT does)."""
        if self.closed:
            return
        self.closed = True
        self.ended = True
        if not self.held.usable:  # the instance is dropped, and its parsers with it
            self.held.release()
            return
        try:
            self.held.invoke(_CLOSE, self.parser_id)
        except PluginError as error:
            _LOG.warning("chat_stream_parser_close(%d) failed: %s", self.parser_id, error)
        finally:
            self.held.release()

    def next_item(self) -> Any:
        """A queued chunk; else the kept error, raised once; else None."""
        if self.pending:
            return self.pending.popleft()
        if self.error is not None:
            error, self.error = self.error, None
            raise error
        return None


class ChatStream(Generic[ChunkT, ResponseT]):
    """The chunks of one streamed chat turn, in order, as the body arrives.

    Iterate it (or use it as a context manager, which closes it on exit). `collect()` reads
    the rest into the `ExtismChatResponse` that `chat()` answers. Errors: an HTTP failure
    while reading raises its typed error (`ConnectionFailedError`, ...), a parse failure the
    plugin's typed `LLMError`; either ends the stream after the chunks already parsed.
    """

    def __init__(
        self,
        plugin: PluginBase[Any],
        held: HeldInstance,
        parser_id: int,
        response: HttpStream,
        manager: AbstractContextManager[HttpStream],
        chunk_of: Callable[[Any], ChunkT],
        build: Callable[[Iterable[Any]], ResponseT],
    ) -> None:
        self._plugin = plugin
        self._turn = _Turn(held, parser_id, chunk_of)
        self._manager: AbstractContextManager[HttpStream] | None = manager
        self._body: Iterator[bytes] = iter(response.iter_bytes())
        self._build = build

    @property
    def parser_id(self) -> int:
        """The plugin parser's id (valid on the stream's instance until the stream closes)."""
        return self._turn.parser_id

    @property
    def closed(self) -> bool:
        return self._turn.closed

    def __iter__(self) -> Iterator[ChunkT]:
        """The chunks left; leaving a `for` loop early (break, exception) closes the stream."""
        try:
            while True:
                try:
                    chunk = self.__next__()
                except StopIteration:
                    return
                yield chunk
        finally:
            self.close()

    def __next__(self) -> ChunkT:
        turn = self._turn
        while True:
            item = turn.next_item()
            if item is not None:
                return item  # type: ignore[no-any-return]
            if turn.ended:
                self.close()
                raise StopIteration
            self._advance()

    def _advance(self) -> None:
        turn = self._turn
        try:
            try:
                data = next(self._body, None)
            except HttpFailure as failure:
                raise http_error(self._plugin, failure, "chat_stream_request") from None
            if data is None:
                turn.ended = True
                turn.finish()
            else:
                turn.feed(data)
        except Exception as error:  # kept, raised after the chunks already parsed
            turn.fail(error)
            self.close()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Ends the stream: the HTTP response closed, the parser closed, the instance back."""
        manager, self._manager = self._manager, None
        if manager is not None:
            with contextlib.suppress(Exception):  # the connection is dropped either way
                manager.__exit__(None, None, None)
        self._turn.close_parser()

    def collect(self) -> ResponseT:
        """The rest of the stream as one response (see `merge_chunks`)."""
        with self:
            return self._build(list(self))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # nothing can be reported from a finalizer
            self.close()


AsyncOpened = tuple[
    HeldInstance, int, AsyncHttpStream, AbstractAsyncContextManager[AsyncHttpStream]
]
"""What opening an async stream gives: the held instance, the parser id, the response."""


class AsyncChatStream(Generic[ChunkT, ResponseT]):
    """`ChatStream` for asyncio: `async for`, `async with`, `aclose()`, `collect()`.

    The turn starts on first use (`async for`, `async with`, or `await stream`), so a non-2xx
    answer raises there, before any chunk. Plugin calls run in a worker thread (they block),
    the body is read with the policy's async transport. Cancelling the consuming task closes
    the stream (a plugin call under way finishes first: the instance serves one call at once).
    """

    def __init__(
        self,
        plugin: PluginBase[Any],
        opener: Callable[[], Awaitable[AsyncOpened]],
        chunk_of: Callable[[Any], ChunkT],
        build: Callable[[Iterable[Any]], ResponseT],
    ) -> None:
        self._plugin = plugin
        self._opener: Callable[[], Awaitable[AsyncOpened]] | None = opener
        self._turn: _Turn | None = None
        self._manager: AbstractAsyncContextManager[AsyncHttpStream] | None = None
        self._body: AsyncIterator[bytes] | None = None
        self._chunk_of = chunk_of
        self._build = build

    async def _open(self) -> _Turn:
        if self._turn is not None:
            return self._turn
        opener, self._opener = self._opener, None
        if opener is None:
            raise RuntimeError("the stream failed to open")
        held, parser_id, response, manager = await opener()
        self._manager = manager
        self._body = response.aiter_bytes().__aiter__()
        self._turn = _Turn(held, parser_id, self._chunk_of)
        return self._turn

    @property
    def parser_id(self) -> int | None:
        """The plugin parser's id once the stream is open."""
        return self._turn.parser_id if self._turn is not None else None

    @property
    def closed(self) -> bool:
        return self._turn is not None and self._turn.closed

    def __await__(self) -> Generator[Any, None, Self]:
        async def opened() -> Self:
            await self._open()
            return self

        return opened().__await__()

    def __aiter__(self) -> AsyncIterator[ChunkT]:
        """The chunks left; leaving an `async for` early closes the stream once the loop
        finalizes the abandoned iterator (at once with `async with`)."""
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[ChunkT]:
        try:
            while True:
                try:
                    chunk = await self.__anext__()
                except StopAsyncIteration:
                    return
                yield chunk
        finally:
            await self.aclose()

    async def __anext__(self) -> ChunkT:
        turn = await self._open()
        while True:
            item = turn.next_item()
            if item is not None:
                return item  # type: ignore[no-any-return]
            if turn.ended:
                await self.aclose()
                raise StopAsyncIteration
            await self._advance(turn)

    async def _advance(self, turn: _Turn) -> None:
        assert self._body is not None
        try:
            try:
                data = await anext(self._body, None)
            except HttpFailure as failure:
                raise http_error(self._plugin, failure, "chat_stream_request") from None
            if data is None:
                turn.ended = True
                await asyncio.to_thread(turn.finish)
            else:
                await asyncio.to_thread(turn.feed, data)
        except Exception as error:  # kept, raised after the chunks already parsed
            turn.fail(error)
            await self.aclose()
        except BaseException:  # cancelled: close, then let the cancellation through
            await asyncio.shield(self.aclose())
            raise

    async def aclose(self) -> None:
        """Ends the stream: the HTTP response closed, the parser closed, the instance back."""
        self._opener = None
        manager, self._manager = self._manager, None
        if manager is not None:
            with contextlib.suppress(Exception):  # the connection is dropped either way
                await manager.__aexit__(None, None, None)
        turn = self._turn
        if turn is not None and not turn.closed:
            await asyncio.to_thread(turn.close_parser)

    async def collect(self) -> ResponseT:
        """The rest of the stream as one response (see `merge_chunks`)."""
        async with self:
            return self._build([chunk async for chunk in self])

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # No event loop to await on here: the parser is closed synchronously; the HTTP
        # response is left to its own finalizer.
        turn = getattr(self, "_turn", None)
        if turn is not None:
            with contextlib.suppress(Exception):  # nothing can be reported from a finalizer
                turn.close_parser()


def _max_usage(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    if old is None:
        return dict(new)
    return {k: max(old.get(k, 0), v) if isinstance(v, int) else v for k, v in new.items()}


def merge_chunks(chunks: Iterable[Any]) -> dict[str, Any]:
    """The wire `ExtismChatResponse` of a stream's chunks (models or wire dicts).

    Text and thinking are the deltas joined, tool calls those of `tool_use_complete` in
    order, usage the field-wise maximum of the `usage` chunks (QueryMT's `Usage::merge_max`,
    for providers that send partial counts), the finish reason the last `done`'s. A field no
    chunk gave is `null`.
    """
    text: list[str] = []
    thinking: list[str] = []
    calls: list[Any] = []
    usage: dict[str, Any] | None = None
    finish: Any = None
    for chunk in chunks:
        wire = chunk.to_wire() if hasattr(chunk, "to_wire") else chunk
        ((kind, value),) = wire.items()
        if kind == "text":
            text.append(value)
        elif kind == "thinking":
            thinking.append(value)
        elif kind == "tool_use_complete":
            calls.append(value["tool_call"])
        elif kind == "usage":
            usage = _max_usage(usage, value)
        elif kind == "done":
            finish = value["finish_reason"]
    return {
        "text": "".join(text) if text else None,
        "tool_calls": calls or None,
        "thinking": "".join(thinking) if thinking else None,
        "usage": usage,
        "finish_reason": finish,
    }


def collect(stream: ChatStream[Any, ResponseT]) -> ResponseT:
    """`stream.collect()`: the rest of a stream as the response `chat()` answers."""
    return stream.collect()


async def acollect(stream: AsyncChatStream[Any, ResponseT]) -> ResponseT:
    """`await stream.collect()` for an async stream."""
    return await stream.collect()
