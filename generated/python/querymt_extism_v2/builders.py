"""Builders of the messages, content blocks and tools a chat request carries.

The same helpers as QueryMT's own Python package (`user_message`, `text_block`, ...), but each
returns the ABI's typed model (checked on the spot, so a wrong value fails here and not in the
plugin) instead of a dict; `.to_wire()` gives the JSON. `str` content is one text block, and
optional keys left as None are omitted from the JSON, as QueryMT's serde omits them. Binary
data is `bytes` (it crosses the boundary as an array of integers).

    from querymt_extism_v2 import builders

    messages = [
        builders.user_message("What is in this picture?"),
        builders.user_message([builders.image_block("image/png", png_bytes)]),
    ]
    tools = [builders.function_tool("lookup", "Looks a word up.", {"type": "object"})]
"""

from __future__ import annotations

from collections.abc import Sequence

from querymt_extism_runtime.wire import JsonValue

from .models import (
    CacheHint,
    ChatMessage,
    ChatRole,
    Content,
    ContentAudio,
    ContentImage,
    ContentImageUrl,
    ContentPdf,
    ContentResourceLink,
    ContentText,
    ContentThinking,
    ContentToolResult,
    ContentToolUse,
    FunctionTool,
    Tool,
)

__all__ = [
    "assistant_message",
    "audio_block",
    "function_tool",
    "image_block",
    "image_url_block",
    "pdf_block",
    "resource_link_block",
    "text_block",
    "thinking_block",
    "tool_result_block",
    "tool_result_message",
    "tool_use_block",
    "user_message",
]


def _blocks(content: str | Sequence[Content]) -> list[Content]:
    if isinstance(content, str):
        return [text_block(content)]
    return list(content)


def user_message(content: str | Sequence[Content], cache: CacheHint | None = None) -> ChatMessage:
    """A user turn: a string (one text block) or content blocks; `cache` a cache hint."""
    return ChatMessage(role=ChatRole.User, content=_blocks(content), cache=cache)


def assistant_message(
    content: str | Sequence[Content], cache: CacheHint | None = None
) -> ChatMessage:
    """An assistant turn (e.g. an earlier answer, or its tool calls as `tool_use_block`s)."""
    return ChatMessage(role=ChatRole.Assistant, content=_blocks(content), cache=cache)


def tool_result_message(
    id: str,
    content: str | Sequence[Content],
    *,
    name: str | None = None,
    is_error: bool = False,
) -> ChatMessage:
    """The answer to the tool call `id`, as a user turn holding one `tool_result_block`.

    QueryMT's messages have no tool role; tool results travel in a user turn (QueryMT's own
    Python helpers map a `"tool"` role to the assistant instead).
    """
    return user_message([tool_result_block(id, content, name=name, is_error=is_error)])


def text_block(text: str) -> ContentText:
    return ContentText(text=text)


def thinking_block(text: str, signature: str | None = None) -> ContentThinking:
    """The model's reasoning, with the provider's signature of it if it gave one."""
    return ContentThinking(text=text, signature=signature)


def image_block(mime_type: str, data: bytes) -> ContentImage:
    """An inline image: its MIME type (`image/png`, ...) and its bytes."""
    return ContentImage(mime_type=mime_type, data=list(data))


def image_url_block(url: str) -> ContentImageUrl:
    return ContentImageUrl(url=url)


def pdf_block(data: bytes) -> ContentPdf:
    return ContentPdf(data=list(data))


def audio_block(mime_type: str, data: bytes) -> ContentAudio:
    return ContentAudio(mime_type=mime_type, data=list(data))


def tool_use_block(id: str, name: str, arguments: JsonValue) -> ContentToolUse:
    """A tool call the model made: its id, the tool's name, the arguments as JSON values."""
    return ContentToolUse(id=id, name=name, arguments=arguments)


def tool_result_block(
    id: str,
    content: str | Sequence[Content],
    *,
    name: str | None = None,
    is_error: bool = False,
) -> ContentToolResult:
    """The result of the tool call `id`: a string (one text block) or content blocks."""
    return ContentToolResult(id=id, name=name, is_error=is_error, content=_blocks(content))


def resource_link_block(
    uri: str,
    name: str | None = None,
    description: str | None = None,
    mime_type: str | None = None,
) -> ContentResourceLink:
    """A link to a resource (e.g. an MCP resource) instead of its content."""
    return ContentResourceLink(uri=uri, name=name, description=description, mime_type=mime_type)


def function_tool(
    name: str, description: str, parameters: JsonValue, tool_type: str = "function"
) -> Tool:
    """A tool the model may call: `parameters` is the JSON Schema of its arguments."""
    return Tool(
        tool_type=tool_type,
        function=FunctionTool(name=name, description=description, parameters=parameters),
    )
