"""`QuerymtExtismPlugin`: load and call a plugin of QueryMT Extism plugin ABI v2.

Generated from querymt-extism-v2; do not edit.

    from querymt_extism_v2 import QuerymtExtismPlugin

    with QuerymtExtismPlugin.open("plugin.wasm", {"api_key": "..."}) as plugin:
        print(plugin.info.name, plugin.list_models())

The module is compiled once; calls run on a pool of instances made from it, one thread per
instance at a time, so one plugin object may be shared by any number of threads.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar, Generic, TypeVar

import extism  # type: ignore[import-untyped]
import jiter
import jsonschema
import re2  # type: ignore[import-untyped]
import referencing
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

from ._host import CallState
from ._http import AllowList, HttpPolicy, Origin, UrlError, origin_of
from ._runtime import (
    LOG_TAP,
    Instance,
    InstancePool,
    Redactor,
    classify,
    compile_module,
    read_wasm_header,
    secret_values,
)
from ._wire import I64, MAX_JSON_DEPTH, U32, JsonValue, json_problem
from .errors import (
    ConfigError,
    InputValidationError,
    MissingExportError,
    OutputValidationError,
    PluginError,
    PluginLoadError,
    PluginTimeoutError,
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

DEFAULT_TIMEOUT_MS = 60_000
"""Manifest `timeout_ms` unless the caller says otherwise: no call runs longer than a minute."""
DEFAULT_MAX_PAGES = 1024
"""Manifest `memory.max_pages` (64 KiB each): 64 MiB of plugin memory at most."""
DEFAULT_MAX_HTTP_RESPONSE_BYTES = 16 * 1024 * 1024
"""A larger HTTP response fails the call with `ResponseTooLargeError`."""

ConfigT = TypeVar("ConfigT", bound="Mapping[str, Any] | BaseModel")
NewConfigT = TypeVar("NewConfigT", bound="Mapping[str, Any] | BaseModel")


class _UseConfig:
    def __repr__(self) -> str:
        return "<the plugin's configuration>"


_CONFIG: Any = _UseConfig()
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)
"""`json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)`, without
building an encoder per call: NaN and Infinity are refused, as serde_json refuses them."""
_IN_INIT_LOGGING: TypeAdapter[U32] = TypeAdapter(U32)
_IN_LIST_MODELS_STATIC: TypeAdapter[ExtismListModelsRequest] = TypeAdapter(ExtismListModelsRequest)
_IN_LIST_MODELS_REQUEST: TypeAdapter[ExtismListModelsRequest] = TypeAdapter(ExtismListModelsRequest)
_IN_PARSE_LIST_MODELS_RESPONSE: TypeAdapter[ExtismListModelsParseRequest] = TypeAdapter(
    ExtismListModelsParseRequest
)
_IN_CHAT_STREAM_PARSER_PARSE: TypeAdapter[ExtismChatChunkParseRequest] = TypeAdapter(
    ExtismChatChunkParseRequest
)
_IN_CHAT_STREAM_PARSER_FINISH: TypeAdapter[I64] = TypeAdapter(I64)
_IN_CHAT_STREAM_PARSER_CLOSE: TypeAdapter[I64] = TypeAdapter(I64)
_OUT_LIST_MODELS_STATIC: TypeAdapter[list[str] | None] = TypeAdapter(list[str] | None)
_OUT_LIST_MODELS_REQUEST: TypeAdapter[SerializableHttpRequest] = TypeAdapter(
    SerializableHttpRequest
)
_OUT_PARSE_LIST_MODELS_RESPONSE: TypeAdapter[list[str]] = TypeAdapter(list[str])
_OUT_CHAT_REQUEST: TypeAdapter[SerializableHttpRequest] = TypeAdapter(SerializableHttpRequest)
_OUT_CHAT_STREAM_REQUEST: TypeAdapter[SerializableHttpRequest] = TypeAdapter(
    SerializableHttpRequest
)
_OUT_CLASSIFY_CHAT_ERROR: TypeAdapter[PluginErrorDocument] = TypeAdapter(PluginErrorDocument)
_OUT_PARSE_CHAT_RESPONSE: TypeAdapter[ExtismChatResponse] = TypeAdapter(ExtismChatResponse)
_OUT_CHAT_STREAM_PARSER_START: TypeAdapter[I64] = TypeAdapter(I64)
_OUT_CHAT_STREAM_PARSER_PARSE: TypeAdapter[list[ExtismChatChunk]] = TypeAdapter(
    list[ExtismChatChunk]
)
_OUT_CHAT_STREAM_PARSER_FINISH: TypeAdapter[list[ExtismChatChunk]] = TypeAdapter(
    list[ExtismChatChunk]
)
_OUT_EMBED_REQUEST: TypeAdapter[SerializableHttpRequest] = TypeAdapter(SerializableHttpRequest)
_OUT_PARSE_EMBED_RESPONSE: TypeAdapter[list[list[float]]] = TypeAdapter(list[list[float]])
_OUT_COMPLETE_REQUEST: TypeAdapter[SerializableHttpRequest] = TypeAdapter(SerializableHttpRequest)
_OUT_PARSE_COMPLETE_RESPONSE: TypeAdapter[CompletionResponse] = TypeAdapter(CompletionResponse)
_OUT_TRANSCRIBE: TypeAdapter[ExtismSttResponse] = TypeAdapter(ExtismSttResponse)
_OUT_SPEECH: TypeAdapter[ExtismTtsResponse] = TypeAdapter(ExtismTtsResponse)
_OUT_SUPPORTS_STREAMING: TypeAdapter[bool] = TypeAdapter(bool)


@dataclass(frozen=True)
class PluginInfo:
    """What loading found out about the plugin (the probe's answers and the module's exports)."""

    name: str
    """The plugin's display name (`name` export)."""
    base_url: str | None
    """The provider's default base URL (`base_url` export), if it gave a valid one."""
    exports: frozenset[str]
    """The spec's exports the module has."""
    missing: frozenset[str]
    """The spec's optional exports the module lacks (a required one missing fails the load)."""
    extra_exports: tuple[str, ...]
    """Functions the module exports beyond the spec."""
    config_schema: dict[str, Any]
    """The JSON Schema of the plugin's configuration (`config_schema` export)."""
    allowed_hosts: tuple[str, ...]
    """The origins (`scheme://host:port`) the plugin's HTTP requests may reach."""
    wasi: bool
    """Whether the module imports WASI (and so runs with WASI enabled)."""


def _config_json(config: Any) -> Any:
    """The configuration as plain JSON, refused (ConfigError) where serde_json would refuse it."""
    if isinstance(config, BaseModel):
        try:
            config = config.model_dump(mode="json", by_alias=True)
        except PydanticSerializationError as exc:
            raise ConfigError(f"the configuration is not JSON: {exc}") from None
    elif isinstance(config, Mapping):
        config = dict(config)
    else:
        raise ConfigError("the configuration must be a mapping or a pydantic model")
    problem = json_problem(config)
    if problem:
        raise ConfigError(f"the configuration is not valid JSON for the plugin: {problem}")
    try:
        return json.loads(_ENCODER.encode(config).encode("utf-8"))
    except (TypeError, ValueError) as exc:  # a non-JSON type, a lone surrogate, ...
        raise ConfigError(f"the configuration is not JSON: {exc}") from None


def prune_config(config: Any, schema: Any) -> Any:
    """Drops keys the schema's `properties` do not list, recursively (the v1 host does this)."""
    if not isinstance(config, dict) or not isinstance(schema, dict):
        return config
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return config
    return {
        key: prune_config(value, properties[key])
        for key, value in config.items()
        if key in properties
    }


@lru_cache(maxsize=256)
def _regex(pattern: str) -> Any:
    """A linear-time (RE2) regular expression: no pattern can make matching backtrack."""
    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise _UnsupportedSchema(
            f"its pattern {pattern[:60]!r} is not supported by a linear-time engine ({exc})"
        ) from None


class _UnsupportedSchema(Exception):
    pass


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _regex(pattern).search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(original: Any) -> Any:
    """`additionalProperties`, with keys matched against `patternProperties` in linear time."""

    def check(validator: Any, allowed: Any, instance: Any, schema: Any) -> Iterator[Any]:
        patterns = schema.get("patternProperties")
        if not isinstance(patterns, dict):
            yield from original(validator, allowed, instance, schema)
            return
        if not validator.is_type(instance, "object"):
            return
        properties = schema.get("properties", {})
        extras = [
            key
            for key in instance
            if key not in properties and not any(_regex(p).search(key) for p in patterns)
        ]
        if validator.is_type(allowed, "object"):
            for extra in extras:
                yield from validator.descend(instance[extra], allowed, path=extra)
        elif not allowed and extras:
            yield jsonschema.ValidationError("has keys that match no property or pattern")

    return check


_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def schema_limits_problem(schema: Any) -> str | None:
    """Why the host will not check a configuration against this schema, or None.

    The checks must be bounded: the schema nests at most as deeply as serde_json allows, refers
    only within itself (no remote or file `$ref` is ever fetched), and uses no
    `unevaluatedProperties` next to `patternProperties` (jsonschema matches that pair with
    Python's backtracking `re`; every other pattern here is matched by RE2, in linear time).
    """
    problem = json_problem(schema)
    if problem:
        return problem
    stack = [schema]
    keywords: set[str] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            keywords.update(k for k in node if isinstance(k, str))
            for keyword in _REF_KEYWORDS:
                ref = node.get(keyword)
                if isinstance(ref, str) and not ref.startswith("#"):
                    return f"it refers to {ref[:80]!r}, outside itself (never fetched)"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if "unevaluatedProperties" in keywords and "patternProperties" in keywords:
        return "it combines unevaluatedProperties with patternProperties"
    return None


@lru_cache(maxsize=32)
def _bounded_validator_class(base: Any) -> Any:
    keywords: dict[str, Any] = {"pattern": _pattern, "patternProperties": _pattern_properties}
    if "additionalProperties" in base.VALIDATORS:
        keywords["additionalProperties"] = _additional_properties(
            base.VALIDATORS["additionalProperties"]
        )
    return jsonschema.validators.extend(base, keywords)  # type: ignore[no-untyped-call]


def _schema_problems(config: Any, schema: dict[str, Any]) -> list[str]:
    """Where and why `config` fails `schema`, quoting no value (values may be secrets).

    Bounded in time: patterns are RE2 (linear), nothing outside the schema is fetched (an empty
    registry), and nesting is limited (`schema_limits_problem`).
    """
    limits = schema_limits_problem(schema)
    if limits:
        return [f"the host does not check against the plugin's config_schema: {limits}"]
    try:
        base = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
        base.check_schema(schema)
        validator = _bounded_validator_class(base)(schema, registry=referencing.Registry())
        errors = list(validator.iter_errors(config))
    except jsonschema.SchemaError as exc:
        return [f"the plugin's config_schema is not a valid JSON Schema ({exc.validator})"]
    except _UnsupportedSchema as exc:
        return [f"the host does not check against the plugin's config_schema: {exc}"]
    except referencing.exceptions.Unresolvable as exc:
        return [f"the plugin's config_schema has a reference that does not resolve ({exc.ref!r})"]
    except RecursionError:
        return ["the plugin's config_schema is too deeply recursive to check"]
    problems = []
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        if error.validator == "required":
            required = error.validator_value if isinstance(error.validator_value, list) else []
            present = error.instance if isinstance(error.instance, dict) else {}
            missing = [n for n in required if n not in present]
            problems.append(f"{where}: missing required key(s) {', '.join(missing)}")
        elif error.validator == "additionalProperties":
            problems.append(f"{where}: has keys the schema does not allow")
        elif error.validator in ("type", "enum", "const", "format", "pattern"):
            problems.append(f"{where}: fails {error.validator!r} ({error.validator_value!r})")
        else:
            problems.append(f"{where}: fails {error.validator!r}")
    return problems


def _summarize(exc: ValidationError) -> tuple[str, ...]:
    return tuple(
        f"{'/'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )


class QuerymtExtismPlugin(Generic[ConfigT]):
    """A loaded plugin of QueryMT Extism plugin ABI v2, with one typed method per export.

    Open it with `QuerymtExtismPlugin.open(path_or_bytes, config)`. The configuration (a dict or
    a pydantic model) is pruned of keys the plugin's `config_schema` does not list, checked
    against that schema, accepted by the plugin's `from_config`, and then sent as `cfg` with
    every call. Safe to share between threads.
    """

    REQUIRED_EXPORTS: ClassVar[tuple[str, ...]] = REQUIRED_EXPORTS
    OPTIONAL_EXPORTS: ClassVar[tuple[str, ...]] = OPTIONAL_EXPORTS

    def __init__(
        self,
        *,
        info: PluginInfo,
        pool: InstancePool,
        config: ConfigT | None,
        config_json: Any,
        http: HttpPolicy | None = None,
    ) -> None:
        """Use `open()`; this only assembles an already loaded plugin.

        `http` serves the plugin's HTTP; by default `info.allowed_hosts` with default limits.
        """
        self.info = info
        self._pool = pool
        self._http = http or HttpPolicy(
            AllowList.parse(info.allowed_hosts),
            timeout_ms=DEFAULT_TIMEOUT_MS,
            max_response_bytes=DEFAULT_MAX_HTTP_RESPONSE_BYTES,
        )
        self._config = config
        self._cfg = config_json
        self._cfg_wire: bytes | None = None  # `_cfg` encoded, made on first use
        self._redact = Redactor(secret_values(config_json))

    # ----------------------------------------------------------------------- loading

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
          response body a plugin may receive (None: no limit).
        - `check_config`: call `from_config` with the configuration now, as the host does.
        """
        LOG_TAP.install()
        if isinstance(wasm, bytes | bytearray | memoryview):
            data = bytes(wasm)
        else:
            try:
                data = Path(wasm).read_bytes()
            except OSError as exc:
                raise PluginLoadError(f"cannot read {wasm}: {exc.strerror}") from None
        try:
            header = read_wasm_header(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise PluginLoadError(f"not a WebAssembly module: {exc}") from None
        env: dict[str, str] = dict(os.environ) if inherit_env else {}
        env.update(manifest_config or {})
        try:
            extra_origins = AllowList.parse(allowed_hosts).origins
        except UrlError as exc:
            raise ConfigError(f"allowed_hosts: {exc}") from None
        functions = header.function_exports
        present = frozenset(e for e in REQUIRED_EXPORTS + OPTIONAL_EXPORTS if e in functions)
        missing_required = tuple(e for e in REQUIRED_EXPORTS if e not in present)
        if missing_required:
            raise MissingExportError(
                f"not a {ABI_NAME} v{ABI_VERSION} plugin: missing export(s) "
                + ", ".join(missing_required),
                missing=missing_required,
            )
        config_json = None if config is None else _config_json(config)
        redact = Redactor(secret_values(config_json))

        compiled = compile_module(
            data, wasi=header.needs_wasi, config=env, timeout_ms=timeout_ms, max_pages=max_pages
        )

        def http(origins: frozenset[Origin]) -> HttpPolicy:
            return HttpPolicy(
                AllowList(origins),
                timeout_ms=timeout_ms,
                max_response_bytes=max_http_response_bytes,
            )

        # The probe: no allowed hosts, the manifest config.
        probe_pool = InstancePool(compiled, max_idle=1)
        probe = cls(
            info=PluginInfo("", None, present, frozenset(), (), {}, (), header.needs_wasi),
            pool=probe_pool,
            config=None,
            config_json=None,
            http=http(frozenset()),
        )
        probe._redact = redact
        try:
            name = probe._probe_text("name")
            base_url = None
            if "base_url" in present:
                try:
                    candidate = probe._probe_text("base_url")
                except PluginTimeoutError:
                    raise
                except PluginError:
                    candidate = None
                base_url = candidate if origin_of(candidate) else None
            schema_text = probe._probe_text("config_schema")
        except PluginTimeoutError as exc:
            raise PluginTimeoutError(
                f"opening the plugin timed out: {exc.message}", export=exc.export
            ) from None
        except PluginError as exc:
            raise PluginLoadError(
                f"the plugin's `{exc.export or 'probe'}` failed: {exc.message}"
            ) from None
        finally:
            probe_pool.close()
        try:
            schema = jiter.from_json(
                schema_text.encode(), allow_inf_nan=False, catch_duplicate_keys=True
            )
        except ValueError as exc:
            raise PluginLoadError(
                f"the plugin's `config_schema` failed: not JSON ({exc})"
            ) from None
        if not isinstance(schema, dict):
            raise PluginLoadError("the plugin's `config_schema` is not a JSON object")
        problem = json_problem(schema)
        if problem:
            raise PluginLoadError(f"the plugin's `config_schema` is refused: {problem}")

        if config_json is not None:
            config_json = prune_config(config_json, schema)
        origins = set(extra_origins)
        for url in (
            base_url,
            config_json.get("base_url") if isinstance(config_json, dict) else None,
        ):
            origin = origin_of(url)
            if origin is not None:
                origins.add(origin)
        info = PluginInfo(
            name=name,
            base_url=base_url,
            exports=present,
            missing=frozenset(OPTIONAL_EXPORTS) - present,
            extra_exports=tuple(sorted(functions - present)),
            config_schema=schema,
            allowed_hosts=tuple(str(o) for o in sorted(origins)),
            wasi=header.needs_wasi,
        )
        pool = InstancePool(compiled, max_idle=max_idle_instances or max(4, os.cpu_count() or 1))
        plugin = cls(
            info=info, pool=pool, config=config, config_json=None, http=http(frozenset(origins))
        )
        if config is not None:
            plugin = plugin._bind(config, config_json, check=check_config)
        return plugin

    def with_config(
        self, config: NewConfigT, *, check: bool = True
    ) -> QuerymtExtismPlugin[NewConfigT]:
        """The same loaded plugin (sharing its instances) with another configuration."""
        return self._bind(
            config, prune_config(_config_json(config), self.info.config_schema), check=check
        )

    def _bind(
        self, config: NewConfigT, config_json: Any, *, check: bool
    ) -> QuerymtExtismPlugin[NewConfigT]:
        redact = Redactor(secret_values(config_json))
        problems = _schema_problems(config_json, self.info.config_schema)
        if problems:
            raise ConfigError(
                redact(
                    "the configuration does not match the plugin's config_schema: "
                    + "; ".join(problems)
                )
            )
        bound = QuerymtExtismPlugin[NewConfigT](
            info=self.info, pool=self._pool, config=config, config_json=config_json, http=self._http
        )
        if check:
            bound.from_config()
        return bound

    # ----------------------------------------------------------------------- state

    @property
    def config(self) -> ConfigT | None:
        """The configuration as given (unpruned)."""
        return self._config

    @property
    def capabilities(self) -> frozenset[str]:
        """The spec's optional exports this plugin has."""
        return self.info.exports & frozenset(OPTIONAL_EXPORTS)

    def has_export(self, export: str) -> bool:
        return export in self.info.exports

    def close(self) -> None:
        """Drops the plugin's instances; later calls raise PluginClosedError."""
        self._pool.close()

    def __enter__(self) -> QuerymtExtismPlugin[ConfigT]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.info.name!r}>"

    # ----------------------------------------------------------------------- calling

    def call_raw(self, export: str, data: bytes) -> bytes:
        """Calls any export with raw bytes; failures raise the typed errors of `errors`."""
        pool = self._pool
        instance = pool.acquire(self._new_state)
        state = CallState(export, self._http, self._redact)
        started = perf_counter()
        failure: str | None = None
        try:
            output: bytes = instance.plugin.call(export, data, host_context=state)
        except extism.Error as exc:
            failure = str(exc.args[0]) if exc.args else ""
        else:
            if state.failure is None and state.guest_error is None:
                pool.release(instance, started)
                return output
        raise self._failure(export, failure, instance, state, started)

    def _new_state(self, export: str) -> CallState:
        """What the host functions record during one call of `export`."""
        return CallState(export, self._http, self._redact)

    def _failure(
        self,
        export: str,
        message: str | None,
        instance: Instance,
        state: CallState,
        started: float,
    ) -> PluginError:
        records = LOG_TAP.take(instance.id) if message is not None else []
        error = classify(export, message, state, records, self._redact)
        if error.instance_reusable:
            self._pool.release(instance, started)
        # else: it trapped mid-call (its memory may be inconsistent); the pool makes a new one
        return error

    def _require_export(self, export: str) -> None:
        if export not in self.info.exports:
            raise MissingExportError(
                f"{export}: this plugin does not export it (optional in {ABI_NAME} v{ABI_VERSION})",
                export=export,
            )

    def _require_config(self) -> Any:
        if self._cfg is None:
            raise ConfigError("this call sends the configuration: open the plugin with a config")
        return self._cfg

    def _config_wire(self, export: str) -> bytes:
        """The bound configuration as JSON bytes, encoded once (it never changes)."""
        data = self._cfg_wire
        if data is None:
            data = self._cfg_wire = self._encode(export, self._require_config())
        return data

    def _probe_text(self, export: str) -> str:
        return self._text(export, self.call_raw(export, PROBE_INPUT))

    def _text(self, export: str, output: bytes) -> str:
        try:
            return output.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise OutputValidationError(
                f"{export}: output is not UTF-8 ({exc.reason} at byte {exc.start})",
                export=export,
                errors=(exc.reason,),
            ) from None

    def _json_value(self, export: str, output: bytes) -> Any:
        """Output JSON as serde_json reads it: no NaN or Infinity, no number too large for an
        f64, no duplicate key, nesting within serde_json's limit."""
        try:
            value = jiter.from_json(output, allow_inf_nan=False, catch_duplicate_keys=True)
        except ValueError as exc:
            reason = str(exc)
        else:
            problem = json_problem(value)
            if problem is None:
                return value
            reason = problem
        reason = self._redact(reason)
        raise OutputValidationError(
            f"{export}: output is not valid JSON: {reason}", export=export, errors=(reason,)
        )

    def _json(self, export: str, adapter: TypeAdapter[Any], output: bytes) -> Any:
        self._json_value(export, output)
        try:
            return adapter.validate_json(output, by_alias=True, by_name=False)
        except ValidationError as exc:
            errors = _summarize(exc)
            raise OutputValidationError(
                self._redact(f"{export}: output violates the spec: " + "; ".join(errors[:5])),
                export=export,
                errors=tuple(self._redact(e) for e in errors),
            ) from None

    def _encode(self, export: str, value: Any) -> bytes:
        try:
            data = _ENCODER.encode(value).encode()
        except (TypeError, ValueError, RecursionError) as exc:  # NaN, a lone surrogate, ...
            raise InputValidationError(
                self._redact(f"{export}: input is not JSON: {exc}"), export=export
            ) from None
        if len(data) > 2 * MAX_JSON_DEPTH:  # shorter JSON cannot nest too deeply
            problem = json_problem(value)
            if problem:
                raise InputValidationError(
                    f"{export}: input is not valid JSON: {problem}", export=export
                )
        return data

    def _encode_typed(self, export: str, adapter: TypeAdapter[Any], value: Any) -> bytes:
        """A typed JSON input, checked against its type (a model, a sized integer) and encoded."""
        try:
            return adapter.dump_json(adapter.validate_python(value), by_alias=True)
        except ValidationError as exc:
            raise InputValidationError(
                self._redact(f"{export}: invalid input: " + "; ".join(_summarize(exc))),
                export=export,
            ) from None
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact(f"{export}: input is not JSON: {exc}"), export=export
            ) from None

    # ----------------------------------------------------------------------- exports

    def name(
        self,
    ) -> str:
        """The plugin's display name (`name = ...` in the macro).

        Export `name` (required). Input: Not read; the host sends `null`.
        Output: The display name.
        """
        data = PROBE_INPUT
        output = self.call_raw("name", data)
        return self._text("name", output)

    def base_url(
        self,
    ) -> str:
        """The provider's default API base URL (`default_base_url()` of the config).

        Export `base_url` (optional). Input: Not read; the host sends `null`.
        Output: An absolute URL.
        """
        self._require_export("base_url")
        data = PROBE_INPUT
        output = self.call_raw("base_url", data)
        return self._text("base_url", output)

    def init_logging(
        self,
        payload: U32,
    ) -> None:
        """Installs the plugin's logger, which forwards records to `qmt_log`.

        Export `init_logging` (required). Input: The maximum level (a wasm32 `usize`): 0 off, 1
        error, 2 warn, 3 info, 4 debug, 5+ trace.
        Output: No bytes.
        """
        data = self._encode_typed("init_logging", _IN_INIT_LOGGING, payload)
        output = self.call_raw("init_logging", data)
        del output

    def config_schema(
        self,
    ) -> str:
        """The JSON Schema of the plugin's configuration.

        Export `config_schema` (required). Input: Not read; the host sends `null`.
        Output: A JSON Schema document as raw text (a schemars root with `$schema`, `title`,
        `properties`, `$defs`).
        """
        data = PROBE_INPUT
        output = self.call_raw("config_schema", data)
        return self._text("config_schema", output)

    def api_key_name(
        self,
    ) -> str | None:
        """The environment variable that holds the provider's API key, if it has one.

        Export `api_key_name` (optional). Input: Not read; the host sends `null`.
        Output: The variable name, or empty output when the provider takes no key.
        """
        self._require_export("api_key_name")
        data = PROBE_INPUT
        output = self.call_raw("api_key_name", data)
        return self._text("api_key_name", output) if output else None

    def from_config(
        self,
        payload: JsonValue = _CONFIG,
    ) -> JsonValue:
        """Validates a configuration.

        Export `from_config` (required). Input: The pruned configuration.
        Output: The same configuration re-emitted.
        """
        if payload is _CONFIG:
            data = self._config_wire("from_config")
        else:
            data = self._encode("from_config", payload)
        output = self.call_raw("from_config", data)
        result: JsonValue = self._json_value("from_config", output)
        return result

    def list_models_static(
        self,
        payload: ExtismListModelsRequest,
    ) -> list[str] | None:
        """A fixed model list, for providers whose API has none.

        Export `list_models_static` (optional). Input: The configuration.
        Output: Model identifiers, or `null` when the provider lists them over HTTP.
        """
        self._require_export("list_models_static")
        data = self._encode_typed("list_models_static", _IN_LIST_MODELS_STATIC, payload)
        output = self.call_raw("list_models_static", data)
        result: list[str] | None = self._json("list_models_static", _OUT_LIST_MODELS_STATIC, output)
        return result

    def list_models_request(
        self,
        payload: ExtismListModelsRequest,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request that lists models.

        Export `list_models_request` (required). Input: The configuration.
        Output: The request to send.
        """
        data = self._encode_typed("list_models_request", _IN_LIST_MODELS_REQUEST, payload)
        output = self.call_raw("list_models_request", data)
        result: SerializableHttpRequest = self._json(
            "list_models_request", _OUT_LIST_MODELS_REQUEST, output
        )
        return result

    def parse_list_models_response(
        self,
        payload: ExtismListModelsParseRequest,
    ) -> list[str]:
        """Reads the model list from a 2xx response.

        Export `parse_list_models_response` (required). Input: The response.
        Output: Model identifiers.
        """
        data = self._encode_typed(
            "parse_list_models_response", _IN_PARSE_LIST_MODELS_RESPONSE, payload
        )
        output = self.call_raw("parse_list_models_response", data)
        result: list[str] = self._json(
            "parse_list_models_response", _OUT_PARSE_LIST_MODELS_RESPONSE, output
        )
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
        try:
            request = ExtismChatRequest(
                cfg=self._require_config(),
                messages=messages,
                tools=tools,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("chat_request: invalid input: " + "; ".join(_summarize(exc))),
                export="chat_request",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("chat_request: input is not JSON: " + str(exc)),
                export="chat_request",
            ) from None
        output = self.call_raw("chat_request", data)
        result: SerializableHttpRequest = self._json("chat_request", _OUT_CHAT_REQUEST, output)
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
        try:
            request = ExtismChatRequest(
                cfg=self._require_config(),
                messages=messages,
                tools=tools,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("chat_stream_request: invalid input: " + "; ".join(_summarize(exc))),
                export="chat_stream_request",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("chat_stream_request: input is not JSON: " + str(exc)),
                export="chat_stream_request",
            ) from None
        output = self.call_raw("chat_stream_request", data)
        result: SerializableHttpRequest = self._json(
            "chat_stream_request", _OUT_CHAT_STREAM_REQUEST, output
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
        self._require_export("classify_chat_error")
        try:
            request = ExtismChatParseRequest(
                cfg=self._require_config(),
                resp=resp,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("classify_chat_error: invalid input: " + "; ".join(_summarize(exc))),
                export="classify_chat_error",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("classify_chat_error: input is not JSON: " + str(exc)),
                export="classify_chat_error",
            ) from None
        output = self.call_raw("classify_chat_error", data)
        result: PluginErrorDocument = self._json(
            "classify_chat_error", _OUT_CLASSIFY_CHAT_ERROR, output
        )
        return result

    def parse_chat_response(
        self,
        resp: SerializableHttpResponse,
    ) -> ExtismChatResponse:
        """Reads the answer from a 2xx chat response.

        Export `parse_chat_response` (required). Input: The configuration and the response.
        Output: The answer.
        """
        try:
            request = ExtismChatParseRequest(
                cfg=self._require_config(),
                resp=resp,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("parse_chat_response: invalid input: " + "; ".join(_summarize(exc))),
                export="parse_chat_response",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("parse_chat_response: input is not JSON: " + str(exc)),
                export="parse_chat_response",
            ) from None
        output = self.call_raw("parse_chat_response", data)
        result: ExtismChatResponse = self._json(
            "parse_chat_response", _OUT_PARSE_CHAT_RESPONSE, output
        )
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
        if config is None:
            data = self._config_wire("chat_stream_parser_start")
        else:
            cfg = prune_config(_config_json(config), self.info.config_schema)
            data = self._encode("chat_stream_parser_start", cfg)
        output = self.call_raw("chat_stream_parser_start", data)
        result: I64 = self._json("chat_stream_parser_start", _OUT_CHAT_STREAM_PARSER_START, output)
        return result

    def chat_stream_parser_parse(
        self,
        payload: ExtismChatChunkParseRequest,
    ) -> list[ExtismChatChunk]:
        """Feeds one line of the streamed body to a parser.

        Export `chat_stream_parser_parse` (required). Input: The parser id and the line.
        Output: The events the line completes, possibly none.
        """
        data = self._encode_typed("chat_stream_parser_parse", _IN_CHAT_STREAM_PARSER_PARSE, payload)
        output = self.call_raw("chat_stream_parser_parse", data)
        result: list[ExtismChatChunk] = self._json(
            "chat_stream_parser_parse", _OUT_CHAT_STREAM_PARSER_PARSE, output
        )
        return result

    def chat_stream_parser_finish(
        self,
        payload: I64,
    ) -> list[ExtismChatChunk]:
        """Ends a parser's input and returns what it still holds; the parser is removed.

        Export `chat_stream_parser_finish` (required). Input: The parser id.
        Output: The remaining events.
        """
        data = self._encode_typed(
            "chat_stream_parser_finish", _IN_CHAT_STREAM_PARSER_FINISH, payload
        )
        output = self.call_raw("chat_stream_parser_finish", data)
        result: list[ExtismChatChunk] = self._json(
            "chat_stream_parser_finish", _OUT_CHAT_STREAM_PARSER_FINISH, output
        )
        return result

    def chat_stream_parser_close(
        self,
        payload: I64,
    ) -> None:
        """Drops a parser.

        Export `chat_stream_parser_close` (required). Input: The parser id.
        Output: No bytes.
        """
        data = self._encode_typed("chat_stream_parser_close", _IN_CHAT_STREAM_PARSER_CLOSE, payload)
        output = self.call_raw("chat_stream_parser_close", data)
        del output

    def embed_request(
        self,
        inputs: list[str],
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of an embedding call.

        Export `embed_request` (required). Input: The configuration and the texts.
        Output: The request to send.
        """
        try:
            request = ExtismEmbedRequest(
                cfg=self._require_config(),
                inputs=inputs,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("embed_request: invalid input: " + "; ".join(_summarize(exc))),
                export="embed_request",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("embed_request: input is not JSON: " + str(exc)),
                export="embed_request",
            ) from None
        output = self.call_raw("embed_request", data)
        result: SerializableHttpRequest = self._json("embed_request", _OUT_EMBED_REQUEST, output)
        return result

    def parse_embed_response(
        self,
        resp: SerializableHttpResponse,
    ) -> list[list[float]]:
        """Reads the vectors from a 2xx embedding response.

        Export `parse_embed_response` (required). Input: The configuration and the response.
        Output: One vector per input, in order.
        """
        try:
            request = ExtismEmbedParseRequest(
                cfg=self._require_config(),
                resp=resp,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("parse_embed_response: invalid input: " + "; ".join(_summarize(exc))),
                export="parse_embed_response",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("parse_embed_response: input is not JSON: " + str(exc)),
                export="parse_embed_response",
            ) from None
        output = self.call_raw("parse_embed_response", data)
        result: list[list[float]] = self._json(
            "parse_embed_response", _OUT_PARSE_EMBED_RESPONSE, output
        )
        return result

    def complete_request(
        self,
        req: CompletionRequest,
    ) -> SerializableHttpRequest:
        """Builds the HTTP request of a completion.

        Export `complete_request` (required). Input: The configuration and the request.
        Output: The request to send.
        """
        try:
            request = ExtismCompleteRequest(
                cfg=self._require_config(),
                req=req,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("complete_request: invalid input: " + "; ".join(_summarize(exc))),
                export="complete_request",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("complete_request: input is not JSON: " + str(exc)),
                export="complete_request",
            ) from None
        output = self.call_raw("complete_request", data)
        result: SerializableHttpRequest = self._json(
            "complete_request", _OUT_COMPLETE_REQUEST, output
        )
        return result

    def parse_complete_response(
        self,
        resp: SerializableHttpResponse,
    ) -> CompletionResponse:
        """Reads the completion from a 2xx response.

        Export `parse_complete_response` (required). Input: The configuration and the response.
        Output: The completion.
        """
        try:
            request = ExtismCompleteParseRequest(
                cfg=self._require_config(),
                resp=resp,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact(
                    "parse_complete_response: invalid input: " + "; ".join(_summarize(exc))
                ),
                export="parse_complete_response",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("parse_complete_response: input is not JSON: " + str(exc)),
                export="parse_complete_response",
            ) from None
        output = self.call_raw("parse_complete_response", data)
        result: CompletionResponse = self._json(
            "parse_complete_response", _OUT_PARSE_COMPLETE_RESPONSE, output
        )
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
        try:
            request = ExtismSttRequest(
                cfg=self._require_config(),
                audio_base64=audio_base64,
                filename=filename,
                mime_type=mime_type,
                model=model,
                language=language,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("transcribe: invalid input: " + "; ".join(_summarize(exc))),
                export="transcribe",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("transcribe: input is not JSON: " + str(exc)),
                export="transcribe",
            ) from None
        output = self.call_raw("transcribe", data)
        result: ExtismSttResponse = self._json("transcribe", _OUT_TRANSCRIBE, output)
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
        try:
            request = ExtismTtsRequest(
                cfg=self._require_config(),
                text=text,
                model=model,
                voice_config=voice_config,
                format=format,
                speed=speed,
                language=language,
            )
        except ValidationError as exc:
            raise InputValidationError(
                self._redact("speech: invalid input: " + "; ".join(_summarize(exc))),
                export="speech",
            ) from None
        try:
            data = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact("speech: input is not JSON: " + str(exc)),
                export="speech",
            ) from None
        output = self.call_raw("speech", data)
        result: ExtismTtsResponse = self._json("speech", _OUT_SPEECH, output)
        return result

    def supports_streaming(
        self,
        config: ConfigT | Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether the configured provider streams.

        Export `supports_streaming` (required). Input: The bare configuration.
        Output: Whether streaming is supported.
        """
        if config is None:
            data = self._config_wire("supports_streaming")
        else:
            cfg = prune_config(_config_json(config), self.info.config_schema)
            data = self._encode("supports_streaming", cfg)
        output = self.call_raw("supports_streaming", data)
        result: bool = self._json("supports_streaming", _OUT_SUPPORTS_STREAMING, output)
        return result


Plugin = QuerymtExtismPlugin
"""A shorter name for `QuerymtExtismPlugin`."""

__all__ = [
    "ABI_NAME",
    "ABI_VERSION",
    "DEFAULT_MAX_HTTP_RESPONSE_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_MS",
    "OPTIONAL_EXPORTS",
    "REQUIRED_EXPORTS",
    "Plugin",
    "PluginInfo",
    "QuerymtExtismPlugin",
    "prune_config",
]
