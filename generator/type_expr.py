"""The spec's type expressions: `u32`, `list<ToolCall>`, `ExtismChatRequest<Config>`."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from generator.ir import PRIMITIVE_NAMES, ListOf, MapOf, Named, Primitive, TypeParam, TypeRef

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(<)|(>)|(,))")
CONTAINERS = {"list": 1, "map": 1}
MAX_NESTING = 16
"""How deeply type arguments may nest (`list<list<f32>>` is 2)."""


class TypeExprError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class _Parsed:
    name: str
    args: tuple[_Parsed, ...]


def _parse(text: str) -> _Parsed:
    tokens: list[str] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match:
            raise TypeExprError(f"cannot parse type '{_shown(text)}' at character {position + 1}")
        tokens.append(next(group for group in match.groups() if group))
        position = match.end()
    index = 0

    def parse_one(depth: int = 0) -> _Parsed:
        nonlocal index
        if depth > MAX_NESTING:
            raise TypeExprError(
                f"type arguments nested more than {MAX_NESTING} deep",
                "a spec type never needs this; declare a named type for the inner part",
            )
        if index >= len(tokens) or not re.match(r"[A-Za-z_]", tokens[index]):
            raise TypeExprError(f"cannot parse type '{_shown(text)}': expected a type name")
        name = tokens[index]
        index += 1
        args: list[_Parsed] = []
        if index < len(tokens) and tokens[index] == "<":
            index += 1
            args.append(parse_one(depth + 1))
            while index < len(tokens) and tokens[index] == ",":
                index += 1
                args.append(parse_one(depth + 1))
            if index >= len(tokens) or tokens[index] != ">":
                raise TypeExprError(f"cannot parse type '{_shown(text)}': expected '>'")
            index += 1
        return _Parsed(name, tuple(args))

    parsed = parse_one()
    if index != len(tokens):
        raise TypeExprError(f"cannot parse type '{_shown(text)}': unexpected '{tokens[index]}'")
    return parsed


def _shown(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def resolve_type(text: str, *, declared: Mapping[str, int], params: tuple[str, ...]) -> TypeRef:
    """Parse and resolve `text`.

    `declared` maps each declared type to its number of type parameters; `params` are the type
    parameters in scope. Raises `TypeExprError` with a hint listing what is known.
    """
    return _resolve(_parse(text), declared, params)


def _resolve(parsed: _Parsed, declared: Mapping[str, int], params: tuple[str, ...]) -> TypeRef:
    name, args = parsed.name, parsed.args
    if name in PRIMITIVE_NAMES:
        _expect_arity(name, args, 0)
        return Primitive(name)
    if name in CONTAINERS:
        _expect_arity(name, args, 1)
        inner = _resolve(args[0], declared, params)
        return ListOf(inner) if name == "list" else MapOf(inner)
    if name in params:
        _expect_arity(name, args, 0)
        return TypeParam(name)
    if name in declared:
        _expect_arity(name, args, declared[name])
        return Named(name, tuple(_resolve(a, declared, params) for a in args))
    known = sorted([*PRIMITIVE_NAMES, *(f"{c}<T>" for c in CONTAINERS), *declared, *params])
    close = difflib.get_close_matches(name, [*PRIMITIVE_NAMES, *declared, *params], n=1)
    hint = (f"did you mean '{close[0]}'? " if close else "") + f"Options are: {', '.join(known)}"
    raise TypeExprError(f"unknown type '{name}'", hint)


def _expect_arity(name: str, args: tuple[_Parsed, ...], expected: int) -> None:
    if len(args) != expected:
        raise TypeExprError(
            f"type '{name}' takes {expected} type argument{'s' if expected != 1 else ''}, "
            f"got {len(args)}"
        )
