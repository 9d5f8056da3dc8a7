"""One entry point for any plugin: read the module's exports, pick the ABI it speaks, open it.

Nothing here names an export: every ABI package of the distribution (`querymt_extism_v<N>`)
states its required exports, host modes and dialects in its `Plugin.ABI`, and detection reads
only those tables. A module matches an ABI when it has all of the ABI's required exports, if the
ABI has host modes one of them applies, and every host function it imports (beyond WASI and
Extism's kernel) is one of the ABI's `host_functions`; among matches the newest ABI wins.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .abi import Abi
from .errors import PluginLoadError
from .plugin import PluginBase
from .wasm import WasmHeader, read_wasm_header

__all__ = [
    "AbiMatch",
    "UnsupportedAbiError",
    "abi_plugin_classes",
    "detect_abi",
    "open_plugin",
]

_PACKAGE = re.compile(r"^querymt_extism_v\d+$")
_KERNEL = "extism:host/env"
"""Extism's own imports (memory, input, output, its HTTP); every ABI's module may use them."""


class UnsupportedAbiError(PluginLoadError):
    """The module speaks no ABI this distribution can drive; `kind` says what it looks like.

    `kind` is `legacy` for a plugin of QueryMT's legacy mode (QueryMT 0.3 and older: monolithic
    exports, HTTP through `qmt_*` host functions), else `unknown`. `missing` maps each ABI's
    slug to the exports the module lacks for it.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        missing: Mapping[str, tuple[str, ...]],
        exports: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.missing = dict(missing)
        self.exports = exports


@dataclass(frozen=True)
class AbiMatch:
    """The ABI a module speaks: its plugin class, host mode and dialect (None: the ABI has none)."""

    plugin_class: type[PluginBase[Any]]
    mode: str | None
    dialect: str | None

    @property
    def abi(self) -> Abi:
        return self.plugin_class.ABI


def abi_plugin_classes() -> tuple[type[PluginBase[Any]], ...]:
    """The `Plugin` class of every ABI package installed beside the runtime, oldest ABI first."""
    found: list[type[PluginBase[Any]]] = []
    for info in pkgutil.iter_modules():
        if _PACKAGE.match(info.name):
            module = importlib.import_module(info.name)
            plugin = getattr(module, "Plugin", None)
            if isinstance(plugin, type) and issubclass(plugin, PluginBase):
                found.append(plugin)
    return tuple(sorted(found, key=lambda p: p.ABI.version))


def _host_imports(header: WasmHeader) -> list[tuple[str, str]]:
    return sorted(
        (module, name)
        for module, name in header.imports
        if module != _KERNEL and not module.startswith("wasi_")
    )


def _missing_for(abi: Abi, header: WasmHeader) -> tuple[str, ...]:
    """What keeps the module from speaking `abi`: lacking exports, foreign host imports."""
    exports = header.function_exports
    missing = [name for name in abi.required_exports if name not in exports]
    if abi.modes and abi.mode_of(exports) is None:
        first = abi.modes[0]
        missing.extend(n for n in first.requires if n not in exports and n not in missing)
    served = set(abi.host_functions)
    missing.extend(
        f"(imports {module}::{name}, which it does not serve)"
        for module, name in _host_imports(header)
        if (module, name) not in served
    )
    return tuple(missing)


def detect_abi(
    module: bytes | WasmHeader, plugin_classes: Sequence[type[PluginBase[Any]]] | None = None
) -> AbiMatch:
    """The ABI the module speaks, from its export section; UnsupportedAbiError if none.

    `plugin_classes` defaults to `abi_plugin_classes()`. PluginLoadError if the bytes are not
    a WebAssembly module.
    """
    if isinstance(module, WasmHeader):
        header = module
    else:
        try:
            header = read_wasm_header(module)
        except ValueError as exc:
            raise PluginLoadError(f"not a WebAssembly module: {exc}") from None
    classes = abi_plugin_classes() if plugin_classes is None else tuple(plugin_classes)
    missing: dict[str, tuple[str, ...]] = {}
    for plugin_class in sorted(classes, key=lambda p: p.ABI.version, reverse=True):
        abi = plugin_class.ABI
        lacking = _missing_for(abi, header)
        if not lacking:
            exports = header.function_exports
            mode = abi.mode_of(exports)
            return AbiMatch(plugin_class, mode.name if mode else None, abi.dialect_of(exports))
        missing[abi.slug] = lacking
    raise _unsupported(header, classes, missing)


def _unsupported(
    header: WasmHeader,
    classes: Sequence[type[PluginBase[Any]]],
    missing: dict[str, tuple[str, ...]],
) -> UnsupportedAbiError:
    """Served host functions imported without the exports of any mode: QueryMT's legacy mode."""
    exports = header.function_exports
    served = {f for c in classes for f in c.ABI.host_functions}
    user_imports = [name for module, name in _host_imports(header) if (module, name) in served]
    lacks = "; ".join(f"{slug} lacks {', '.join(names)}" for slug, names in missing.items())
    shown = ", ".join(sorted(exports)[:12]) or "none"
    if user_imports:
        return UnsupportedAbiError(
            "a legacy QueryMT plugin (QueryMT 0.3 or older): it imports QueryMT's host "
            f"functions ({', '.join(user_imports)}) to do its own HTTP inside monolithic "
            f"exports (it exports {shown}), and has no request/parse split. No ABI of this "
            f"distribution describes that mode ({lacks}); rebuild the plugin with a current "
            "QueryMT",
            kind="legacy",
            missing=missing,
            exports=exports,
        )
    return UnsupportedAbiError(
        f"the module speaks no known plugin ABI (it exports {shown}; {lacks})",
        kind="unknown",
        missing=missing,
        exports=exports,
    )


def open_plugin(
    source: str | Path | bytes,
    config: Mapping[str, Any],
    *,
    plugin_classes: Sequence[type[PluginBase[Any]]] | None = None,
    api_key_from_env: bool = False,
    **limits: Any,
) -> PluginBase[Any]:
    """Open any plugin with the plugin class of the ABI it speaks (see `detect_abi`).

    `source` is a path to a .wasm file or its bytes; `limits` go to the class's `open`
    (`timeout_ms`, `max_pages`, `allowed_hosts`, ...).

    With `api_key_from_env`, a plugin driven in adapter mode whose `config` has no non-empty
    `api_key` gets it from the environment variable its `api_key_name` export names (as
    QueryMT's host does); nothing is read from the environment otherwise.
    """
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    match = detect_abi(data, plugin_classes)
    opener = cast(Any, match.plugin_class).open
    if not (api_key_from_env and match.mode == "adapter" and not config.get("api_key")):
        opened: PluginBase[Any] = opener(data, config, **limits)
        return opened
    check = limits.pop("check_config", True)
    plugin = cast(Any, opener(data, config, check_config=False, **limits))
    name = plugin.api_key_name() if plugin.has_export("api_key_name") else None
    value = os.environ.get(name) if name else None
    filled = {**config, "api_key": value} if value else dict(config)
    bound: PluginBase[Any] = plugin.with_config(filled, check=check)
    return bound
