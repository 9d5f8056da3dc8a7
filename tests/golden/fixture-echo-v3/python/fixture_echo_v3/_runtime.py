"""Spec-independent machinery of the bindings: wasm header parsing and import rewriting, secret
redaction, Extism log capture, error classification and the pool of plugin instances.

Generated from fixture-echo-v3; do not edit.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import extism  # type: ignore[import-untyped]
from extism.extism import CompiledPlugin  # type: ignore[import-untyped]

from ._host import HOST_FUNCTIONS, RENAMES, CallState
from .errors import (
    HostFunctionError,
    MissingExportError,
    PluginCallError,
    PluginError,
    PluginLoadError,
    PluginOutOfMemoryError,
    PluginTimeoutError,
    PluginTrapError,
)

# --------------------------------------------------------------------------- wasm header


@dataclass(frozen=True)
class WasmHeader:
    """What the module imports and exports, read from its binary sections (nothing is run)."""

    imports: tuple[tuple[str, str], ...]  # (module, name)
    exports: tuple[tuple[str, str], ...]  # (name, kind: func | table | memory | global | tag)

    @property
    def function_exports(self) -> frozenset[str]:
        return frozenset(name for name, kind in self.exports if kind == "func")

    @property
    def needs_wasi(self) -> bool:
        return any(module.startswith("wasi_") for module, _ in self.imports)


_EXPORT_KINDS = {0: "func", 1: "table", 2: "memory", 3: "global", 4: "tag"}


class _Reader:
    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data, self.pos, self.end = data, pos, len(data) if end is None else end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise ValueError("truncated module")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uleb(self) -> int:
        result = shift = 0
        while True:
            byte = self.byte()
            result |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return result
            if shift > 70:
                raise ValueError("bad LEB128")

    def name(self) -> str:
        size = self.uleb()
        if self.pos + size > self.end:
            raise ValueError("truncated name")
        raw = self.data[self.pos : self.pos + size]
        self.pos += size
        return raw.decode("utf-8")

    def limits(self) -> None:
        flags = self.byte()
        self.uleb()
        if flags & 1:
            self.uleb()

    def import_description(self) -> None:
        """Skips an import's kind and type (function, table, memory, global or tag)."""
        kind = self.byte()
        if kind == 0:
            self.uleb()
        elif kind == 1:
            self.byte()
            self.limits()
        elif kind == 2:
            self.limits()
        elif kind == 3:
            self.byte()
            self.byte()
        elif kind == 4:
            self.byte()
            self.uleb()
        else:
            raise ValueError(f"unknown import kind {kind}")


def read_wasm_header(data: bytes) -> WasmHeader:
    """Imports and exports of a WebAssembly binary; ValueError if it is not one."""
    if data[:4] != b"\0asm" or data[4:8] != b"\x01\0\0\0":
        raise ValueError("not a WebAssembly module (bad magic or version)")
    reader = _Reader(data, 8)
    imports: list[tuple[str, str]] = []
    exports: list[tuple[str, str]] = []
    while reader.pos < len(data):
        section = reader.byte()
        size = reader.uleb()
        end = reader.pos + size
        if end > len(data):
            raise ValueError("truncated section")
        body = _Reader(data, reader.pos, end)
        if section == 2:
            for _ in range(body.uleb()):
                module, name = body.name(), body.name()
                body.import_description()
                imports.append((module, name))
        elif section == 7:
            for _ in range(body.uleb()):
                name, kind = body.name(), body.byte()
                body.uleb()
                exports.append((name, _EXPORT_KINDS.get(kind, str(kind))))
        reader.pos = end
    return WasmHeader(tuple(imports), tuple(exports))


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _name(text: str) -> bytes:
    raw = text.encode("utf-8")
    return _uleb(len(raw)) + raw


def rewrite_imports(data: bytes, renames: Mapping[tuple[str, str], tuple[str, str]]) -> bytes:
    """The module with imports renamed (`(module, name) -> (module, name)`), nothing else changed.

    Only the import section is re-encoded: imports keep their order, kinds and types, so every
    function index in the module stays valid. ValueError if `data` is not a module.
    """
    read_wasm_header(data)  # validates the structure before anything is cut
    reader = _Reader(data, 8)
    while reader.pos < len(data):
        start = reader.pos
        section = reader.byte()
        size = reader.uleb()
        end = reader.pos + size
        if section != 2:
            reader.pos = end
            continue
        body = _Reader(data, reader.pos, end)
        entries: list[bytes] = []
        changed = False
        for _ in range(body.uleb()):
            module, name = body.name(), body.name()
            rest = body.pos
            body.import_description()
            new_module, new_name = renames.get((module, name), (module, name))
            changed |= (new_module, new_name) != (module, name)
            entries.append(_name(new_module) + _name(new_name) + data[rest : body.pos])
        if body.pos != end:
            raise ValueError("malformed import section")
        if not changed:
            return data
        payload = _uleb(len(entries)) + b"".join(entries)
        return data[:start] + b"\x02" + _uleb(len(payload)) + payload + data[end:]
    return data


# --------------------------------------------------------------------------- secrets

SECRET_KEY = re.compile(
    r"(?i)(^|_|-|\b)(api_?key|key|token|secret|password|passwd|credential|auth(orization)?)s?($|_|-|\b)"
)
"""Config keys whose values are secrets: `api_key`, `access_token`, `client_secret`, ..."""

_MIN_SECRET_LENGTH = 3


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key)) or key.lower().endswith(("key", "token", "secret"))


def secret_values(config: Any) -> tuple[str, ...]:
    """String values under secret-looking keys, anywhere in a JSON configuration."""
    found: set[str] = set()

    def strings(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from strings(item)

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and is_secret_key(key):
                    found.update(s for s in strings(item) if len(s) >= _MIN_SECRET_LENGTH)
                else:
                    walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(config)
    return tuple(sorted(found, key=len, reverse=True))


class Redactor:
    """Replaces every secret value in a text by `***`."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return text


# --------------------------------------------------------------------------- Extism's log

_PLUGIN_ID = re.compile(r'plugin="([0-9a-fA-F-]{36})"\s*$')


class ExtismLogTap:
    """Captures Extism's error log, for the detail of a trap (which instruction, what fault).

    Only the runtime writes there: a plugin's `log_*` imports are served by the host (see
    `_host`), so nothing a plugin logs reaches this capture, and no error's class depends on it.
    Extism's log sink is process-global and can be set once: the first plugin opened installs
    this tap (unless `QMT_EXTISM_LOG=off` or the application installed its own sink first by
    calling `extism.set_log_custom`/`set_log_file`). Records are filed by the plugin instance they
    name, and bounded: the last `MAX_RECORDS` per instance, each cut to `MAX_RECORD_CHARS`.
    """

    MAX_PENDING_IDS = 256
    MAX_RECORDS = 4
    MAX_RECORD_CHARS = 4096

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._logger: Any = None
        self._pending: OrderedDict[str, deque[str]] = OrderedDict()
        self.enabled = False

    def install(self) -> bool:
        with self._lock:
            if self._logger is not None:
                return True
            if os.environ.get("QMT_EXTISM_LOG", "").lower() in ("off", "0", "false", "no"):
                return False
            # Each error record would otherwise capture a Rust backtrace (~45 ms) when
            # RUST_BACKTRACE is set; only library backtraces are turned off, panics keep theirs.
            os.environ.setdefault("RUST_LIB_BACKTRACE", "0")
            self._logger = extism.set_log_custom(self._record, "error")
            self.enabled = True
            return True

    def _record(self, text: str) -> None:
        match = _PLUGIN_ID.search(text)
        key = match.group(1).lower() if match else ""
        text = text.split("\nStack backtrace:", 1)[0][: self.MAX_RECORD_CHARS]
        lines = self._pending.get(key)
        if lines is None:
            lines = self._pending[key] = deque(maxlen=self.MAX_RECORDS)
            while len(self._pending) > self.MAX_PENDING_IDS:
                self._pending.popitem(last=False)
        lines.append(text)

    def take(self, plugin_id: str) -> list[str]:
        """Drains Extism's buffer and returns the last records about one instance."""
        with self._lock:
            if self._logger is None:
                return []
            self._logger.drain()
            self._pending.pop("", None)
            return list(self._pending.pop(plugin_id.lower(), ()))


LOG_TAP = ExtismLogTap()


def capture_extism_log() -> bool:
    """Installs the log capture now (it is installed on first open anyway); True if active."""
    return LOG_TAP.install()


# --------------------------------------------------------------------------- classification

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


def classify(
    export: str,
    message: str | None,
    state: CallState,
    records: list[str],
    redact: Callable[[str], str],
) -> PluginError:
    """The typed error of a failed call, from what the host saw and the runtime's message.

    `message` is the `extism.Error` text (None if the runtime reported success, but the host
    functions recorded a failure or the plugin set an error message). Only host-side facts
    decide the class: an HTTP failure recorded while serving the call; then the runtime's own
    outcome (timeout, out of memory, trap); then the message the plugin gave `error_set` (the
    plugin cannot reach Extism's `error_set`, so a runtime message is never the plugin's text).
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


# --------------------------------------------------------------------------- instances


class Instance:
    """One `extism.Plugin`: never used by two threads at once (the pool hands it to one)."""

    __slots__ = ("id", "plugin")

    def __init__(self, compiled: Any) -> None:
        self.plugin = extism.Plugin(compiled, functions=[])
        self.id = str(self.plugin.id)


class InstancePool:
    """Instances of one compiled module, checked out by one thread at a time.

    An idle instance is reused (LIFO, so a busy thread keeps a warm one); when none is idle a
    new one is made from the compiled module (a fraction of a millisecond). Instances that
    trapped, timed out or ran out of memory are dropped, not returned.
    """

    def __init__(self, compiled: Any, max_idle: int) -> None:
        self._compiled = compiled
        self._max_idle = max_idle
        self._idle: list[Instance] = []
        self._lock = threading.Lock()
        self.closed = False
        self.created = 0

    def acquire(self) -> Instance:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self.closed:
                from .errors import PluginClosedError

                raise PluginClosedError("the plugin is closed")
            self.created += 1
        try:
            return Instance(self._compiled)
        except extism.Error as exc:
            raise PluginLoadError(f"could not instantiate the plugin: {exc}") from None

    def release(self, instance: Instance) -> None:
        with self._lock:
            if not self.closed and len(self._idle) < self._max_idle:
                self._idle.append(instance)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._idle.clear()


def compile_module(
    wasm: bytes,
    *,
    wasi: bool,
    config: Mapping[str, str],
    timeout_ms: int | None,
    max_pages: int | None,
) -> Any:
    """An `extism.extism.CompiledPlugin` with this manifest (compile once, instantiate often).

    The module's HTTP, `error_set` and `log_*` imports are first renamed to the host's own
    functions (`_host`); the manifest allows no host, so Extism's HTTP client is never used.
    """
    manifest: dict[str, Any] = {
        "wasm": [{"data": rewrite_imports(wasm, RENAMES)}],
        "allowed_hosts": [],
        "config": dict(config),
    }
    if timeout_ms is not None:
        manifest["timeout_ms"] = timeout_ms
    if max_pages is not None:
        manifest["memory"] = {"max_pages": max_pages}
    key = (
        hashlib.sha256(wasm).digest(),
        wasi,
        json.dumps({k: v for k, v in manifest.items() if k != "wasm"}, sort_keys=True),
    )
    compiled = COMPILED.get(key)
    if compiled is not None:
        return compiled
    try:
        compiled = CompiledPlugin(manifest, wasi=wasi, functions=HOST_FUNCTIONS)
    except extism.Error as exc:
        raise PluginLoadError(f"could not compile the plugin: {exc}") from None
    COMPILED.put(key, compiled)
    return compiled


class CompiledCache:
    """The last few compiled modules, by module digest and manifest.

    Compiling is most of the cost of opening a plugin, even when wasmtime's on-disk cache has
    the machine code: the SDK base64-encodes the module into a JSON manifest, and the runtime
    validates and loads it (1-3 ms for a 250 KB module). The probe and the final instances of an
    open share one compiled module (the allow-list is the host's, not the manifest's), and
    opening the same bytes with the same manifest again reuses it. That is safe: a compiled
    module is immutable, and every instance made from it has its own memory and state. Failed
    compilations are not kept.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[bytes, bool, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[bytes, bool, str]) -> Any:
        with self._lock:
            compiled = self._entries.get(key)
            if compiled is not None:
                self._entries.move_to_end(key)
            return compiled

    def put(self, key: tuple[bytes, bool, str], compiled: Any) -> None:
        with self._lock:
            self._entries[key] = compiled
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drops every kept module (their memory is freed once no plugin uses them)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


COMPILED = CompiledCache(int(os.environ.get("QMT_EXTISM_COMPILED_CACHE", "8")))
"""Compiled modules kept for reuse (`QMT_EXTISM_COMPILED_CACHE=0` keeps none)."""
