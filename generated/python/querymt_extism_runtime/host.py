"""The host functions that serve a plugin's HTTP, error and log imports.

Before a module is compiled, its imports of these `extism:host/env` functions are renamed to the
same names in `NAMESPACE` (see `wasm.rewrite_imports`), which the host functions below
provide; the rest of Extism's kernel (memory, input, output, config, vars) is untouched. So:

- `http_request`, `http_status_code`, `http_headers`: HTTP goes through
  `http_policy.HttpPolicy` (the allow-list, same-origin redirects, timeouts, a size limit),
  never through Extism's client.
- `error_set`: the plugin's error message is recorded here, so a failed call is known to be the
  plugin's own error without reading any text the plugin wrote.
- `log_*`: records go to the call's `logging` logger (each ABI's bindings name theirs,
  e.g. `querymt_extism_v1.plugin`; `DEFAULT_LOGGER` otherwise), each cut to
  `MAX_LOG_BYTES`; nothing reaches Extism's log, so a plugin's logs cannot grow the process or
  forge the runtime's records.

QueryMT's v2 plugins also import `qmt_*` functions from `extism:host/user` (`QMT_NAMESPACE`):
`qmt_log` records go to the same logger (levels 1-5: error to trace); the HTTP ones
(`qmt_http_request`, `qmt_http_stream_*`) and `qmt_yield_chunk` serve only exports that do their
own HTTP (`transcribe`, `speech`, a legacy plugin), which this host does not drive: they fail the
call with a HostFunctionError, nothing is sent.

Each call carries a `CallState` (Extism's host context) where the host functions record what
happened: the first HTTP failure, the plugin's error message, the last response. Blocks passed
to `http_request` and `log_*` are freed as Extism's runtime frees them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import extism  # type: ignore[import-untyped]
from extism_sys import ffi, lib  # type: ignore[import-untyped]

from .errors import HostFunctionError, PluginOutOfMemoryError
from .http_policy import HttpFailure, HttpPolicy

NAMESPACE = "qmt:host/guarded"
"""The import module the rewritten imports name; only these host functions live there."""
MAX_LOG_BYTES = 16 * 1024
"""A plugin log record longer than this is cut (the rest is never read from plugin memory)."""


def plugin_logger(name: str) -> logging.Logger:
    """The logger plugin records go to (`log_info` at INFO, `log_trace` at DEBUG - 5, ...),
    silent unless the application configures logging."""
    logger = logging.getLogger(name)
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return logger


DEFAULT_LOGGER = plugin_logger("querymt_extism_runtime.plugin")
"""Where a call's plugin records go when its `CallState` names no logger."""

__all__ = [
    "DEFAULT_LOGGER",
    "HOST_FUNCTIONS",
    "MAX_LOG_BYTES",
    "NAMESPACE",
    "QMT_NAMESPACE",
    "RENAMES",
    "CallState",
    "plugin_logger",
]

_LEVELS = {
    "log_trace": logging.DEBUG - 5,
    "log_debug": logging.DEBUG,
    "log_info": logging.INFO,
    "log_warn": logging.WARNING,
    "log_error": logging.ERROR,
}


class CallState:
    """What the host functions saw during one call (one thread at a time uses it)."""

    __slots__ = (
        "export",
        "failure",
        "guest_error",
        "headers",
        "http",
        "logger",
        "redact",
        "started",
        "status",
    )

    def __init__(
        self,
        export: str,
        http: HttpPolicy,
        redact: Callable[[str], str],
        logger: logging.Logger | None = None,
    ) -> None:
        self.export = export
        self.http = http
        self.redact = redact
        self.logger = logger or DEFAULT_LOGGER
        """Where the plugin's `log_*` records of this call go."""
        self.started = time.monotonic()
        self.failure: HttpFailure | None = None
        """The first thing the host refused or that failed host-side: the call fails with it."""
        self.guest_error: str | None = None
        """The message the plugin gave `error_set` (None: none)."""
        self.status = 0
        self.headers: dict[str, str] | None = None


# --------------------------------------------------------------------------- plugin memory


def _state(current: Any) -> CallState | None:
    handle = lib.extism_current_plugin_host_context(current)
    if handle == ffi.NULL:
        return None
    state = ffi.from_handle(handle)
    return state if isinstance(state, CallState) else None


def _read(current: Any, offset: int, limit: int | None = None) -> bytes:
    if offset <= 0:
        return b""
    length = int(lib.extism_current_plugin_memory_length(current, offset))
    if length <= 0:
        return b""
    if limit is not None:
        length = min(length, limit)
    base = lib.extism_current_plugin_memory(current)
    return bytes(ffi.buffer(base + offset, length))


def _free(current: Any, offset: int) -> None:
    if offset > 0:
        lib.extism_current_plugin_memory_free(current, offset)


def _write(current: Any, data: bytes) -> int:
    """A new block holding `data` (0 if it does not fit in the plugin's memory)."""
    offset = int(lib.extism_current_plugin_memory_alloc(current, len(data)))
    if offset:
        base = lib.extism_current_plugin_memory(current)  # after alloc: memory may have grown
        ffi.memmove(base + offset, data, len(data))
    return offset


def _fail(state: CallState, error: type[Any], message: str, **fields: Any) -> None:
    if state.failure is None:
        state.failure = HttpFailure(error, message, **fields)


# --------------------------------------------------------------------------- host functions


def _http_request(current: Any, inputs: Any, outputs: Any) -> None:
    request_offset, body_offset = int(inputs[0].v.i64), int(inputs[1].v.i64)
    outputs[0].v.i64 = 0
    state = _state(current)
    raw = _read(current, request_offset)
    body = _read(current, body_offset) if body_offset > 0 else None
    _free(current, request_offset)
    _free(current, body_offset)
    if state is None:
        return
    state.status, state.headers = 0, None
    if state.failure is not None:
        return  # the call has already failed: nothing more leaves
    http = state.http
    try:
        response = http.send(raw, body, http.deadline(state.started))
    except HttpFailure as failure:
        state.failure = failure
        return
    state.status, state.headers = response.status, response.headers
    if response.body:
        offset = _write(current, response.body)
        if not offset:
            _fail(
                state,
                PluginOutOfMemoryError,
                f"the HTTP response ({len(response.body):,} bytes) does not fit in plugin memory",
            )
        outputs[0].v.i64 = offset


def _http_status_code(current: Any, inputs: Any, outputs: Any) -> None:
    state = _state(current)
    outputs[0].v.i32 = state.status if state is not None else 0


def _http_headers(current: Any, inputs: Any, outputs: Any) -> None:
    state = _state(current)
    outputs[0].v.i64 = 0
    if state is not None and state.headers is not None:
        outputs[0].v.i64 = _write(current, json.dumps(state.headers).encode())


def _error_set(current: Any, inputs: Any, outputs: Any) -> None:
    state = _state(current)
    if state is not None:
        offset = int(inputs[0].v.i64)
        state.guest_error = (
            _read(current, offset).decode("utf-8", "replace") if offset > 0 else None
        )


def _log(name: str) -> Callable[[Any, Any, Any], None]:
    level = _LEVELS[name]

    def log(current: Any, inputs: Any, outputs: Any) -> None:
        offset = int(inputs[0].v.i64)
        state = _state(current)
        if state is not None and state.logger.isEnabledFor(level):
            raw = _read(current, offset, MAX_LOG_BYTES + 1)
            text = raw[:MAX_LOG_BYTES].decode("utf-8", "replace")
            if len(raw) > MAX_LOG_BYTES:
                text += " [cut]"
            state.logger.log(level, "%s: %s", state.export, state.redact(text))
        _free(current, offset)

    return log


_QMT_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


def _qmt_log(current: Any, inputs: Any, outputs: Any) -> None:
    offset = int(inputs[0].v.i64)
    state = _state(current)
    if state is not None:
        raw = _read(current, offset, MAX_LOG_BYTES + 1)
        try:
            record = json.loads(raw.decode("utf-8", "replace")) if len(raw) <= MAX_LOG_BYTES else {}
        except ValueError:
            record = {}
        if not isinstance(record, dict):
            record = {}
        level = record.get("level")
        level = _QMT_LEVELS.get(level, logging.DEBUG - 5) if isinstance(level, int) else None
        message = record.get("message")
        if level is None or not isinstance(message, str):
            level, message = logging.WARNING, "unreadable qmt_log record" + (
                " [cut]" if len(raw) > MAX_LOG_BYTES else ""
            )
        if state.logger.isEnabledFor(level):
            state.logger.log(level, "%s: %s", state.export, state.redact(message))
    _free(current, offset)


def _qmt_unserved(name: str) -> Callable[[Any, Any, Any], None]:
    def refuse(current: Any, inputs: Any, outputs: Any) -> None:
        for index in range(len(outputs) if hasattr(outputs, "__len__") else 0):
            outputs[index].v.i64 = 0
        state = _state(current)
        if state is not None:
            _fail(
                state,
                HostFunctionError,
                f"the plugin called {name}, the plugin-side HTTP of QueryMT's legacy mode and "
                "of transcribe/speech, which this host does not serve (nothing was sent)",
                cause=f"{name} is not served",
            )

    return refuse


_SIGNATURE = (
    "void(ExtismCurrentPlugin*, const ExtismVal*, ExtismSize, ExtismVal*, ExtismSize, void*)"
)


def _callback(serve: Callable[[Any, Any, Any], None]) -> Any:
    """A C callback for Extism; an exception in it fails the call (cffi would swallow it)."""

    def callback(current: Any, inputs: Any, n_in: int, outputs: Any, n_out: int, data: Any) -> None:
        del n_in, n_out, data
        try:
            serve(current, inputs, outputs)
        except BaseException as exc:  # reported as the call's error: cffi would print it
            state = _state(current)
            if state is not None:
                _fail(
                    state,
                    HostFunctionError,
                    f"the host function failed: {type(exc).__name__}: {exc}",
                    cause=f"{type(exc).__name__}: {exc}",
                )

    return ffi.callback(_SIGNATURE)(callback)


_I32, _I64 = extism.ValType.I32, extism.ValType.I64
_SERVED: dict[str, tuple[list[Any], list[Any], Callable[[Any, Any, Any], None]]] = {
    "http_request": ([_I64, _I64], [_I64], _http_request),
    "http_status_code": ([], [_I32], _http_status_code),
    "http_headers": ([], [_I64], _http_headers),
    "error_set": ([_I64], [], _error_set),
    **{name: ([_I64], [], _log(name)) for name in _LEVELS},
}
_QMT_SERVED: dict[str, tuple[list[Any], list[Any], Callable[[Any, Any, Any], None]]] = {
    "qmt_log": ([_I64], [], _qmt_log),
    "qmt_http_request": ([_I64], [_I64], _qmt_unserved("qmt_http_request")),
    "qmt_http_stream_open": ([_I64], [_I64], _qmt_unserved("qmt_http_stream_open")),
    "qmt_http_stream_next": ([_I64], [_I64], _qmt_unserved("qmt_http_stream_next")),
    "qmt_http_stream_close": ([_I64], [], _qmt_unserved("qmt_http_stream_close")),
    "qmt_yield_chunk": ([_I64], [], _qmt_unserved("qmt_yield_chunk")),
}
QMT_NAMESPACE = "extism:host/user"
"""Where QueryMT's v2 plugins import their `qmt_*` host functions from."""
_CALLBACKS = {name: _callback(serve) for name, (_, _, serve) in _SERVED.items()}
_QMT_CALLBACKS = {name: _callback(serve) for name, (_, _, serve) in _QMT_SERVED.items()}
"""Kept alive for the process: compiled modules call into them."""

HOST_FUNCTIONS: list[Any] = [
    extism.Function(NAMESPACE, name, params, results, _CALLBACKS[name])
    for name, (params, results, _) in _SERVED.items()
] + [
    extism.Function(QMT_NAMESPACE, name, params, results, _QMT_CALLBACKS[name])
    for name, (params, results, _) in _QMT_SERVED.items()
]
"""The `extism.Function`s every module is compiled with."""

RENAMES: dict[tuple[str, str], tuple[str, str]] = {
    ("extism:host/env", name): (NAMESPACE, name) for name in _SERVED
}
"""Imports rewritten before compiling: (module, name) -> (module, name)."""
