"""`QuerymtExtismPlugin`: load and call a plugin of QueryMT Extism plugin ABI v1.

Generated from querymt-extism-v1; do not edit.

    from querymt_extism_v1 import QuerymtExtismPlugin

    with QuerymtExtismPlugin.open("plugin.wasm", {"api_key": "..."}) as plugin:
        print(plugin.info.name, plugin.list_models())

The module is compiled once; calls run on a pool of instances made from it, one thread per
instance at a time, so one plugin object may be shared by any number of threads. The spec's
facts are the data in `ABI`; loading and calling are `querymt_extism_runtime.PluginBase`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from querymt_extism_runtime import BOUND_CONFIG as _CONFIG
from querymt_extism_runtime import (
    DEFAULT_MAX_HTTP_RESPONSE_BYTES,
    DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_MS,
    Abi,
    ConfigT,
    ExportSpec,
    HostRoles,
    InputShape,
    JsonValue,
    NewConfigT,
    OutputShape,
    PluginBase,
    PluginInfo,
    prune_config,
    schema_limits_problem,
)

from .models import (
    ChatMessage,
    CompletionRequest,
    CompletionResponse,
    ExtismChatRequest,
    ExtismChatResponse,
    ExtismCompleteRequest,
    ExtismEmbedRequest,
    Tool,
)

ABI_NAME = "querymt-extism"
ABI_VERSION = 1
REQUIRED_EXPORTS: tuple[str, ...] = (
    "name",
    "config_schema",
    "from_config",
    "list_models",
    "chat",
    "embed",
    "complete",
)
OPTIONAL_EXPORTS: tuple[str, ...] = (
    "base_url",
    "api_key_name",
)
PROBE_INPUT = b"null"
"""What exports that take no argument receive.

Exports that take no argument (`name`, `base_url`, `api_key_name`, `config_schema`)
receive the 4 bytes `null`; plugins ignore them.
"""

ABI = Abi(
    name=ABI_NAME,
    version=ABI_VERSION,
    slug="querymt-extism-v1",
    probe_input=PROBE_INPUT,
    roles=HostRoles(
        display_name="name",
        base_url="base_url",
        config_schema="config_schema",
        check_config="from_config",
        log_init=None,
    ),
    logger="querymt_extism_v1.plugin",
    exports=(
        ExportSpec(
            "name",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:querymt-extism-v1:name.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:name.output",
        ),
        ExportSpec(
            "base_url",
            InputShape.IGNORED,
            OutputShape.TEXT,
            optional=True,
            input_schema="urn:qmt-abigen:querymt-extism-v1:base_url.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:base_url.output",
        ),
        ExportSpec(
            "api_key_name",
            InputShape.IGNORED,
            OutputShape.TEXT_OR_NONE,
            optional=True,
            empty_is_none=True,
            input_schema="urn:qmt-abigen:querymt-extism-v1:api_key_name.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:api_key_name.output",
        ),
        ExportSpec(
            "config_schema",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:querymt-extism-v1:config_schema.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:config_schema.output",
        ),
        ExportSpec(
            "from_config",
            InputShape.CONFIG,
            OutputShape.JSON,
            input_schema="urn:qmt-abigen:querymt-extism-v1:from_config.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:from_config.output",
        ),
        ExportSpec(
            "list_models",
            InputShape.JSON,
            OutputShape.JSON,
            does_http=True,
            defaults_to_config=True,
            output_type=list[str],
            input_schema="urn:qmt-abigen:querymt-extism-v1:list_models.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:list_models.output",
        ),
        ExportSpec(
            "chat",
            InputShape.REQUEST,
            OutputShape.JSON,
            does_http=True,
            request=ExtismChatRequest,
            config_field="cfg",
            output_type=ExtismChatResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v1:chat.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:chat.output",
        ),
        ExportSpec(
            "embed",
            InputShape.REQUEST,
            OutputShape.JSON,
            does_http=True,
            request=ExtismEmbedRequest,
            config_field="cfg",
            output_type=list[list[float]],
            input_schema="urn:qmt-abigen:querymt-extism-v1:embed.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:embed.output",
        ),
        ExportSpec(
            "complete",
            InputShape.REQUEST,
            OutputShape.JSON,
            does_http=True,
            request=ExtismCompleteRequest,
            config_field="cfg",
            output_type=CompletionResponse,
            input_schema="urn:qmt-abigen:querymt-extism-v1:complete.input",
            output_schema="urn:qmt-abigen:querymt-extism-v1:complete.output",
        ),
    ),
)
"""The spec's facts the runtime acts on: each export's call shape, the host's roles."""


class QuerymtExtismPlugin(PluginBase[ConfigT]):
    """A loaded plugin of QueryMT Extism plugin ABI v1, with one typed method per export.

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

        Read the .wasm file named in the provider's configuration. Build a probe
        instance: WASI on, no allowed hosts, the host's environment variables as
        manifest config. Call `name`; failure fails the load. Call `base_url`; keep its
        host if it answers with a URL. Drop the probe and build the final instance with
        the allowed hosts below.

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
        """The provider's default API base URL.

        Export `base_url` (optional). Input: Not read; the host sends `null`.
        Output: An absolute URL.
        """
        result: str = self._invoke("base_url")
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

    def config_schema(
        self,
    ) -> str:
        """The JSON Schema of the plugin's configuration.

        Export `config_schema` (required). Input: Not read; the host sends `null`.
        Output: A JSON Schema document as raw text: the root object, without `$schema` or
        `definitions`.
        """
        result: str = self._invoke("config_schema")
        return result

    def from_config(
        self,
        config: ConfigT | Mapping[str, Any] | None = None,
    ) -> JsonValue:
        """Validates a configuration and returns it normalized.

        Export `from_config` (required). Input: The configuration to check.
        Output: The configuration, re-serialized with defaults filled in.
        """
        result: JsonValue = self._invoke("from_config", config)
        return result

    def list_models(
        self,
        payload: JsonValue = _CONFIG,
    ) -> list[str]:
        """Lists the models the provider offers.

        Export `list_models` (required). Input: The configuration object (untyped).
        Output: Model identifiers.
        """
        result: list[str] = self._invoke("list_models", payload)
        return result

    def chat(
        self,
        messages: list[ChatMessage],
        tools: list[Tool] | None = None,
    ) -> ExtismChatResponse:
        """Sends a conversation, with optional tools, and returns the model's answer.

        Export `chat` (required). Input: The configuration and the conversation.
        Output: The model's answer.
        """
        result: ExtismChatResponse = self._invoke("chat", {"messages": messages, "tools": tools})
        return result

    def embed(
        self,
        inputs: list[str],
    ) -> list[list[float]]:
        """Embeds texts as vectors.

        Export `embed` (required). Input: The configuration and the texts.
        Output: One vector per input, in order.
        """
        result: list[list[float]] = self._invoke("embed", {"inputs": inputs})
        return result

    def complete(
        self,
        req: CompletionRequest,
    ) -> CompletionResponse:
        """Completes a prompt.

        Export `complete` (required). Input: The configuration and the request.
        Output: The completion.
        """
        result: CompletionResponse = self._invoke("complete", {"req": req})
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
