"""Name mapping shared by every target: case conversion and keyword escaping.

Templates call these as filters; no template re-implements a naming rule.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from typing import Any

# Strict and reserved keywords of Rust 2021 (`r#` cannot escape the first four).
RUST_KEYWORDS = frozenset(
    [
        "as",
        "async",
        "await",
        "break",
        "const",
        "continue",
        "crate",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "abstract",
        "become",
        "box",
        "do",
        "final",
        "macro",
        "override",
        "priv",
        "try",
        "typeof",
        "unsized",
        "virtual",
        "yield",
    ]
)
RUST_UNESCAPABLE = frozenset({"crate", "self", "Self", "super"})
PYTHON_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) - {"_"}

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|[-_\s]+")


def words(name: str) -> list[str]:
    return [w for w in _WORD_BOUNDARY.split(name) if w]


def snake_case(name: str) -> str:
    return "_".join(w.lower() for w in words(name))


def pascal_case(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in words(name))


def shouty_case(name: str) -> str:
    return snake_case(name).upper()


def rust_ident(name: str) -> str:
    """A Rust identifier for `name`, raw (`r#type`) when it is a keyword."""
    return f"r#{name}" if name in RUST_KEYWORDS else name


def python_ident(name: str) -> str:
    """A Python identifier for `name`, with PEP 8's trailing underscore when it is a keyword."""
    return f"{name}_" if keyword.iskeyword(name) else name


FILTERS: dict[str, Callable[..., Any]] = {
    "snake_case": snake_case,
    "pascal_case": pascal_case,
    "shouty_case": shouty_case,
    "rust_ident": rust_ident,
    "python_ident": python_ident,
}
