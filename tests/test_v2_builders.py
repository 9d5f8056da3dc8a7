"""The v2 package's builders (`querymt_extism_v2.builders`, hand-written glue the Python target
adds from templates/python/querymt-extism-v2/): each gives the typed model whose JSON is what
QueryMT's serde writes (optional keys omitted, `str` content as one text block), the JSON the
generated v2 JSON Schemas accept, and what the real v2 example plugin decodes in `chat_request`
and turns into the request body it sends."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pydantic
import pytest
import querymt_extism_v1 as v1
import querymt_extism_v2 as v2
from querymt_extism_v2 import builders as b
from v2_schemas import validator

PNG = b"\x89PNG\r\n\x1a\n\x00\xff"
SCHEMA = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}

CASES: list[tuple[Any, dict[str, Any]]] = [
    (b.text_block("hi"), {"type": "text", "text": "hi"}),
    (b.thinking_block("hmm"), {"type": "thinking", "text": "hmm"}),
    (b.thinking_block("hmm", "sig"), {"type": "thinking", "text": "hmm", "signature": "sig"}),
    (
        b.image_block("image/png", PNG),
        {"type": "image", "mime_type": "image/png", "data": list(PNG)},
    ),
    (b.image_url_block("https://x/a.png"), {"type": "image_url", "url": "https://x/a.png"}),
    (b.pdf_block(b"%PDF"), {"type": "pdf", "data": list(b"%PDF")}),
    (
        b.audio_block("audio/wav", b"RIFF"),
        {"type": "audio", "mime_type": "audio/wav", "data": list(b"RIFF")},
    ),
    (
        b.tool_use_block("call_1", "lookup", {"q": "word", "n": [1, 2.5, None, True]}),
        {
            "type": "tool_use",
            "id": "call_1",
            "name": "lookup",
            "arguments": {"q": "word", "n": [1, 2.5, None, True]},
        },
    ),
    (
        b.tool_result_block("call_1", "found"),
        {
            "type": "tool_result",
            "id": "call_1",
            "is_error": False,
            "content": [{"type": "text", "text": "found"}],
        },
    ),
    (
        b.tool_result_block(
            "call_2", [b.text_block("a"), b.image_url_block("u")], name="lookup", is_error=True
        ),
        {
            "type": "tool_result",
            "id": "call_2",
            "name": "lookup",
            "is_error": True,
            "content": [{"type": "text", "text": "a"}, {"type": "image_url", "url": "u"}],
        },
    ),
    (b.resource_link_block("file:///r"), {"type": "resource_link", "uri": "file:///r"}),
    (
        b.resource_link_block("file:///r", "r", "a file", "text/plain"),
        {
            "type": "resource_link",
            "uri": "file:///r",
            "name": "r",
            "description": "a file",
            "mime_type": "text/plain",
        },
    ),
]


@pytest.mark.parametrize(("block", "wire"), CASES, ids=[w["type"] for _, w in CASES])
def test_each_block_builder_writes_querymts_json(block: Any, wire: dict[str, Any]) -> None:
    assert block.to_wire() == wire
    assert type(block).model_validate(wire) == block


def test_messages_take_a_string_or_blocks() -> None:
    assert b.user_message("Hi").to_wire() == {
        "role": "User",
        "content": [{"type": "text", "text": "Hi"}],
    }
    blocks = [b.thinking_block("t"), b.tool_use_block("c", "f", {})]
    assert b.assistant_message(blocks).to_wire() == {
        "role": "Assistant",
        "content": [
            {"type": "thinking", "text": "t"},
            {"type": "tool_use", "id": "c", "name": "f", "arguments": {}},
        ],
    }
    cached = b.user_message(
        "x", cache=v2.models.CacheHintEphemeral.model_validate({"ephemeral": {}})
    )
    assert cached.to_wire()["cache"] == {"ephemeral": {}}
    assert b.tool_result_message("c", "42").to_wire() == {
        "role": "User",
        "content": [
            {
                "type": "tool_result",
                "id": "c",
                "is_error": False,
                "content": [{"type": "text", "text": "42"}],
            }
        ],
    }
    assert b.function_tool("lookup", "Looks up.", SCHEMA).to_wire() == {
        "type": "function",
        "function": {"name": "lookup", "description": "Looks up.", "parameters": SCHEMA},
    }


def test_bad_values_fail_in_the_builder() -> None:
    with pytest.raises(pydantic.ValidationError):
        b.image_block("image/png", "not bytes")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        b.text_block(5)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        b.user_message([{"type": "nope"}])  # type: ignore[list-item]


def _conversation() -> tuple[list[Any], list[Any]]:
    messages = [
        b.user_message("Describe these."),
        b.user_message([b.image_block("image/png", PNG), b.image_url_block("https://x/a.png")]),
        b.user_message([b.pdf_block(b"%PDF-1.7"), b.audio_block("audio/wav", b"RIFF")]),
        b.user_message(
            [b.resource_link_block("file:///notes.txt", "notes", mime_type="text/plain")]
        ),
        b.assistant_message(
            [
                b.thinking_block("let me look", "sig"),
                b.tool_use_block("call_1", "lookup", {"q": "png"}),
            ]
        ),
        b.tool_result_message("call_1", "an image format", name="lookup"),
    ]
    return messages, [b.function_tool("lookup", "Looks a word up.", SCHEMA)]


def test_the_v2_schemas_accept_every_builder() -> None:
    messages, tools = _conversation()
    document = {
        "cfg": {"model": "m"},
        "messages": [m.to_wire() for m in messages]
        + [b.user_message([block for block, _ in CASES]).to_wire()],
        "tools": [t.to_wire() for t in tools],
    }
    errors = list(validator("chat_request.input.json").iter_errors(document))
    assert errors == []


def test_the_v2_example_decodes_them_and_sends_them(v2_example_wasm: Path) -> None:
    messages, tools = _conversation()
    config = {"model": "loop-mini", "api_key": "sk-builders", "base_url": "http://127.0.0.1:9/v1/"}
    with v2.Plugin.open(v2_example_wasm, config) as plugin:
        request = plugin.chat_request(messages, tools)
    body = json.loads(bytes(request.req.body))
    sent = body["messages"]
    assert sent[0] == {"role": "user", "content": "Describe these."}
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert sent[1]["content"] == [
        {"type": "image_url", "image_url": {"url": data_url}},
        {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
    ]
    # The pdf, audio and resource-link turns decode, but OpenAI's chat API has no place for them.
    assistant = next(m for m in sent if m["role"] == "assistant")
    assert assistant["reasoning_content"] == "let me look"
    call = assistant["tool_calls"][0]
    assert (call["id"], call["function"]["name"], json.loads(call["function"]["arguments"])) == (
        "call_1",
        "lookup",
        {"q": "png"},
    )
    assert sent[-1] == {"role": "tool", "content": "an image format", "tool_call_id": "call_1"}
    assert body["tools"] == [
        {
            "type": "function",
            "function": {"name": "lookup", "description": "Looks a word up.", "parameters": SCHEMA},
        }
    ]


def test_the_package_exports_them_and_a_spec_without_glue_has_none() -> None:
    for name in b.__all__:
        assert getattr(v2, name) is getattr(b, name) and name in v2.__all__
    assert "builders" in v2.__all__
    assert not hasattr(v1, "builders") and "user_message" not in v1.__all__
