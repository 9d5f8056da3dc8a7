"""`PluginBase`: load and call a plugin of any ABI described by an `Abi` value.

A generated package subclasses it once, sets `ABI`, and adds one typed method per export that
calls `_invoke(export, value)`: the runtime encodes the input by the export's call shape, calls
it on a pooled instance, decodes the output and checks it against the export's type.

The module is compiled once; calls run on a pool of instances made from it, one thread per
instance at a time, so one plugin object may be shared by any number of threads.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar, Generic, Self, TypeVar, assert_never

import extism  # type: ignore[import-untyped]
import jiter
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticSerializationError

from .abi import BOUND_CONFIG, Abi, ExportSpec, InputShape, OutputShape
from .classify import classify_failure
from .config import JSON_ENCODER, config_to_json, prune_config, schema_problems
from .errors import (
    ConfigError,
    InputValidationError,
    MissingExportError,
    OutputValidationError,
    PluginError,
    PluginLoadError,
    PluginTimeoutError,
)
from .host import CallState, log_level_of, plugin_logger
from .http_policy import AllowList, HttpPolicy, Origin, UrlError, origin_of
from .logtap import LOG_TAP
from .pool import Instance, InstancePool, compile_module
from .redaction import Redactor, secret_values
from .wasm import read_wasm_header
from .wire import MAX_JSON_DEPTH, json_problem

__all__ = [
    "DEFAULT_MAX_HTTP_RESPONSE_BYTES",
    "DEFAULT_MAX_PAGES",
    "DEFAULT_TIMEOUT_MS",
    "ConfigT",
    "NewConfigT",
    "PluginBase",
    "PluginInfo",
    "open_unprobed",
    "summarize_validation",
]

DEFAULT_TIMEOUT_MS = 60_000
"""Manifest `timeout_ms` unless the caller says otherwise: no call runs longer than a minute."""
DEFAULT_MAX_PAGES = 1024
"""Manifest `memory.max_pages` (64 KiB each): 64 MiB of plugin memory at most."""
DEFAULT_MAX_HTTP_RESPONSE_BYTES = 16 * 1024 * 1024
"""A larger HTTP response fails the call with `ResponseTooLargeError`."""
DEFAULT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024
"""A larger output fails the call with `OutputValidationError` before it is decoded: a
plugin may fill its whole memory with one answer, and decoding that would cost the host many
times as much."""

ConfigT = TypeVar("ConfigT", bound="Mapping[str, Any] | BaseModel")
NewConfigT = TypeVar("NewConfigT", bound="Mapping[str, Any] | BaseModel")


@dataclass(frozen=True)
class PluginInfo:
    """What loading found out about the plugin (the probe's answers and the module's exports)."""

    name: str
    """The plugin's display name (the ABI's display-name export)."""
    base_url: str | None
    """The provider's default base URL (the ABI's base-URL export), if it gave a valid one."""
    exports: frozenset[str]
    """The spec's exports the module has."""
    missing: frozenset[str]
    """The spec's optional exports the module lacks (a required one missing fails the load)."""
    extra_exports: tuple[str, ...]
    """Functions the module exports beyond the spec."""
    config_schema: dict[str, Any]
    """The JSON Schema of the plugin's configuration (the ABI's config-schema export)."""
    allowed_hosts: tuple[str, ...]
    """The origins (`scheme://host:port`) the plugin's HTTP requests may reach."""
    wasi: bool
    """Whether the module imports WASI (and so runs with WASI enabled)."""


def summarize_validation(exc: ValidationError) -> tuple[str, ...]:
    """One `where: why` line per error of a pydantic validation, quoting no input."""
    return tuple(
        f"{'/'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}"
        for err in exc.errors(include_input=False, include_url=False)
    )


def _read_module(wasm: str | os.PathLike[str] | bytes) -> bytes:
    if isinstance(wasm, bytes | bytearray | memoryview):
        return bytes(wasm)
    try:
        return Path(wasm).read_bytes()
    except OSError as exc:
        raise PluginLoadError(f"cannot read {wasm}: {exc.strerror}") from None


# --------------------------------------------------------------------------- call shapes
# One function per shape, picked once per export when a subclass sets its ABI: a call pays for
# no dispatch on the shape (an enum member lookup costs more than the rest of the encoding).

_Encoder = Callable[["PluginBase[Any]", ExportSpec, Any], bytes]
_Decoder = Callable[["PluginBase[Any]", ExportSpec, bytes], Any]


def _send_probe(plugin: PluginBase[Any], export: ExportSpec, value: Any) -> bytes:
    return plugin.ABI.probe_input


def _send_text(plugin: PluginBase[Any], export: ExportSpec, value: Any) -> bytes:
    text: str = value
    return text.encode("utf-8")


def _send_config(plugin: PluginBase[Any], export: ExportSpec, value: Any) -> bytes:
    if value is None or value is BOUND_CONFIG:
        return plugin._config_wire(export.name)
    config = prune_config(config_to_json(value), plugin.info.config_schema)
    return plugin._encode(export.name, config)


def _send_request(plugin: PluginBase[Any], export: ExportSpec, value: Any) -> bytes:
    return plugin._encode_request(export, {} if value is BOUND_CONFIG else value)


def _send_json(plugin: PluginBase[Any], export: ExportSpec, value: Any) -> bytes:
    if value is BOUND_CONFIG and export.defaults_to_config:
        return plugin._config_wire(export.name)
    if export.input_adapter is not None:
        return plugin._encode_typed(export, export.input_adapter, value)
    return plugin._encode(export.name, value)


def _encoder(export: ExportSpec) -> _Encoder:
    match export.input:
        case InputShape.IGNORED:
            return _send_probe
        case InputShape.TEXT:
            return _send_text
        case InputShape.CONFIG:
            return _send_config
        case InputShape.REQUEST:
            return _send_request
        case InputShape.JSON:
            return _send_json
        case _:
            assert_never(export.input)


def _read_nothing(plugin: PluginBase[Any], export: ExportSpec, output: bytes) -> Any:
    return None


def _read_text(plugin: PluginBase[Any], export: ExportSpec, output: bytes) -> Any:
    return plugin._text(export.name, output)


def _read_text_or_none(plugin: PluginBase[Any], export: ExportSpec, output: bytes) -> Any:
    return plugin._text(export.name, output) if output else None


def _read_json(plugin: PluginBase[Any], export: ExportSpec, output: bytes) -> Any:
    if export.empty_is_none and not output:
        return None
    return plugin._json_value(export.name, output)


def _read_typed_json(plugin: PluginBase[Any], export: ExportSpec, output: bytes) -> Any:
    if export.empty_is_none and not output:
        return None
    assert export.adapter is not None
    return plugin._json(export.name, export.adapter, output)


def _decoder(export: ExportSpec) -> _Decoder:
    match export.output:
        case OutputShape.NONE:
            return _read_nothing
        case OutputShape.TEXT:
            return _read_text
        case OutputShape.TEXT_OR_NONE:
            return _read_text_or_none
        case OutputShape.JSON:
            return _read_json if export.adapter is None else _read_typed_json
        case _:
            assert_never(export.output)


class PluginBase(Generic[ConfigT]):
    """A loaded plugin of the ABI in `ABI` (set by each generated subclass).

    The configuration (a dict or a pydantic model) is pruned of keys the plugin's config schema
    does not list, checked against that schema, accepted by the ABI's check-config export, and
    then sent with every call that takes it. Safe to share between threads.
    """

    ABI: ClassVar[Abi]
    _logger: ClassVar[logging.Logger]
    _codecs: ClassVar[dict[str, tuple[ExportSpec, _Encoder, _Decoder]]]
    """Each export's row with its input encoder and output decoder, chosen once by shape."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        abi = cls.__dict__.get("ABI")
        if abi is not None:
            cls._logger = plugin_logger(abi.logger)
            cls._codecs = {e.name: (e, _encoder(e), _decoder(e)) for e in abi.exports}

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
        self._plugin_logger = (
            plugin_logger(self.ABI.logger, info.name) if info.name else self._logger
        )
        """Where this plugin's log records go: the ABI's logger's child named after it."""

    # ----------------------------------------------------------------------- loading

    @classmethod
    def _open(
        cls,
        wasm: str | os.PathLike[str] | bytes,
        config: Any,
        *,
        allowed_hosts: tuple[str, ...] | list[str],
        timeout_ms: int | None,
        max_pages: int | None,
        max_http_response_bytes: int | None,
        manifest_config: Mapping[str, str] | None,
        inherit_env: bool,
        max_idle_instances: int | None,
        check_config: bool,
        max_output_bytes: int | None = DEFAULT_MAX_OUTPUT_BYTES,
    ) -> Any:
        """The load sequence the ABI's host runs (see the generated `open`), driven by
        `ABI.roles`: probe the display name, the base URL and the config schema on an instance
        that may reach no host, then bind and check the configuration."""
        abi = cls.ABI
        roles = abi.roles
        LOG_TAP.install()
        data = _read_module(wasm)
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
        present = frozenset(e.name for e in abi.exports if e.name in functions)
        missing_required = tuple(e for e in abi.required_exports if e not in present)
        if missing_required:
            raise MissingExportError(
                f"not a {abi.name} v{abi.version} plugin: missing export(s) "
                + ", ".join(missing_required),
                missing=missing_required,
            )
        config_json = None if config is None else config_to_json(config)
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
        probe_pool = InstancePool(compiled, max_idle=1, max_output_bytes=max_output_bytes)
        probe = cls(
            info=PluginInfo("", None, present, frozenset(), (), {}, (), header.needs_wasi),
            pool=probe_pool,
            config=None,
            config_json=None,
            http=http(frozenset()),
        )
        probe._redact = redact
        try:
            name = probe._probe_text(roles.display_name) if roles.display_name else ""
            base_url = None
            if roles.base_url and roles.base_url in present:
                try:
                    candidate = probe._probe_text(roles.base_url)
                except PluginTimeoutError:
                    raise
                except PluginError:
                    candidate = None
                base_url = candidate if origin_of(candidate) else None
            schema_text = probe._probe_text(roles.config_schema) if roles.config_schema else "{}"
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
        schema_role = roles.config_schema
        try:
            schema = jiter.from_json(
                schema_text.encode(), allow_inf_nan=False, catch_duplicate_keys=True
            )
        except ValueError as exc:
            raise PluginLoadError(
                f"the plugin's `{schema_role}` failed: not JSON ({exc})"
            ) from None
        if not isinstance(schema, dict):
            raise PluginLoadError(f"the plugin's `{schema_role}` is not a JSON object")
        problem = json_problem(schema)
        if problem:
            raise PluginLoadError(f"the plugin's `{schema_role}` is refused: {problem}")

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
            missing=frozenset(abi.optional_exports) - present,
            extra_exports=tuple(sorted(functions - present)),
            config_schema=schema,
            allowed_hosts=tuple(str(o) for o in sorted(origins)),
            wasi=header.needs_wasi,
        )
        log_init = roles.log_init if roles.log_init in present else None
        level = log_level_of(plugin_logger(abi.logger, name) if name else cls._logger)
        pool = InstancePool(
            compiled,
            max_idle=max_idle_instances or max(4, os.cpu_count() or 1),
            setup=(log_init, str(level).encode()) if log_init else None,
            log_level=level,
            max_output_bytes=max_output_bytes,
        )
        plugin = cls(
            info=info, pool=pool, config=config, config_json=None, http=http(frozenset(origins))
        )
        if log_init:  # its failure fails the load, as in QueryMT's host
            try:
                pool.release(pool.acquire(plugin._new_state))
            except PluginTimeoutError:
                raise
            except PluginError as exc:
                detail = exc.message.removeprefix("the plugin's initialization failed: ")
                raise PluginLoadError(f"the plugin's `{log_init}` failed: {detail}") from None
        if config is not None:
            plugin = plugin._bind(config, config_json, check=check_config)
        return plugin

    def _with_config(self, config: Any, *, check: bool) -> Any:
        """The same loaded plugin (sharing its instances) with another configuration."""
        return self._bind(
            config, prune_config(config_to_json(config), self.info.config_schema), check=check
        )

    def _bind(self, config: Any, config_json: Any, *, check: bool) -> Any:
        redact = Redactor(secret_values(config_json))
        problems = schema_problems(config_json, self.info.config_schema)
        if problems:
            raise ConfigError(
                redact(
                    "the configuration does not match the plugin's config_schema: "
                    + "; ".join(problems)
                )
            )
        bound = type(self)(
            info=self.info, pool=self._pool, config=config, config_json=config_json, http=self._http
        )
        check_export = self.ABI.roles.check_config
        if check and check_export is not None:
            bound._invoke(check_export)
        return bound

    # ----------------------------------------------------------------------- state

    @property
    def config(self) -> ConfigT | None:
        """The configuration as given (unpruned)."""
        return self._config

    @property
    def capabilities(self) -> frozenset[str]:
        """The spec's optional exports this plugin has."""
        return self.info.exports & frozenset(self.ABI.optional_exports)

    def has_export(self, export: str) -> bool:
        return export in self.info.exports

    def close(self) -> None:
        """Drops the plugin's instances and HTTP connections; later calls raise
        PluginClosedError."""
        self._pool.close()
        self._http.close()

    def __enter__(self) -> Self:
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
        started = perf_counter()
        try:
            output = self._call_on(instance, export, data)
        except PluginError as error:
            if error.instance_reusable:
                pool.release(instance, started)
            # else: it trapped mid-call (its memory may be inconsistent); the pool makes a new one
            raise
        pool.release(instance, started)
        return output

    def _call_on(self, instance: Instance, export: str, data: bytes) -> bytes:
        """Calls `export` on an instance the caller holds; failures raise their typed errors
        (the caller decides whether the instance goes back, by `instance_reusable`)."""
        state = self._new_state(export)
        failure: str | None = None
        try:
            output: bytes = instance.plugin.call(export, data, host_context=state)
        except extism.Error as exc:
            failure = str(exc.args[0]) if exc.args else ""
        else:
            if state.failure is None and state.guest_error is None:
                limit = self._pool.max_output_bytes
                if limit is not None and len(output) > limit:
                    raise OutputValidationError(
                        f"{export}: the output ({len(output):,} bytes) is larger than "
                        f"max_output_bytes ({limit:,})",
                        export=export,
                    )
                return output
        records = LOG_TAP.take(instance.id) if failure is not None else []
        raise classify_failure(
            export, failure, state, records, self._redact, self.ABI.typed_errors
        ) from None

    def _invoke(self, name: str, value: Any = BOUND_CONFIG) -> Any:
        """Calls export `name` the way its `ExportSpec` says: the input encoded by its shape
        (`value` is the text, the JSON value, the configuration, or for a request the dict of
        its fields by Python name), the output decoded and checked."""
        export, encode, decode = self._codecs[name]
        if export.optional and name not in self.info.exports:
            self._require_export(name)
        return decode(self, export, self.call_raw(name, encode(self, export, value)))

    def _invoke_on(self, instance: Instance, name: str, value: Any = BOUND_CONFIG) -> Any:
        """`_invoke` on an instance the caller holds (one whose state a later call needs)."""
        export, encode, decode = self._codecs[name]
        if export.optional and name not in self.info.exports:
            self._require_export(name)
        return decode(self, export, self._call_on(instance, name, encode(self, export, value)))

    def _encode_typed(self, export: ExportSpec, adapter: TypeAdapter[Any], value: Any) -> bytes:
        """A typed JSON input, checked against its type (a model, a sized integer) and encoded
        as serde writes it (wire names)."""
        name = export.name
        try:
            data: bytes = adapter.dump_json(adapter.validate_python(value), by_alias=True)
        except ValidationError as exc:
            raise InputValidationError(
                self._redact(f"{name}: invalid input: " + "; ".join(summarize_validation(exc))),
                export=name,
            ) from None
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact(f"{name}: input is not JSON: " + str(exc)), export=name
            ) from None
        return data

    def _encode_request(self, export: ExportSpec, fields: Mapping[str, Any]) -> bytes:
        name = export.name
        assert export.config_field is not None
        try:
            request = export.request(**{export.config_field: self._require_config(), **fields})
        except ValidationError as exc:
            raise InputValidationError(
                self._redact(f"{name}: invalid input: " + "; ".join(summarize_validation(exc))),
                export=name,
            ) from None
        try:
            data: bytes = request.model_dump_json(by_alias=True).encode()
        except PydanticSerializationError as exc:  # e.g. a lone surrogate in a string
            raise InputValidationError(
                self._redact(f"{name}: input is not JSON: " + str(exc)), export=name
            ) from None
        return data

    def _new_state(self, export: str) -> CallState:
        """What the host functions record during one call of `export`."""
        return CallState(
            export, self._http, self._redact, self._plugin_logger, self._pool.log_level
        )

    def _require_export(self, export: str) -> None:
        if export not in self.info.exports:
            abi = self.ABI
            raise MissingExportError(
                f"{export}: this plugin does not export it (optional in {abi.name} v{abi.version})",
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
        return self._text(export, self.call_raw(export, self.ABI.probe_input))

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
            errors = summarize_validation(exc)
            raise OutputValidationError(
                self._redact(f"{export}: output violates the spec: " + "; ".join(errors[:5])),
                export=export,
                errors=tuple(self._redact(e) for e in errors),
            ) from None

    def _encode(self, export: str, value: Any) -> bytes:
        try:
            data = JSON_ENCODER.encode(value).encode()
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


PluginT = TypeVar("PluginT", bound=PluginBase[Any])


def open_unprobed(
    plugin_class: type[PluginT],
    data: bytes,
    *,
    wasi: bool,
    timeout_ms: int,
    exports: frozenset[str],
    allow_lists: Sequence[Sequence[str]],
) -> list[PluginT]:
    """One `plugin_class` per allow-list from one compilation of `data`, without `open()`'s
    load sequence: no probe call, an empty manifest config, no configuration bound, default
    memory and HTTP response limits, and `exports` taken as present.

    For tools that check a module's behaviour export by export through `call_raw` (a
    conformance run), where the load sequence itself is under test. Each plugin's one instance
    is made now, so link errors (and a looping start function) raise here, as `PluginError`s.
    """
    compiled = compile_module(
        data, wasi=wasi, config={}, timeout_ms=timeout_ms, max_pages=DEFAULT_MAX_PAGES
    )
    plugins: list[PluginT] = []
    for allowed in allow_lists:
        http = HttpPolicy(
            AllowList.parse(list(allowed)),
            timeout_ms=timeout_ms,
            max_response_bytes=DEFAULT_MAX_HTTP_RESPONSE_BYTES,
        )
        pool = InstancePool(compiled, max_idle=1, max_output_bytes=DEFAULT_MAX_OUTPUT_BYTES)
        info = PluginInfo(
            name="",
            base_url=None,
            exports=exports,
            missing=frozenset(),
            extra_exports=(),
            config_schema={},
            allowed_hosts=tuple(allowed),
            wasi=wasi,
        )
        plugin = plugin_class(info=info, pool=pool, config=None, config_json=None, http=http)
        pool.release(pool.acquire(plugin._new_state))
        plugins.append(plugin)
    return plugins
