"""The import and export sections of a compiled wasm module, read without external tools."""

from __future__ import annotations


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _name(data: bytes, pos: int) -> tuple[str, int]:
    length, pos = _leb(data, pos)
    return data[pos : pos + length].decode(), pos + length


def _limits(data: bytes, pos: int) -> int:
    flags = data[pos]
    _, pos = _leb(data, pos + 1)
    if flags & 1:
        _, pos = _leb(data, pos)
    return pos


def wasm_interface(data: bytes) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The (module, name) of every import, and the kind of every export, of a module."""
    imports, exports = wasm_kinds(data)
    return list(imports), exports


def wasm_kinds(data: bytes) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """The kind (0 function, 1 table, 2 memory, 3 global) of every import, by (module, name)
    in section order, and of every export, by name."""
    assert data[:8] == b"\0asm\x01\0\0\0"
    imports: dict[tuple[str, str], int] = {}
    exports: dict[str, int] = {}
    pos = 8
    while pos < len(data):
        section = data[pos]
        size, pos = _leb(data, pos + 1)
        end = pos + size
        if section == 2:
            count, p = _leb(data, pos)
            for _ in range(count):
                module, p = _name(data, p)
                name, p = _name(data, p)
                kind = data[p]
                p += 1
                if kind == 0:  # function: type index
                    _, p = _leb(data, p)
                elif kind == 1:  # table: reftype + limits
                    p = _limits(data, p + 1)
                elif kind == 2:  # memory
                    p = _limits(data, p)
                else:  # global: valtype + mutability
                    p += 2
                imports[(module, name)] = kind
        elif section == 7:
            count, p = _leb(data, pos)
            for _ in range(count):
                name, p = _name(data, p)
                kind = data[p]
                _, p = _leb(data, p + 1)
                exports[name] = kind
        pos = end
    return imports, exports
