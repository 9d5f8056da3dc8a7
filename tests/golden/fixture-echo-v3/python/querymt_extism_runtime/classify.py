"""The typed error of a failed call, decided from what the host saw."""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import (
    HostFunctionError,
    MissingExportError,
    PluginCallError,
    PluginError,
    PluginOutOfMemoryError,
    PluginTimeoutError,
    PluginTrapError,
)
from .host import CallState
from .llm_errors import llm_error_from_message
from .logtap import _PLUGIN_ID, LOG_TAP

__all__ = ["classify_failure"]

_ERROR_CODE = re.compile(r"^Error code: (-?\d+)$")
_TRAP = "error while executing at wasm backtrace"


def _trap_detail(export: str, records: list[str]) -> str:
    """The runtime's cause of a trap (`wasm trap: ...`), from the last record of this call."""
    for record in reversed(records):
        if f"call to {export} encountered an error:" not in record:
            continue
        _, found, cause = record.rpartition("\n\nCaused by:\n")
        if found:
            cause = _PLUGIN_ID.sub("", cause)
            return "; ".join(line.strip() for line in cause.splitlines() if line.strip())
    return ""


def classify_failure(
    export: str,
    message: str | None,
    state: CallState,
    records: list[str],
    redact: Callable[[str], str],
    typed_errors: bool = False,
) -> PluginError:
    """The typed error of a failed call, from what the host saw and the runtime's message.

    `message` is the `extism.Error` text (None if the runtime reported success, but the host
    functions recorded a failure or the plugin set an error message). Only host-side facts
    decide the class: an HTTP failure recorded while serving the call; then the runtime's own
    outcome (timeout, out of memory, trap); then the message the plugin gave `error_set` (the
    plugin cannot reach Extism's `error_set`, so a runtime message is never the plugin's text).
    With `typed_errors` (the ABI's `Abi.typed_errors`), a message that is a `PluginError`
    document becomes its `llm_errors` class.
    """
    failure = state.failure
    if failure is not None:
        fields = {k: redact(v) if isinstance(v, str) else v for k, v in failure.fields.items()}
        if issubclass(failure.error, HostFunctionError):
            fields.setdefault("cause", redact(failure.message))
        return failure.error(f"{export}: {redact(failure.message)}", export=export, **fields)
    if message == "timeout":
        return PluginTimeoutError(f"{export}: timed out (manifest timeout_ms)", export=export)
    if message is not None and (message == "oom" or "failed to allocate" in message):
        # "failed to allocate extism memory": the input itself did not fit in max_pages.
        return PluginOutOfMemoryError(
            f"{export}: out of memory (manifest memory.max_pages)", export=export
        )
    if message is not None and message.startswith("Function not found: "):
        return MissingExportError(f"{export}: the plugin has no such export", export=export)
    if message is not None and message.startswith(_TRAP):
        detail = redact(_trap_detail(export, records))
        if not detail:
            detail = redact(message.splitlines()[0])
            if not LOG_TAP.enabled:
                detail += " (Extism log capture is off: the trap's cause is not visible)"
        return PluginTrapError(f"{export}: the plugin trapped: {detail}", export=export)
    if state.guest_error is not None:
        if typed_errors:
            typed = llm_error_from_message(state.guest_error, export=export, redact=redact)
            if typed is not None:
                return typed
        text = redact(state.guest_error)
        return PluginCallError(f"{export}: {text}", export=export, plugin_message=text)
    code = _ERROR_CODE.match(message or "")
    if code:
        return PluginCallError(
            f"{export}: returned error code {code.group(1)} without a message",
            export=export,
            code=int(code.group(1)),
        )
    return PluginTrapError(
        f"{export}: the call failed in the runtime: {redact(message or 'no detail')}",
        export=export,
    )
