"""Models of every type in QueryMT Extism plugin ABI v1, with their exact wire JSON.

Generated from the spec `querymt-extism-v1`; do not edit. Structs and plain enums come from
datamodel-code-generator run on the bundled JSON Schema; enums with data are shaped by
qmt-abigen (a union picked by its tag, so validating one costs a dict lookup).
Dump with `model_dump(mode="json")` or `.to_wire()` to get wire names (`type`, not `tool_type`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AliasChoices, ConfigDict, Discriminator, Field, StrictFloat, StrictStr, Tag
from querymt_extism_runtime.wire import U32, Bytes, WireModel


class ChatMessage(WireModel):
    role: ChatRole
    """
    Who wrote the message.
    """
    message_type: MessageType
    """
    What kind of message this is, with its non-text payload.
    """
    content: StrictStr
    """
    The message text; empty for tool-use and tool-result messages.
    """


class ChatRole(StrEnum):
    User = "User"
    """
    The end user.
    """
    Assistant = "Assistant"
    """
    The model.
    """


class CompletionRequest(WireModel):
    prompt: StrictStr
    """
    The text to continue.
    """
    suffix: StrictStr | None = None
    """
    Text that should follow the completion (fill-in-the-middle), if any.
    """
    max_tokens: U32 | None = None
    """
    The most tokens to generate.
    """
    temperature: StrictFloat | None = None
    """
    Sampling temperature.
    """


class CompletionResponse(WireModel):
    text: StrictStr
    """
    The generated text.
    """


class ExtismChatRequest(WireModel):
    cfg: Any
    """
    The plugin configuration, as accepted by `from_config`.
    """
    messages: list[ChatMessage]
    """
    The conversation so far, oldest first.
    """
    tools: list[Tool] | None = None
    """
    Tools the model may call; `null` when the caller offers none.
    """


class ExtismChatResponse(WireModel):
    text: StrictStr | None = None
    """
    The assistant's text, if any.
    """
    tool_calls: list[ToolCall] | None = None
    """
    Tool calls the model asked for, if any.
    """
    thinking: StrictStr | None = None
    """
    Reasoning text, for providers that expose it.
    """
    usage: Usage | None = None
    """
    Token counts, when the provider reports them.
    """


class ExtismCompleteRequest(WireModel):
    cfg: Any
    """
    The plugin configuration, as accepted by `from_config`.
    """
    req: CompletionRequest
    """
    The completion to perform.
    """


class ExtismEmbedRequest(WireModel):
    cfg: Any
    """
    The plugin configuration, as accepted by `from_config`.
    """
    inputs: list[StrictStr]
    """
    The texts to embed, one vector each.
    """


class FunctionCall(WireModel):
    name: StrictStr
    """
    The function called.
    """
    arguments: StrictStr
    """
    The arguments as a JSON document inside a string; in a `ToolResult` message, the tool's result.
    """


class FunctionTool(WireModel):
    name: StrictStr
    """
    The function name the model uses to call it.
    """
    description: StrictStr
    """
    What the function does, for the model.
    """
    parameters: Any
    """
    A JSON Schema of the function's arguments, passed through untouched.
    """


class ImageMime(StrEnum):
    JPEG = "JPEG"
    """
    JPEG image.
    """
    PNG = "PNG"
    """
    PNG image.
    """
    GIF = "GIF"
    """
    GIF image.
    """
    WEBP = "WEBP"
    """
    WebP image.
    """


class Tool(WireModel):
    tool_type: Annotated[StrictStr, Field(alias="type")]
    """
    The tool kind; always `function` today.
    """
    function: FunctionTool
    """
    The function the tool exposes.
    """


class ToolCall(WireModel):
    id: StrictStr
    """
    The provider's identifier of this call.
    """
    call_type: Annotated[StrictStr, Field(alias="type")]
    """
    The call kind; always `function` today.
    """
    function: FunctionCall
    """
    The function called and its arguments.
    """


class Usage(WireModel):
    input_tokens: Annotated[
        U32,
        Field(
            validation_alias=AliasChoices(
                "input_tokens", "prompt_tokens", "prompt_eval_count", "promptTokenCount"
            )
        ),
    ]
    """
    Tokens in the prompt. Accepted under the names other providers use.
    """
    output_tokens: Annotated[
        U32,
        Field(
            validation_alias=AliasChoices(
                "output_tokens", "completion_tokens", "eval_count", "candidatesTokenCount"
            )
        ),
    ]
    """
    Tokens in the answer. Accepted under the names other providers use.
    """


# ----------------------------------------------------------------- MessageType (externally tagged)


class MessageTypeImage(WireModel):
    """An inline image, as its MIME kind and raw bytes.

    On the wire: `{"Image": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "Image"
    value: Annotated[tuple[ImageMime, Bytes], Field(alias="Image")]


class MessageTypePdf(WireModel):
    """An inline PDF document, as raw bytes.

    On the wire: `{"Pdf": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "Pdf"
    value: Annotated[Bytes, Field(alias="Pdf")]


class MessageTypeImageURL(WireModel):
    """An image the provider fetches from a URL.

    On the wire: `{"ImageURL": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "ImageURL"
    value: Annotated[StrictStr, Field(alias="ImageURL")]


class MessageTypeToolUse(WireModel):
    """The assistant's tool calls.

    On the wire: `{"ToolUse": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "ToolUse"
    value: Annotated[list[ToolCall], Field(alias="ToolUse")]


class MessageTypeToolResult(WireModel):
    """Results of tool calls; each call's `function.arguments` carries the result.

    On the wire: `{"ToolResult": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "ToolResult"
    value: Annotated[list[ToolCall], Field(alias="ToolResult")]


def _message_type_tag(value: Any) -> str | None:
    """The variant name of a `MessageType` value, on the wire or in Python."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


MessageType = Annotated[
    Annotated[Literal["Text"], Tag("Text")]
    | Annotated[MessageTypeImage, Tag("Image")]
    | Annotated[MessageTypePdf, Tag("Pdf")]
    | Annotated[MessageTypeImageURL, Tag("ImageURL")]
    | Annotated[MessageTypeToolUse, Tag("ToolUse")]
    | Annotated[MessageTypeToolResult, Tag("ToolResult")],
    Discriminator(_message_type_tag),
]
"""The kind of a chat message. Unit variants are bare strings; the others are objects with
exactly one key, the variant name.

In Python: unit variants are the strings `'Text'`; the others are `MessageTypeImage`,
`MessageTypePdf`, `MessageTypeImageURL`, `MessageTypeToolUse`, `MessageTypeToolResult`.
"""

ChatMessage.model_rebuild()
CompletionRequest.model_rebuild()
CompletionResponse.model_rebuild()
ExtismChatRequest.model_rebuild()
ExtismChatResponse.model_rebuild()
ExtismCompleteRequest.model_rebuild()
ExtismEmbedRequest.model_rebuild()
FunctionCall.model_rebuild()
FunctionTool.model_rebuild()
Tool.model_rebuild()
ToolCall.model_rebuild()
Usage.model_rebuild()

__all__ = [
    "ChatMessage",
    "ChatRole",
    "CompletionRequest",
    "CompletionResponse",
    "ExtismChatRequest",
    "ExtismChatResponse",
    "ExtismCompleteRequest",
    "ExtismEmbedRequest",
    "FunctionCall",
    "FunctionTool",
    "ImageMime",
    "MessageType",
    "MessageTypeImage",
    "MessageTypeImageURL",
    "MessageTypePdf",
    "MessageTypeToolResult",
    "MessageTypeToolUse",
    "Tool",
    "ToolCall",
    "Usage",
]
