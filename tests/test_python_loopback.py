"""The loopback OpenAI-compatible server on its own: answers, recording, injected faults."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from generator.conformance.loopback_server import CHAT_TEXT, MODELS, LoopbackServer, embedding_of


def request(server: LoopbackServer, path: str, body: Any = None, timeout: float = 5) -> Any:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(
        server.base_url + path, data=data, method="POST" if data else "GET"
    )
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return response.status, response.read()


def test_endpoints(loopback: LoopbackServer) -> None:
    assert loopback.host == "127.0.0.1" and loopback.port > 0
    _, body = request(loopback, "/models")
    assert [m["id"] for m in json.loads(body)["data"]] == list(MODELS)
    _, body = request(
        loopback, "/chat/completions", {"messages": [{"role": "user", "content": "a b"}]}
    )
    answer = json.loads(body)
    assert answer["choices"][0]["message"]["content"] == CHAT_TEXT
    assert answer["usage"]["prompt_tokens"] == 3
    tools = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    _, body = request(loopback, "/chat/completions", {"messages": [], "tools": tools})
    assert json.loads(body)["choices"][0]["message"]["tool_calls"][0]["function"]["name"] == "f"
    _, body = request(loopback, "/embeddings", {"input": ["abc"]})
    assert json.loads(body)["data"][0]["embedding"] == embedding_of("abc")
    _, body = request(loopback, "/completions", {"prompt": "x"})
    assert json.loads(body)["choices"][0]["text"].startswith("x")
    assert [r.path for r in loopback.requests] == [
        "/v1/models",
        "/v1/chat/completions",
        "/v1/chat/completions",
        "/v1/embeddings",
        "/v1/completions",
    ]


def test_faults(loopback: LoopbackServer) -> None:
    loopback.fail("/models", status=503, times=1)
    with pytest.raises(urllib.error.HTTPError) as caught:
        request(loopback, "/models")
    assert caught.value.code == 503
    assert request(loopback, "/models")[0] == 200
    loopback.fail("/embeddings", body="{broken")
    assert request(loopback, "/embeddings", {"input": []})[1] == b"{broken"
    loopback.reset()
    loopback.fail("", delay_s=0.2, times=1)
    start = time.perf_counter()
    request(loopback, "/models")
    assert time.perf_counter() - start >= 0.2


def test_api_key_check() -> None:
    with LoopbackServer(api_key="right") as server:
        with pytest.raises(urllib.error.HTTPError) as caught:
            request(server, "/models")
        assert caught.value.code == 401
