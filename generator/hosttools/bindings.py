"""The one seam between the host-side tools and a spec's generated Python bindings.

`inspect`, `call` and `verify` reach the bindings only through `load()` and the `Bindings` it
returns; no other module of `generator.hosttools` or `generator.conformance` touches a bindings
attribute. What comes back is typed here (the `Protocol`s below) or converted to the tools' own
values: a bindings error becomes a `PluginFailure`, so callers switch on `FailureKind` instead of
importing the bindings' exception classes.

Only public names are used: the bindings package's `__all__`, its `plugin` module's `ABI`
and `querymt_extism_runtime`'s `__all__` (the runtime the loaded bindings run on, checked to be
the copy shipped beside them; tests/test_conformance.py checks that no tool module reaches for
an underscore name of either).

Two facts come from the Python target's naming conventions and are written down here once: the
package of a spec is `snake_case(slug)`, a method is `python_ident(snake_case(export))`, and a
request argument is `python_ident(field name)` (tests/test_hosttools.py checks them against
what the Python target renders).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from generator import ir
from generator.hosttools.args import UsageError
from generator.ir import calls
from generator.naming import python_ident, snake_case
from generator.resources import BINDINGS_DIR

Redact = Callable[[str], str]

RUNTIME_PACKAGE = "querymt_extism_runtime"
"""The host runtime the generated bindings import (shipped in the same distribution)."""


class WasmHeader(Protocol):
    """What the bindings read from a module's binary sections (nothing is run)."""

    imports: tuple[tuple[str, str], ...]

    @property
    def function_exports(self) -> frozenset[str]: ...

    @property
    def needs_wasi(self) -> bool: ...


class RawPlugin(Protocol):
    """A loaded plugin, called with bytes in and bytes out (no encoding, no validation)."""

    def call_raw(self, export: str, data: bytes) -> bytes: ...

    def close(self) -> None: ...


class PluginInfo(Protocol):
    name: str
    base_url: str | None
    exports: frozenset[str]
    missing: frozenset[str]
    extra_exports: tuple[str, ...]
    config_schema: dict[str, Any]
    wasi: bool


class TypedPlugin(Protocol):
    """A plugin opened the host's way (`Plugin.open`: probed, configured, checked)."""

    info: PluginInfo

    def close(self) -> None: ...


class FailureKind(StrEnum):
    TIMEOUT = "timeout"
    TRAP = "trap"
    OUT_OF_MEMORY = "out-of-memory"
    HOST_NOT_ALLOWED = "host-not-allowed"
    CONNECTION_FAILED = "connection-failed"
    MISSING_EXPORT = "missing-export"
    CALL_ERROR = "call-error"  # the spec's error convention: a code and maybe a message
    CONFIG = "config"  # the configuration is rejected (by the schema or `from_config`)
    INPUT = "input"  # the input fails the spec's types
    OTHER = "other"


@dataclass(frozen=True)
class PluginFailure:
    """A bindings error, as the tools see it."""

    kind: FailureKind
    type_name: str
    text: str
    url: str | None = None
    cause: str | None = None
    plugin_message: str | None = None
    code: int | None = None

    def __str__(self) -> str:
        return self.text


class PluginFailed(Exception):
    """Raised by the seam in place of a bindings error."""

    def __init__(self, failure: PluginFailure) -> None:
        super().__init__(failure.text)
        self.failure = failure


def package_name(spec: ir.Spec) -> str:
    return snake_case(spec.slug)


def method_name(export: str) -> str:
    return python_ident(snake_case(export))


@dataclass(frozen=True)
class Detected:
    """The ABI a module speaks, by the runtime's detection: its spec slug, host mode, dialect."""

    slug: str
    mode: str | None
    dialect: str | None


@dataclass(frozen=True)
class Undetected:
    """A module no ABI of the bindings describes: `kind` is `legacy` (QueryMT 0.3 and older),
    `unknown`, or `not-wasm`; `missing` maps each ABI's slug to what the module lacks for it."""

    kind: str
    message: str
    missing: dict[str, tuple[str, ...]]


def _runtime() -> ModuleType:
    root = BINDINGS_DIR
    if not (root / RUNTIME_PACKAGE / "__init__.py").is_file():
        raise UsageError(f"{root / RUNTIME_PACKAGE} is missing; run `qmt-abigen generate` first")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(RUNTIME_PACKAGE)


def detect(data: bytes) -> Detected | Undetected:
    """Which ABI of the generated bindings the module speaks (`detect_abi`, from its exports
    and imports; nothing is run)."""
    runtime = _runtime()
    try:
        match = runtime.detect_abi(data)
    except runtime.UnsupportedAbiError as exc:
        return Undetected(
            str(exc.kind), str(exc), {str(k): tuple(v) for k, v in exc.missing.items()}
        )
    except runtime.PluginLoadError as exc:
        return Undetected("not-wasm", str(exc), {})
    return Detected(str(match.abi.slug), match.mode, match.dialect)


@dataclass(frozen=True)
class HttpAnswer:
    """A response the host side received (headers with lower-case names)."""

    status: int
    headers: dict[str, str]
    body: bytes


def load(spec: ir.Spec) -> Bindings:
    """The generated bindings of `spec` (generated/python/<package>, or the copy an installed
    wheel carries)."""
    package = package_name(spec)
    root = BINDINGS_DIR
    if not (root / package / "__init__.py").is_file():
        raise UsageError(f"{root / package} is missing; run `qmt-abigen generate` first")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    module = importlib.import_module(package)
    runtime = importlib.import_module(RUNTIME_PACKAGE)
    # The bindings import the runtime by its top-level name, so a copy imported earlier from
    # elsewhere (another checkout, an installed wheel) would be the one they run on.
    shipped = Path(module.__file__ or "").resolve().parent.parent
    if Path(runtime.__file__ or "").resolve().parent.parent != shipped:
        raise UsageError(
            f"{package} in {shipped} runs on the {RUNTIME_PACKAGE} of {runtime.__file__}, "
            f"not on its own; import the bindings before any other copy of the runtime"
        )
    return Bindings(module, runtime)


@dataclass(frozen=True)
class RequestArguments:
    """A `REQUEST` export's keyword arguments taken from its decoded input (wire names)."""

    kwargs: dict[str, Any]
    missing: tuple[str, ...]  # wire names of required fields the input lacks


def request_arguments(call: calls.Call, payload: Mapping[str, Any]) -> RequestArguments:
    """The request struct's fields but the configuration, as the typed method's arguments."""
    assert call.request is not None and call.cfg_field is not None
    fields = [f for f in call.request.fields if f.name != call.cfg_field.name]
    return RequestArguments(
        kwargs={python_ident(f.name): payload.get(f.wire_name) for f in fields},
        missing=tuple(f.wire_name for f in fields if f.required and f.wire_name not in payload),
    )


class Bindings:
    """One spec's loaded bindings package."""

    def __init__(self, module: ModuleType, runtime: ModuleType) -> None:
        self._b = module
        self._rt = runtime
        self._abi = module.plugin.ABI
        self._errors = module.errors

    # ----------------------------------------------------------------------- module facts

    @property
    def probe_input(self) -> bytes:
        """What the host sends to an export whose input is ignored."""
        probe: bytes = self._abi.probe_input
        return probe

    def read_wasm_header(self, data: bytes) -> WasmHeader:
        """Raises ValueError (or UnicodeDecodeError) when `data` is not WebAssembly."""
        header: WasmHeader = self._rt.read_wasm_header(data)
        return header

    def capture_extism_log(self) -> None:
        """Routes Extism's log to the bindings (where the cause of a trap is read from)."""
        self._rt.capture_extism_log()

    # ----------------------------------------------------------------------- configuration

    def redactor(self, config: Any) -> Redact:
        """Masks the secret values of `config` (and their encodings) in a text."""
        runtime = self._rt
        redact: Redact = runtime.Redactor(runtime.secret_values(config))
        return redact

    def origin_of(self, url: str) -> str | None:
        """The origin (`scheme://host:port`) the host would send to, or None."""
        origin = self._rt.origin_of(url)
        return None if origin is None else str(origin)

    def prune_config(self, config: Any, schema: dict[str, Any]) -> Any:
        """The configuration without the keys `schema` does not list (the host's pruning)."""
        return self._rt.prune_config(config, schema)

    def config_problems(self, config: Any, schema: dict[str, Any]) -> list[str]:
        """Where and why `config` fails `schema`, quoting no value; bounded in time."""
        problems: list[str] = self._rt.schema_problems(config, schema)
        return problems

    # ----------------------------------------------------------------------- errors

    def failure(self, exc: BaseException) -> PluginFailure | None:
        """`exc` as a `PluginFailure`, or None when it is not a bindings error."""
        e = self._errors
        if not isinstance(exc, e.PluginError):
            return None
        kinds = (
            (e.PluginTimeoutError, FailureKind.TIMEOUT),
            (e.PluginTrapError, FailureKind.TRAP),
            (e.PluginOutOfMemoryError, FailureKind.OUT_OF_MEMORY),
            (e.HostNotAllowedError, FailureKind.HOST_NOT_ALLOWED),
            (e.ConnectionFailedError, FailureKind.CONNECTION_FAILED),
            (e.MissingExportError, FailureKind.MISSING_EXPORT),
            (e.PluginCallError, FailureKind.CALL_ERROR),
            (e.ConfigError, FailureKind.CONFIG),
            (e.InputValidationError, FailureKind.INPUT),
        )
        kind = next((k for cls, k in kinds if isinstance(exc, cls)), FailureKind.OTHER)
        cause = getattr(exc, "cause", None)
        return PluginFailure(
            kind=kind,
            type_name=type(exc).__name__,
            text=str(exc),
            url=getattr(exc, "url", None),
            cause=None if cause is None else f"{cause}",
            plugin_message=getattr(exc, "plugin_message", None),
            code=getattr(exc, "code", None),
        )

    def _failed(self, exc: BaseException) -> PluginFailed:
        failure = self.failure(exc)
        assert failure is not None  # only called with a bindings error
        return PluginFailed(failure)

    # ----------------------------------------------------------------------- loading, calling

    def open(
        self,
        wasm: Path,
        config: Any,
        *,
        allowed_hosts: Sequence[str],
        timeout_ms: int | None,
        max_pages: int | None = None,
    ) -> TypedPlugin:
        """`Plugin.open`, the host's way. Raises PluginFailed."""
        limits: dict[str, Any] = {} if max_pages is None else {"max_pages": max_pages}
        try:
            plugin: TypedPlugin = self._b.Plugin.open(
                wasm, config, allowed_hosts=tuple(allowed_hosts), timeout_ms=timeout_ms, **limits
            )
        except self._errors.PluginError as exc:
            raise self._failed(exc) from None
        return plugin

    def open_unprobed(
        self,
        data: bytes,
        *,
        wasi: bool,
        timeout_ms: int,
        exports: frozenset[str],
        allow_lists: Sequence[Sequence[str]],
    ) -> list[RawPlugin]:
        """One plugin per allow-list from one compiled module, with an empty manifest config and
        no probe calls; each is instantiated once now, so link errors (and a looping start
        function) show here. Raises PluginFailed."""
        try:
            plugins: list[RawPlugin] = self._rt.open_unprobed(
                self._b.Plugin,
                data,
                wasi=wasi,
                timeout_ms=timeout_ms,
                exports=exports,
                allow_lists=allow_lists,
            )
        except self._errors.PluginError as exc:
            raise self._failed(exc) from None
        return plugins

    def call_raw(self, plugin: RawPlugin, export: str, data: bytes) -> bytes | PluginFailure:
        """The export's raw output, or what went wrong."""
        try:
            return plugin.call_raw(export, data)
        except self._errors.PluginError as exc:
            failure = self.failure(exc)
            assert failure is not None
            return failure

    def send_http(
        self,
        allowed: Sequence[str],
        request: Mapping[str, Any],
        body: bytes,
        *,
        timeout_ms: int,
    ) -> HttpAnswer | PluginFailure:
        """Sends `{"method", "url", "headers"}` the host's way (the runtime's `HttpPolicy`: only
        the `allowed` origins, same-origin redirects, the deadline); the answer or the failure."""
        rt = self._rt
        policy = rt.HttpPolicy(
            rt.AllowList.parse(allowed),
            timeout_ms=timeout_ms,
            max_response_bytes=rt.DEFAULT_MAX_HTTP_RESPONSE_BYTES,
        )
        raw = json.dumps(dict(request)).encode()
        try:
            response = policy.send(raw, body or None, policy.deadline(time.monotonic()))
        except rt.HttpFailure as failure:
            exc = failure.error(failure.message, **failure.fields)
            converted = self.failure(exc)
            assert converted is not None
            return converted
        finally:
            close = getattr(policy, "close", None)
            if callable(close):
                close()
        headers = {str(k).lower(): str(v) for k, v in response.headers.items()}
        return HttpAnswer(int(response.status), headers, bytes(response.body))

    def call_typed(self, plugin: TypedPlugin, export: str, *args: Any, **kwargs: Any) -> Any:
        """The export's typed method (decoded, validated output). Raises PluginFailed."""
        method = getattr(plugin, method_name(export))
        try:
            return method(*args, **kwargs)
        except self._errors.PluginError as exc:
            raise self._failed(exc) from None
