"""Exceptions raised by the QueryMT Extism plugin ABI v2 bindings.

Generated from querymt-extism-v2; do not edit. Every exception derives from `PluginError`; none
carries a configuration secret (values of keys named like key, token, secret, password,
passphrase, bearer, pat or credentials are replaced by `***` in every message, in every encoding
they may travel in). After any of them the plugin object stays usable.
"""

from __future__ import annotations


class PluginError(Exception):
    """Base of every error of the bindings. `export` names the export called, if any."""

    instance_reusable: bool = True
    """False when the instance that failed is dropped (it stopped mid-call); the plugin lives on."""

    def __init__(self, message: str, *, export: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.export = export


class PluginLoadError(PluginError):
    """The module could not be loaded: not WebAssembly, failed to compile, or a probe failed."""


class PluginClosedError(PluginError):
    """The plugin was closed."""


class MissingExportError(PluginError):
    """The plugin lacks an export: a required one at load, or an optional one when called."""

    def __init__(self, message: str, *, export: str | None = None, missing: tuple[str, ...] = ()):
        super().__init__(message, export=export)
        self.missing = missing or ((export,) if export else ())


class ConfigError(PluginError, ValueError):
    """The configuration does not match the plugin's `config_schema` (no values are quoted)."""


class InputValidationError(PluginError, ValueError):
    """Arguments of a call do not match the spec's input type."""


class OutputValidationError(PluginError):
    """The plugin answered with output that violates the spec: bad UTF-8, JSON, or shape."""

    def __init__(self, message: str, *, export: str | None = None, errors: tuple[str, ...] = ()):
        super().__init__(message, export=export)
        self.errors = errors


class PluginCallError(PluginError):
    """The export failed the spec's way: it set an error message and returned non-zero.

    `plugin_message` is the plugin's own message, intact (secrets aside); empty when the plugin
    returned a non-zero `code` without a message.
    """

    def __init__(
        self,
        message: str,
        *,
        export: str | None = None,
        plugin_message: str = "",
        code: int | None = None,
    ) -> None:
        super().__init__(message, export=export)
        self.plugin_message = plugin_message
        self.code = code


class PluginTrapError(PluginError):
    """The WebAssembly code trapped (`unreachable`, out-of-bounds access, panic): a plugin bug."""

    instance_reusable = False


class PluginTimeoutError(PluginError):
    """The call ran longer than the manifest's `timeout_ms` and was stopped."""

    instance_reusable = False


class PluginOutOfMemoryError(PluginError):
    """The plugin needed more memory than the manifest's `max_pages` allows."""

    instance_reusable = False


class HostFunctionError(PluginError):
    """A host function the plugin called (HTTP) failed; `cause` says why, as the host saw it.

    The host records the cause itself while serving the call, so nothing the plugin writes (to a
    log, or as its own error message) can change the class of the error or its cause.
    """

    instance_reusable = False

    def __init__(self, message: str, *, export: str | None = None, cause: str = "") -> None:
        super().__init__(message, export=export)
        self.cause = cause


class HostNotAllowedError(HostFunctionError):
    """The plugin made an HTTP request to an origin (scheme, host, port) the allow-list lacks.

    Nothing was sent. `url` is the request's URL.
    """

    def __init__(
        self, message: str, *, export: str | None = None, cause: str = "", url: str = ""
    ) -> None:
        super().__init__(message, export=export, cause=cause)
        self.url = url


class ConnectionFailedError(HostFunctionError):
    """An HTTP request of the plugin failed at the network level (refused, DNS, reset...)."""


class RedirectRefusedError(HostFunctionError):
    """An allowed server redirected the plugin's request to another origin; it was not followed.

    Redirects are followed only within the same origin (scheme, host and port). `url` is the
    request that was redirected, `location` where it pointed; nothing was sent there.
    """

    def __init__(
        self,
        message: str,
        *,
        export: str | None = None,
        cause: str = "",
        url: str = "",
        location: str = "",
    ) -> None:
        super().__init__(message, export=export, cause=cause)
        self.url = url
        self.location = location


class ResponseTooLargeError(HostFunctionError):
    """An HTTP response was larger than `max_http_response_bytes`; the plugin got none of it."""

    def __init__(
        self,
        message: str,
        *,
        export: str | None = None,
        cause: str = "",
        url: str = "",
        limit: int = 0,
    ) -> None:
        super().__init__(message, export=export, cause=cause)
        self.url = url
        self.limit = limit


__all__ = [
    "ConfigError",
    "ConnectionFailedError",
    "HostFunctionError",
    "HostNotAllowedError",
    "InputValidationError",
    "MissingExportError",
    "OutputValidationError",
    "PluginCallError",
    "PluginClosedError",
    "PluginError",
    "PluginLoadError",
    "PluginOutOfMemoryError",
    "PluginTimeoutError",
    "PluginTrapError",
    "RedirectRefusedError",
    "ResponseTooLargeError",
]
