"""`FixtureEchoPlugin`: load and call a plugin of Echo fixture ABI v3.

Generated from fixture-echo-v3; do not edit.

    from fixture_echo_v3 import FixtureEchoPlugin

    with FixtureEchoPlugin.open("plugin.wasm", {"api_key": "..."}) as plugin:
        print(plugin.info.name, plugin.list_models())

The module is compiled once; calls run on a pool of instances made from it, one thread per
instance at a time, so one plugin object may be shared by any number of threads. The spec's
facts are the data in `ABI`; loading and calling are `querymt_extism_runtime.PluginBase`'s.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import ClassVar

from querymt_extism_runtime import (
    DEFAULT_MAX_HTTP_RESPONSE_BYTES,
    DEFAULT_MAX_OUTPUT_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_MS,
    U16,
    Abi,
    ConfigT,
    ExportSpec,
    HostRoles,
    InputShape,
    NewConfigT,
    OutputShape,
    PluginBase,
    PluginInfo,
    prune_config,
    schema_limits_problem,
)

from .models import Echoed, EchoRequest, Shape

ABI_NAME = "fixture-echo"
ABI_VERSION = 3
REQUIRED_EXPORTS: tuple[str, ...] = (
    "title",
    "settings_schema",
    "shout",
    "echo",
)
OPTIONAL_EXPORTS: tuple[str, ...] = ("last_shape",)
PROBE_INPUT = b"null"
"""What exports that take no argument receive.

Exports without input receive the 4 bytes `null`.
"""

ABI = Abi(
    name=ABI_NAME,
    version=ABI_VERSION,
    slug="fixture-echo-v3",
    probe_input=PROBE_INPUT,
    roles=HostRoles(
        display_name="title",
        base_url=None,
        config_schema="settings_schema",
        check_config=None,
        log_init=None,
    ),
    logger="fixture_echo_v3.plugin",
    exports=(
        ExportSpec(
            "title",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:fixture-echo-v3:title.input",
            output_schema="urn:qmt-abigen:fixture-echo-v3:title.output",
        ),
        ExportSpec(
            "settings_schema",
            InputShape.IGNORED,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:fixture-echo-v3:settings_schema.input",
            output_schema="urn:qmt-abigen:fixture-echo-v3:settings_schema.output",
        ),
        ExportSpec(
            "shout",
            InputShape.TEXT,
            OutputShape.TEXT,
            input_schema="urn:qmt-abigen:fixture-echo-v3:shout.input",
            output_schema="urn:qmt-abigen:fixture-echo-v3:shout.output",
        ),
        ExportSpec(
            "echo",
            InputShape.REQUEST,
            OutputShape.JSON,
            request=EchoRequest,
            config_field="settings",
            output_type=Echoed,
            input_schema="urn:qmt-abigen:fixture-echo-v3:echo.input",
            output_schema="urn:qmt-abigen:fixture-echo-v3:echo.output",
        ),
        ExportSpec(
            "last_shape",
            InputShape.IGNORED,
            OutputShape.JSON,
            optional=True,
            empty_is_none=True,
            output_type=Shape | None,
            input_schema="urn:qmt-abigen:fixture-echo-v3:last_shape.input",
            output_schema="urn:qmt-abigen:fixture-echo-v3:last_shape.output",
        ),
    ),
)
"""The spec's facts the runtime acts on: each export's call shape, the host's roles."""


class FixtureEchoPlugin(PluginBase[ConfigT]):
    """A loaded plugin of Echo fixture ABI v3, with one typed method per export.

    Open it with `FixtureEchoPlugin.open(path_or_bytes, config)`. The configuration (a dict or
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
    ) -> FixtureEchoPlugin[ConfigT]:
        """Loads a plugin the way the spec's host does, then checks `config` if given.

        Call `title`; failure fails the load. Call `settings_schema`.

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
        plugin: FixtureEchoPlugin[ConfigT] = cls._open(
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
    ) -> FixtureEchoPlugin[NewConfigT]:
        """The same loaded plugin (sharing its instances) with another configuration."""
        plugin: FixtureEchoPlugin[NewConfigT] = self._with_config(config, check=check)
        return plugin

    # ----------------------------------------------------------------------- exports

    def title(
        self,
    ) -> str:
        """The plugin's display name.

        Export `title` (required). Input: Not read.
        Output: The display name.
        """
        result: str = self._invoke("title")
        return result

    def settings_schema(
        self,
    ) -> str:
        """The JSON Schema of the plugin's configuration.

        Export `settings_schema` (required). Input: Not read.
        Output: A JSON Schema.
        """
        result: str = self._invoke("settings_schema")
        return result

    def shout(
        self,
        text: str,
    ) -> str:
        """Upper-cases a text.

        Export `shout` (required). Input: The text.
        Output: The text in upper case.
        """
        result: str = self._invoke("shout", text)
        return result

    def echo(
        self,
        shape: Shape,
        repeat: U16 = 1,
    ) -> Echoed:
        """Echoes a shape.

        Export `echo` (required). Input: The configuration and the shape.
        Output: The shapes.
        """
        result: Echoed = self._invoke("echo", {"shape": shape, "repeat": repeat})
        return result

    def last_shape(
        self,
    ) -> Shape | None:
        """The last shape echoed, if any.

        Export `last_shape` (optional). Input: Not read.
        Output: The shape, or empty output.
        """
        result: Shape | None = self._invoke("last_shape")
        return result


Plugin = FixtureEchoPlugin
"""A shorter name for `FixtureEchoPlugin`."""

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
    "FixtureEchoPlugin",
    "Plugin",
    "PluginInfo",
    "prune_config",
    "schema_limits_problem",
]
