"""Models of every type in QueryMT Extism plugin ABI v2, with their exact wire JSON.

Generated from the spec `querymt-extism-v2`; do not edit. Structs and plain enums come from
datamodel-code-generator run on the bundled JSON Schema; enums with data are shaped by
qmt-abigen (a union picked by its tag, so validating one costs a dict lookup).
Dump with `model_dump(mode="json")` or `.to_wire()` to get wire names (`type`, not `tool_type`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AliasChoices,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictStr,
    Tag,
)

from ._wire import I32, I64, U16, U32, U64, Bytes, JsonValue, WireModel, is_null


class ChatMessage(WireModel):
    role: ChatRole
    """
    Who wrote the message.
    """
    content: list[Content]
    """
    The message's content blocks, in order.
    """
    cache: CacheHint | None = None
    """
    A prompt-caching breakpoint after this message; omitted when none.
    """


class ChatRole(StrEnum):
    User = "User"
    """
    The end user (and tool results).
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


class ExtismChatChunk(WireModel):
    chunk: StreamChunk
    """
    The event; the host reads only this.
    """
    usage: Usage | None = None
    """
    A copy of the counts for `usage` chunks, else `null`.
    """


class ExtismChatChunkParseRequest(WireModel):
    parser_id: I64
    """
    The id `chat_stream_parser_start` returned.
    """
    chunk: Bytes
    """
    One line of the body with its `\\n` (a `\\r\\n` is kept), or the single byte `\\n`.
    """


class ExtismChatParseRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    resp: SerializableHttpResponse
    """
    The provider's HTTP response.
    """


class ExtismChatRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
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
    finish_reason: FinishReason | None = None
    """
    Why the model stopped, when known.
    """


class ExtismCompleteParseRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    resp: SerializableHttpResponse
    """
    The provider's HTTP response.
    """


class ExtismCompleteRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    req: CompletionRequest
    """
    The completion to perform.
    """


class ExtismEmbedParseRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    resp: SerializableHttpResponse
    """
    The provider's HTTP response.
    """


class ExtismEmbedRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    inputs: list[StrictStr]
    """
    The texts to embed, one vector each.
    """


class ExtismListModelsParseRequest(WireModel):
    resp: SerializableHttpResponse
    """
    The provider's HTTP response.
    """


class ExtismListModelsRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """


class ExtismLogRecord(WireModel):
    level: U64
    """
    1 error, 2 warn, 3 info, 4 debug, 5 trace; the host logs other values as trace.
    """
    target: StrictStr
    """
    The log target (the Rust module path).
    """
    message: StrictStr
    """
    The message.
    """


class ExtismSttRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    audio_base64: StrictStr
    """
    The audio, standard base64 with padding.
    """
    filename: StrictStr | None = None
    """
    A file name for the upload.
    """
    mime_type: StrictStr | None = None
    """
    The audio's MIME type.
    """
    model: StrictStr | None = None
    """
    A model overriding the configured one.
    """
    language: StrictStr | None = None
    """
    The spoken language.
    """


class ExtismSttResponse(WireModel):
    text: StrictStr
    """
    The transcript.
    """


class ExtismTtsRequest(WireModel):
    cfg: Any
    """
    The plugin configuration.
    """
    text: StrictStr
    """
    The text to speak.
    """
    model: StrictStr | None = None
    """
    A model overriding the configured one.
    """
    voice_config: ExtismVoiceConfig | None = None
    """
    The voice.
    """
    format: StrictStr | None = None
    """
    The audio format, e.g. `mp3`.
    """
    speed: StrictFloat | None = None
    """
    The speaking rate.
    """
    language: StrictStr | None = None
    """
    The language to speak.
    """


class ExtismTtsResponse(WireModel):
    audio_base64: StrictStr
    """
    The audio, standard base64 with padding.
    """
    mime_type: StrictStr | None = None
    """
    The audio's MIME type.
    """


class FinishReason(StrEnum):
    Stop = "Stop"
    """
    A natural stop.
    """
    Length = "Length"
    """
    The token limit was reached.
    """
    ContentFilter = "ContentFilter"
    """
    A content filter stopped the answer.
    """
    ToolCalls = "ToolCalls"
    """
    The model called tools.
    """
    Error = "Error"
    """
    The provider reported an error.
    """
    Other = "Other"
    """
    A reason QueryMT does not name.
    """
    Unknown = "Unknown"
    """
    No reason given.
    """


class FunctionCall(WireModel):
    name: StrictStr
    """
    The function called.
    """
    arguments: StrictStr
    """
    The arguments as a JSON document inside a string.
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


class HttpRequestHead(WireModel):
    method: StrictStr
    """
    The method token, e.g. `POST`; an invalid one fails the host call.
    """
    uri: StrictStr
    """
    The absolute request URI.
    """
    headers: dict[str, HttpHeaderValue]
    """
    Header name to value(s); names lowercase, a repeated name ignored after the first.
    """
    version: HttpVersion
    """
    The protocol version.
    """


class HttpRequestMessage(WireModel):
    head: HttpRequestHead
    """
    Method, URI, headers and version.
    """
    body: Bytes
    """
    The body as raw bytes.
    """


class HttpResponseHead(WireModel):
    status: U16
    """
    The status code (100 to 999).
    """
    headers: dict[str, HttpHeaderValue]
    """
    Header name to value(s); names lowercase.
    """
    version: HttpVersion
    """
    The protocol version; QueryMT's host always writes `HTTP/1.1`.
    """


class HttpResponseMessage(WireModel):
    head: HttpResponseHead
    """
    Status, headers and version.
    """
    body: Bytes
    """
    The whole body as raw bytes (the host buffers it).
    """


class HttpVersion(StrEnum):
    HTTP_0_9 = "HTTP/0.9"
    """
    HTTP/0.9.
    """
    HTTP_1_0 = "HTTP/1.0"
    """
    HTTP/1.0.
    """
    HTTP_1_1 = "HTTP/1.1"
    """
    HTTP/1.1.
    """
    HTTP_2_0 = "HTTP/2.0"
    """
    HTTP/2.
    """
    HTTP_3_0 = "HTTP/3.0"
    """
    HTTP/3.
    """


class PluginErrorDocument(WireModel):
    payload: LLMErrorPayload
    """
    The error.
    """


class ProviderErrorKind(StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> ProviderErrorKind | None:
        """serde's `other`: any other string reads as `unknown_permanent`."""
        return cls("unknown_permanent") if isinstance(value, str) else None

    server_overloaded = "server_overloaded"
    """
    The provider is overloaded (retryable).
    """
    rate_limited = "rate_limited"
    """
    Rate-limited (retryable).
    """
    quota_exceeded = "quota_exceeded"
    """
    The quota is used up.
    """
    context_window_exceeded = "context_window_exceeded"
    """
    The prompt is too long for the model.
    """
    authentication = "authentication"
    """
    The credentials were refused.
    """
    invalid_request = "invalid_request"
    """
    The request was refused as invalid.
    """
    unsupported_operation = "unsupported_operation"
    """
    The operation is not supported.
    """
    unknown_transient = "unknown_transient"
    """
    An unclassified temporary failure (retryable).
    """
    unknown_permanent = "unknown_permanent"
    """
    An unclassified permanent failure; also any unknown value.
    """


class SerializableHttpRequest(WireModel):
    req: HttpRequestMessage
    """
    The request.
    """


class SerializableHttpResponse(WireModel):
    resp: HttpResponseMessage
    """
    The response.
    """


class Tool(WireModel):
    tool_type: Annotated[StrictStr, Field(alias="type")]
    """
    The tool kind; `function` today.
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
    The call kind; `function` today.
    """
    function: FunctionCall
    """
    The function called and its arguments.
    """


class TransportErrorKind(StrEnum):
    connection_refused = "connection_refused"
    """
    Connection refused.
    """
    connection_reset = "connection_reset"
    """
    Connection reset.
    """
    timeout = "timeout"
    """
    Timed out.
    """
    connection_closed = "connection_closed"
    """
    Closed early.
    """
    dns = "dns"
    """
    Name resolution failed.
    """
    tls = "tls"
    """
    TLS failed.
    """
    other = "other"
    """
    Anything else.
    """


class Usage(WireModel):
    input_tokens: Annotated[
        U32,
        Field(
            validation_alias=AliasChoices(
                "input_tokens", "prompt_tokens", "prompt_eval_count", "promptTokenCount"
            )
        ),
    ] = 0
    """
    Tokens in the prompt.
    """
    output_tokens: Annotated[
        U32,
        Field(
            validation_alias=AliasChoices(
                "output_tokens", "completion_tokens", "eval_count", "candidatesTokenCount"
            )
        ),
    ] = 0
    """
    Tokens in the answer.
    """
    reasoning_tokens: U32 = 0
    """
    Reasoning tokens in the answer.
    """
    cache_read: Annotated[
        U32, Field(validation_alias=AliasChoices("cache_read", "cache_read_input_tokens"))
    ] = 0
    """
    Prompt tokens served from a cache.
    """
    cache_write: Annotated[
        U32, Field(validation_alias=AliasChoices("cache_write", "cache_creation_input_tokens"))
    ] = 0
    """
    Prompt tokens written to a cache.
    """


# ----------------------------------------------------------------- HttpHeaderValue (untagged)


HttpHeaderValue = Annotated[
    Annotated[StrictStr, Field(description="A single value.")]
    | Annotated[
        Annotated[list[StrictStr], Field(min_length=1)],
        Field(description="Two or more values, in order."),
    ],
    Field(union_mode="left_to_right"),
]
"""One header's value: a string when the header occurs once, a list when it repeats. Values
must be visible ASCII. An empty list is refused ("no value for header").

In Python: a union tried in declaration order, as serde does.
"""


# ----------------------------------------------------------------- Content (internally tagged)


class ContentText(WireModel):
    """Plain text.

    On the wire: `{"type": "text", <fields>}`.
    """

    wire_tag: ClassVar[str] = "text"
    type: Annotated[Literal["text"], Field(alias="type")] = "text"

    text: Annotated[StrictStr, Field(alias="text")]
    """The text."""


class ContentImage(WireModel):
    """An inline image.

    On the wire: `{"type": "image", <fields>}`.
    """

    wire_tag: ClassVar[str] = "image"
    type: Annotated[Literal["image"], Field(alias="type")] = "image"

    mime_type: Annotated[StrictStr, Field(alias="mime_type")]
    """The image's MIME type, e.g. `image/png`."""
    data: Annotated[Bytes, Field(alias="data")]
    """The image bytes."""


class ContentImageUrl(WireModel):
    """An image the provider fetches from a URL.

    On the wire: `{"type": "image_url", <fields>}`.
    """

    wire_tag: ClassVar[str] = "image_url"
    type: Annotated[Literal["image_url"], Field(alias="type")] = "image_url"

    url: Annotated[StrictStr, Field(alias="url")]
    """The image URL."""


class ContentPdf(WireModel):
    """An inline PDF document.

    On the wire: `{"type": "pdf", <fields>}`.
    """

    wire_tag: ClassVar[str] = "pdf"
    type: Annotated[Literal["pdf"], Field(alias="type")] = "pdf"

    data: Annotated[Bytes, Field(alias="data")]
    """The PDF bytes."""


class ContentAudio(WireModel):
    """Inline audio.

    On the wire: `{"type": "audio", <fields>}`.
    """

    wire_tag: ClassVar[str] = "audio"
    type: Annotated[Literal["audio"], Field(alias="type")] = "audio"

    mime_type: Annotated[StrictStr, Field(alias="mime_type")]
    """The audio's MIME type."""
    data: Annotated[Bytes, Field(alias="data")]
    """The audio bytes."""


class ContentThinking(WireModel):
    """The model's reasoning.

    On the wire: `{"type": "thinking", <fields>}`.
    """

    wire_tag: ClassVar[str] = "thinking"
    type: Annotated[Literal["thinking"], Field(alias="type")] = "thinking"

    text: Annotated[StrictStr, Field(alias="text")]
    """The reasoning text."""
    signature: Annotated[StrictStr | None, Field(alias="signature")] = None
    """The provider's signature of the block, for replay; omitted when none."""


class ContentToolUse(WireModel):
    """A tool call the model made.

    On the wire: `{"type": "tool_use", <fields>}`.
    """

    wire_tag: ClassVar[str] = "tool_use"
    type: Annotated[Literal["tool_use"], Field(alias="type")] = "tool_use"

    id: Annotated[StrictStr, Field(alias="id")]
    """The provider's id of the call."""
    name: Annotated[StrictStr, Field(alias="name")]
    """The tool called."""
    arguments: Annotated[JsonValue, Field(alias="arguments")]
    """The arguments as a JSON value (not a string)."""


class ContentToolResult(WireModel):
    """The result of a tool call.

    On the wire: `{"type": "tool_result", <fields>}`.
    """

    wire_tag: ClassVar[str] = "tool_result"
    type: Annotated[Literal["tool_result"], Field(alias="type")] = "tool_result"

    id: Annotated[StrictStr, Field(alias="id")]
    """The id of the call this answers."""
    name: Annotated[StrictStr | None, Field(alias="name")] = None
    """The tool called; omitted when unknown."""
    is_error: Annotated[StrictBool, Field(alias="is_error")]
    """Whether the tool failed; required."""
    content: Annotated[list[Content], Field(alias="content")]
    """The result as content blocks."""


class ContentResourceLink(WireModel):
    """A link to a resource identified by URI.

    On the wire: `{"type": "resource_link", <fields>}`.
    """

    wire_tag: ClassVar[str] = "resource_link"
    type: Annotated[Literal["resource_link"], Field(alias="type")] = "resource_link"

    uri: Annotated[StrictStr, Field(alias="uri")]
    """The resource URI."""
    name: Annotated[StrictStr | None, Field(alias="name")] = None
    """A display name."""
    description: Annotated[StrictStr | None, Field(alias="description")] = None
    """What the resource is."""
    mime_type: Annotated[StrictStr | None, Field(alias="mime_type")] = None
    """The resource's MIME type."""


def _content_tag(value: Any) -> str | None:
    """The variant name of a `Content` value, on the wire or in Python."""
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


Content = Annotated[
    Annotated[ContentText, Tag("text")]
    | Annotated[ContentImage, Tag("image")]
    | Annotated[ContentImageUrl, Tag("image_url")]
    | Annotated[ContentPdf, Tag("pdf")]
    | Annotated[ContentAudio, Tag("audio")]
    | Annotated[ContentThinking, Tag("thinking")]
    | Annotated[ContentToolUse, Tag("tool_use")]
    | Annotated[ContentToolResult, Tag("tool_result")]
    | Annotated[ContentResourceLink, Tag("resource_link")],
    Discriminator(_content_tag),
]
"""One content block of a message, tagged by `type` in snake_case.

In Python: the variants are `ContentText`, `ContentImage`, `ContentImageUrl`,
`ContentPdf`, `ContentAudio`, `ContentThinking`, `ContentToolUse`, `ContentToolResult`,
`ContentResourceLink`.
"""


# ----------------------------------------------------------------- CacheHint (externally tagged)


class CacheHintEphemeralFields(WireModel):
    """The fields of `CacheHint.Ephemeral`."""

    ttl_seconds: Annotated[U64 | None, Field(alias="ttl_seconds")] = None
    """The cache lifetime in seconds; omitted for the default."""


class CacheHintEphemeral(WireModel):
    """Cache the prefix up to this message; the provider's default lifetime unless
    `ttl_seconds` is set.

    On the wire: `{"ephemeral": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "ephemeral"
    value: Annotated[CacheHintEphemeralFields, Field(alias="ephemeral")]


def _cache_hint_tag(value: Any) -> str | None:
    """The variant name of a `CacheHint` value, on the wire or in Python."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


CacheHint = Annotated[
    Annotated[CacheHintEphemeral, Tag("ephemeral")],
    Discriminator(_cache_hint_tag),
]
"""A prompt-caching breakpoint, externally tagged in snake_case.

In Python: the variants are `CacheHintEphemeral`.
"""


# ----------------------------------------------------------------- StreamChunk (externally tagged)


class StreamChunkToolUseStartFields(WireModel):
    """The fields of `StreamChunk.ToolUseStart`."""

    index: Annotated[U64, Field(alias="index")]
    """The content-block index of the call."""
    id: Annotated[StrictStr, Field(alias="id")]
    """The call's id."""
    name: Annotated[StrictStr, Field(alias="name")]
    """The tool called."""


class StreamChunkToolUseInputDeltaFields(WireModel):
    """The fields of `StreamChunk.ToolUseInputDelta`."""

    index: Annotated[U64, Field(alias="index")]
    """The content-block index of the call."""
    partial_json: Annotated[StrictStr, Field(alias="partial_json")]
    """The next piece of the arguments text."""


class StreamChunkToolUseCompleteFields(WireModel):
    """The fields of `StreamChunk.ToolUseComplete`."""

    index: Annotated[U64, Field(alias="index")]
    """The content-block index of the call."""
    tool_call: Annotated[ToolCall, Field(alias="tool_call")]
    """The assembled call."""


class StreamChunkDoneFields(WireModel):
    """The fields of `StreamChunk.Done`."""

    finish_reason: Annotated[FinishReason, Field(alias="finish_reason")]
    """Why the model stopped."""


class StreamChunkText(WireModel):
    """A text delta.

    On the wire: `{"text": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "text"
    value: Annotated[StrictStr, Field(alias="text")]


class StreamChunkThinking(WireModel):
    """A reasoning delta.

    On the wire: `{"thinking": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "thinking"
    value: Annotated[StrictStr, Field(alias="thinking")]


class StreamChunkThinkingSignature(WireModel):
    """The signature of the current reasoning block.

    On the wire: `{"thinking_signature": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "thinking_signature"
    value: Annotated[StrictStr, Field(alias="thinking_signature")]


class StreamChunkToolUseStart(WireModel):
    """A tool call begins.

    On the wire: `{"tool_use_start": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "tool_use_start"
    value: Annotated[StreamChunkToolUseStartFields, Field(alias="tool_use_start")]


class StreamChunkToolUseInputDelta(WireModel):
    """A piece of a tool call's JSON arguments.

    On the wire: `{"tool_use_input_delta": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "tool_use_input_delta"
    value: Annotated[StreamChunkToolUseInputDeltaFields, Field(alias="tool_use_input_delta")]


class StreamChunkToolUseComplete(WireModel):
    """A tool call is complete.

    On the wire: `{"tool_use_complete": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "tool_use_complete"
    value: Annotated[StreamChunkToolUseCompleteFields, Field(alias="tool_use_complete")]


class StreamChunkUsage(WireModel):
    """Token counts so far.

    On the wire: `{"usage": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "usage"
    value: Annotated[Usage, Field(alias="usage")]


class StreamChunkDone(WireModel):
    """The provider signalled the end of the answer; the host does not stop here.

    On the wire: `{"done": <value>}`.
    """

    model_config = ConfigDict(extra="forbid")
    wire_tag: ClassVar[str] = "done"
    value: Annotated[StreamChunkDoneFields, Field(alias="done")]


def _stream_chunk_tag(value: Any) -> str | None:
    """The variant name of a `StreamChunk` value, on the wire or in Python."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return next(iter(value)) if len(value) == 1 else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


StreamChunk = Annotated[
    Annotated[StreamChunkText, Tag("text")]
    | Annotated[StreamChunkThinking, Tag("thinking")]
    | Annotated[StreamChunkThinkingSignature, Tag("thinking_signature")]
    | Annotated[StreamChunkToolUseStart, Tag("tool_use_start")]
    | Annotated[StreamChunkToolUseInputDelta, Tag("tool_use_input_delta")]
    | Annotated[StreamChunkToolUseComplete, Tag("tool_use_complete")]
    | Annotated[StreamChunkUsage, Tag("usage")]
    | Annotated[StreamChunkDone, Tag("done")],
    Discriminator(_stream_chunk_tag),
]
"""One event of a streamed answer, externally tagged in snake_case.

In Python: the variants are `StreamChunkText`, `StreamChunkThinking`,
`StreamChunkThinkingSignature`, `StreamChunkToolUseStart`,
`StreamChunkToolUseInputDelta`, `StreamChunkToolUseComplete`, `StreamChunkUsage`,
`StreamChunkDone`.
"""


# ------------------------------------------------------------ ExtismVoiceConfig (internally tagged)


class ExtismVoiceConfigPreset(WireModel):
    """A voice the provider names.

    On the wire: `{"type": "preset", <fields>}`.
    """

    wire_tag: ClassVar[str] = "preset"
    type: Annotated[Literal["preset"], Field(alias="type")] = "preset"

    name: Annotated[StrictStr, Field(alias="name")]
    """The voice name."""


class ExtismVoiceConfigClone(WireModel):
    """A voice cloned from a sample.

    On the wire: `{"type": "clone", <fields>}`.
    """

    wire_tag: ClassVar[str] = "clone"
    type: Annotated[Literal["clone"], Field(alias="type")] = "clone"

    reference_audio_base64: Annotated[StrictStr, Field(alias="reference_audio_base64")]
    """The sample, standard base64."""
    reference_text: Annotated[StrictStr, Field(alias="reference_text")]
    """The sample's transcript."""


class ExtismVoiceConfigDesign(WireModel):
    """A voice described in words.

    On the wire: `{"type": "design", <fields>}`.
    """

    wire_tag: ClassVar[str] = "design"
    type: Annotated[Literal["design"], Field(alias="type")] = "design"

    description: Annotated[StrictStr, Field(alias="description")]
    """The voice description."""


def _extism_voice_config_tag(value: Any) -> str | None:
    """The variant name of a `ExtismVoiceConfig` value, on the wire or in Python."""
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


ExtismVoiceConfig = Annotated[
    Annotated[ExtismVoiceConfigPreset, Tag("preset")]
    | Annotated[ExtismVoiceConfigClone, Tag("clone")]
    | Annotated[ExtismVoiceConfigDesign, Tag("design")],
    Discriminator(_extism_voice_config_tag),
]
"""The voice of a speech request, tagged by `type` in snake_case.

In Python: the variants are `ExtismVoiceConfigPreset`, `ExtismVoiceConfigClone`,
`ExtismVoiceConfigDesign`.
"""


# -------------------------------------------------------------- LLMErrorPayload (internally tagged)


class LLMErrorPayloadGenericError(WireModel):
    """Any other error.

    On the wire: `{"type": "generic_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "generic_error"
    type: Annotated[Literal["generic_error"], Field(alias="type")] = "generic_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadProviderError(WireModel):
    """The provider refused or failed; with `kind` it is a classified provider
    response.

    On the wire: `{"type": "provider_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "provider_error"
    type: Annotated[Literal["provider_error"], Field(alias="type")] = "provider_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""
    kind: Annotated[ProviderErrorKind | None, Field(alias="kind")] = None
    """The classification; omitted for an unclassified error."""
    code: Annotated[StrictStr | None, Field(alias="code")] = None
    """The provider's error code."""
    error_type: Annotated[StrictStr | None, Field(alias="error_type")] = None
    """The provider's error type."""
    request_id: Annotated[StrictStr | None, Field(alias="request_id")] = None
    """The provider's request id."""
    retry_after_secs: Annotated[U64 | None, Field(alias="retry_after_secs")] = None
    """Seconds to wait before retrying."""


class LLMErrorPayloadAuthError(WireModel):
    """Authentication failed.

    On the wire: `{"type": "auth_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "auth_error"
    type: Annotated[Literal["auth_error"], Field(alias="type")] = "auth_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadToolConfigError(WireModel):
    """The tools are misconfigured.

    On the wire: `{"type": "tool_config_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "tool_config_error"
    type: Annotated[Literal["tool_config_error"], Field(alias="type")] = "tool_config_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadPluginError(WireModel):
    """The plugin failed.

    On the wire: `{"type": "plugin_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "plugin_error"
    type: Annotated[Literal["plugin_error"], Field(alias="type")] = "plugin_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadInvalidRequest(WireModel):
    """The request is invalid.

    On the wire: `{"type": "invalid_request", <fields>}`.
    """

    wire_tag: ClassVar[str] = "invalid_request"
    type: Annotated[Literal["invalid_request"], Field(alias="type")] = "invalid_request"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadResponseFormatError(WireModel):
    """The provider's response could not be understood.

    On the wire: `{"type": "response_format_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "response_format_error"
    type: Annotated[Literal["response_format_error"], Field(alias="type")] = "response_format_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""
    raw_response: Annotated[StrictStr, Field(alias="raw_response")]
    """The response text."""


class LLMErrorPayloadRateLimited(WireModel):
    """The provider rate-limited the call.

    On the wire: `{"type": "rate_limited", <fields>}`.
    """

    wire_tag: ClassVar[str] = "rate_limited"
    type: Annotated[Literal["rate_limited"], Field(alias="type")] = "rate_limited"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""
    retry_after_secs: Annotated[U64 | None, Field(alias="retry_after_secs")] = None
    """Seconds to wait, `null` when unknown."""


class LLMErrorPayloadHttpStatus(WireModel):
    """A non-2xx status without a finer classification.

    On the wire: `{"type": "http_status", <fields>}`.
    """

    wire_tag: ClassVar[str] = "http_status"
    type: Annotated[Literal["http_status"], Field(alias="type")] = "http_status"

    status_code: Annotated[U16, Field(alias="status_code")]
    """The HTTP status."""
    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""
    retry_after_secs: Annotated[U64 | None, Field(alias="retry_after_secs")] = None
    """Seconds to wait, `null` when unknown."""


class LLMErrorPayloadHttpError(WireModel):
    """An HTTP-level failure.

    On the wire: `{"type": "http_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "http_error"
    type: Annotated[Literal["http_error"], Field(alias="type")] = "http_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadTransport(WireModel):
    """The connection failed.

    On the wire: `{"type": "transport", <fields>}`.
    """

    wire_tag: ClassVar[str] = "transport"
    type: Annotated[Literal["transport"], Field(alias="type")] = "transport"

    kind: Annotated[TransportErrorKind, Field(alias="kind")]
    """How it failed."""
    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadRemoteStreamDisconnected(WireModel):
    """A remote stream dropped.

    On the wire: `{"type": "remote_stream_disconnected", <fields>}`.
    """

    wire_tag: ClassVar[str] = "remote_stream_disconnected"
    type: Annotated[Literal["remote_stream_disconnected"], Field(alias="type")] = (
        "remote_stream_disconnected"
    )

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadRemoteStreamReconnected(WireModel):
    """A remote stream reconnected.

    On the wire: `{"type": "remote_stream_reconnected", <fields>}`.
    """

    wire_tag: ClassVar[str] = "remote_stream_reconnected"
    type: Annotated[Literal["remote_stream_reconnected"], Field(alias="type")] = (
        "remote_stream_reconnected"
    )

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadNotImplemented(WireModel):
    """The plugin does not implement this operation.

    On the wire: `{"type": "not_implemented", <fields>}`.
    """

    wire_tag: ClassVar[str] = "not_implemented"
    type: Annotated[Literal["not_implemented"], Field(alias="type")] = "not_implemented"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadJsonError(WireModel):
    """JSON could not be read or written.

    On the wire: `{"type": "json_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "json_error"
    type: Annotated[Literal["json_error"], Field(alias="type")] = "json_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadInvalidUrl(WireModel):
    """A URL is invalid.

    On the wire: `{"type": "invalid_url", <fields>}`.
    """

    wire_tag: ClassVar[str] = "invalid_url"
    type: Annotated[Literal["invalid_url"], Field(alias="type")] = "invalid_url"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadIoError(WireModel):
    """An I/O error; the host maps it to a transport error of kind `other`.

    On the wire: `{"type": "io_error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "io_error"
    type: Annotated[Literal["io_error"], Field(alias="type")] = "io_error"

    message: Annotated[StrictStr, Field(alias="message")]
    """The message."""


class LLMErrorPayloadCancelled(WireModel):
    """The call was cancelled; the tag alone.

    On the wire: `{"type": "cancelled"}`.
    """

    wire_tag: ClassVar[str] = "cancelled"
    type: Annotated[Literal["cancelled"], Field(alias="type")] = "cancelled"


def _llm_error_payload_tag(value: Any) -> str | None:
    """The variant name of a `LLMErrorPayload` value, on the wire or in Python."""
    if isinstance(value, dict):
        tag = value.get("type")
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


LLMErrorPayload = Annotated[
    Annotated[LLMErrorPayloadGenericError, Tag("generic_error")]
    | Annotated[LLMErrorPayloadProviderError, Tag("provider_error")]
    | Annotated[LLMErrorPayloadAuthError, Tag("auth_error")]
    | Annotated[LLMErrorPayloadToolConfigError, Tag("tool_config_error")]
    | Annotated[LLMErrorPayloadPluginError, Tag("plugin_error")]
    | Annotated[LLMErrorPayloadInvalidRequest, Tag("invalid_request")]
    | Annotated[LLMErrorPayloadResponseFormatError, Tag("response_format_error")]
    | Annotated[LLMErrorPayloadRateLimited, Tag("rate_limited")]
    | Annotated[LLMErrorPayloadHttpStatus, Tag("http_status")]
    | Annotated[LLMErrorPayloadHttpError, Tag("http_error")]
    | Annotated[LLMErrorPayloadTransport, Tag("transport")]
    | Annotated[LLMErrorPayloadCancelled, Tag("cancelled")]
    | Annotated[LLMErrorPayloadRemoteStreamDisconnected, Tag("remote_stream_disconnected")]
    | Annotated[LLMErrorPayloadRemoteStreamReconnected, Tag("remote_stream_reconnected")]
    | Annotated[LLMErrorPayloadNotImplemented, Tag("not_implemented")]
    | Annotated[LLMErrorPayloadJsonError, Tag("json_error")]
    | Annotated[LLMErrorPayloadInvalidUrl, Tag("invalid_url")]
    | Annotated[LLMErrorPayloadIoError, Tag("io_error")],
    Discriminator(_llm_error_payload_tag),
]
"""QueryMT's error, tagged by `type` in snake_case.

In Python: the variants are `LLMErrorPayloadGenericError`,
`LLMErrorPayloadProviderError`, `LLMErrorPayloadAuthError`,
`LLMErrorPayloadToolConfigError`, `LLMErrorPayloadPluginError`,
`LLMErrorPayloadInvalidRequest`, `LLMErrorPayloadResponseFormatError`,
`LLMErrorPayloadRateLimited`, `LLMErrorPayloadHttpStatus`, `LLMErrorPayloadHttpError`,
`LLMErrorPayloadTransport`, `LLMErrorPayloadCancelled`,
`LLMErrorPayloadRemoteStreamDisconnected`, `LLMErrorPayloadRemoteStreamReconnected`,
`LLMErrorPayloadNotImplemented`, `LLMErrorPayloadJsonError`,
`LLMErrorPayloadInvalidUrl`, `LLMErrorPayloadIoError`.
"""


# ------------------------------------------------------------- StreamOpenResult (internally tagged)


class StreamOpenResultOk(WireModel):
    """The stream is open.

    On the wire: `{"status": "ok", <fields>}`.
    """

    wire_tag: ClassVar[str] = "ok"
    status: Annotated[Literal["ok"], Field(alias="status")] = "ok"

    stream_id: Annotated[I64, Field(alias="stream_id")]
    """The stream's id, from 1."""


class StreamOpenResultError(WireModel):
    """The request failed or answered non-2xx.

    On the wire: `{"status": "error", <fields>}`.
    """

    wire_tag: ClassVar[str] = "error"
    status: Annotated[Literal["error"], Field(alias="status")] = "error"

    plugin_error: Annotated[StrictStr, Field(alias="plugin_error")]
    """A `PluginError` as JSON text."""
    error_code: Annotated[I32, Field(alias="error_code")]
    """The return code that goes with it (1)."""


class StreamOpenResultCancelled(WireModel):
    """The call was cancelled.

    On the wire: `{"status": "cancelled"}`.
    """

    wire_tag: ClassVar[str] = "cancelled"
    status: Annotated[Literal["cancelled"], Field(alias="status")] = "cancelled"


def _stream_open_result_tag(value: Any) -> str | None:
    """The variant name of a `StreamOpenResult` value, on the wire or in Python."""
    if isinstance(value, dict):
        tag = value.get("status")
        return tag if isinstance(tag, str) else None
    tag = getattr(value, "wire_tag", None)
    return tag if isinstance(tag, str) else None


StreamOpenResult = Annotated[
    Annotated[StreamOpenResultOk, Tag("ok")]
    | Annotated[StreamOpenResultCancelled, Tag("cancelled")]
    | Annotated[StreamOpenResultError, Tag("error")],
    Discriminator(_stream_open_result_tag),
]
"""Output of the `qmt_http_stream_open` host function.

In Python: the variants are `StreamOpenResultOk`, `StreamOpenResultCancelled`,
`StreamOpenResultError`.
"""

# Forward references first (a rebuild that resolves them collects the fields anew), then the
# skipped fields, then every model again, inside out, so each holds the final schemas.
ContentText.model_rebuild()
ContentImage.model_rebuild()
ContentImageUrl.model_rebuild()
ContentPdf.model_rebuild()
ContentAudio.model_rebuild()
ContentThinking.model_rebuild()
ContentToolUse.model_rebuild()
ContentToolResult.model_rebuild()
ContentResourceLink.model_rebuild()
CacheHintEphemeralFields.model_rebuild()
CacheHintEphemeral.model_rebuild()
ChatMessage.model_rebuild()
FunctionTool.model_rebuild()
Tool.model_rebuild()
ExtismChatRequest.model_rebuild()
HttpResponseHead.model_rebuild()
HttpResponseMessage.model_rebuild()
SerializableHttpResponse.model_rebuild()
ExtismChatParseRequest.model_rebuild()
ExtismChatChunkParseRequest.model_rebuild()
ExtismEmbedRequest.model_rebuild()
ExtismEmbedParseRequest.model_rebuild()
CompletionRequest.model_rebuild()
ExtismCompleteRequest.model_rebuild()
ExtismCompleteParseRequest.model_rebuild()
ExtismListModelsRequest.model_rebuild()
ExtismListModelsParseRequest.model_rebuild()
HttpRequestHead.model_rebuild()
HttpRequestMessage.model_rebuild()
SerializableHttpRequest.model_rebuild()
FunctionCall.model_rebuild()
ToolCall.model_rebuild()
Usage.model_rebuild()
StreamChunkText.model_rebuild()
StreamChunkThinking.model_rebuild()
StreamChunkThinkingSignature.model_rebuild()
StreamChunkToolUseStartFields.model_rebuild()
StreamChunkToolUseStart.model_rebuild()
StreamChunkToolUseInputDeltaFields.model_rebuild()
StreamChunkToolUseInputDelta.model_rebuild()
StreamChunkToolUseCompleteFields.model_rebuild()
StreamChunkToolUseComplete.model_rebuild()
StreamChunkUsage.model_rebuild()
StreamChunkDoneFields.model_rebuild()
StreamChunkDone.model_rebuild()
ExtismChatChunk.model_rebuild()
ExtismChatResponse.model_rebuild()
CompletionResponse.model_rebuild()
ExtismSttRequest.model_rebuild()
ExtismSttResponse.model_rebuild()
ExtismVoiceConfigPreset.model_rebuild()
ExtismVoiceConfigClone.model_rebuild()
ExtismVoiceConfigDesign.model_rebuild()
ExtismTtsRequest.model_rebuild()
ExtismTtsResponse.model_rebuild()
LLMErrorPayloadGenericError.model_rebuild()
LLMErrorPayloadProviderError.model_rebuild()
LLMErrorPayloadAuthError.model_rebuild()
LLMErrorPayloadToolConfigError.model_rebuild()
LLMErrorPayloadPluginError.model_rebuild()
LLMErrorPayloadInvalidRequest.model_rebuild()
LLMErrorPayloadResponseFormatError.model_rebuild()
LLMErrorPayloadRateLimited.model_rebuild()
LLMErrorPayloadHttpStatus.model_rebuild()
LLMErrorPayloadHttpError.model_rebuild()
LLMErrorPayloadTransport.model_rebuild()
LLMErrorPayloadCancelled.model_rebuild()
LLMErrorPayloadRemoteStreamDisconnected.model_rebuild()
LLMErrorPayloadRemoteStreamReconnected.model_rebuild()
LLMErrorPayloadNotImplemented.model_rebuild()
LLMErrorPayloadJsonError.model_rebuild()
LLMErrorPayloadInvalidUrl.model_rebuild()
LLMErrorPayloadIoError.model_rebuild()
PluginErrorDocument.model_rebuild()
ExtismLogRecord.model_rebuild()
StreamOpenResultOk.model_rebuild()
StreamOpenResultCancelled.model_rebuild()
StreamOpenResultError.model_rebuild()
ChatMessage.model_fields["cache"].exclude_if = is_null
ExtismSttRequest.model_fields["filename"].exclude_if = is_null
ExtismSttRequest.model_fields["mime_type"].exclude_if = is_null
ExtismSttRequest.model_fields["model"].exclude_if = is_null
ExtismSttRequest.model_fields["language"].exclude_if = is_null
ExtismTtsRequest.model_fields["model"].exclude_if = is_null
ExtismTtsRequest.model_fields["voice_config"].exclude_if = is_null
ExtismTtsRequest.model_fields["format"].exclude_if = is_null
ExtismTtsRequest.model_fields["speed"].exclude_if = is_null
ExtismTtsRequest.model_fields["language"].exclude_if = is_null
ExtismTtsResponse.model_fields["mime_type"].exclude_if = is_null
ContentThinking.model_fields["signature"].exclude_if = is_null
ContentToolResult.model_fields["name"].exclude_if = is_null
ContentResourceLink.model_fields["name"].exclude_if = is_null
ContentResourceLink.model_fields["description"].exclude_if = is_null
ContentResourceLink.model_fields["mime_type"].exclude_if = is_null
CacheHintEphemeralFields.model_fields["ttl_seconds"].exclude_if = is_null
LLMErrorPayloadProviderError.model_fields["kind"].exclude_if = is_null
LLMErrorPayloadProviderError.model_fields["code"].exclude_if = is_null
LLMErrorPayloadProviderError.model_fields["error_type"].exclude_if = is_null
LLMErrorPayloadProviderError.model_fields["request_id"].exclude_if = is_null
LLMErrorPayloadProviderError.model_fields["retry_after_secs"].exclude_if = is_null
ContentText.model_rebuild(force=True)
ContentImage.model_rebuild(force=True)
ContentImageUrl.model_rebuild(force=True)
ContentPdf.model_rebuild(force=True)
ContentAudio.model_rebuild(force=True)
ContentThinking.model_rebuild(force=True)
ContentToolUse.model_rebuild(force=True)
ContentToolResult.model_rebuild(force=True)
ContentResourceLink.model_rebuild(force=True)
CacheHintEphemeralFields.model_rebuild(force=True)
CacheHintEphemeral.model_rebuild(force=True)
ChatMessage.model_rebuild(force=True)
FunctionTool.model_rebuild(force=True)
Tool.model_rebuild(force=True)
ExtismChatRequest.model_rebuild(force=True)
HttpResponseHead.model_rebuild(force=True)
HttpResponseMessage.model_rebuild(force=True)
SerializableHttpResponse.model_rebuild(force=True)
ExtismChatParseRequest.model_rebuild(force=True)
ExtismChatChunkParseRequest.model_rebuild(force=True)
ExtismEmbedRequest.model_rebuild(force=True)
ExtismEmbedParseRequest.model_rebuild(force=True)
CompletionRequest.model_rebuild(force=True)
ExtismCompleteRequest.model_rebuild(force=True)
ExtismCompleteParseRequest.model_rebuild(force=True)
ExtismListModelsRequest.model_rebuild(force=True)
ExtismListModelsParseRequest.model_rebuild(force=True)
HttpRequestHead.model_rebuild(force=True)
HttpRequestMessage.model_rebuild(force=True)
SerializableHttpRequest.model_rebuild(force=True)
FunctionCall.model_rebuild(force=True)
ToolCall.model_rebuild(force=True)
Usage.model_rebuild(force=True)
StreamChunkText.model_rebuild(force=True)
StreamChunkThinking.model_rebuild(force=True)
StreamChunkThinkingSignature.model_rebuild(force=True)
StreamChunkToolUseStartFields.model_rebuild(force=True)
StreamChunkToolUseStart.model_rebuild(force=True)
StreamChunkToolUseInputDeltaFields.model_rebuild(force=True)
StreamChunkToolUseInputDelta.model_rebuild(force=True)
StreamChunkToolUseCompleteFields.model_rebuild(force=True)
StreamChunkToolUseComplete.model_rebuild(force=True)
StreamChunkUsage.model_rebuild(force=True)
StreamChunkDoneFields.model_rebuild(force=True)
StreamChunkDone.model_rebuild(force=True)
ExtismChatChunk.model_rebuild(force=True)
ExtismChatResponse.model_rebuild(force=True)
CompletionResponse.model_rebuild(force=True)
ExtismSttRequest.model_rebuild(force=True)
ExtismSttResponse.model_rebuild(force=True)
ExtismVoiceConfigPreset.model_rebuild(force=True)
ExtismVoiceConfigClone.model_rebuild(force=True)
ExtismVoiceConfigDesign.model_rebuild(force=True)
ExtismTtsRequest.model_rebuild(force=True)
ExtismTtsResponse.model_rebuild(force=True)
LLMErrorPayloadGenericError.model_rebuild(force=True)
LLMErrorPayloadProviderError.model_rebuild(force=True)
LLMErrorPayloadAuthError.model_rebuild(force=True)
LLMErrorPayloadToolConfigError.model_rebuild(force=True)
LLMErrorPayloadPluginError.model_rebuild(force=True)
LLMErrorPayloadInvalidRequest.model_rebuild(force=True)
LLMErrorPayloadResponseFormatError.model_rebuild(force=True)
LLMErrorPayloadRateLimited.model_rebuild(force=True)
LLMErrorPayloadHttpStatus.model_rebuild(force=True)
LLMErrorPayloadHttpError.model_rebuild(force=True)
LLMErrorPayloadTransport.model_rebuild(force=True)
LLMErrorPayloadCancelled.model_rebuild(force=True)
LLMErrorPayloadRemoteStreamDisconnected.model_rebuild(force=True)
LLMErrorPayloadRemoteStreamReconnected.model_rebuild(force=True)
LLMErrorPayloadNotImplemented.model_rebuild(force=True)
LLMErrorPayloadJsonError.model_rebuild(force=True)
LLMErrorPayloadInvalidUrl.model_rebuild(force=True)
LLMErrorPayloadIoError.model_rebuild(force=True)
PluginErrorDocument.model_rebuild(force=True)
ExtismLogRecord.model_rebuild(force=True)
StreamOpenResultOk.model_rebuild(force=True)
StreamOpenResultCancelled.model_rebuild(force=True)
StreamOpenResultError.model_rebuild(force=True)

__all__ = [
    "CacheHint",
    "CacheHintEphemeral",
    "ChatMessage",
    "ChatRole",
    "CompletionRequest",
    "CompletionResponse",
    "Content",
    "ContentAudio",
    "ContentImage",
    "ContentImageUrl",
    "ContentPdf",
    "ContentResourceLink",
    "ContentText",
    "ContentThinking",
    "ContentToolResult",
    "ContentToolUse",
    "ExtismChatChunk",
    "ExtismChatChunkParseRequest",
    "ExtismChatParseRequest",
    "ExtismChatRequest",
    "ExtismChatResponse",
    "ExtismCompleteParseRequest",
    "ExtismCompleteRequest",
    "ExtismEmbedParseRequest",
    "ExtismEmbedRequest",
    "ExtismListModelsParseRequest",
    "ExtismListModelsRequest",
    "ExtismLogRecord",
    "ExtismSttRequest",
    "ExtismSttResponse",
    "ExtismTtsRequest",
    "ExtismTtsResponse",
    "ExtismVoiceConfig",
    "ExtismVoiceConfigClone",
    "ExtismVoiceConfigDesign",
    "ExtismVoiceConfigPreset",
    "FinishReason",
    "FunctionCall",
    "FunctionTool",
    "HttpHeaderValue",
    "HttpRequestHead",
    "HttpRequestMessage",
    "HttpResponseHead",
    "HttpResponseMessage",
    "HttpVersion",
    "LLMErrorPayload",
    "LLMErrorPayloadAuthError",
    "LLMErrorPayloadCancelled",
    "LLMErrorPayloadGenericError",
    "LLMErrorPayloadHttpError",
    "LLMErrorPayloadHttpStatus",
    "LLMErrorPayloadInvalidRequest",
    "LLMErrorPayloadInvalidUrl",
    "LLMErrorPayloadIoError",
    "LLMErrorPayloadJsonError",
    "LLMErrorPayloadNotImplemented",
    "LLMErrorPayloadPluginError",
    "LLMErrorPayloadProviderError",
    "LLMErrorPayloadRateLimited",
    "LLMErrorPayloadRemoteStreamDisconnected",
    "LLMErrorPayloadRemoteStreamReconnected",
    "LLMErrorPayloadResponseFormatError",
    "LLMErrorPayloadToolConfigError",
    "LLMErrorPayloadTransport",
    "PluginErrorDocument",
    "ProviderErrorKind",
    "SerializableHttpRequest",
    "SerializableHttpResponse",
    "StreamChunk",
    "StreamChunkDone",
    "StreamChunkText",
    "StreamChunkThinking",
    "StreamChunkThinkingSignature",
    "StreamChunkToolUseComplete",
    "StreamChunkToolUseInputDelta",
    "StreamChunkToolUseStart",
    "StreamChunkUsage",
    "StreamOpenResult",
    "StreamOpenResultCancelled",
    "StreamOpenResultError",
    "StreamOpenResultOk",
    "Tool",
    "ToolCall",
    "TransportErrorKind",
    "Usage",
]
