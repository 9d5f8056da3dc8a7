"""WebAssembly binary handling: reading a module's imports and exports, renaming imports, and
moving a module's start function and initializer into timed calls.

Nothing here runs the module; every function only reads or re-encodes sections.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = [
    "INIT_EXPORT",
    "START_EXPORT",
    "PreparedModule",
    "WasmHeader",
    "prepare_module",
    "read_wasm_header",
    "rewrite_imports",
]

# --------------------------------------------------------------------------- header


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
