"""The host functions that serve a plugin's HTTP, error and log imports.

Before a module is compiled, its imports of these `extism:host/env` functions are renamed to the
same names in `NAMESPACE` (see `wasm.rewrite_imports`), which the host functions below
provide; the rest of Extism's kernel (memory, input, output, config, vars) is untouched. So:

- `http_request`, `http_status_code`, `http_headers`: HTTP goes through
  `http_policy.HttpPolicy` (the allow-list, same-origin redirects, timeouts, a size limit),
  never through Extism's client.
- `error_set`: the plugin's error message is recorded here, so a failed call is known to be the
  plugin's own error without reading any text the plugin wrote.
- `log_*`: records go to the call's `logging` logger (the plugin's own: its ABI's logger's
  child named after it, e.g. `querymt_extism_v1.plugin.openai-compatible`; `DEFAULT_LOGGER`
  otherwise), each cut to `MAX_LOG_BYTES`, at most `MAX_LOG_RECORDS` per call; nothing
  reaches Extism's log, so a plugin's logs cannot grow the process or forge the runtime's
  records.

QueryMT's v2 plugins also import `qmt_*` functions from `extism:host/user` (`QMT_NAMESPACE`):

- `qmt_http_request` (what `transcribe`/`speech` send) goes through the same `HttpPolicy` as
  `http_request`, under the deadline of the call that made it, and answers as QueryMT's host
  does: a refused origin a synthetic 403 (`Host 'x' not in allowlist`), a failed send a
  synthetic 500 (the error text); but the refusal or failure is also recorded on the call's
  `CallState`, so the call raises its typed error even when the plugin ignores the answer.
  What QueryMT fails with an error (not a `SerializableHttpRequest`, a bad method) fails the
  call with a HostFunctionError (see `qmt_http`).
- `qmt_log` records go to the plugin's logger (see `plugin_logger`) at their level (1-5:
  error, warning, info, debug, trace at DEBUG - 5), as `<export>: <message>` with the record's
  `target` in the `qmt_target` attribute. Records above the level the host passed to the
  plugin's `init_logging` are dropped here too (`CallState.log_level`); a record's message is
  cut to `MAX_LOG_BYTES`, a record block longer than `MAX_QMT_RECORD_BYTES` is not parsed (one
  warning says so), and at most `MAX_LOG_RECORDS` records per call are logged (one warning
  says the rest were dropped). A block that is not an `ExtismLogRecord` fails the call, as it
  does in QueryMT.
- the legacy streaming functions (`qmt_http_stream_*`, `qmt_yield_chunk`) are not served: a
  call to one fails the call with a HostFunctionError, nothing is sent.

An exception raised inside any host function is recorded the same way (`_callback`): it
surfaces as the call's HostFunctionError even if the plugin ignores the failure it saw.

Each call carries a `CallState` (Extism's host context) where the host functions record what
happened: the first HTTP failure, the plugin's error message, the last response. Blocks passed
to `http_request` and `log_*` are freed as Extism's runtime frees them.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import extism  # type: ignore[import-untyped]
from extism_sys import ffi, lib  # type: ignore[import-untyped]

from .errors import HostFunctionError, HostNotAllowedError, PluginOutOfMemoryError
from .http_policy import HttpFailure, HttpPolicy
from .qmt_http import parse_request, wire_response

NAMESPACE = "qmt:host/guarded"
"""The import module the rewritten imports name; only these host functions live there."""
MAX_LOG_BYTES = 16 * 1024
"""A plugin log record longer than this is cut (the rest is never read from plugin memory)."""
MAX_QMT_RECORD_BYTES = 64 * 1024
"""A `qmt_log` record block longer than this is not parsed: one warning stands for it."""
MAX_LOG_RECORDS = 1000
"""Records one call may log (`log_*` and `qmt_log` together); the rest are dropped."""
QMT_TRACE = logging.DEBUG - 5
"""The `logging` level of QueryMT's trace records (and of `log_trace`)."""


def plugin_logger(name: str, plugin: str | None = None) -> logging.Logger:
    """The logger plugin records go to (`log_info` at INFO, `log_trace` at DEBUG - 5, ...),
    silent unless the application configures logging.

    With `plugin` (its display name), the plugin's own child of `name`: `<name>.<plugin>`, the
    plugin's name reduced to letters, digits, `-` and `_` (so it cannot reach another logger).
    """
    if plugin is not None:
        name = f"{name}.{re.sub(r'[^A-Za-z0-9_-]', '_', plugin)[:64] or '_'}"
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
    "MAX_LOG_RECORDS",
    "MAX_QMT_RECORD_BYTES",
    "NAMESPACE",
    "QMT_NAMESPACE",
    "QMT_TRACE",
    "RENAMES",
    "CallState",
    "log_level_of",
    "plugin_logger",
]

_LEVELS = {
    "log_trace": QMT_TRACE,
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
        "log_count",
        "log_level",
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
        log_level: int = 5,
    ) -> None:
        self.export = export
        self.http = http
        self.redact = redact
        self.logger = logger or DEFAULT_LOGGER
        """Where the plugin's `log_*` records of this call go."""
        self.log_level = log_level
        """The most verbose `qmt_log` level kept (QueryMT's 0 off ... 5 trace)."""
        self.log_count = 0
        """Records this call has logged (at most `MAX_LOG_RECORDS`)."""
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


def _counted(state: CallState) -> bool:
    """Whether one more record of this call may be logged (the first one over says so)."""
    state.log_count += 1
    if state.log_count == MAX_LOG_RECORDS + 1 and state.logger.isEnabledFor(logging.WARNING):
        state.logger.warning(
            "%s: more than %d log records in one call: the rest are dropped",
            state.export,
            MAX_LOG_RECORDS,
        )
    return state.log_count <= MAX_LOG_RECORDS


def _log(name: str) -> Callable[[Any, Any, Any], None]:
    level = _LEVELS[name]

    def log(current: Any, inputs: Any, outputs: Any) -> None:
        offset = int(inputs[0].v.i64)
        state = _state(current)
        if state is not None and state.logger.isEnabledFor(level) and _counted(state):
            raw = _read(current, offset, MAX_LOG_BYTES + 1)
            text = raw[:MAX_LOG_BYTES].decode("utf-8", "replace")
            if len(raw) > MAX_LOG_BYTES:
                text += " [cut]"
            state.logger.log(level, "%s: %s", state.export, state.redact(text))
        _free(current, offset)

    return log


_QMT_LEVELS = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG}


def log_level_of(logger: logging.Logger) -> int:
    """The QueryMT level (0 off, 1 error ... 5 trace) a host passes to `init_logging` for a
    plugin whose records go to `logger`: the most verbose one the logger lets through."""
    for level in (5, 4, 3, 2, 1):
        if logger.isEnabledFor(_QMT_LEVELS.get(level, QMT_TRACE)):
            return level
    return 0


def _qmt_record(raw: bytes) -> tuple[int, str, str]:
    """(QueryMT level, target, message) of an `ExtismLogRecord`; HttpFailure if it is none."""
    try:
        record = json.loads(raw)
    except ValueError:
        record = None
    level = record.get("level") if isinstance(record, dict) else None
    target = record.get("target") if isinstance(record, dict) else None
    message = record.get("message") if isinstance(record, dict) else None
    if (
        not isinstance(level, int)
        or isinstance(level, bool)
        or level < 0
        or not isinstance(target, str)
        or not isinstance(message, str)
    ):
        raise HttpFailure(
            HostFunctionError,
            'qmt_log: the record is not an ExtismLogRecord {"level", "target", "message"}',
            cause="qmt_log got a record that is not an ExtismLogRecord",
        )
    return level, target, message


def _qmt_log(current: Any, inputs: Any, outputs: Any) -> None:
    offset = int(inputs[0].v.i64)
    state = _state(current)
    if state is None:
        _free(current, offset)
        return
    raw = _read(current, offset, MAX_QMT_RECORD_BYTES + 1)
    _free(current, offset)
    if len(raw) > MAX_QMT_RECORD_BYTES:
        if state.logger.isEnabledFor(logging.WARNING) and _counted(state):
            state.logger.warning(
                "%s: a qmt_log record over %d bytes was dropped unread",
                state.export,
                MAX_QMT_RECORD_BYTES,
            )
        return
    try:
        qmt_level, target, message = _qmt_record(raw)
    except HttpFailure as failure:
        state.failure = state.failure or failure
        return
    if (qmt_level if 1 <= qmt_level <= 4 else 5) > state.log_level:
        return  # above what the host passed to `init_logging` (other values are trace)
    level = _QMT_LEVELS.get(qmt_level, QMT_TRACE)
    if not state.logger.isEnabledFor(level) or not _counted(state):
        return
    text = message.encode("utf-8", "surrogatepass")
    if len(text) > MAX_LOG_BYTES:
        message = text[:MAX_LOG_BYTES].decode("utf-8", "ignore") + " [cut]"
    state.logger.log(
        level,
        "%s: %s",
        state.export,
        state.redact(message),
        extra={"qmt_target": state.redact(target[:200])},
    )


def _synthetic(status: int, text: str) -> bytes:
    return wire_response(status, {}, text.encode())


def _qmt_answer(state: CallState, raw: bytes) -> bytes | None:
    """What `qmt_http_request` answers the plugin (None: nothing, the call fails)."""
    try:
        request, body = parse_request(raw)
    except HttpFailure as failure:
        state.failure = state.failure or failure
        return None
    if state.failure is not None:  # the call has already failed: nothing more leaves
        return _synthetic(500, "not sent: an earlier request of this call failed")
    http = state.http
    try:
        response = http.send(request, body, http.deadline(state.started))
    except HttpFailure as failure:
        state.failure = failure
        if issubclass(failure.error, HostNotAllowedError):
            url = str(failure.fields.get("url", ""))
            host = urlsplit(url).hostname if url.isascii() else None
            return _synthetic(403, f"Host '{host or url[:200]}' not in allowlist")
        if failure.error is HostFunctionError:  # a request QueryMT's host refuses to build
            return None
        return _synthetic(500, state.redact(failure.message))
    try:
        return wire_response(response.status, response.headers, response.body)
    except HttpFailure as failure:
        state.failure = failure
        return None


def _qmt_http_request(current: Any, inputs: Any, outputs: Any) -> None:
    offset = int(inputs[0].v.i64)
    outputs[0].v.i64 = 0
    state = _state(current)
    raw = _read(current, offset)
    _free(current, offset)
    if state is None:
        return
    answer = _qmt_answer(state, raw)
    if answer is None:
        return
    written = _write(current, answer)
    if not written:
        _fail(
            state,
            PluginOutOfMemoryError,
            f"the qmt_http_request answer ({len(answer):,} bytes) does not fit in plugin memory",
        )
    outputs[0].v.i64 = written


def _qmt_unserved(name: str) -> Callable[[Any, Any, Any], None]:
    def refuse(current: Any, inputs: Any, outputs: Any) -> None:
        state = _state(current)
        if state is not None:
            _fail(
                state,
                HostFunctionError,
                f"the plugin called {name}, the plugin-side streaming of QueryMT's legacy "
                "mode, which this host does not serve (nothing was sent)",
                cause=f"{name} is not served",
            )

    return refuse


_SIGNATURE = (
    "void(ExtismCurrentPlugin*, const ExtismVal*, ExtismSize, ExtismVal*, ExtismSize, void*)"
)


def _callback(name: str, serve: Callable[[Any, Any, Any], None]) -> Any:
    """A C callback for Extism. An exception in it fails the call (cffi would print and swallow
    it): it is recorded on the call's state, so the call raises a HostFunctionError even when
    the plugin ignores what the host function answered; the function's results are 0."""

    def callback(current: Any, inputs: Any, n_in: int, outputs: Any, n_out: int, data: Any) -> None:
        del n_in, data
        for index in range(n_out):
            outputs[index].v.i64 = 0
        try:
            serve(current, inputs, outputs)
        except BaseException as exc:  # reported as the call's error: cffi would print it
            for index in range(n_out):
                outputs[index].v.i64 = 0
            state = _state(current)
            if state is not None:
                _fail(
                    state,
                    HostFunctionError,
                    f"the host function {name} failed: {type(exc).__name__}: {exc}",
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
    "qmt_http_request": ([_I64], [_I64], _qmt_http_request),
    "qmt_http_stream_open": ([_I64], [_I64], _qmt_unserved("qmt_http_stream_open")),
    "qmt_http_stream_next": ([_I64], [_I64], _qmt_unserved("qmt_http_stream_next")),
    "qmt_http_stream_close": ([_I64], [], _qmt_unserved("qmt_http_stream_close")),
    "qmt_yield_chunk": ([_I64], [], _qmt_unserved("qmt_yield_chunk")),
}
QMT_NAMESPACE = "extism:host/user"
"""Where QueryMT's v2 plugins import their `qmt_*` host functions from."""
_CALLBACKS = {name: _callback(name, serve) for name, (_, _, serve) in _SERVED.items()}
_QMT_CALLBACKS = {name: _callback(name, serve) for name, (_, _, serve) in _QMT_SERVED.items()}
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
