"""Compiled modules and the pool of plugin instances made from them.

A module is prepared once (imports renamed to the host's functions, its initialization moved
into timed calls, see `wasm`), compiled with one manifest, and instantiated on demand; each
instance is used by one thread at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Any

import extism  # type: ignore[import-untyped]
from extism.extism import CompiledPlugin  # type: ignore[import-untyped]

from .classify import classify_failure
from .errors import PluginClosedError, PluginLoadError
from .host import HOST_FUNCTIONS, RENAMES, CallState
from .logtap import LOG_TAP
from .wasm import PreparedModule, prepare_module, rewrite_imports

__all__ = ["COMPILED", "CompiledCache", "Instance", "InstancePool", "Module", "compile_module"]


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

    def __init__(
        self,
        module: Module,
        max_idle: int,
        *,
        setup: tuple[str, bytes] | None = None,
        log_level: int = 5,
        max_output_bytes: int | None = None,
    ) -> None:
        """`setup` (export, input) is called once on each new instance, after its
        initialization (e.g. QueryMT's `init_logging` with `log_level`, the level the host
        passed, which the host functions then hold the plugin's records to).
        `max_output_bytes` bounds what a call may hand back (None: only by the memory limit)."""
        self._module = module
        self._max_idle = max_idle
        self._setup = setup
        self.log_level = log_level
        self.max_output_bytes = max_output_bytes
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
                raise PluginClosedError("the plugin is closed")
            self.created += 1
        try:
            instance = Instance(self._module)
        except extism.Error as exc:
            raise PluginLoadError(f"could not instantiate the plugin: {exc}") from None
        calls = [(export, what, b"") for export, what in self._module.init]
        if self._setup is not None:
            calls.append((self._setup[0], self._setup[0], self._setup[1]))
        for export, what, data in calls:
            state = new_state(what)
            failure: str | None = None
            try:
                instance.plugin.call(export, data, host_context=state)
            except extism.Error as exc:
                failure = str(exc.args[0]) if exc.args else ""
            if failure is None and state.failure is None and state.guest_error is None:
                continue
            records = LOG_TAP.take(instance.id) if failure is not None else []
            error = classify_failure(what, failure, state, records, state.redact)
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
    functions (`host`); the manifest allows no host, so Extism's HTTP client is never used.
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
