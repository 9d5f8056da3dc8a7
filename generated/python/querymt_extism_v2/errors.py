"""Exceptions raised by the QueryMT Extism plugin ABI v2 bindings.

Generated from querymt-extism-v2; do not edit. They are the runtime's own classes
(`querymt_extism_runtime.errors`), the same for every ABI: nothing in them depends on the spec.
Every exception derives from `PluginError`; none carries a configuration secret (values of keys
named like key, token, secret, password, passphrase, bearer, pat or credentials are replaced by
`***` in every message, in every encoding they may travel in). After any of them the plugin
object stays usable.
"""

from querymt_extism_runtime.errors import (
    ConfigError,
    ConnectionFailedError,
    HostFunctionError,
    HostNotAllowedError,
    InputValidationError,
    MissingExportError,
    OutputValidationError,
    PluginCallError,
    PluginClosedError,
    PluginError,
    PluginLoadError,
    PluginOutOfMemoryError,
    PluginTimeoutError,
    PluginTrapError,
    RedirectRefusedError,
    ResponseTooLargeError,
)

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
