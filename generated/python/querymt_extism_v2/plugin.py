"""`QuerymtExtismPlugin`: load and call a plugin of QueryMT Extism plugin ABI v2.

Generated from querymt-extism-v2; do not edit.

    from querymt_extism_v2 import QuerymtExtismPlugin

    with QuerymtExtismPlugin.open("plugin.wasm", {"api_key": "..."}) as plugin:
        print(plugin.info.name, plugin.list_models())

The module is compiled once; calls run on a pool of instances made from it, one thread per
instance at a time, so one plugin object may be shared by any number of threads. The spec's
facts are the data in `ABI`; loading and calling are `querymt_extism_runtime.PluginBase`'s.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from querymt_extism_runtime import BOUND_CONFIG as _CONFIG
from querymt_extism_runtime import (
    DEFAULT_MAX_HTTP_RESPONSE_BYTES,
    DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_MS,
    I64,
    U32,
    Abi,
    AsyncChatStream,
    ChatStream,
    ConfigT,
    ExportSpec,
    HostMode,
    HostRoles,
    InputShape,
    JsonValue,
    NewConfigT,
    OutputShape,
    PluginBase,
    PluginInfo,
    StatusClassifier,
    StatusRule,
    aadapter_chat,
    aadapter_chat_stream,
    aadapter_complete,
    aadapter_embed,
    aadapter_list_models,
    adapter_chat,
    adapter_chat_stream,
    adapter_complete,
    adapter_embed,
    adapter_list_models,
    prune_config,
    schema_limits_problem,
)

from .models import (
    ChatMessage,
    CompletionRequest,
    CompletionResponse,
    ExtismChatChunk,
    ExtismChatChunkParseRequest,
    ExtismChatParseRequest,
    ExtismChatRequest,
    ExtismChatResponse,
    ExtismCompleteParseRequest,
    ExtismCompleteRequest,
    ExtismEmbedParseRequest,
    ExtismEmbedRequest,
    ExtismListModelsParseRequest,
    ExtismListModelsRequest,
    ExtismSttRequest,
    ExtismSttResponse,
    ExtismTtsRequest,
    ExtismTtsResponse,
    ExtismVoiceConfig,
    PluginErrorDocument,
    SerializableHttpRequest,
    SerializableHttpResponse,
    StreamChunk,
    Tool,
)

ABI_NAME = "querymt-extism"
ABI_VERSION = 2
REQUIRED_EXPORTS: tuple[str, ...] = (
    "name",
    "init_logging",
    "config_schema",
    "from_config",
    "list_models_request",
    "parse_list_models_response",
    "chat_request",
    "chat_stream_request",
    "parse_chat_response",
    "chat_stream_parser_start",
    "chat_stream_parser_parse",
    "chat_stream_parser_finish",
    "chat_stream_parser_close",
    "embed_request",
    "parse_embed_response",
    "complete_request",
    "parse_complete_response",
    "transcribe",
    "speech",
    "supports_streaming",
)
OPTIONAL_EXPORTS: tuple[str, ...] = (
    "base_url",
    "api_key_name",
    "list_models_static",
    "classify_chat_error",
)
PROBE_INPUT = b"null"
"""What exports that take no argument receive.

Exports that take no argument (`name`, `base_url`, `api_key_name`, `config_schema`)
receive the 4 bytes `null`; plugins ignore them.
"""

ABI = Abi(
    name=ABI_NAME,
    version=ABI_VERSION,
    slug="querymt-extism-v2",
    probe_input=PROBE_INPUT,
    roles=HostRoles(
        display_name="name",
        base_url="base_url",
        config_schema="config_schema",
        check_config="from_config",
        log_init="init_logging",
    ),
    logger="querymt_extism_v2.plugin",
    modes=(
        HostMode(
            "adapter",
            (
                "chat_request",
                "chat_stream_request",
                "parse_chat_response",
                "list_models_request",
                "parse_list_models_response",
            ),
        ),
    ),
    host_functions=(
        ("extism:host/user", "qmt_http_request"),
        ("extism:host/user", "qmt_http_stream_close"),
        ("extism:host/user", "qmt_http_stream_next"),
        ("extism:host/user", "qmt_http_stream_open"),
        ("extism:host/user", "qmt_log"),
        ("extism:host/user", "qmt_yield_chunk"),
    ),
    classifiers=(
        StatusClassifier(
            "classify_status_only",
            (
                StatusRule(((499, 499),), {"type": "cancelled"}, ()),
                StatusRule(
                    ((429, 429),),
                    {"type": "provider_error", "kind": "rate_limited"},
                    ("message", "retry_after_secs"),
                ),
                StatusRule(
                    ((401, 401), (403, 403)),
                    {"type": "provider_error", "kind": "authentication"},
                    ("message", "retry_after_secs"),
                ),
                StatusRule(
                    ((400, 400), (422, 422)),
                    {"type": "provider_error", "kind": "invalid_request"},
                    ("message", "retry_after_secs"),
                ),
                StatusRule(
                    ((408, 408), (425, 425), (500, 599)),
                    {"type": "provider_error", "kind": "unknown_transient"},
                    ("message", "retry_after_secs"),
                ),
                StatusRule(
                    (),
                    {"type": "provider_error", "kind": "unknown_permanent"},
                    ("message", "retry_after_secs"),
                ),
            ),
        ),
        StatusClassifier(
            "classify_http_status",
            (
                StatusRule(((499, 499),), {"type": "cancelled"}, ()),
                StatusRule(((401, 401), (403, 403)), {"type": "auth_error"}, ("message",)),
                StatusRule(
                    ((429, 429),), {"type": "rate_limited"}, ("message", "retry_after_secs")
                ),
                StatusRule(((400, 400),), {"type": "invalid_request"}, ("message",)),
                StatusRule(
                    ((500, 599),),
                    {"type": "http_status"},
                    ("message", "retry_after_secs", "status_code"),
                ),
                StatusRule((), {"type": "provider_error"}, ("message", "retry_after_secs")),
            ),
        ),
    ),
    typed_errors=True,
    dialects=(
        "0.5.2",
        "0.6.0",
    ),
    exports=(
        ExportSpec(
            "name",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:querymt-extism-v2:name.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:name.output",
        ),
        ExportSpec(
            "base_url",
            InputShape.IGNORED,
            OutputShape.TEXT,
            optional=True,
            input_schema="urn:qmt-abigen:querymt-extism-v2:base_url.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:base_url.output",
        ),
        ExportSpec(
            "init_logging",
            InputShape.JSON,
            OutputShape.NONE,
            input_type=U32,
            input_schema="urn:qmt-abigen:querymt-extism-v2:init_logging.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:init_logging.output",
        ),
        ExportSpec(
            "config_schema",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:querymt-extism-v2:config_schema.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:config_schema.output",
        ),
        ExportSpec(
            "api_key_name",
            InputShape.IGNORED,
            OutputShape.TEXT_OR_NONE,
            optional=True,
            empty_is_none=True,
            input_schema="urn:qmt-abigen:querymt-extism-v2:api_key_name.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:api_key_name.output",
        ),
        ExportSpec(
            "from_config",
            InputShape.JSON,
            OutputShape.JSON,
            defaults_to_config=True,
            input_schema="urn:qmt-abigen:querymt-extism-v2:from_config.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:from_config.output",
        ),
        ExportSpec(
            "list_models_static",
            InputShape.JSON,
            OutputShape.JSON,
            optional=True,
            input_type=ExtismListModelsRequest,
            output_type=list[str] | None,
            input_schema="urn:qmt-abigen:querymt-extism-v2:list_models_static.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:list_models_static.output",
        ),
        ExportSpec(
            "list_models_request",
            InputShape.JSON,
            OutputShape.JSON,
            input_type=ExtismListModelsRequest,
            output_type=SerializableHttpRequest,
            input_schema="urn:qmt-abigen:querymt-extism-v2:list_models_request.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:list_models_request.output",
        ),
        ExportSpec(
            "parse_list_models_response",
            InputShape.JSON,
            OutputShape.JSON,
            input_type=ExtismListModelsParseRequest,
            output_type=list[str],
            input_schema="urn:qmt-abigen:querymt-extism-v2:parse_list_models_response.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:parse_list_models_response.output",
        ),
        ExportSpec(
            "chat_request",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismChatRequest,
            config_field="cfg",
            output_type=SerializableHttpRequest,
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_request.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_request.output",
        ),
        ExportSpec(
            "chat_stream_request",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismChatRequest,
            config_field="cfg",
            output_type=SerializableHttpRequest,
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_request.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_request.output",
        ),
        ExportSpec(
            "classify_chat_error",
            InputShape.REQUEST,
            OutputShape.JSON,
            optional=True,
            request=ExtismChatParseRequest,
            config_field="cfg",
            output_type=PluginErrorDocument,
            input_schema="urn:qmt-abigen:querymt-extism-v2:classify_chat_error.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:classify_chat_error.output",
            since_dialect="0.6.0",
        ),
        ExportSpec(
            "parse_chat_response",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismChatParseRequest,
            config_field="cfg",
            output_type=ExtismChatResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v2:parse_chat_response.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:parse_chat_response.output",
        ),
        ExportSpec(
            "chat_stream_parser_start",
            InputShape.CONFIG,
            OutputShape.JSON,
            output_type=I64,
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_start.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_start.output",
        ),
        ExportSpec(
            "chat_stream_parser_parse",
            InputShape.JSON,
            OutputShape.JSON,
            input_type=ExtismChatChunkParseRequest,
            output_type=list[ExtismChatChunk],
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_parse.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_parse.output",
        ),
        ExportSpec(
            "chat_stream_parser_finish",
            InputShape.JSON,
            OutputShape.JSON,
            input_type=I64,
            output_type=list[ExtismChatChunk],
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_finish.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_finish.output",
        ),
        ExportSpec(
            "chat_stream_parser_close",
            InputShape.JSON,
            OutputShape.NONE,
            input_type=I64,
            input_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_close.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:chat_stream_parser_close.output",
        ),
        ExportSpec(
            "embed_request",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismEmbedRequest,
            config_field="cfg",
            output_type=SerializableHttpRequest,
            input_schema="urn:qmt-abigen:querymt-extism-v2:embed_request.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:embed_request.output",
        ),
        ExportSpec(
            "parse_embed_response",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismEmbedParseRequest,
            config_field="cfg",
            output_type=list[list[float]],
            input_schema="urn:qmt-abigen:querymt-extism-v2:parse_embed_response.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:parse_embed_response.output",
        ),
        ExportSpec(
            "complete_request",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismCompleteRequest,
            config_field="cfg",
            output_type=SerializableHttpRequest,
            input_schema="urn:qmt-abigen:querymt-extism-v2:complete_request.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:complete_request.output",
        ),
        ExportSpec(
            "parse_complete_response",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=ExtismCompleteParseRequest,
            config_field="cfg",
            output_type=CompletionResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v2:parse_complete_response.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:parse_complete_response.output",
        ),
        ExportSpec(
            "transcribe",
            InputShape.REQUEST,
            OutputShape.JSON,
            does_http=True,
            request=ExtismSttRequest,
            config_field="cfg",
            output_type=ExtismSttResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v2:transcribe.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:transcribe.output",
        ),
        ExportSpec(
            "speech",
            InputShape.REQUEST,
            OutputShape.JSON,
            does_http=True,
            request=ExtismTtsRequest,
            config_field="cfg",
            output_type=ExtismTtsResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v2:speech.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:speech.output",
        ),
        ExportSpec(
            "supports_streaming",
            InputShape.CONFIG,
            OutputShape.JSON,
            output_type=bool,
            input_schema="urn:qmt-abigen:querymt-extism-v2:supports_streaming.input",
            output_schema="urn:qmt-abigen:querymt-extism-v2:supports_streaming.output",
        ),
    ),
)
"""The spec's facts the runtime acts on: each export's call shape, the host's roles."""


class QuerymtExtismPlugin(PluginBase[ConfigT]):
    """A loaded plugin of QueryMT Extism plugin ABI v2, with one typed method per export.

    Open it with `QuerymtExtismPlugin.open(path_or_bytes, config)`. The configuration (a dict or
    a pydantic model) is pruned of keys the plugin's `config_schema` does not list, checked
    against that schema, accepted by the plugin's `from_config`, and then sent as `cfg` with
    every call. Safe to share between threads.
    """

    ABI: ClassVar[Abi] = ABI
    REQUIRED_EXPORTS: ClassVar[tuple[str, ...]] = REQUIRED_EXPORTS
    OPTIONAL_EXPORTS: ClassVar[tuple[str, ...]] = OPTIONAL_EXPORTS

    @classmethod
    def open(
        cls,
        wasm: str | os.PathLike[str] | bytes,
        config: ConfigT | None = None,
        *,
        allowed_hosts: tuple[str, ...] | list[str] = (),
        timeout_ms: int | None = DEFAULT_TIMEOUT_MS,
        max_pages: int | None = DEFAULT_MAX_PAGES,
        max_http_response_bytes: int | None = DEFAULT_MAX_HTTP_RESPONSE_BYTES,
        max_output_bytes: int | None = DEFAULT_MAX_OUTPUT_BYTES,
        manifest_config: Mapping[str, str] | None = None,
        inherit_env: bool = False,
        max_idle_instances: int | None = None,
        check_config: bool = True,
    ) -> QuerymtExtismPlugin[ConfigT]:
        """Loads a plugin the way the spec's host does, then checks `config` if given.

        Read the .wasm file (a local path or an OCI blob). Build a probe instance: WASI
        on, no allowed hosts, the host's environment variables as manifest config, the
        six host functions registered. Call `name`; failure fails the load. Call
        `base_url`; errors are ignored. Build the allowed hosts: the configured
        `allowed_hosts` plus the host of the configured `base_url`, else of the plugin's
        `base_url`. Build the final instance with those allowed hosts and the same host
        functions. Call `init_logging` with the host's maximum log level; failure fails
        the load.

        - `allowed_hosts`: origins added to the origin (scheme, host, port) of the plugin's
          `base_url` and of a `base_url` key in `config`. An entry is a URL or origin
          (`https://api.example.com`), a host (http on 80 and https on 443) or `host:port`
          (both schemes on that port); hosts are literal, never patterns.
        - `manifest_config`: the manifest `config` entries, all a plugin can read with
          `config::get` (none by default). `inherit_env=True` puts the whole process
          environment first, as QueryMT's host does; it is off because it hands every
          variable (other providers' API keys included) to untrusted code, which may send it
          to its own allowed host. Pass the API key in `config` instead.
        - `timeout_ms`, `max_pages`: manifest limits (None: none); an HTTP request must also
          finish within the call's `timeout_ms`. `max_http_response_bytes`: the largest HTTP
          response body a plugin may receive (None: no limit). `max_output_bytes`: the
          largest output a call may return, refused before it is decoded (None: no limit
          but the plugin's memory).
        - `check_config`: call `from_config` with the configuration now, as the host does.
        """
        plugin: QuerymtExtismPlugin[ConfigT] = cls._open(
            wasm,
            config,
            allowed_hosts=allowed_hosts,
            timeout_ms=timeout_ms,
            max_pages=max_pages,
            max_http_response_bytes=max_http_response_bytes,
            max_output_bytes=max_output_bytes,
            manifest_config=manifest_config,
            inherit_env=inherit_env,
            max_idle_instances=max_idle_instances,
            check_config=check_config,
        )
        return plugin

    def with_config(
        self, config: NewConfigT, *, check: bool = True
    ) -> QuerymtExtismPlugin[NewConfigT]:
        """The same loaded plugin (sharing its instances) with another configuration."""
        plugin: QuerymtExtismPlugin[NewConfigT] = self._with_config(config, check=check)
        return plugin

    # ----------------------------------------------------------------------- exports

    def name(
        self,
    ) -> str:
        """The plugin's display name (`name = ...` in the macro).

        Export `name` (required). Input: Not read; the host sends `null`.
        Output: The display name.
        """
        result: str = self._invoke("name")
        return result

    def base_url(
        self,
    ) -> str:
        """The provider's default API base URL (`default_base_url()` of the config).

        Export `base_url` (optional). Input: Not read; the host sends `null`.
        Output: An absolute URL.
        """
        result: str = self._invoke("base_url")
        return result

    def init_logging(
        self,
        payload: U32,
    ) -> None:
        """Installs the plugin's logger, which forwards records to `qmt_log`.

        Export `init_logging` (required). Input: The maximum level (a wasm32 `usize`): 0 off, 1
        error, 2 warn, 3 info, 4 debug, 5+ trace.
        Output: No bytes.
        """
        self._invoke("init_logging", payload)

    def config_schema(
        self,
    ) -> str:
        """The JSON Schema of the plugin's configuration.

        Export `config_schema` (required). Input: Not read; the host sends `null`.
        Output: A JSON Schema document as raw text (a schemars root with `$schema`, `title`,
        `properties`, `$defs`).
        """
        result: str = self._invoke("config_schema")
        return result

    def api_key_name(
        self,
    ) -> str | None:
        """The environment variable that holds the provider's API key, if it has one.

        Export `api_key_name` (optional). Input: Not read; the host sends `null`.
        Output: The variable name, or empty output when the provider takes no key.
        """
        result: str | None = self._invoke("api_key_name")
        return result

    def from_config(
        self,
        payload: JsonValue = _CONFIG,
    ) -> JsonValue:
        """Validates a configuration.

        Export `from_config` (required). Input: The pruned configuration.
        Output: The same configuration re-emitted.
        """
        result: JsonValue = self._invoke("from_config", payload)
        return result

    def list_models_static(
        self,
        payload: ExtismListModelsRequest,
    ) -> list[str] | None:
        """A fixed model list, for providers whose API has none.

        Export `list_models_static` (optional). Input: The configuration.
        Output: Model identifiers, or `null` when the provider lists them over HTTP.
        """
        result: list[str] | None = self._invoke("list_models_static", payload)
        return result

    def list_models_request(
        self,
        payload: ExtismListModelsRequest,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request that lists models.

        Export `list_models_request` (required). Input: The configuration.
        Output: The request to send.
        """
        result: SerializableHttpRequest = self._invoke("list_models_request", payload)
        return result

    def parse_list_models_response(
        self,
        payload: ExtismListModelsParseRequest,
    ) -> list[str]:
        """Reads the model list from a 2xx response.

        Export `parse_list_models_response` (required). Input: The response.
        Output: Model identifiers.
        """
        result: list[str] = self._invoke("parse_list_models_response", payload)
        return result

    def chat_request(
        self,
        messages: list[ChatMessage],
        tools: list[Tool] | None = None,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of a chat turn.

        Export `chat_request` (required). Input: The configuration and the conversation.
        Output: The request to send.
        """
        result: SerializableHttpRequest = self._invoke(
            "chat_request", {"messages": messages, "tools": tools}
        )
        return result

    def chat_stream_request(
        self,
        messages: list[ChatMessage],
        tools: list[Tool] | None = None,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of a streamed chat turn.

        Export `chat_stream_request` (required). Input: The configuration and the conversation.
        Output: The request to send.
        """
        result: SerializableHttpRequest = self._invoke(
            "chat_stream_request", {"messages": messages, "tools": tools}
        )
        return result

    def classify_chat_error(
        self,
        resp: SerializableHttpResponse,
    ) -> PluginErrorDocument:
        """Turns a non-2xx chat response into a typed error.

        Export `classify_chat_error` (optional, since 0.6.0). Input: The configuration and the
        whole error response.
        Output: The error, with return code 0.
        """
        result: PluginErrorDocument = self._invoke("classify_chat_error", {"resp": resp})
        return result

    def parse_chat_response(
        self,
        resp: SerializableHttpResponse,
    ) -> ExtismChatResponse:
        """Reads the answer from a 2xx chat response.

        Export `parse_chat_response` (required). Input: The configuration and the response.
        Output: The answer.
        """
        result: ExtismChatResponse = self._invoke("parse_chat_response", {"resp": resp})
        return result

    def chat_stream_parser_start(
        self,
        config: ConfigT | Mapping[str, Any] | None = None,
    ) -> I64:
        """Creates a stream parser.

        Export `chat_stream_parser_start` (required). Input: The bare configuration (not
        wrapped).
        Output: The parser's id: 1, 2, ... per instance.
        """
        result: I64 = self._invoke("chat_stream_parser_start", config)
        return result

    def chat_stream_parser_parse(
        self,
        payload: ExtismChatChunkParseRequest,
    ) -> list[ExtismChatChunk]:
        """Feeds one line of the streamed body to a parser.

        Export `chat_stream_parser_parse` (required). Input: The parser id and the line.
        Output: The events the line completes, possibly none.
        """
        result: list[ExtismChatChunk] = self._invoke("chat_stream_parser_parse", payload)
        return result

    def chat_stream_parser_finish(
        self,
        payload: I64,
    ) -> list[ExtismChatChunk]:
        """Ends a parser's input and returns what it still holds; the parser is removed.

        Export `chat_stream_parser_finish` (required). Input: The parser id.
        Output: The remaining events.
        """
        result: list[ExtismChatChunk] = self._invoke("chat_stream_parser_finish", payload)
        return result

    def chat_stream_parser_close(
        self,
        payload: I64,
    ) -> None:
        """Drops a parser.

        Export `chat_stream_parser_close` (required). Input: The parser id.
        Output: No bytes.
        """
        self._invoke("chat_stream_parser_close", payload)

    def embed_request(
        self,
        inputs: list[str],
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of an embedding call.

        Export `embed_request` (required). Input: The configuration and the texts.
        Output: The request to send.
        """
        result: SerializableHttpRequest = self._invoke("embed_request", {"inputs": inputs})
        return result

    def parse_embed_response(
        self,
        resp: SerializableHttpResponse,
    ) -> list[list[float]]:
        """Reads the vectors from a 2xx embedding response.

        Export `parse_embed_response` (required). Input: The configuration and the response.
        Output: One vector per input, in order.
        """
        result: list[list[float]] = self._invoke("parse_embed_response", {"resp": resp})
        return result

    def complete_request(
        self,
        req: CompletionRequest,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of a completion.

        Export `complete_request` (required). Input: The configuration and the request.
        Output: The request to send.
        """
        result: SerializableHttpRequest = self._invoke("complete_request", {"req": req})
        return result

    def parse_complete_response(
        self,
        resp: SerializableHttpResponse,
    ) -> CompletionResponse:
        """Reads the completion from a 2xx response.

        Export `parse_complete_response` (required). Input: The configuration and the response.
        Output: The completion.
        """
        result: CompletionResponse = self._invoke("parse_complete_response", {"resp": resp})
        return result

    def transcribe(
        self,
        audio_base64: str,
        filename: str | None = None,
        mime_type: str | None = None,
        model: str | None = None,
        language: str | None = None,
    ) -> ExtismSttResponse:
        """Transcribes audio; the plugin does the HTTP itself through `qmt_http_request`.

        Export `transcribe` (required). Input: The configuration and the audio.
        Output: The transcript.
        """
        result: ExtismSttResponse = self._invoke(
            "transcribe",
            {
                "audio_base64": audio_base64,
                "filename": filename,
                "mime_type": mime_type,
                "model": model,
                "language": language,
            },
        )
        return result

    def speech(
        self,
        text: str,
        model: str | None = None,
        voice_config: ExtismVoiceConfig | None = None,
        format: str | None = None,
        speed: float | None = None,
        language: str | None = None,
    ) -> ExtismTtsResponse:
        """Synthesizes speech; the plugin does the HTTP itself through `qmt_http_request`.

        Export `speech` (required). Input: The configuration and the text.
        Output: The audio.
        """
        result: ExtismTtsResponse = self._invoke(
            "speech",
            {
                "text": text,
                "model": model,
                "voice_config": voice_config,
                "format": format,
                "speed": speed,
                "language": language,
            },
        )
        return result

    def supports_streaming(
        self,
        config: ConfigT | Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether the configured provider streams.

        Export `supports_streaming` (required). Input: The bare configuration.
        Output: Whether streaming is supported.
        """
        result: bool = self._invoke("supports_streaming", config)
        return result

    # ----------------------------------------------------------------------- host calls
    # The spec's protocols run by the host (HTTP included), and async twins.

    def chat(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any]],
        tools: Sequence[Tool | Mapping[str, Any]] | None = None,
    ) -> ExtismChatResponse:
        """One chat turn. The host runs it: see `querymt_extism_runtime.adapter_chat`
        (errors, deadlines)."""
        result: ExtismChatResponse = adapter_chat(self, messages, tools)
        return result

    async def achat(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any]],
        tools: Sequence[Tool | Mapping[str, Any]] | None = None,
    ) -> ExtismChatResponse:
        """`chat` for asyncio. One chat turn. The host runs it: see
        `querymt_extism_runtime.adapter_chat` (errors, deadlines)."""
        result: ExtismChatResponse = await aadapter_chat(self, messages, tools)
        return result

    def chat_stream(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any]],
        tools: Sequence[Tool | Mapping[str, Any]] | None = None,
    ) -> ChatStream[StreamChunk, ExtismChatResponse]:
        """One streamed chat turn. The host re-frames the body into lines on `\\n` alone
        (not on SSE events), so every parse call gets exactly one line including its
        newline. The host runs it: see `querymt_extism_runtime.adapter_chat_stream`
        (errors, deadlines)."""
        result: ChatStream[StreamChunk, ExtismChatResponse] = adapter_chat_stream(
            self, messages, tools
        )
        return result

    def achat_stream(
        self,
        messages: Sequence[ChatMessage | Mapping[str, Any]],
        tools: Sequence[Tool | Mapping[str, Any]] | None = None,
    ) -> AsyncChatStream[StreamChunk, ExtismChatResponse]:
        """`chat_stream` for asyncio. One streamed chat turn. The host re-frames the body
        into lines on `\\n` alone (not on SSE events), so every parse call gets exactly
        one line including its newline. The host runs it: see
        `querymt_extism_runtime.adapter_chat_stream` (errors, deadlines)."""
        result: AsyncChatStream[StreamChunk, ExtismChatResponse] = aadapter_chat_stream(
            self, messages, tools
        )
        return result

    def list_models(
        self,
    ) -> list[str]:
        """Listing the models of a provider. The host runs it: see
        `querymt_extism_runtime.adapter_list_models` (errors, deadlines)."""
        result: list[str] = adapter_list_models(self)
        return result

    async def alist_models(
        self,
    ) -> list[str]:
        """`list_models` for asyncio. Listing the models of a provider. The host runs it:
        see `querymt_extism_runtime.adapter_list_models` (errors, deadlines)."""
        result: list[str] = await aadapter_list_models(self)
        return result

    def embed(
        self,
        inputs: Sequence[str],
    ) -> list[list[float]]:
        """One embedding call. The host runs it: see `querymt_extism_runtime.adapter_embed`
        (errors, deadlines)."""
        result: list[list[float]] = adapter_embed(self, inputs)
        return result

    async def aembed(
        self,
        inputs: Sequence[str],
    ) -> list[list[float]]:
        """`embed` for asyncio. One embedding call. The host runs it: see
        `querymt_extism_runtime.adapter_embed` (errors, deadlines)."""
        result: list[list[float]] = await aadapter_embed(self, inputs)
        return result

    def complete(
        self,
        req: CompletionRequest | Mapping[str, Any],
    ) -> CompletionResponse:
        """One completion call. The host runs it: see
        `querymt_extism_runtime.adapter_complete` (errors, deadlines)."""
        result: CompletionResponse = adapter_complete(self, req)
        return result

    async def acomplete(
        self,
        req: CompletionRequest | Mapping[str, Any],
    ) -> CompletionResponse:
        """`complete` for asyncio. One completion call. The host runs it: see
        `querymt_extism_runtime.adapter_complete` (errors, deadlines)."""
        result: CompletionResponse = await aadapter_complete(self, req)
        return result

    async def atranscribe(
        self,
        audio_base64: str,
        filename: str | None = None,
        mime_type: str | None = None,
        model: str | None = None,
        language: str | None = None,
    ) -> ExtismSttResponse:
        """`transcribe` for asyncio, run in a worker thread."""
        result: ExtismSttResponse = await asyncio.to_thread(
            self.transcribe, audio_base64, filename, mime_type, model, language
        )
        return result

    async def aspeech(
        self,
        text: str,
        model: str | None = None,
        voice_config: ExtismVoiceConfig | None = None,
        format: str | None = None,
        speed: float | None = None,
        language: str | None = None,
    ) -> ExtismTtsResponse:
        """`speech` for asyncio, run in a worker thread."""
        result: ExtismTtsResponse = await asyncio.to_thread(
            self.speech, text, model, voice_config, format, speed, language
        )
        return result


Plugin = QuerymtExtismPlugin
"""A shorter name for `QuerymtExtismPlugin`."""

__all__ = [
    "ABI",
    "ABI_NAME",
    "ABI_VERSION",
    "DEFAULT_MAX_HTTP_RESPONSE_BYTES",
    "DEFAULT_MAX_OUTPUT_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_MS",
    "OPTIONAL_EXPORTS",
    "PROBE_INPUT",
    "REQUIRED_EXPORTS",
    "Plugin",
    "PluginInfo",
    "QuerymtExtismPlugin",
    "prune_config",
    "schema_limits_problem",
]
