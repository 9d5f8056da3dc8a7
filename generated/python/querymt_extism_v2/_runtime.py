"""Spec-independent machinery of the bindings: wasm header parsing and import rewriting, secret
redaction, Extism log capture, error classification and the pool of plugin instances.

Generated from querymt-extism-v2; do not edit.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from time import perf_counter
from typing import Any
from urllib.parse import quote, quote_plus

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

    def valtype(self) -> None:
        if self.byte() in (0x63, 0x64):  # (ref null? heaptype): a type index or abstract type
            self.uleb()

    def import_description(self) -> int | None:
        """Reads an import's kind and type; the type index of a function import, else None."""
        kind = self.byte()
        if kind == 0:
            return self.uleb()
        if kind == 1:
            self.valtype()
            self.limits()
        elif kind == 2:
            self.limits()
        elif kind == 3:
            self.valtype()
            self.byte()
        elif kind == 4:
            self.byte()
            self.uleb()
        else:
            raise ValueError(f"unknown import kind {kind}")
        return None

    def count(self, item: Callable[[], object]) -> int:
        """Reads a vector of items, returning its length."""
        size = self.uleb()
        for _ in range(size):
            item()
        return size


@dataclass(frozen=True)
class _Section:
    id: int
    start: int  # of the section's id byte
    body: int  # of its payload
    end: int


@dataclass(frozen=True)
class _Export:
    name: str
    kind: int
    index: int


def _sections(data: bytes) -> list[_Section]:
    if data[:4] != b"\0asm" or data[4:8] != b"\x01\0\0\0":
        raise ValueError("not a WebAssembly module (bad magic or version)")
    reader = _Reader(data, 8)
    sections = []
    while reader.pos < len(data):
        start = reader.pos
        section = reader.byte()
        size = reader.uleb()
        end = reader.pos + size
        if end > len(data):
            raise ValueError("truncated section")
        sections.append(_Section(section, start, reader.pos, end))
        reader.pos = end
    return sections


def _read_imports(body: _Reader) -> list[tuple[str, str, int | None]]:
    """(module, name, type index of a function import or None) of an import section."""
    imports: list[tuple[str, str, int | None]] = []
    for _ in range(body.uleb()):
        module, name = body.name(), body.name()
        imports.append((module, name, body.import_description()))
    return imports


def _read_exports(body: _Reader) -> list[_Export]:
    return [_Export(body.name(), body.byte(), body.uleb()) for _ in range(body.uleb())]


def read_wasm_header(data: bytes) -> WasmHeader:
    """Imports and exports of a WebAssembly binary; ValueError if it is not one."""
    imports: list[tuple[str, str]] = []
    exports: list[tuple[str, str]] = []
    for section in _sections(data):
        body = _Reader(data, section.body, section.end)
        if section.id == 2:
            imports.extend((module, name) for module, name, _ in _read_imports(body))
        elif section.id == 7:
            exports.extend(
                (e.name, _EXPORT_KINDS.get(e.kind, str(e.kind))) for e in _read_exports(body)
            )
    return WasmHeader(tuple(imports), tuple(exports))


# --------------------------------------------------------------------------- initialization

START_EXPORT = "qmt-host:start"
INIT_EXPORT = "qmt-host:init"


@dataclass(frozen=True)
class PreparedModule:
    """A module rewritten so that none of its code runs outside a call with a time limit.

    Extism runs a module's start function and its `__wasm_call_ctors` or `_initialize` export
    when it instantiates it, before a call's timer starts: a loop there would hang `open()`
    whatever `timeout_ms` says. The rewrite removes the start section and those exports and
    exports the same functions under reserved names; each new instance calls them first, as
    ordinary calls, so the manifest's timeout covers them.
    """

    wasm: bytes
    init: tuple[tuple[str, str], ...]
    """(reserved export, what it was) to call, in order, on every new instance."""


def _nullary_types(data: bytes, section: _Section) -> list[bool]:
    """For each type index: whether it is the function type `[] -> []`."""
    body = _Reader(data, section.body, section.end)
    types: list[bool] = []

    def fieldtype() -> None:
        body.valtype()  # also covers the packed i8/i16 storage types (one byte each)
        body.byte()

    def comptype(form: int) -> bool:
        if form == 0x60:
            params = body.count(body.valtype)
            results = body.count(body.valtype)
            return params == 0 and results == 0
        if form == 0x5F:
            body.count(fieldtype)
        elif form == 0x5E:
            fieldtype()
        else:
            raise ValueError(f"unknown type form 0x{form:02x}")
        return False

    def subtype(form: int) -> bool:
        if form in (0x50, 0x4F):
            body.count(body.uleb)
            form = body.byte()
        return comptype(form)

    for _ in range(body.uleb()):
        form = body.byte()
        if form == 0x4E:
            types.extend(subtype(body.byte()) for _ in range(body.uleb()))
        else:
            types.append(subtype(form))
    return types


def _export_section(exports: list[_Export]) -> bytes:
    payload = _uleb(len(exports))
    for export in exports:
        raw = export.name.encode()
        payload += _uleb(len(raw)) + raw + bytes([export.kind]) + _uleb(export.index)
    return b"\x07" + _uleb(len(payload)) + payload


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
    for section in _sections(data):
        if section.id != 2:
            continue
        body = _Reader(data, section.body, section.end)
        entries: list[bytes] = []
        changed = False
        for _ in range(body.uleb()):
            module, name = body.name(), body.name()
            rest = body.pos
            body.import_description()
            new_module, new_name = renames.get((module, name), (module, name))
            changed |= (new_module, new_name) != (module, name)
            entries.append(_name(new_module) + _name(new_name) + data[rest : body.pos])
        if body.pos != section.end:
            raise ValueError("malformed import section")
        if not changed:
            return data
        payload = _uleb(len(entries)) + b"".join(entries)
        return data[: section.start] + b"\x02" + _uleb(len(payload)) + payload + data[section.end :]
    return data


_SECTIONS_AFTER_EXPORTS = frozenset((8, 9, 10, 11, 12))


def prepare_module(data: bytes) -> PreparedModule:
    """The module with its start function and initializer moved into timed calls.

    ValueError if it is not a WebAssembly module, or if it exports `hs_init` (a Haskell
    runtime, which Extism initializes with arguments no call can pass).
    """
    sections = _sections(data)
    by_id = {s.id: s for s in sections if s.id}
    exports: list[_Export] = []
    if 7 in by_id:
        exports = _read_exports(_Reader(data, by_id[7].body, by_id[7].end))
    functions = {e.name: e.index for e in exports if e.kind == 0}
    if "hs_init" in functions:
        raise ValueError(
            "it exports hs_init (a Haskell runtime), whose initialization cannot be bounded"
        )
    if START_EXPORT in functions or INIT_EXPORT in functions:
        raise ValueError(f"it exports {START_EXPORT} or {INIT_EXPORT}, names the host reserves")
    start = None
    if 8 in by_id:
        start = _Reader(data, by_id[8].body, by_id[8].end).uleb()
    initializer = next((n for n in ("__wasm_call_ctors", "_initialize") if n in functions), None)
    if initializer is not None:
        # Extism calls the initializer only if it is `[] -> []` (and looks no further).
        types = _nullary_types(data, by_id[1]) if 1 in by_id else []
        imported = []
        if 2 in by_id:
            imported = [
                t
                for _, _, t in _read_imports(_Reader(data, by_id[2].body, by_id[2].end))
                if t is not None
            ]
        declared = []
        if 3 in by_id:
            body = _Reader(data, by_id[3].body, by_id[3].end)
            declared = [body.uleb() for _ in range(body.uleb())]
        signatures = imported + declared
        index = functions[initializer]
        if not (
            index < len(signatures) and signatures[index] < len(types) and types[signatures[index]]
        ):
            initializer = None
    if start is None and initializer is None:
        return PreparedModule(data, ())
    init: list[tuple[str, str]] = []
    kept = [e for e in exports if not (e.kind == 0 and e.name == initializer)]
    if start is not None:
        kept.append(_Export(START_EXPORT, 0, start))
        init.append((START_EXPORT, "start function"))
    if initializer is not None:
        kept.append(_Export(INIT_EXPORT, 0, functions[initializer]))
        init.append((INIT_EXPORT, initializer))
    new_exports = _export_section(kept)
    out = bytearray(data[:8])
    placed = False
    for section in sections:
        if not placed and (section.id == 7 or section.id in _SECTIONS_AFTER_EXPORTS):
            out += new_exports
            placed = True
        if section.id not in (7, 8):
            out += data[section.start : section.end]
    if not placed:
        out += new_exports
    return PreparedModule(bytes(out), tuple(init))


# --------------------------------------------------------------------------- secrets

SECRET_WORDS = frozenset(
    (
        "key",
        "apikey",
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "credential",
        "creds",
        "auth",
        "authorization",
        "bearer",
        "pat",
        "cookie",
        "jwt",
        "private",
        "privatekey",
        "signature",
        "otp",
        "pin",
    )
)
"""Words that make a config key's value a secret: `api_key`, `accessToken`, `client-secret`,
`github_pat`, `ssh_passphrase`, `private_key_pem`, ... (plurals count too)."""

_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_MIN_SECRET_LENGTH = 3


def is_secret_key(key: str) -> bool:
    """Whether a configuration key names a secret (by its words, in any case style)."""
    words = [w.lower() for w in _WORDS.findall(key)]
    if any(w in SECRET_WORDS or (w.endswith("s") and w[:-1] in SECRET_WORDS) for w in words):
        return True
    return key.lower().endswith(("key", "token", "secret", "password", "keys", "tokens"))


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

    stack = [config]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                if isinstance(key, str) and is_secret_key(key):
                    found.update(s for s in strings(item) if len(s) >= _MIN_SECRET_LENGTH)
                else:
                    stack.append(item)
        elif isinstance(value, list | tuple):
            stack.extend(value)
    return tuple(sorted(found, key=len, reverse=True))


_MIN_BASE64_CORE = 6


def _base64_cores(raw: bytes) -> set[str]:
    """Base64 text that encodes `raw` at each of the three alignments it may have inside a
    longer encoded value (`Authorization: Basic base64(user:secret)`): the characters that
    depend on `raw` alone."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + raw).decode()
        head = 4 if shift else 0
        tail = len(encoded) - (4 if (shift + len(raw)) % 3 else 0)
        core = encoded[head:tail]
        if len(core) >= _MIN_BASE64_CORE:
            cores.add(core)
            cores.add(core.replace("+", "-").replace("/", "_"))  # the URL-safe alphabet
    return cores


@lru_cache(maxsize=1024)
def secret_forms(secret: str) -> frozenset[str]:
    """The texts a secret may travel as: raw, JSON-escaped, URL-encoded (also twice or mixed),
    and base64 (alone or inside a longer encoded value)."""
    encoders: tuple[Callable[[str], str], ...] = (
        lambda s: json.dumps(s)[1:-1],
        lambda s: json.dumps(s, ensure_ascii=False)[1:-1],
        lambda s: quote(s, safe=""),
        lambda s: quote_plus(s, safe=""),
    )
    forms = {secret}
    for _ in range(2):
        forms |= {encode(form) for form in forms for encode in encoders}
    try:
        raw = secret.encode()
    except UnicodeEncodeError:
        raw = secret.encode("utf-8", "surrogatepass")
    forms |= _base64_cores(raw)
    return frozenset(form for form in forms if len(form) >= _MIN_SECRET_LENGTH)


class Redactor:
    """Replaces every secret value in a text by `***`, in each encoding it may travel in."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))
        forms = sorted({f for s in self.secrets for f in secret_forms(s)}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(f) for f in forms), re.IGNORECASE) if forms else None
        )

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub("***", text)


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


class Module:
    """A module with one manifest, from which instances are made.

    Extism times calls out by advancing the epoch of the wasmtime engine the instance runs on,
    and every instance made from one `CompiledPlugin` shares its engine: when one instance's
    call timed out (or was cancelled), every call running at that moment on another instance of
    the same compiled module failed with `timeout` too. So no two live instances ever share a
    compiled module here: each instance checks one out (from the cache of idle ones, or a new
    compilation, which wasmtime's on-disk cache makes cheap) and gives it back once freed.
    """

    __slots__ = ("_manifest", "_wasi", "init", "key", "near_limit")

    def __init__(
        self, key: tuple[bytes, bool, str], manifest: dict[str, Any], wasi: bool, init: Any
    ) -> None:
        self.key = key
        self.init: tuple[tuple[str, str], ...] = init
        self._manifest = manifest
        self._wasi = wasi
        timeout_ms = manifest.get("timeout_ms")
        self.near_limit: float | None = None
        """Seconds after which a call ended so near its limit that Extism's timer may still
        advance the engine's epoch once it is over (the timer thread works with a millisecond
        of slack and handles one event at a time): the next call on that engine could then time
        out at once. An instance whose call took that long is dropped, with its compiled module."""
        if timeout_ms is not None:
            self.near_limit = max(0.0, timeout_ms / 1000 * 0.95 - 0.01)

    def checkout(self) -> Any:
        """A compiled module no live instance uses."""
        compiled = COMPILED.take(self.key)
        if compiled is not None:
            return compiled
        try:
            return CompiledPlugin(self._manifest, wasi=self._wasi, functions=HOST_FUNCTIONS)
        except extism.Error as exc:
            raise PluginLoadError(f"could not compile the plugin: {exc}") from None

    def checkin(self, compiled: Any) -> None:
        """Takes back a compiled module whose instance is freed."""
        COMPILED.give(self.key, compiled)


def _alive(compiled: Any) -> bool:
    """False once the SDK freed the compiled module: when an instance is garbage collected in a
    reference cycle (an exception's traceback holds one), Python may finalize the compiled
    module it holds as well, even after the instance gave it back to the cache."""
    return not isinstance(getattr(compiled, "pointer", -1), int)


class Instance:
    """One `extism.Plugin`: never used by two threads at once (the pool hands it to one).

    It alone uses its compiled module (see `Module`), which goes back to the cache when the
    instance is freed.
    """

    __slots__ = ("_compiled", "_module", "id", "plugin")

    def __init__(self, module: Module) -> None:
        self._module = module
        self._compiled = module.checkout()
        self.plugin: Any = extism.Plugin(self._compiled, functions=[])
        self.id = str(self.plugin.id)

    def discard(self) -> None:
        """Frees this instance and its compiled module, which is not reused."""
        self._compiled = None
        self.plugin = None

    def __del__(self) -> None:
        compiled, self._compiled = getattr(self, "_compiled", None), None
        if compiled is None:
            return
        self.plugin = None  # frees the extism instance before its compiled module is reused
        with contextlib.suppress(Exception):  # at interpreter shutdown there is no cache left
            if _alive(compiled):
                self._module.checkin(compiled)


class InstancePool:
    """Instances of one module, checked out by one thread at a time.

    An idle instance is reused (LIFO, so a busy thread keeps a warm one); when none is idle a
    new one is made and initialized (its start function and initializer, under the timeout).
    Instances that trapped, timed out or ran out of memory are dropped, not returned.
    """

    def __init__(self, module: Module, max_idle: int) -> None:
        self._module = module
        self._max_idle = max_idle
        self._idle: list[Instance] = []
        self._lock = threading.Lock()
        self.closed = False
        self.created = 0

    def acquire(self, new_state: Callable[[str], CallState]) -> Instance:
        """An instance for this thread; a failed initialization raises its typed error.

        `new_state(what)` is the host functions' record for each initialization call.
        """
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self.closed:
                from .errors import PluginClosedError

                raise PluginClosedError("the plugin is closed")
            self.created += 1
        try:
            instance = Instance(self._module)
        except extism.Error as exc:
            raise PluginLoadError(f"could not instantiate the plugin: {exc}") from None
        for export, what in self._module.init:
            state = new_state(what)
            failure: str | None = None
            try:
                instance.plugin.call(export, b"", host_context=state)
            except extism.Error as exc:
                failure = str(exc.args[0]) if exc.args else ""
            if failure is None and state.failure is None and state.guest_error is None:
                continue
            records = LOG_TAP.take(instance.id) if failure is not None else []
            error = classify(what, failure, state, records, state.redact)
            error.message = f"the plugin's initialization failed: {error.message}"
            error.args = (error.message,)
            raise error from None
        return instance

    def release(self, instance: Instance, started: float | None = None) -> None:
        """Takes back an instance whose call (begun at `perf_counter()` `started`) is over."""
        limit = self._module.near_limit
        if started is not None and limit is not None and perf_counter() - started >= limit:
            instance.discard()
            return
        with self._lock:
            if not self.closed and len(self._idle) < self._max_idle:
                self._idle.append(instance)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._idle.clear()


_PREPARED: OrderedDict[bytes, PreparedModule] = OrderedDict()
_PREPARED_LOCK = threading.Lock()


def _prepared(digest: bytes, wasm: bytes) -> PreparedModule:
    with _PREPARED_LOCK:
        found = _PREPARED.get(digest)
    if found is None:
        try:
            found = prepare_module(rewrite_imports(wasm, RENAMES))
        except (ValueError, UnicodeDecodeError) as exc:
            raise PluginLoadError(f"cannot load this module: {exc}") from None
        with _PREPARED_LOCK:
            _PREPARED[digest] = found
            while len(_PREPARED) > max(COMPILED.size, 1):
                _PREPARED.popitem(last=False)
    return found


def compile_module(
    wasm: bytes,
    *,
    wasi: bool,
    config: Mapping[str, str],
    timeout_ms: int | None,
    max_pages: int | None,
) -> Module:
    """The module with this manifest, compiled now (errors show here) and kept for instances.

    The module's HTTP, `error_set` and `log_*` imports are first renamed to the host's own
    functions (`_host`); the manifest allows no host, so Extism's HTTP client is never used.
    """
    digest = hashlib.sha256(wasm).digest()
    prepared = _prepared(digest, wasm)
    manifest: dict[str, Any] = {
        "wasm": [{"data": prepared.wasm}],
        "allowed_hosts": [],
        "config": dict(config),
    }
    if timeout_ms is not None:
        manifest["timeout_ms"] = timeout_ms
    if max_pages is not None:
        manifest["memory"] = {"max_pages": max_pages}
    key = (
        digest,
        wasi,
        json.dumps({k: v for k, v in manifest.items() if k != "wasm"}, sort_keys=True),
    )
    module = Module(key, manifest, wasi, prepared.init)
    module.checkin(module.checkout())
    return module


class CompiledCache:
    """Idle compiled modules, by module digest and manifest, the least recently used dropped.

    Compiling is most of the cost of opening a plugin, even when wasmtime's on-disk cache has
    the machine code: the SDK base64-encodes the module into a JSON manifest, and the runtime
    validates and loads it (1-3 ms for a 250 KB module). The probe and the final instances of an
    open share one manifest (the allow-list is the host's, not the manifest's), and opening the
    same bytes with the same manifest again reuses its compiled modules. A compiled module is
    immutable; what instances of one share is the engine whose epoch times calls out, so an
    entry here is one that no live instance uses (see `Module`). Failed compilations are not
    kept.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[bytes, bool, str], list[Any]] = OrderedDict()
        self._count = 0
        self._lock = threading.RLock()

    def take(self, key: tuple[bytes, bool, str]) -> Any:
        """An idle compiled module for `key`, now out of the cache; None if there is none."""
        with self._lock:
            idle = self._entries.get(key)
            compiled = None
            while idle and compiled is None:
                self._count -= 1
                compiled = idle.pop()
                if not _alive(compiled):
                    compiled = None
            if not idle:
                self._entries.pop(key, None)
            return compiled

    def give(self, key: tuple[bytes, bool, str], compiled: Any) -> None:
        """Keeps an idle compiled module (no live instance may use it any more)."""
        dropped = []
        with self._lock:
            self._entries.setdefault(key, []).append(compiled)
            self._entries.move_to_end(key)
            self._count += 1
            while self._count > self.size:
                oldest = next(iter(self._entries))
                idle = self._entries[oldest]
                dropped.append(idle.pop(0))
                self._count -= 1
                if not idle:
                    del self._entries[oldest]
        del dropped  # freed outside the lock

    def clear(self) -> None:
        """Drops every kept module (their memory is freed once no plugin uses them)."""
        with self._lock:
            self._entries.clear()
            self._count = 0

    def __len__(self) -> int:
        return self._count


COMPILED = CompiledCache(int(os.environ.get("QMT_EXTISM_COMPILED_CACHE", "8")))
"""Idle compiled modules kept for reuse (`QMT_EXTISM_COMPILED_CACHE=0` keeps none)."""
