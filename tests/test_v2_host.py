"""The v2 bindings' user API (`chat`, `chat_stream`, `embed`, `complete`, `list_models` and
their async twins) on the built v2 example against a loopback OpenAI-compatible server that
streams: every adapter protocol, QueryMT's line framing, typed errors, the parser's lifetime,
and concurrency from threads and tasks."""

from __future__ import annotations

import asyncio
import gc
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import querymt_extism_runtime as runtime
import querymt_extism_v2 as v2
from servers import openai_compat as oai
from servers.openai_compat import OpenAICompatServer
from wasm_builder import Echo, Error, Loop, Output, Trap, build_module

API_KEY = "sk-v2-host-secret-4711"
MODEL = "loop-mini"
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
CLOCK = {"type": "function", "function": {"name": "get_time", "description": "", "parameters": {}}}
M = v2.models


def user(text: str) -> dict[str, Any]:
    return {"role": "User", "content": [{"type": "text", "text": text}]}


def wire(chunks: list[Any]) -> list[dict[str, Any]]:
    return [c.to_wire() for c in chunks]


@pytest.fixture(scope="module")
def _server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as server:
        yield server


@pytest.fixture
def server(_server: OpenAICompatServer) -> Iterator[OpenAICompatServer]:
    _server.reset()
    yield _server
    _server.reset()


def open_v2(wasm: Path, server: OpenAICompatServer, **kwargs: Any) -> Any:
    config = {"model": MODEL, "api_key": API_KEY, "base_url": server.base_url}
    config.update(kwargs.pop("config", {}))
    return runtime.open_plugin(wasm, config, **kwargs)


@pytest.fixture(scope="module")
def _plugin(v2_example_wasm: Path, _server: OpenAICompatServer) -> Iterator[Any]:
    with open_v2(v2_example_wasm, _server, max_idle_instances=16) as plugin:
        yield plugin


@pytest.fixture
def plugin(_plugin: Any, server: OpenAICompatServer) -> Any:
    return _plugin


@pytest.fixture
def single(v2_example_wasm: Path, server: OpenAICompatServer) -> Iterator[Any]:
    """A plugin with one pooled instance: a call after a stream runs on the stream's instance."""
    with open_v2(v2_example_wasm, server, max_idle_instances=1) as plugin:
        yield plugin


def refused(plugin: Any, parser_id: int) -> bool:
    """Whether the plugin no longer knows the parser (closed), probed on a pooled instance."""
    try:
        plugin.chat_stream_parser_parse({"parser_id": parser_id, "chunk": b"\n"})
    except runtime.PluginCallError as error:
        assert str(parser_id) in error.message
        return True
    return False


def expected_stream(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *({"text": piece} for piece in oai.STREAM_DELTAS),
        {"usage": oai.expected_usage(request)},
        {"done": {"finish_reason": "Stop"}},
    ]


def expected_tool_stream(request: dict[str, Any]) -> list[dict[str, Any]]:
    names = ["get_weather", "get_time"]
    out: list[dict[str, Any]] = []
    for i, name in enumerate(names):
        out.append({"tool_use_start": {"index": i, "id": oai.TOOL_CALL_IDS[i], "name": name}})
        out.extend(
            {"tool_use_input_delta": {"index": i, "partial_json": piece}}
            for piece in oai.TOOL_ARGUMENT_PIECES
        )
    out.extend(
        {"tool_use_complete": {"index": i, "tool_call": tool_call(i, name)}}
        for i, name in enumerate(names)
    )
    out.append({"usage": oai.expected_usage(request)})
    out.append({"done": {"finish_reason": "ToolCalls"}})
    return out


def tool_call(i: int, name: str) -> dict[str, Any]:
    return {
        "id": oai.TOOL_CALL_IDS[i],
        "type": "function",
        "function": {"name": name, "arguments": oai.expected_arguments()},
    }


# --------------------------------------------------------------------------- line framing


@pytest.mark.parametrize("seed", range(6))
def test_the_framer_gives_the_same_lines_whatever_the_cuts(seed: int) -> None:
    body = oai.stream_events({"messages": [{"content": "x"}]}).replace(b"\n\n", b"\r\n\n", 2)
    body += b"data: tail without newline \xc3\xa9"
    rng = random.Random(seed)
    framer = runtime.LineFramer()
    lines: list[bytes] = []
    pos = 0
    while pos < len(body):
        step = rng.choice([1, 1, 2, 3, 7, 40])
        lines.extend(framer.feed(body[pos : pos + step]))
        pos += step
    lines.append(framer.end())
    assert b"".join(lines) == body + b"\n"
    assert all(line.endswith(b"\n") and line.count(b"\n") == 1 for line in lines)
    assert b"\n" in lines and any(line.endswith(b"\r\n") for line in lines)
    ended = runtime.LineFramer()
    assert ended.feed(b"a\n\n") == [b"a\n", b"\n"] and ended.end() == b"\n"


# --------------------------------------------------------------------------- buffered calls


def test_list_models_over_http_and_static(
    plugin: Any, server: OpenAICompatServer, v2_example_wasm: Path
) -> None:
    assert plugin.list_models() == list(oai.MODELS)
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/v1/models")]
    with open_v2(v2_example_wasm, server, config={"models": ["fixed-a", "fixed-b"]}) as fixed:
        assert fixed.list_models() == ["fixed-a", "fixed-b"]
        assert asyncio.run(fixed.alist_models()) == ["fixed-a", "fixed-b"]
    assert len(server.requests) == 1
    assert asyncio.run(plugin.alist_models()) == list(oai.MODELS)


def test_chat_with_models_or_dicts(plugin: Any, server: OpenAICompatServer) -> None:
    model = M.ChatMessage(role="User", content=[{"type": "text", "text": "Hi"}])
    for messages in ([model], [user("Hi")]):
        answer = plugin.chat(messages)
        assert isinstance(answer, M.ExtismChatResponse)
        assert answer.text == oai.CHAT_TEXT
        assert answer.finish_reason == M.FinishReason.Stop
        usage = oai.expected_usage(server.requests[-1].json)
        assert answer.usage is not None and answer.usage.to_wire() == usage
    assert server.requests[-1].headers["authorization"] == f"Bearer {API_KEY}"
    with pytest.raises(runtime.InputValidationError) as bad:
        plugin.chat([{"role": "System", "content": []}])
    assert bad.value.export == "chat_request" and len(server.requests) == 2


def test_chat_with_tools_gives_tool_calls(plugin: Any, server: OpenAICompatServer) -> None:
    answer = plugin.chat([user("Weather?")], tools=[WEATHER, M.Tool.model_validate(CLOCK)])
    assert answer.finish_reason == M.FinishReason.ToolCalls
    assert [c.to_wire() for c in answer.tool_calls] == [
        tool_call(0, "get_weather"),
        tool_call(1, "get_time"),
    ]
    assert [t["function"]["name"] for t in server.requests[-1].json["tools"]] == [
        "get_weather",
        "get_time",
    ]


def test_embed_and_complete(plugin: Any, server: OpenAICompatServer) -> None:
    inputs = ["alpha", "beta gamma", "ü"]
    assert plugin.embed(inputs) == [oai.embedding_of(t) for t in inputs]
    assert server.requests[-1].path == "/v1/embeddings"
    request = {"prompt": "def add(a, b):", "suffix": "# end", "max_tokens": 8, "temperature": None}
    answer = plugin.complete(request)
    assert isinstance(answer, M.CompletionResponse)
    assert answer.text == oai.completion_text(request["prompt"], "# end")
    assert asyncio.run(plugin.aembed(["x"])) == [oai.embedding_of("x")]
    assert asyncio.run(plugin.acomplete(M.CompletionRequest.model_validate(request))) == answer


def test_async_chat_and_direct_twins(plugin: Any, server: OpenAICompatServer) -> None:
    answer = asyncio.run(plugin.achat([user("Hi")], [WEATHER]))
    assert answer.tool_calls[0].function.name == "get_weather"
    # The direct exports run in a thread; this plugin answers them "not implemented".
    with pytest.raises(runtime.NotImplementedByPluginError):
        asyncio.run(plugin.atranscribe("AAAA"))
    with pytest.raises(runtime.NotImplementedByPluginError):
        asyncio.run(plugin.aspeech("hi"))


# --------------------------------------------------------------------------- typed errors


def _rate_limit(server: OpenAICompatServer, path: str) -> None:
    server.fail(
        path,
        429,
        {"error": {"message": "slow down", "type": "rate_limit_error"}},
        {"Retry-After": "7"},
    )


def test_429_with_retry_after_is_rate_limited_everywhere(
    plugin: Any, server: OpenAICompatServer
) -> None:
    async def achat_stream() -> None:
        async for _ in plugin.achat_stream([user("hi")]):
            raise AssertionError("no chunk before the error")

    calls = [
        ("/chat/completions", lambda: plugin.chat([user("hi")]), "classify_chat_error"),
        ("/chat/completions", lambda: plugin.chat_stream([user("hi")]), "classify_chat_error"),
        ("/chat/completions", lambda: asyncio.run(plugin.achat([])), "classify_chat_error"),
        ("/chat/completions", lambda: asyncio.run(achat_stream()), "classify_chat_error"),
        ("/embeddings", lambda: plugin.embed(["x"]), "classify_http_status"),
        ("/models", lambda: asyncio.run(plugin.alist_models()), "classify_http_status"),
    ]
    for path, call, export in calls:
        _rate_limit(server, path)
        with pytest.raises(runtime.RateLimitedError) as caught:
            call()
        assert caught.value.retry_after == 7, export
        assert caught.value.export == export
        assert caught.value.provider_message == "slow down"
        assert API_KEY not in str(caught.value)


def test_401_is_the_auth_class(plugin: Any, server: OpenAICompatServer) -> None:
    for call in (
        lambda: plugin.chat([user("hi")]),
        lambda: plugin.chat_stream([user("hi")]),
        lambda: plugin.complete({"prompt": "p", "suffix": None}),
    ):
        server.fail("", 401, {"error": {"message": "bad key", "type": "authentication_error"}})
        with pytest.raises(runtime.AuthError) as caught:
            call()
        assert not isinstance(caught.value, runtime.RateLimitedError)


def test_a_secret_echoed_in_an_error_is_redacted(plugin: Any, server: OpenAICompatServer) -> None:
    server.fail("/chat/completions", 400, {"error": {"message": f"bad key {API_KEY}"}})
    with pytest.raises(runtime.InvalidRequestError) as caught:
        plugin.chat_stream([user("hi")])
    assert API_KEY not in str(caught.value) and API_KEY not in json.dumps(caught.value.payload)


def test_malformed_bodies_are_typed_errors_not_traps(
    plugin: Any, server: OpenAICompatServer
) -> None:
    server.fail("/chat/completions", 200, b"<html>not json")
    with pytest.raises(runtime.ResponseFormatError):
        plugin.chat([user("hi")])
    server.fail("/embeddings", 200, b'{"data": 5}')
    with pytest.raises(runtime.ResponseFormatError):
        plugin.embed(["x"])
    server.sse_body = b"data: {not json\n\n"
    with pytest.raises(runtime.ResponseFormatError) as caught:
        list(plugin.chat_stream([user("hi")]))
    assert caught.value.raw_response == "{not json"
    with pytest.raises(runtime.ResponseFormatError):
        asyncio.run(plugin.achat_stream([user("hi")]).collect())
    assert plugin.chat([user("still fine")]).text == oai.CHAT_TEXT


# --------------------------------------------------------------------------- streaming


def test_chat_stream_text_usage_and_done(plugin: Any, server: OpenAICompatServer) -> None:
    with plugin.chat_stream([user("Hello")]) as stream:
        chunks = list(stream)
    assert stream.closed
    body = server.requests[-1].json
    assert body["stream"] is True
    kinds = (M.StreamChunkText, M.StreamChunkUsage, M.StreamChunkDone)
    assert all(isinstance(c, kinds) for c in chunks)
    assert wire(chunks) == expected_stream(body)


def test_chat_stream_tool_call_deltas(plugin: Any, server: OpenAICompatServer) -> None:
    chunks = list(plugin.chat_stream([user("Weather?")], [WEATHER, CLOCK]))
    assert wire(chunks) == expected_tool_stream(server.requests[-1].json)
    collected = plugin.chat_stream([user("Weather?")], [WEATHER, CLOCK]).collect()
    assert collected == plugin.chat([user("Weather?")], [WEATHER, CLOCK])


def test_reasoning_deltas_become_thinking(plugin: Any, server: OpenAICompatServer) -> None:
    events = [{"reasoning_content": "Let me "}, {"reasoning_content": "think."}, {"content": "4"}]
    server.sse_body = (
        b"".join(
            b"data: " + json.dumps({"choices": [{"index": 0, "delta": d}]}).encode() + b"\n\n"
            for d in events
        )
        + b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'
    )
    chunks = wire(list(plugin.chat_stream([user("2+2?")])))
    assert chunks[:3] == [{"thinking": "Let me "}, {"thinking": "think."}, {"text": "4"}]
    answer = runtime.collect(plugin.chat_stream([user("2+2?")]))
    assert (answer.thinking, answer.text) == ("Let me think.", "4")
    assert answer.finish_reason == M.FinishReason.Stop and answer.tool_calls is None


def test_collect_equals_chat(plugin: Any, server: OpenAICompatServer) -> None:
    server.echo = True
    streamed = plugin.chat_stream([user("echo this ✓ back")]).collect()
    buffered = plugin.chat([user("echo this ✓ back")])
    assert streamed == buffered and streamed.text == "echo this ✓ back"
    assert asyncio.run(runtime.acollect(plugin.achat_stream([user("echo this ✓ back")]))) == (
        buffered
    )


@pytest.mark.parametrize("seed", range(4))
def test_sse_split_anywhere_gives_the_same_chunks(
    plugin: Any, server: OpenAICompatServer, seed: int
) -> None:
    server.split_sizes = (10_000,)
    whole = wire(list(plugin.chat_stream([user("Weather?")], [WEATHER, CLOCK])))
    rng = random.Random(seed)
    server.split_sizes = tuple(rng.choice([1, 1, 2, 3, 5, 11]) for _ in range(50))
    assert wire(list(plugin.chat_stream([user("Weather?")], [WEATHER, CLOCK]))) == whole
    server.split_sizes = (1,)
    assert wire(list(plugin.chat_stream([user("Hello")]))) == expected_stream(
        server.requests[-1].json
    )  # one byte at a time: every multi-byte character is cut


def pause_after_first_text(server: OpenAICompatServer, seconds: float) -> None:
    """The body's first network piece ends inside the second text event, then a pause."""
    body = oai.stream_events({"messages": [{"content": "Hello"}]})
    server.split_sizes = (body.index(b"llo, ") + 3, 10_000)
    server.pause_after, server.pause_s = 1, seconds


def test_a_chunk_arrives_before_the_body_ends(plugin: Any, server: OpenAICompatServer) -> None:
    pause_after_first_text(server, 1.0)
    started = time.monotonic()
    stream = plugin.chat_stream([user("Hello")])
    first = next(stream)
    first_at = time.monotonic() - started
    rest = list(stream)
    ended_at = time.monotonic() - started
    assert first.to_wire() == {"text": "Hé"} and len(rest) == 6
    assert first_at < 0.8 <= ended_at


def test_an_in_band_error_yields_the_chunks_before_it_then_raises(
    plugin: Any, server: OpenAICompatServer
) -> None:
    error = {"error": {"message": "busy", "code": "server_is_overloaded", "retry_after": 2}}
    server.sse_body = b'data: {"choices":[{"index":0,"delta":{"content":"a"}}]}\n\n' + (
        b"data: " + json.dumps(error).encode() + b"\n\n"
    )
    server.split_sizes = (10_000,)  # both lines in one network read (QueryMT would drop "a")
    got: list[Any] = []
    stream = plugin.chat_stream([user("hi")])
    with pytest.raises(runtime.ProviderError) as caught:
        for chunk in stream:
            got.append(chunk.to_wire())
    assert got == [{"text": "a"}]
    assert caught.value.kind == "server_overloaded" and caught.value.retry_after == 2
    assert stream.closed and refused(plugin, stream.parser_id)


def test_an_early_break_closes_the_parser(single: Any, server: OpenAICompatServer) -> None:
    live = single.chat_stream_parser_start()
    assert single.chat_stream_parser_parse({"parser_id": live, "chunk": b"\n"}) == []
    assert not refused(single, live)  # a live parser on this instance takes lines
    stream = single.chat_stream([user("Hello")])
    for _ in stream:
        break
    parser_id = stream.parser_id
    assert stream.closed and refused(single, parser_id)
    gone = single.chat_stream([user("Hello")])
    next(gone)
    gone_id = gone.parser_id
    del gone
    gc.collect()
    assert refused(single, gone_id)
    assert wire(list(single.chat_stream([user("Hello")]))) == expected_stream(
        server.requests[-1].json
    )
    single.chat_stream_parser_close(live)


def test_a_dropped_connection_mid_stream_is_typed_and_closes(
    single: Any, server: OpenAICompatServer
) -> None:
    body = oai.stream_events({"messages": [{"content": "Hello"}]})
    server.drop_after = body.index("wörld".encode())
    server.split_sizes = (64,)
    got: list[Any] = []
    stream = single.chat_stream([user("Hello")])
    with pytest.raises(runtime.ConnectionFailedError) as caught:
        for chunk in stream:
            got.append(chunk.to_wire())
    assert got == [{"text": "Hé"}, {"text": "llo, "}]
    assert caught.value.export == "chat_stream_request"
    assert stream.closed and refused(single, stream.parser_id)

    async def consume() -> list[Any]:
        out = []
        async with single.achat_stream([user("Hello")]) as astream:
            async for chunk in astream:
                out.append(chunk.to_wire())
        return out

    with pytest.raises(runtime.ConnectionFailedError):
        asyncio.run(consume())


def test_async_stream_cancelled_mid_stream_closes(single: Any, server: OpenAICompatServer) -> None:
    pause_after_first_text(server, 1.5)
    seen: list[Any] = []

    async def main() -> Any:
        stream = single.achat_stream([user("Hello")])

        async def consume() -> None:
            async for chunk in stream:
                seen.append(chunk)

        task = asyncio.create_task(consume())
        while not seen:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)  # the task now waits for the paused body
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return stream

    stream = asyncio.run(main())
    assert [c.to_wire() for c in seen] == [{"text": "Hé"}]
    assert stream.closed and refused(single, stream.parser_id)


def test_async_for_break_closes_the_parser(single: Any, server: OpenAICompatServer) -> None:
    async def main() -> Any:
        stream = single.achat_stream([user("Hello")])
        async for _ in stream:
            break
        for _ in range(20):
            if stream.closed:
                break
            await asyncio.sleep(0.01)
        return stream

    stream = asyncio.run(main())
    assert stream.closed and refused(single, stream.parser_id)


def test_async_stream_as_context_manager_and_await(plugin: Any, server: OpenAICompatServer) -> None:
    async def main() -> tuple[list[Any], Any]:
        async with plugin.achat_stream([user("Hello")]) as stream:
            chunks = [c async for c in stream]
        opened = await plugin.achat_stream([user("Hello")])
        first = await anext(opened)
        await opened.aclose()
        return chunks, (first, opened)

    chunks, (first, opened) = asyncio.run(main())
    assert wire(chunks) == expected_stream(server.requests[-1].json)
    assert first.to_wire() == {"text": "Hé"}
    assert opened.closed and refused(plugin, opened.parser_id)


# --------------------------------------------------------------------------- concurrency


def test_eight_threads_get_their_own_answers(plugin: Any, server: OpenAICompatServer) -> None:
    server.echo = True
    barrier = threading.Barrier(8, timeout=30)
    wrong: list[str] = []

    def worker(n: int) -> None:
        for round_ in range(3):
            prompt = f"prompt {n}.{round_} — ✓"
            stream = plugin.chat_stream([user(prompt)])
            first = next(stream)
            if round_ == 0:
                barrier.wait()  # eight streams open at once, each on its own instance
            text = first.to_wire().get("text", "") + (stream.collect().text or "")
            if text != prompt:
                wrong.append(f"{prompt!r} -> {text!r}")
            answer = plugin.chat([user(prompt)])
            if answer.text != prompt:
                wrong.append(f"{prompt!r} -> {answer.text!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert wrong == []
    assert len(server.requests) == 8 * 3 * 2


def test_eight_async_tasks_get_their_own_answers(plugin: Any, server: OpenAICompatServer) -> None:
    server.echo = True

    async def one(n: int) -> list[str]:
        prompt = f"task {n} ü"
        streamed = await plugin.achat_stream([user(prompt)]).collect()
        buffered = await plugin.achat([user(prompt)])
        return [t for t in (streamed.text, buffered.text) if t != prompt]

    async def main() -> list[list[str]]:
        return await asyncio.gather(*(one(n) for n in range(8)))

    assert asyncio.run(main()) == [[]] * 8
    assert len(server.requests) == 16


# --------------------------------------------------------------------------- faults


def scripted_stream(
    server: OpenAICompatServer, parse: list[Any], target: OpenAICompatServer | None = None
) -> bytes:
    """A v2 module whose base URL is `server`'s, whose stream request goes to `target`'s
    (default: the same) and whose parse runs `parse`."""
    request = {
        "req": {
            "head": {
                "method": "POST",
                "uri": (target or server).base_url + "chat/completions",
                "headers": {},
                "version": "HTTP/1.1",
            },
            "body": list(b'{"stream": true, "messages": [{"content": "x"}]}'),
        }
    }
    schema = {"type": "object", "properties": {"model": {"type": "string"}}}
    exports: dict[str, list[Any]] = {
        "name": [Output(b"scripted")],
        "base_url": [Output(server.base_url.encode())],
        "config_schema": [Output(json.dumps(schema).encode())],
        "from_config": [Echo()],
        "init_logging": [Output(b"")],
        "chat_stream_request": [Output(json.dumps(request).encode())],
        "chat_stream_parser_start": [Output(b"1")],
        "chat_stream_parser_parse": parse,
        "chat_stream_parser_finish": [Output(b"[]")],
        "chat_stream_parser_close": [Output(b"")],
    }
    for export in v2.plugin.ABI.exports:
        exports.setdefault(export.name, [Error(b"not scripted")])
    return build_module(exports)


def test_a_trap_and_a_decode_failure_mid_stream_stay_their_own_classes(
    server: OpenAICompatServer,
) -> None:
    with runtime.open_plugin(scripted_stream(server, [Trap()]), {"model": "m"}) as trapping:
        stream = trapping.chat_stream([user("hi")])
        with pytest.raises(runtime.PluginTrapError) as trapped:
            list(stream)
        assert not isinstance(trapped.value, runtime.LLMError) and stream.closed
        with pytest.raises(runtime.PluginTrapError):
            list(trapping.chat_stream([user("again")]))  # a new instance, the same fault
    refusing = scripted_stream(server, [Error(b"chunk: invalid type: string")])
    with runtime.open_plugin(refusing, {"model": "m"}) as plugin:
        with pytest.raises(runtime.PluginCallError) as failed:
            list(plugin.chat_stream([user("hi")]))
        assert not isinstance(failed.value, runtime.LLMError | runtime.PluginTrapError)
        assert "invalid type" in failed.value.plugin_message


def test_a_parse_that_never_returns_times_out_alone(server: OpenAICompatServer) -> None:
    wasm = scripted_stream(server, [Loop()])
    with runtime.open_plugin(wasm, {"model": "m"}, timeout_ms=300) as plugin:
        stream = plugin.chat_stream([user("hi")])
        started = time.monotonic()
        with pytest.raises(runtime.PluginTimeoutError):
            next(stream)
        assert time.monotonic() - started < 3 and stream.closed


def test_a_stream_request_to_another_origin_is_refused(server: OpenAICompatServer) -> None:
    with OpenAICompatServer() as other:
        wasm = scripted_stream(server, [Output(b"[]")], target=other)
        with runtime.open_plugin(wasm, {"model": "m"}) as plugin:
            with pytest.raises(runtime.HostNotAllowedError):
                plugin.chat_stream([user("hi")])
            with pytest.raises(runtime.HostNotAllowedError):
                asyncio.run(plugin.achat_stream([user("hi")]).collect())
        assert other.requests == []


def test_a_stream_past_the_response_limit_fails_typed(
    v2_example_wasm: Path, server: OpenAICompatServer
) -> None:
    body = oai.stream_events({"messages": [{"content": "Hello"}]})
    limit = body.index("wörld".encode())
    with open_v2(v2_example_wasm, server, max_http_response_bytes=limit) as plugin:
        got: list[Any] = []
        stream = plugin.chat_stream([user("Hello")])
        with pytest.raises(runtime.ResponseTooLargeError):
            for chunk in stream:
                got.append(chunk)
        assert wire(got) == [{"text": "Hé"}, {"text": "llo, "}] and stream.closed
        assert refused(plugin, stream.parser_id)
