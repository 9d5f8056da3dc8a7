"""Spec errors pointing at `file:line:col` and a JSON pointer, collected rather than raised."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    line: int
    column: int


@dataclass(frozen=True)
class Diagnostic:
    file: str
    position: Position
    pointer: str
    message: str
    hint: str | None = None

    def render(self) -> str:
        text = f"{self.file}:{self.position.line}:{self.position.column}: {self.message}"
        if self.pointer:
            text += f"\n    at {self.pointer}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class SpecError(Exception):
    """One or more problems in a spec file. `str()` lists them all, one per diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.position, d.message))
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    return base + "".join("/" + escape_pointer_token(t) for t in tokens)


@dataclass
class Collector:
    """Accumulates diagnostics for one file, resolving JSON pointers to source positions."""

    file: str
    positions: dict[str, Position]
    key_positions: dict[str, Position]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def position_of(self, pointer: str, *, key: bool = False) -> Position:
        table = self.key_positions if key else self.positions
        probe = pointer
        while True:
            if probe in table:
                return table[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return Position(1, 1)
            probe = probe.rsplit("/", 1)[0]

    def error(
        self,
        pointer: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
        at: Position | None = None,
    ) -> None:
        position = at if at is not None else self.position_of(pointer, key=key)
        self.diagnostics.append(Diagnostic(self.file, position, pointer, message, hint))


_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def position_at(text: str, index: int) -> Position:
    """The line and column of character `index`, counting line breaks as YAML does."""
    line, start = 1, 0
    for match in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, match.end()
    return Position(line, index - start + 1)
