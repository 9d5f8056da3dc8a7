"""The host runtime every generated ABI package of qmt-abigen runs on.

Generated packages (`querymt_extism_v1`, ...) hold what their spec says: the models, one typed
method per export and an `Abi` value with the spec's facts. Everything else is here, once, and
the same for every ABI: preparing a module (`prepare_module`, `rewrite_imports`), compiling it
and pooling its instances (`compile_module`, `Module`, `InstancePool`), the host functions that
serve a plugin's HTTP, `error_set` and log imports (`CallState`, `HOST_FUNCTIONS`), the HTTP
client behind them (`HttpPolicy`, `AllowList`, `Origin`), secret redaction (`Redactor`,
`secret_values`), the classification of failures into typed errors (`classify_failure` and the
`PluginError` hierarchy), configuration checks (`prune_config`, `schema_problems`), the wire
building blocks of the models (`WireModel`, `U8` ... `I64`, `Bytes`, `JsonValue`) and the
generic call machinery (`PluginBase`, `ExportSpec`, `InputShape`, `OutputShape`, and
`open_unprobed` for tools that call a module's exports without the load sequence).

Host-side tools use only the names in `__all__`; submodules and names with a leading
underscore may change without notice.
"""

from .abi import BOUND_CONFIG, Abi, ExportSpec, HostRoles, InputShape, OutputShape
from .classify import classify_failure
from .config import (
    JSON_ENCODER,
    config_to_json,
    prune_config,
    schema_limits_problem,
    schema_problems,
)
from .errors import (
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
from .host import DEFAULT_LOGGER, HOST_FUNCTIONS, MAX_LOG_BYTES, NAMESPACE, RENAMES, CallState
from .http_policy import (
    AllowList,
    HttpFailure,
    HttpPolicy,
    HttpResponse,
    Origin,
    UrlError,
    origin_of,
    origins_of_entry,
    parse_url,
)
from .logtap import LOG_TAP, ExtismLogTap, capture_extism_log
from .plugin import (
    DEFAULT_MAX_HTTP_RESPONSE_BYTES,
    DEFAULT_MAX_PAGES,
    DEFAULT_TIMEOUT_MS,
    ConfigT,
    NewConfigT,
    PluginBase,
    PluginInfo,
    open_unprobed,
    summarize_validation,
)
from .pool import COMPILED, CompiledCache, Instance, InstancePool, Module, compile_module
from .redaction import SECRET_WORDS, Redactor, is_secret_key, secret_forms, secret_values
from .wasm import (
    INIT_EXPORT,
    START_EXPORT,
    PreparedModule,
    WasmHeader,
    prepare_module,
    read_wasm_header,
    rewrite_imports,
)
from .wire import (
    I32,
    I64,
    MAX_JSON_DEPTH,
    U8,
    U16,
    U32,
    U64,
    Bytes,
    JsonValue,
    WireModel,
    is_null,
    json_problem,
)

__all__ = [
    "BOUND_CONFIG",
    "COMPILED",
    "DEFAULT_LOGGER",
    "DEFAULT_MAX_HTTP_RESPONSE_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_MS",
    "HOST_FUNCTIONS",
    "I32",
    "I64",
    "INIT_EXPORT",
    "JSON_ENCODER",
    "LOG_TAP",
    "MAX_JSON_DEPTH",
    "MAX_LOG_BYTES",
    "NAMESPACE",
    "RENAMES",
    "SECRET_WORDS",
    "START_EXPORT",
    "U8",
    "U16",
    "U32",
    "U64",
    "Abi",
    "AllowList",
    "Bytes",
    "CallState",
    "CompiledCache",
    "ConfigError",
    "ConfigT",
    "ConnectionFailedError",
    "ExportSpec",
    "ExtismLogTap",
    "HostFunctionError",
    "HostNotAllowedError",
    "HostRoles",
    "HttpFailure",
    "HttpPolicy",
    "HttpResponse",
    "InputShape",
    "InputValidationError",
    "Instance",
    "InstancePool",
    "JsonValue",
    "MissingExportError",
    "Module",
    "NewConfigT",
    "Origin",
    "OutputShape",
    "OutputValidationError",
    "PluginBase",
    "PluginCallError",
    "PluginClosedError",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "PluginOutOfMemoryError",
    "PluginTimeoutError",
    "PluginTrapError",
    "PreparedModule",
    "Redactor",
    "RedirectRefusedError",
    "ResponseTooLargeError",
    "UrlError",
    "WasmHeader",
    "WireModel",
    "capture_extism_log",
    "classify_failure",
    "compile_module",
    "config_to_json",
    "is_null",
    "is_secret_key",
    "json_problem",
    "open_unprobed",
    "origin_of",
    "origins_of_entry",
    "parse_url",
    "prepare_module",
    "prune_config",
    "read_wasm_header",
    "rewrite_imports",
    "schema_limits_problem",
    "schema_problems",
    "secret_forms",
    "secret_values",
    "summarize_validation",
]
